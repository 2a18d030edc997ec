// HttpSession: one accepted connection of the HttpServer (internal to server/). It reads a request
// (header with the idle timeout, body with the read timeout and the body limit), hands it to the
// Router with a Responder, and once the answer is delivered writes it and reads the next request
// (keep-alive) or closes. While a request is handled, a handler may ask the session to watch for
// the client hanging up (Responder::WatchHangUp). A streamed answer (Responder::Stream) instead
// keeps the connection for that one answer: the session writes the head, then whatever the
// StreamWriter queues (one chunk per batch taken from the queue), watches the socket so that a
// client hanging up ends the stream at once, and closes the connection when the stream ends;
// RequestStop ends a stream after what is queued. All its state is touched only on its strand;
// Deliver, DeliverStream, RequestStop and ForceClose may be called from any thread and post to it.
// A session is owned by the asynchronous operations (and pending Responders) that reference it (a
// StreamWriter only refers to it weakly); it registers itself in the ConnectionRegistry so that
// Stop() can reach it.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "server/http_server.h"

namespace braid::server {

class HttpSession;

// Appends the status line and header of `response` (body size included) as the connection sends
// them: Server, Content-Type, response.headers in order, Connection when `keep_alive` is not the
// default of HTTP `version` (11 or 10), Content-Length. response.headers must not name those
// fields: the connection writes them.
void AppendResponseHead(unsigned version, bool keep_alive, const Response& response,
                        std::string* out);

// The open sessions, so that Stop() can close them and wait for them to finish.
class ConnectionRegistry {
 public:
  void Add(const std::shared_ptr<HttpSession>& session);
  void Remove(const HttpSession* session);
  std::vector<std::shared_ptr<HttpSession>> Snapshot() const;
  size_t size() const;
  // Waits until no session is open or `deadline` passes; returns whether none is open.
  bool WaitUntilEmpty(std::chrono::steady_clock::time_point deadline) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable empty_;
  std::unordered_map<const HttpSession*, std::weak_ptr<HttpSession>> sessions_;
};

// What sessions share with their server; it outlives them (see HttpServer::Stop).
struct SessionContext {
  const Router* router = nullptr;
  HttpServerOptions options;
  std::atomic<bool> stopping{false};
  ConnectionRegistry registry;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // A connection's executor: its io thread's loop, through a strand. Named, not type-erased
  // (Beast's tcp_stream holds an any_io_executor, which puts a strand on the heap each time an
  // operation copies it: about 20 allocations per request).
  using Executor = boost::asio::strand<boost::asio::io_context::executor_type>;
  using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;

  HttpSession(Socket socket, SessionContext& context);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  void Start();
  // Writes `response` as the answer to the request being handled.
  void Deliver(Response response);
  // Answers the request being handled with a stream; see the header comment.
  std::shared_ptr<StreamWriter> DeliverStream(StreamHead head);
  // Sets `hung_up` if the client hangs up before request number `request` (the one being
  // handled) is answered (Responder::WatchHangUp).
  void WatchHangUp(uint64_t request, std::shared_ptr<std::atomic<bool>> hung_up);
  // Closes the connection once it is idle (now, when it waits for a request).
  void RequestStop();
  // Closes the socket now, aborting any read or write.
  void ForceClose();

 private:
  enum class Phase : uint8_t {
    kAwaitingRequest,
    kReadingBody,
    kHandling,
    kWriting,
    kStreaming,
    kClosed
  };
  using Parser = boost::beast::http::request_parser<PaddedBody>;
  using ErrorCode = boost::beast::error_code;

  void ReadHeader();
  void OnHeader(ErrorCode ec);
  // Answers `Expect: 100-continue`, then reads the body.
  void SendContinue();
  void ReadBody();
  // A failed read: answers 413 or 400 when the client should hear why, else just closes.
  void OnReadError(ErrorCode ec);
  void Dispatch();
  // Waits for the socket to turn readable while request `request` is handled: end of stream or
  // an error there sets `hung_up`; data (a pipelined request) ends the watch.
  void AwaitHangUp(uint64_t request, std::shared_ptr<std::atomic<bool>> hung_up);
  void Write(Response response);
  void OnWrite(ErrorCode ec);
  // Answers a protocol error and closes the connection afterwards.
  void Reject(const Response& response);
  void Close();

  // Streaming (phase kStreaming).
  void StartStream(StreamHead head, std::shared_ptr<StreamWriter> writer);
  // Writes what the writer queued, or ends the stream, unless a write is in flight.
  void PumpStream();
  void WriteStreamBytes(std::string bytes);
  void OnStreamWrite(ErrorCode ec);
  // Reads (and discards) what the client sends, to notice at once when it hangs up.
  void WatchForHangUp();
  void ArmIdleTimer();
  void OnIdleTimer(ErrorCode ec);
  // Closes after reading and discarding what the client still sends (bounded by a timeout), so
  // the client sees our answer instead of a connection reset.
  void LingerThenClose();
  void OnLingerRead(ErrorCode ec, size_t bytes);

  SessionContext& context_;
  boost::beast::basic_stream<boost::asio::ip::tcp, Executor> stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  // The answer being written (phase kWriting), its head kept to reuse its memory.
  std::string response_head_;
  std::string response_body_;
  bool keep_alive_after_write_ = false;
  boost::beast::http::response<boost::beast::http::empty_body> continue_;
  Phase phase_ = Phase::kAwaitingRequest;
  uint64_t requests_ = 0;  // requests dispatched so far: the number of the one being handled
  bool keep_alive_ = true;
  unsigned version_ = 11;  // HTTP version of the request being answered (11 = HTTP/1.1)
  bool linger_after_write_ = false;
  std::unique_ptr<char[]> linger_buffer_;

  // The stream being answered, while phase_ is kStreaming.
  std::shared_ptr<StreamWriter> stream_writer_;
  std::optional<boost::beast::http::response<boost::beast::http::empty_body>> stream_head_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::empty_body>>
      stream_head_writer_;
  bool chunked_ = true;
  bool stream_write_in_flight_ = false;
  bool wrote_since_idle_tick_ = false;
  std::string stream_out_;  // the bytes being written
  Duration idle_interval_;
  std::string idle_text_;
  boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                    boost::asio::wait_traits<std::chrono::steady_clock>, Executor>
      idle_timer_;
  std::array<char, 512> hang_up_buffer_{};
};

}  // namespace braid::server
