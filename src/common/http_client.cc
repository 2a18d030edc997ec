#include "common/http_client.h"

#include <fmt/format.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace braid {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  auto invalid = [&](std::string_view why) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("invalid URL '{}': {} (expected http://HOST:PORT/PATH)", url, why));
  };
  std::string_view rest = url;
  if (rest.starts_with("https://")) return invalid("https is not supported");
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  HttpUrl parsed;
  size_t slash = rest.find('/');
  parsed.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string_view authority = rest.substr(0, slash);
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) != std::string_view::npos) {
    colon = std::string_view::npos;  // the colon is inside an IPv6 literal
  }
  std::string_view host = authority.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) return invalid("no host");
  parsed.host = std::string(host);
  parsed.port = colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
  if (parsed.port.empty() || parsed.port.find_first_not_of("0123456789") != std::string::npos) {
    return invalid("bad port");
  }
  return parsed;
}

// Operations are asynchronous underneath so that the stream's expiry can bound them; each is run
// to completion on the client's own io_context before the call returns.
struct HttpClient::Impl {
  boost::asio::io_context io;
  tcp::resolver resolver{io};
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool connected = false;
  int requests_on_connection = 0;
  bool timed_out = false;  // the last failure was a timeout

  void Arm(Duration timeout) {
    if (timeout.micros > 0) {
      stream.expires_after(std::chrono::microseconds(timeout.micros));
    } else {
      stream.expires_never();
    }
  }
  void Run() {
    io.restart();
    io.run();
  }
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {}

HttpClient::~HttpClient() {
  beast::error_code ec;
  impl_->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

Result<std::unique_ptr<HttpClient>> HttpClient::Connect(std::string_view server,
                                                        HttpClientOptions options) {
  ASSIGN_OR_RETURN(HttpUrl url, ParseHttpUrl(server));
  std::unique_ptr<HttpClient> client(new HttpClient());
  client->options_ = std::move(options);
  client->host_ = std::move(url.host);
  client->port_ = std::move(url.port);
  RETURN_IF_ERROR(client->Reconnect());
  return client;
}

Status HttpClient::Reconnect() {
  beast::error_code ec;
  impl_->stream.socket().close(ec);
  impl_->buffer.clear();
  impl_->connected = false;
  impl_->requests_on_connection = 0;
  auto endpoints = impl_->resolver.resolve(host_, port_, ec);
  if (!ec) {
    impl_->Arm(options_.timeout);
    impl_->stream.async_connect(endpoints,
                                [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    impl_->Run();
  }
  if (ec) {
    std::string why = ec == beast::error::timeout
                          ? fmt::format("timed out after {}", FormatDuration(options_.timeout))
                          : ec.message();
    return Status(StatusCode::kUnavailable,
                  fmt::format("cannot connect to http://{}:{}: {}", host_, port_, why));
  }
  impl_->stream.socket().set_option(tcp::no_delay(true), ec);
  impl_->connected = true;
  return Status::Ok();
}

Result<HttpResponse> HttpClient::Request(
    std::string_view method, std::string_view target, std::string_view body,
    std::string_view content_type,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  if (!impl_->connected) RETURN_IF_ERROR(Reconnect());
  const bool reused = impl_->requests_on_connection > 0;
  Result<HttpResponse> first = RequestOnce(method, target, body, content_type, headers);
  if (first.ok() || !reused || impl_->timed_out) return first;
  // The server may have closed an idle keep-alive connection: one attempt on a fresh one.
  RETURN_IF_ERROR(Reconnect());
  return RequestOnce(method, target, body, content_type, headers);
}

Result<HttpResponse> HttpClient::RequestOnce(
    std::string_view method, std::string_view target, std::string_view body,
    std::string_view content_type,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> request;
  request.method_string(beast::string_view(method.data(), method.size()));
  request.target(beast::string_view(target.data(), target.size()));
  request.version(11);
  request.set(http::field::host, host_);
  request.set(http::field::user_agent, options_.user_agent);
  if (!content_type.empty()) {
    request.set(http::field::content_type,
                beast::string_view(content_type.data(), content_type.size()));
  }
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::string(body);
  request.prepare_payload();
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 32);
  beast::error_code ec;
  impl_->Arm(options_.timeout);
  http::async_write(impl_->stream, request, [&](beast::error_code e, size_t) {
    ec = e;
    if (ec) return;
    http::async_read(impl_->stream, impl_->buffer, parser,
                     [&](beast::error_code read_error, size_t) { ec = read_error; });
  });
  impl_->Run();
  impl_->timed_out = ec == beast::error::timeout;
  if (ec) {
    impl_->connected = false;
    std::string why = impl_->timed_out
                          ? fmt::format("timed out after {}", FormatDuration(options_.timeout))
                          : ec.message();
    return Status(StatusCode::kUnavailable,
                  fmt::format("request to http://{}:{}{} failed: {}", host_, port_, target, why));
  }
  ++impl_->requests_on_connection;
  http::response<http::string_body> response = parser.release();
  if (!response.keep_alive()) impl_->connected = false;
  return HttpResponse{static_cast<int>(response.result_int()), std::move(response.body())};
}

}  // namespace braid
