#include "test_client.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace braid::server::testing {

namespace net = boost::asio;
namespace http = boost::beast::http;

struct TestClient::Impl {
  net::io_context io;
  net::ip::tcp::socket socket{io};
  boost::beast::flat_buffer buffer;
};

std::string ClientResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (boost::beast::iequals(key, boost::beast::string_view(name.data(), name.size()))) {
      return value;
    }
  }
  return "";
}

TestClient::TestClient(uint16_t port) : port_(port), impl_(std::make_unique<Impl>()) {}

TestClient::~TestClient() {
  boost::system::error_code ignored;
  impl_->socket.shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  impl_->socket.close(ignored);
}

bool TestClient::connected() const { return impl_->socket.is_open(); }

Status TestClient::Connect() {
  boost::system::error_code ec;
  impl_->socket.close(ec);
  impl_->buffer.clear();
  impl_->socket.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
  if (ec) return Status(StatusCode::kIoError, "connect: " + ec.message());
  impl_->socket.set_option(net::ip::tcp::no_delay(true), ec);
  ++connections_opened_;
  return Status::Ok();
}

Result<ClientResponse> TestClient::Send(
    std::string_view method, std::string_view target, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  const bool reused = impl_->socket.is_open();
  if (!reused) RETURN_IF_ERROR(Connect());
  Result<ClientResponse> response = SendOnce(method, target, body, headers);
  if (!response.ok() && reused) {
    // The server may have closed the kept-alive connection; try once on a fresh one.
    RETURN_IF_ERROR(Connect());
    response = SendOnce(method, target, body, headers);
  }
  return response;
}

Result<ClientResponse> TestClient::SendOnce(
    std::string_view method, std::string_view target, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> request;
  request.method_string(boost::beast::string_view(method.data(), method.size()));
  request.target(boost::beast::string_view(target.data(), target.size()));
  request.version(11);
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::string(body);
  request.prepare_payload();
  boost::system::error_code ec;
  http::write(impl_->socket, request, ec);
  if (ec) return Status(StatusCode::kIoError, "write: " + ec.message());
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 30);
  http::read(impl_->socket, impl_->buffer, parser, ec);
  if (ec) {
    impl_->socket.close(ec);
    return Status(StatusCode::kIoError, "read: " + ec.message());
  }
  ClientResponse response;
  response.status = static_cast<int>(parser.get().result_int());
  response.body = parser.get().body();
  response.keep_alive = parser.get().keep_alive();
  for (const auto& field : parser.get()) {
    const boost::beast::string_view name = field.name_string();
    const boost::beast::string_view value = field.value();
    response.headers.emplace_back(std::string(name.data(), name.size()),
                                  std::string(value.data(), value.size()));
  }
  if (!response.keep_alive) impl_->socket.close(ec);
  return response;
}

ClientResponse TestClient::Get(std::string_view target) {
  Result<ClientResponse> response = Send("GET", target);
  EXPECT_TRUE(response.ok()) << response.status().ToString();
  return response.ok() ? *response : ClientResponse{};
}

ClientResponse TestClient::Post(std::string_view target, std::string_view body,
                                const std::vector<std::pair<std::string, std::string>>& headers) {
  Result<ClientResponse> response = Send("POST", target, body, headers);
  EXPECT_TRUE(response.ok()) << response.status().ToString();
  return response.ok() ? *response : ClientResponse{};
}

Json::Json(std::string_view text) {
  error_ = parser_.parse(std::string(text)).get(root_);
  EXPECT_EQ(error_, simdjson::SUCCESS) << "not JSON: " << text;
}

simdjson::dom::element Json::At(std::string_view a) const {
  simdjson::dom::element out;
  EXPECT_EQ(root_[a].get(out), simdjson::SUCCESS) << "no member " << a;
  return out;
}

simdjson::dom::element Json::At(std::string_view a, std::string_view b) const {
  simdjson::dom::element out;
  EXPECT_EQ(root_[a][b].get(out), simdjson::SUCCESS) << "no member " << a << "." << b;
  return out;
}

std::vector<std::string> MinifiedRows(const Json& json) {
  std::vector<std::string> rows;
  simdjson::dom::array array;
  EXPECT_EQ(json.At("rows").get_array().get(array), simdjson::SUCCESS);
  for (simdjson::dom::element row : array) rows.push_back(simdjson::minify(row));
  return rows;
}

std::string StringOf(simdjson::dom::element element) {
  std::string_view out;
  EXPECT_EQ(element.get_string().get(out), simdjson::SUCCESS);
  return std::string(out);
}

int64_t IntOf(simdjson::dom::element element) {
  int64_t out = 0;
  EXPECT_EQ(element.get_int64().get(out), simdjson::SUCCESS);
  return out;
}

uint64_t UintOf(simdjson::dom::element element) {
  uint64_t out = 0;
  EXPECT_EQ(element.get_uint64().get(out), simdjson::SUCCESS);
  return out;
}

}  // namespace braid::server::testing
