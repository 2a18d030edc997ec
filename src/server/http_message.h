// The request and response values handlers see, and Responder, the one-shot channel through which
// a handler answers. A Request owns its Beast message (headers and padded body) and the path and
// query parameters the router extracted; handlers may move it into asynchronous work. A Response
// is a status, a body and its content type. Every answer the server produces goes through a
// Responder exactly once: Send may be called from any thread (the write is posted back to the
// connection's executor), and a Responder destroyed without Send answers 500, so a handler bug
// can never leave a client waiting. Values; a Responder is move-only.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/verb.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
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
  NameValues headers;  // extra headers, e.g. Allow on a 405
};

// JSON answers. JsonResponse wraps an already-serialized JSON document.
Response JsonResponse(int status, std::string json);
// {"error": {"code", "message"[, "line", "column"]}} with the status HttpStatusOf(status.code()).
Response ErrorResponse(const Status& status);
// Same shape for errors that have no StatusCode of their own (405).
Response ErrorResponse(int http_status, std::string_view code, std::string_view message);

// Where a Responder delivers its answer: implemented by the connection.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void Deliver(Response response) = 0;
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

 private:
  void AnswerIfDropped();

  std::shared_ptr<ResponseSink> sink_;
};

}  // namespace braid::server
