// HttpServer and Router with test handlers: keep-alive, routing errors (404, 405, 400), body
// limit (413, with and without Expect: 100-continue), answers from other threads, dropped
// responders, hang-ups while a request is handled, many concurrent connections, idle timeout and
// graceful Stop().
#include "server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "common/json_writer.h"
#include "test_client.h"

namespace braid::server {
namespace {

using testing::ClientResponse;
using testing::Json;
using testing::StringOf;
using testing::TestClient;
namespace net = boost::asio;

// Responders parked by the /later and /watched routes, answered by the test; /watched's come
// with the flag Responder::WatchHangUp gave.
struct Parked {
  Responder responder;
  std::shared_ptr<std::atomic<bool>> hung_up;
};

class ParkedResponders {
 public:
  void Park(Responder responder, std::shared_ptr<std::atomic<bool>> hung_up = nullptr) {
    std::lock_guard<std::mutex> lock(mu_);
    parked_.push_back(Parked{std::move(responder), std::move(hung_up)});
    cv_.notify_all();
  }
  // Waits (with a deadline) for one parked responder.
  std::optional<Parked> TakeParked() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(10), [&] { return !parked_.empty(); })) {
      return std::nullopt;
    }
    Parked parked = std::move(parked_.front());
    parked_.pop_front();
    return parked;
  }
  std::optional<Responder> Take() {
    std::optional<Parked> parked = TakeParked();
    if (!parked) return std::nullopt;
    return std::move(parked->responder);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Parked> parked_;
};

Router TestRouter(ParkedResponders* parked) {
  Router router;
  router.Add(HttpVerb::get, "/ping", [](const Request&, Responder responder) {
    responder.Send(JsonResponse(200, R"({"pong":true})"));
  });
  router.Add(HttpVerb::post, "/echo/{name}", [](const Request& request, Responder responder) {
    JsonWriter json;
    json.BeginObject().Key("name").String(request.PathParam("name"));
    json.Key("q").String(request.Query("q").value_or("<none>"));
    json.Key("body").String(request.body().view()).EndObject();
    responder.Send(JsonResponse(200, json.Take()));
  });
  router.Add(HttpVerb::get, "/echo/{name}",
             [](const Request&, Responder responder) { responder.Send(JsonResponse(200, "{}")); });
  router.Add(HttpVerb::get, "/later",
             [parked](const Request&, Responder responder) { parked->Park(std::move(responder)); });
  router.Add(HttpVerb::get, "/watched", [parked](const Request&, Responder responder) {
    std::shared_ptr<std::atomic<bool>> hung_up = responder.WatchHangUp();
    parked->Park(std::move(responder), std::move(hung_up));
  });
  router.Add(HttpVerb::get, "/dropped", [](const Request&, Responder) {});
  return router;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions options = {}) {
    options.port = 0;
    Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(options, TestRouter(&parked_));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    ASSERT_NE(server_->port(), 0);
  }

  ParkedResponders parked_;
  std::unique_ptr<HttpServer> server_;
};

// Polls `condition` until it holds or 10 s pass.
template <typename Condition>
bool WaitFor(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// Sends raw bytes on a fresh connection and reads until the server closes it or `until`
// appears; returns what was read.
std::string RawExchange(uint16_t port, std::string_view request, std::string_view until = {}) {
  net::io_context io;
  net::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  EXPECT_FALSE(ec) << ec.message();
  net::write(socket, net::buffer(request.data(), request.size()), ec);
  std::string received;
  if (!until.empty()) {
    net::read_until(socket, net::dynamic_buffer(received), until, ec);
  } else {
    net::read(socket, net::dynamic_buffer(received), ec);  // until EOF
  }
  return received;
}

TEST_F(HttpServerTest, ServesManyRequestsOnOneKeptAliveConnection) {
  StartServer();
  TestClient client(server_->port());
  for (int i = 0; i < 5; ++i) {
    ClientResponse response = client.Get("/ping");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, R"({"pong":true})");
    EXPECT_EQ(response.Header("Content-Type"), "application/json");
    EXPECT_TRUE(response.keep_alive);
  }
  EXPECT_EQ(client.connections_opened(), 1);
  EXPECT_EQ(server_->open_connections(), 1u);
}

