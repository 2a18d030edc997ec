// The request and response values handlers see, and Responder, the one-shot channel through which
// a handler answers. A Request owns its Beast message (headers and padded body) and the path and
// query parameters the router extracted; handlers may move it into asynchronous work. A Response
// is a status, a body and its content type. Every answer the server produces goes through a
// Responder exactly once: Send may be called from any thread (the write is posted back to the
// connection's executor), and a Responder destroyed without Send answers 500, so a handler bug
// can never leave a client waiting. Values; a Responder is move-only.
//
// A handler may instead answer with a stream (Responder::Stream, e.g. Server-Sent Events): the
// head is sent at once and the connection stays open; the StreamWriter it returns queues bytes
// from any thread and the connection sends them in order (chunked on HTTP/1.1), until the
// producer closes it, the client goes away, the server stops, or the client reads too slowly for
// the writer's bound. StreamWriter is shared (std::shared_ptr) and thread-safe.
#pragma once

#include <atomic>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/verb.hpp>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "server/padded_body.h"

namespace braid::server {

using HttpRequest = boost::beast::http::request<PaddedBody>;
using HttpVerb = boost::beast::http::verb;
using NameValues = std::vector<std::pair<std::string, std::string>>;

class Request {
 public:
  Request(HttpRequest message, std::string path, NameValues query, NameValues path_params)
      : message_(std::move(message)),
        path_(std::move(path)),
        query_(std::move(query)),
        path_params_(std::move(path_params)) {}

  HttpVerb method() const { return message_.method(); }
  // The decoded path without the query string, e.g. "/v1/streams/telemetry/events".
  const std::string& path() const { return path_; }
  const PaddedText& body() const { return message_.body(); }
  // A header's value, or empty when absent.
  std::string_view Header(std::string_view name) const;
  // The decoded value of a query parameter, or nullopt when absent (the first one if repeated).
  std::optional<std::string_view> Query(std::string_view name) const;
  // A `{name}` segment of the route pattern; empty when the route has no such segment.
  std::string_view PathParam(std::string_view name) const;
  // Every decoded query parameter, in request order (repeated names repeat).
  const NameValues& query() const { return query_; }

 private:
  HttpRequest message_;
  std::string path_;
  NameValues query_;
  NameValues path_params_;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  // Extra headers, e.g. Allow on a 405; never Server, Content-Type, Content-Length, Connection
  // or Transfer-Encoding, which the connection writes (http_session.h AppendResponseHead).
  NameValues headers;
};

// JSON answers. JsonResponse wraps an already-serialized JSON document.
Response JsonResponse(int status, std::string json);
// {"error": {"code", "message"[, "line", "column"]}} with the status HttpStatusOf(status.code()).
Response ErrorResponse(const Status& status);
// Same shape for errors that have no StatusCode of their own (405).
Response ErrorResponse(int http_status, std::string_view code, std::string_view message);

// The head of a streamed answer. The connection adds `Connection: close` (a streaming connection
// serves no further request) and, on HTTP/1.1, `Transfer-Encoding: chunked`.
struct StreamHead {
  int status = 200;
  std::string content_type;
  NameValues headers;
  // Bytes a StreamWriter may hold waiting for the client (see StreamWriter).
  size_t max_queued_bytes = 8 << 20;
  // While the stream is open and nothing was written for `idle_interval`, the connection writes
  // `idle_text` (e.g. an SSE comment), so that proxies keep the connection. Zero: never.
  Duration idle_interval;
  std::string idle_text;
};

// The producer's end of a streamed answer, and the queue between it and the connection. Write,
// Close, closed and SetOnClosed may be called from any thread; the other members are the
// connection's. At most max_queued_bytes wait to be sent (besides the one write the connection
// has in flight): a Write beyond that means the client cannot keep up, and ends the stream at once
// (what is queued is dropped and the connection closed without the end of the chunked body, so
// the client sees a truncated answer and may reconnect); memory never grows without bound.
class StreamWriter {
 public:
  // How the connection learns there is something to do: called with the writer's lock held when
  // the queue becomes non-empty or the producer ends the stream, so it must only post.
  using Wake = std::function<void()>;
  enum class State : uint8_t {
    kOpen,        // writing
    kDraining,    // the producer closed: send what is queued, then end the body
    kOverflowed,  // the bound was exceeded: drop the connection
    kEnded,       // the connection is done (client gone, server stopped, or drained)
  };

