#include "cli/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

namespace braid::cli {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct HttpClient::Impl {
  boost::asio::io_context io;
  tcp::resolver resolver{io};
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool connected = false;
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {}

HttpClient::~HttpClient() {
  beast::error_code ec;
  impl_->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

Result<std::unique_ptr<HttpClient>> HttpClient::Connect(std::string_view server) {
  std::string_view rest = server;
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  size_t colon = rest.rfind(':');
  std::unique_ptr<HttpClient> client(new HttpClient());
  client->host_ = std::string(colon == std::string_view::npos ? rest : rest.substr(0, colon));
  client->port_ = colon == std::string_view::npos ? "80" : std::string(rest.substr(colon + 1));
  if (client->host_.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("invalid server URL '{}': expected http://HOST:PORT", server));
  }
  RETURN_IF_ERROR(client->Reconnect());
  return client;
}

Status HttpClient::Reconnect() {
  beast::error_code ec;
  impl_->stream.socket().close(ec);
  auto endpoints = impl_->resolver.resolve(host_, port_, ec);
  if (!ec) impl_->stream.connect(endpoints, ec);
  if (ec) {
    impl_->connected = false;
    return Status(StatusCode::kUnavailable, fmt::format("cannot connect to http://{}:{}: {}",
                                                        host_, port_, ec.message()));
  }
  impl_->stream.socket().set_option(tcp::no_delay(true), ec);
  impl_->connected = true;
  return Status::Ok();
}

Result<HttpResponse> HttpClient::Request(
    std::string_view method, std::string_view target, std::string_view body,
    std::string_view content_type, const std::vector<std::pair<std::string, std::string>>& headers) {
  if (!impl_->connected) RETURN_IF_ERROR(Reconnect());
  Result<HttpResponse> first = RequestOnce(method, target, body, content_type, headers);
  if (first.ok() || first.status().code() != StatusCode::kUnavailable) return first;
  // The server may have closed an idle keep-alive connection: one fresh attempt.
  RETURN_IF_ERROR(Reconnect());
  return RequestOnce(method, target, body, content_type, headers);
}

Result<HttpResponse> HttpClient::RequestOnce(
    std::string_view method, std::string_view target, std::string_view body,
    std::string_view content_type, const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> request;
  request.method_string(beast::string_view(method.data(), method.size()));
  request.target(beast::string_view(target.data(), target.size()));
  request.version(11);
  request.set(http::field::host, host_);
  request.set(http::field::user_agent, "braid-cli");
  if (!content_type.empty()) {
    request.set(http::field::content_type,
                beast::string_view(content_type.data(), content_type.size()));
  }
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::string(body);
  request.prepare_payload();
  beast::error_code ec;
  http::write(impl_->stream, request, ec);
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 32);
  if (!ec) http::read(impl_->stream, impl_->buffer, parser, ec);
  if (ec) {
    impl_->connected = false;
    return Status(StatusCode::kUnavailable,
                  fmt::format("request to http://{}:{}{} failed: {}", host_, port_, target,
                              ec.message()));
  }
  http::response<http::string_body> response = parser.release();
  if (!response.keep_alive()) impl_->connected = false;
  return HttpResponse{static_cast<int>(response.result_int()), std::move(response.body())};
}

}  // namespace braid::cli