TEST_F(HttpServerTest, RoutesPathParametersAndDecodedQueries) {
  StartServer();
  TestClient client(server_->port());
  ClientResponse response = client.Post("/echo/caf%C3%A9?x=1&q=a+b%2Fc", "hello");
  ASSERT_EQ(response.status, 200);
  Json json(response.body);
  EXPECT_EQ(StringOf(json.At("name")), "café");
  EXPECT_EQ(StringOf(json.At("q")), "a b/c");
  EXPECT_EQ(StringOf(json.At("body")), "hello");
}

TEST_F(HttpServerTest, ReceivesChunkedBodies) {
  StartServer();
  std::string answer = RawExchange(server_->port(),
                                   "POST /echo/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"
                                   "Transfer-Encoding: chunked\r\n\r\n"
                                   "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_NE(answer.find(R"("body":"hello world")"), std::string::npos) << answer;
}

TEST_F(HttpServerTest, UnknownPathWrongMethodAndBadTargetAreJsonErrors) {
  StartServer();
  TestClient client(server_->port());
  ClientResponse missing = client.Get("/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(StringOf(Json(missing.body).At("error", "code")), "not_found");
  ClientResponse wrong = client.Post("/ping", "");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.Header("Allow"), "GET");
  EXPECT_EQ(StringOf(Json(wrong.body).At("error", "code")), "method_not_allowed");
  Result<ClientResponse> deleted = client.Send("DELETE", "/echo/x");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->status, 405);
  EXPECT_EQ(deleted->Header("Allow"), "POST, GET");
  ClientResponse bad = client.Get("/echo/%zz");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(StringOf(Json(bad.body).At("error", "code")), "invalid_argument");
  EXPECT_EQ(client.connections_opened(), 1);  // errors keep the connection
}

// The exact bytes of answers (API.md: users rely on them): status line, header order, keep-alive
// and close on HTTP/1.1 and HTTP/1.0, extra headers of a 405.
TEST_F(HttpServerTest, AnswersAreTheSameBytesOnTheWire) {
  StartServer();
  const std::string json_head = "Server: braid\r\nContent-Type: application/json\r\n";
  EXPECT_EQ(RawExchange(server_->port(),
                        "GET /ping HTTP/1.1\r\nHost: h\r\n\r\n"
                        "GET /ping HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"),
            "HTTP/1.1 200 OK\r\n" + json_head + "Content-Length: 13\r\n\r\n{\"pong\":true}" +
                "HTTP/1.1 200 OK\r\n" + json_head +
                "Connection: close\r\nContent-Length: 13\r\n\r\n{\"pong\":true}");
  EXPECT_EQ(RawExchange(server_->port(), "GET /ping HTTP/1.0\r\n\r\n"),
            "HTTP/1.0 200 OK\r\n" + json_head + "Content-Length: 13\r\n\r\n{\"pong\":true}");
  EXPECT_EQ(RawExchange(server_->port(),
                        "GET /ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "true}"),
            "HTTP/1.0 200 OK\r\n" + json_head +
                "Connection: keep-alive\r\nContent-Length: 13\r\n\r\n{\"pong\":true}");
  const std::string not_allowed =
      R"x({"error":{"code":"method_not_allowed","message":"POST is not allowed on /ping )x"
      R"x((allowed: GET)"}})x";
  EXPECT_EQ(RawExchange(server_->port(),
                        "POST /ping HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n"
                        "Connection: close\r\n\r\n"),
            "HTTP/1.1 405 Method Not Allowed\r\n" + json_head +
                "Allow: GET\r\nConnection: close\r\nContent-Length: " +
                std::to_string(not_allowed.size()) + "\r\n\r\n" + not_allowed);
}