  StreamWriter(size_t max_queued_bytes, Wake wake);
  StreamWriter(const StreamWriter&) = delete;
  StreamWriter& operator=(const StreamWriter&) = delete;

  // Queues `chunk`. Returns false (and queues nothing) when the stream is closed, or when this
  // write would exceed the bound (which ends the stream).
  bool Write(std::string_view chunk);
  // Ends the stream once what is queued has been sent. Idempotent.
  void Close();
  // Whether writes are refused now: closed by the producer, overflowed, or ended by the connection.
  bool closed() const;
  // Blocks until `bytes` more fit under the bound or writes are refused; returns whether they fit.
  // For a producer that must not drop its client (a large query answer), unlike Write.
  bool AwaitRoom(size_t bytes);
  // `on_closed` runs once when the connection has ended the stream, for whatever reason, on the
  // connection's io thread (never inside Write or Close); when it has ended already, at once on
  // this thread. It may call into the producer (e.g. to unsubscribe) but must not block long.
  // Replaces a callback set before.
  void SetOnClosed(std::function<void()> on_closed);

  // The connection's side. Take hands over everything queued and the state it was queued in.
  struct Pending {
    std::string bytes;
    State state = State::kOpen;
  };
  Pending Take();
  // Marks the stream ended and returns the on_closed callback to run (empty when there is none or
  // it ran already). Idempotent.
  std::function<void()> End();
  size_t queued_bytes() const;
  size_t max_queued_bytes() const { return max_queued_bytes_; }

 private:
  void WakeLocked();

  const size_t max_queued_bytes_;
  const Wake wake_;
  mutable std::mutex mu_;
  std::condition_variable room_;     // signalled when the queue shrinks or the stream ends
  std::string queued_;               // guarded by mu_
  State state_ = State::kOpen;       // guarded by mu_
  bool wake_pending_ = false;        // guarded by mu_: woken and not yet taken
  std::function<void()> on_closed_;  // guarded by mu_
};

// Where a Responder delivers its answer: implemented by the connection.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void Deliver(Response response) = 0;
  // Starts a streamed answer; the returned writer is never null.
  virtual std::shared_ptr<StreamWriter> DeliverStream(StreamHead head) = 0;
  // Sets `hung_up` if the client hangs up before the answer is delivered (Responder::WatchHangUp).
  // A sink without a connection to watch never sets it.
  virtual void WatchHangUp(std::shared_ptr<std::atomic<bool>> hung_up) { (void)hung_up; }
};

class Responder {
 public:
  explicit Responder(std::shared_ptr<ResponseSink> sink) : sink_(std::move(sink)) {}
  ~Responder();
  Responder(Responder&& other) noexcept = default;
  Responder& operator=(Responder&& other) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  // Answers the request. Must be called at most once; later calls are ignored.
  void Send(Response response);
  // Answers the request with a stream instead (see StreamWriter); counts as the one answer. After
  // an answer it returns a writer that is already ended (its writes fail).
  std::shared_ptr<StreamWriter> Stream(StreamHead head);
  // A flag that turns true if the client hangs up (closes or resets its connection) before the
  // answer is delivered, so that long work for it can stop (e.g. as a statement's cancel flag).
  // Watching costs a wait on the socket: handlers of quick work do not ask. The connection stops
  // watching once the client sends anything more (a pipelined request); a call after the answer
  // returns a flag that stays false.
  std::shared_ptr<std::atomic<bool>> WatchHangUp();

 private:
  void AnswerIfDropped();

  std::shared_ptr<ResponseSink> sink_;
};

}  // namespace braid::server
