// AppendResponseHead (http_session.h) writes what Beast's serializer wrote for the same answer
// before the connection wrote heads by hand: the oracle is Beast itself, given the fields in the
// order the connection set them and prepare_payload(), for every status the API answers, both
// HTTP versions, keep-alive and not, extra headers and empty bodies.
#include <gtest/gtest.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/http_session.h"

namespace braid::server {
namespace {

namespace http = boost::beast::http;

// The bytes Beast writes for `response`.
std::string BeastBytes(unsigned version, bool keep_alive, const Response& response) {
  http::response<http::string_body> message;
  message.version(version);
  message.result(static_cast<unsigned>(response.status));
  message.set(http::field::server, "braid");
  message.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) {
    message.set(boost::beast::string_view(name.data(), name.size()), value);
  }
  message.body() = response.body;
  message.keep_alive(keep_alive);
  message.prepare_payload();
  http::response_serializer<http::string_body> serializer(message);
  std::string bytes;
  boost::beast::error_code ec;
  while (!serializer.is_done()) {
    serializer.next(ec, [&](boost::beast::error_code&, const auto& buffers) {
      bytes += boost::beast::buffers_to_string(buffers);
      serializer.consume(boost::asio::buffer_size(buffers));
    });
    EXPECT_FALSE(ec) << ec.message();
    if (ec) break;
  }
  return bytes;
}

TEST(ResponseHeadTest, WritesWhatBeastWrote) {
  std::vector<Response> responses;
  for (int status : {200, 202, 400, 401, 404, 405, 408, 409, 413, 415, 422, 500, 501, 503, 299}) {
    responses.push_back(JsonResponse(status, R"({"a":1})"));
  }
  responses.push_back(JsonResponse(200, ""));
  Response text = JsonResponse(200, "ok\n");
  text.content_type = "text/plain; charset=utf-8";
  responses.push_back(text);
  Response allow = ErrorResponse(405, "method_not_allowed", "POST is not allowed on /x");
  allow.headers = {{"Allow", "GET, POST"}, {"Cache-Control", "no-cache"}};
  responses.push_back(allow);
  for (const Response& response : responses) {
    for (unsigned version : {10u, 11u}) {
      for (bool keep_alive : {false, true}) {
        std::string mine;
        AppendResponseHead(version, keep_alive, response, &mine);
        EXPECT_EQ(mine + response.body, BeastBytes(version, keep_alive, response))
            << response.status << " HTTP " << version << " keep-alive " << keep_alive;
      }
    }
  }
}

}  // namespace
}  // namespace braid::server