TEST_F(HttpServerTest, MalformedRequestIsA400AndClosesTheConnection) {
  StartServer();
  std::string answer = RawExchange(server_->port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
  EXPECT_NE(answer.find("\"code\":\"invalid_argument\""), std::string::npos) << answer;
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  TestClient client(server_->port());
  ClientResponse small = client.Post("/echo/x", std::string(1024, 'a'));
  EXPECT_EQ(small.status, 200);
  ClientResponse large = client.Post("/echo/x", std::string(200000, 'a'));
  EXPECT_EQ(large.status, 413);
  EXPECT_EQ(StringOf(Json(large.body).At("error", "code")), "too_large");
  EXPECT_EQ(StringOf(Json(large.body).At("error", "message")),
            "the request body exceeds the limit of 1024 bytes");
  EXPECT_FALSE(large.keep_alive);
  EXPECT_EQ(client.Get("/ping").status, 200);  // on a new connection
  EXPECT_EQ(client.connections_opened(), 2);
}

TEST_F(HttpServerTest, ExpectContinueLearnsOf413BeforeSendingTheBody) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  std::string answer = RawExchange(server_->port(),
                                   "POST /echo/x HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n"
                                   "Expect: 100-continue\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer;
  std::string ok = RawExchange(server_->port(),
                               "POST /echo/x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
                               "Expect: 100-continue\r\n\r\n",
                               "\r\n\r\n");
  EXPECT_TRUE(ok.starts_with("HTTP/1.1 100 Continue")) << ok;
}

TEST_F(HttpServerTest, HandlersMayAnswerLaterFromAnotherThread) {
  StartServer();
  std::thread answerer([&] {
    std::optional<Responder> responder = parked_.Take();
    ASSERT_TRUE(responder.has_value());
    responder->Send(JsonResponse(202, R"({"later":true})"));
  });
  TestClient client(server_->port());
  ClientResponse response = client.Get("/later");
  answerer.join();
  EXPECT_EQ(response.status, 202);
  EXPECT_EQ(response.body, R"({"later":true})");
  EXPECT_EQ(client.Get("/ping").status, 200);
}

TEST_F(HttpServerTest, ADroppedResponderAnswers500) {
  StartServer();
  TestClient client(server_->port());
  ClientResponse response = client.Get("/dropped");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(StringOf(Json(response.body).At("error", "code")), "internal");
}

// A client that hangs up while its request is handled sets the request's hang-up flag, so the
// work for it can stop; the late answer goes nowhere.
TEST_F(HttpServerTest, AClientHangingUpWhileItsRequestIsHandledIsNoticed) {
  StartServer();
  net::io_context io;
  net::ip::tcp::socket socket(io);
  socket.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
  net::write(socket, net::buffer(std::string_view("GET /watched HTTP/1.1\r\nHost: h\r\n\r\n")));
  std::optional<Parked> parked = parked_.TakeParked();
  ASSERT_TRUE(parked.has_value());
  ASSERT_NE(parked->hung_up, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(parked->hung_up->load());  // the client still waits
  socket.close();
  EXPECT_TRUE(WaitFor([&] { return parked->hung_up->load(); }));
  parked->responder.Send(JsonResponse(200, "{}"));
  EXPECT_TRUE(WaitFor([&] { return server_->open_connections() == 0; }));
}

// The watch ends with the answer, and when the client sends its next request before the answer
// (pipelining): neither is a hang-up, and the pipelined request is still read and answered.
TEST_F(HttpServerTest, AnsweredAndPipelinedRequestsAreNotHangUps) {
  StartServer();
  net::io_context io;
  net::ip::tcp::socket socket(io);
  socket.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
  net::write(socket, net::buffer(std::string_view("GET /watched HTTP/1.1\r\nHost: h\r\n\r\n"
                                                  "GET /ping HTTP/1.1\r\nHost: h\r\n\r\n")));
  std::optional<Parked> pipelined = parked_.TakeParked();
  ASSERT_TRUE(pipelined.has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(pipelined->hung_up->load());
  pipelined->responder.Send(JsonResponse(200, R"({"first":true})"));
  std::string received;
  boost::system::error_code ec;
  net::read_until(socket, net::dynamic_buffer(received), R"({"pong":true})", ec);
  ASSERT_FALSE(ec) << ec.message() << ": " << received;
  EXPECT_NE(received.find(R"({"first":true})"), std::string::npos) << received;
  // Answered, then the client leaves: the flag of the answered request stays false.
  net::write(socket, net::buffer(std::string_view("GET /watched HTTP/1.1\r\nHost: h\r\n\r\n")));
  std::optional<Parked> answered = parked_.TakeParked();
  ASSERT_TRUE(answered.has_value());
  answered->responder.Send(JsonResponse(200, "{}"));
  received.clear();
  net::read_until(socket, net::dynamic_buffer(received), "{}", ec);
  ASSERT_FALSE(ec) << ec.message();
  socket.close();
  EXPECT_TRUE(WaitFor([&] { return server_->open_connections() == 0; }));
  EXPECT_FALSE(answered->hung_up->load());
  EXPECT_FALSE(pipelined->hung_up->load());
}

TEST_F(HttpServerTest, ServesHundredsOfConcurrentConnections) {
  StartServer();
  constexpr int kThreads = 8;
  constexpr int kClientsPerThread = 40;
  constexpr int kRounds = 5;
  std::atomic<int> ok{0};
  std::vector<std::vector<std::unique_ptr<TestClient>>> clients(kThreads);
  for (auto& group : clients) {
    for (int c = 0; c < kClientsPerThread; ++c) {
      group.push_back(std::make_unique<TestClient>(server_->port()));
    }
  }
  std::vector<std::thread> threads;
  threads.reserve(clients.size());
  for (auto& group : clients) {
    threads.emplace_back([&] {
      for (int round = 0; round < kRounds; ++round) {
        for (auto& client : group) ok += client->Get("/ping").status == 200 ? 1 : 0;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads * kClientsPerThread * kRounds);
  EXPECT_EQ(server_->open_connections(), static_cast<size_t>(kThreads * kClientsPerThread));
  for (auto& group : clients) {
    for (auto& client : group) EXPECT_EQ(client->connections_opened(), 1);
  }
}

TEST_F(HttpServerTest, IdleConnectionsAreClosedAfterTheIdleTimeout) {
  HttpServerOptions options;
  options.idle_timeout = Duration::Millis(200);
  StartServer(options);
  const auto start = std::chrono::steady_clock::now();
  // The server answers, then closes the kept-alive connection once it has been idle.
  std::string answer =
      RawExchange(server_->port(), "GET /ping HTTP/1.1\r\nHost: h\r\n\r\n");  // reads to EOF
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(HttpServerTest, AConnectionWhoseBodyStopsArrivingIsClosed) {
  HttpServerOptions options;
  options.read_timeout = Duration::Millis(200);
  StartServer(options);
  const auto start = std::chrono::steady_clock::now();
  // Announces 100 bytes, sends 10, then waits: the server gives up on the body and closes.
  std::string answer = RawExchange(server_->port(),
                                   "POST /echo/x HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n"
                                   "\r\n0123456789");
  EXPECT_EQ(answer, "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(WaitFor([&] { return server_->open_connections() == 0; }));
}

TEST_F(HttpServerTest, StopFinishesRequestsInFlightAndRefusesNewConnections) {
  StartServer();
  const uint16_t port = server_->port();
  TestClient idle(port);
  ASSERT_EQ(idle.Get("/ping").status, 200);
  Result<ClientResponse> in_flight = Status(StatusCode::kInternal, "not sent");
  std::thread client([&] {
    TestClient busy(port);
    in_flight = busy.Send("GET", "/later");
  });
  std::optional<Responder> responder = parked_.Take();
  ASSERT_TRUE(responder.has_value());
  std::thread stopper([&] { server_->Stop(); });
  // Stop() waits for the parked request. Once it has begun (new requests fail), answer it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    TestClient probe(port);
    if (!probe.Send("GET", "/ping").ok()) break;
  }
  responder->Send(JsonResponse(200, R"({"finished":true})"));
  responder.reset();
  stopper.join();
  client.join();
  ASSERT_TRUE(in_flight.ok()) << in_flight.status().ToString();
  EXPECT_EQ(in_flight->status, 200);
  EXPECT_FALSE(in_flight->keep_alive);
  EXPECT_EQ(server_->open_connections(), 0u);
  TestClient late(port);
  EXPECT_FALSE(late.Send("GET", "/ping").ok());
}

TEST_F(HttpServerTest, StartReportsBindErrors) {
  StartServer();
  HttpServerOptions options;
  options.port = server_->port();
  Result<std::unique_ptr<HttpServer>> second = HttpServer::Start(options, Router());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kIoError);
  options.address = "not-an-address";
  EXPECT_EQ(HttpServer::Start(options, Router()).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace braid::server
