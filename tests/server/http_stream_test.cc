// Streamed answers (Responder::Stream): StreamWriter's bound as a unit, and over a real
// HttpServer: chunks arrive in order and the body ends cleanly when the producer closes (chunked
// on HTTP/1.1, ended by the close on HTTP/1.0), a client hanging up ends the stream at once, a
// client that does not read is dropped at the bound, idle text keeps a quiet stream alive, other
// connections are served meanwhile, and Stop() ends open streams promptly.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "server/http_server.h"
#include "stream_client.h"
#include "test_client.h"

namespace braid::server {
namespace {

using testing::StreamClient;
using testing::TestClient;
using State = StreamWriter::State;
constexpr auto kDeadline = std::chrono::seconds(10);

TEST(StreamWriterTest, AWriteBeyondTheBoundEndsTheStreamAndDropsTheQueue) {
  int wakes = 0;
  StreamWriter writer(100, [&wakes] { ++wakes; });
  EXPECT_TRUE(writer.Write(std::string(60, 'a')));
  EXPECT_EQ(wakes, 1);
  EXPECT_TRUE(writer.Write(std::string(40, 'b')));  // exactly the bound
  EXPECT_EQ(wakes, 1);                              // one wake until the connection takes
  EXPECT_EQ(writer.queued_bytes(), 100u);
  EXPECT_FALSE(writer.Write("c"));
  EXPECT_TRUE(writer.closed());
  EXPECT_EQ(writer.queued_bytes(), 0u);
  EXPECT_FALSE(writer.Write("d"));
  StreamWriter::Pending pending = writer.Take();
  EXPECT_EQ(pending.state, State::kOverflowed);
  EXPECT_EQ(pending.bytes, "");
}

TEST(StreamWriterTest, TakingFreesRoomAndEachTakeRearmsTheWake) {
  int wakes = 0;
  StreamWriter writer(10, [&wakes] { ++wakes; });
  EXPECT_TRUE(writer.Write("0123456789"));
  StreamWriter::Pending first = writer.Take();
  EXPECT_EQ(first.bytes, "0123456789");
  EXPECT_EQ(first.state, State::kOpen);
  EXPECT_TRUE(writer.Write("abc"));
  EXPECT_TRUE(writer.Write("def"));
  EXPECT_EQ(wakes, 2);
  writer.Close();
  EXPECT_FALSE(writer.Write("g"));
  StreamWriter::Pending second = writer.Take();
  EXPECT_EQ(second.bytes, "abcdef");
  EXPECT_EQ(second.state, State::kDraining);
}

TEST(StreamWriterTest, OnClosedRunsOnceWhenTheConnectionEndsOrAtOnceAfterwards) {
  StreamWriter writer(10, [] {});
  int calls = 0;
  writer.SetOnClosed([&calls] { ++calls; });
  writer.Close();  // the producer's close alone does not run it: the connection still drains
  EXPECT_EQ(calls, 0);
  std::function<void()> on_closed = writer.End();
  ASSERT_TRUE(on_closed);
  on_closed();
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(writer.End());
  writer.SetOnClosed([&calls] { calls += 10; });
  EXPECT_EQ(calls, 11);
}

TEST(StreamWriterTest, StreamingAfterAnAnswerGivesAnEndedWriter) {
  Responder responder(nullptr);
  std::shared_ptr<StreamWriter> writer = responder.Stream(StreamHead{});
  ASSERT_NE(writer, nullptr);
  EXPECT_TRUE(writer->closed());
  EXPECT_FALSE(writer->Write("x"));
}

// Streams opened by the /held route, for the test to write to, and how many have ended.
class HeldStreams {
 public:
  void Hold(std::shared_ptr<StreamWriter> writer) {
    writer->SetOnClosed([this] {
      std::lock_guard<std::mutex> lock(mu_);
      ++ended_;
      cv_.notify_all();
    });
    std::lock_guard<std::mutex> lock(mu_);
    held_.push_back(std::move(writer));
    cv_.notify_all();
  }
  std::shared_ptr<StreamWriter> Take() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, kDeadline, [&] { return !held_.empty(); })) return nullptr;
    std::shared_ptr<StreamWriter> writer = held_.front();
    held_.pop_front();
    return writer;
  }
  bool WaitEnded(int count) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return ended_ >= count; });
  }
  int ended() {
    std::lock_guard<std::mutex> lock(mu_);
    return ended_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<StreamWriter>> held_;
  int ended_ = 0;
};

StreamHead TextHead() {
  StreamHead head;
  head.content_type = "text/plain";
  return head;
}

class HttpStreamTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions options = {}) {
    options.port = 0;
    Router router;
    router.Add(HttpVerb::get, "/count", [](const Request&, Responder responder) {
      std::shared_ptr<StreamWriter> writer = responder.Stream(TextHead());
      for (const char* line : {"one\n", "two\n", "three\n"}) EXPECT_TRUE(writer->Write(line));
      writer->Close();
    });
    router.Add(HttpVerb::get, "/held", [this](const Request&, Responder responder) {
      held_.Hold(responder.Stream(held_head_));
    });
    router.Add(HttpVerb::get, "/ping", [](const Request&, Responder responder) {
      responder.Send(JsonResponse(200, R"({"pong":true})"));
    });
    Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(options, std::move(router));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  StreamHead held_head_ = TextHead();
  HeldStreams held_;
  std::unique_ptr<HttpServer> server_;
};

constexpr std::string_view kGetCount = "GET /count HTTP/1.1\r\nHost: t\r\n\r\n";
constexpr std::string_view kGetHeld = "GET /held HTTP/1.1\r\nHost: t\r\n\r\n";

TEST_F(HttpStreamTest, ChunksArriveInOrderAndTheBodyEndsWhenTheProducerCloses) {
  StartServer();
  StreamClient client(server_->port(), kGetCount);
  std::string head = client.ReadHead();
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("Content-Type: text/plain\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos) << head;
  EXPECT_TRUE(client.ReadToEnd());
  EXPECT_EQ(client.body(), "one\ntwo\nthree\n");
  EXPECT_TRUE(client.ended_cleanly());
}

TEST_F(HttpStreamTest, AnHttp10ClientGetsThePlainBodyEndedByTheClose) {
  StartServer();
  StreamClient client(server_->port(), "GET /count HTTP/1.0\r\n\r\n");
  std::string head = client.ReadHead();
  EXPECT_EQ(head.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << head;
  EXPECT_EQ(head.find("Transfer-Encoding"), std::string::npos) << head;
  EXPECT_TRUE(client.ReadToEnd());
  EXPECT_EQ(client.body(), "one\ntwo\nthree\n");
}

TEST_F(HttpStreamTest, AClientHangingUpEndsTheStreamAtOnce) {
  StartServer();
  StreamClient client(server_->port(), kGetHeld);
  std::shared_ptr<StreamWriter> writer = held_.Take();
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Write("hello\n"));
  ASSERT_TRUE(client.ReadUntil("hello\n"));
  EXPECT_EQ(held_.ended(), 0);
  client.Close();
  ASSERT_TRUE(held_.WaitEnded(1));  // noticed by the read, with nothing written meanwhile
  EXPECT_TRUE(writer->closed());
  EXPECT_FALSE(writer->Write("late\n"));
}

TEST_F(HttpStreamTest, OtherConnectionsAreServedWhileAStreamIsOpen) {
  StartServer();
  StreamClient client(server_->port(), kGetHeld);
  std::shared_ptr<StreamWriter> writer = held_.Take();
  ASSERT_NE(writer, nullptr);
  TestClient other(server_->port());
  EXPECT_EQ(other.Get("/ping").status, 200);
  ASSERT_TRUE(writer->Write("still open\n"));
  EXPECT_TRUE(client.ReadUntil("still open\n"));
  EXPECT_EQ(other.Get("/ping").body, R"({"pong":true})");
}

TEST_F(HttpStreamTest, AQuietStreamGetsTheIdleText) {
  held_head_.idle_interval = Duration::Millis(20);
  held_head_.idle_text = ": idle\n";
  StartServer();
  StreamClient client(server_->port(), kGetHeld);
  std::shared_ptr<StreamWriter> writer = held_.Take();
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(client.ReadUntil(": idle\n: idle\n"));
  ASSERT_TRUE(writer->Write("event\n"));
  ASSERT_TRUE(client.ReadUntil("event\n"));
  // Idle text only ever falls between whole writes.
  std::string body = client.body();
  size_t event = body.find("event\n");
  for (size_t i = 0; i < event; i += 7) EXPECT_EQ(body.substr(i, 7), ": idle\n");
}

TEST_F(HttpStreamTest, AClientThatDoesNotReadIsDroppedAtTheBound) {
  held_head_.max_queued_bytes = 64 << 10;
  StartServer();
  StreamClient client(server_->port(), kGetHeld);
  ASSERT_NE(client.ReadHead(), "");
  std::shared_ptr<StreamWriter> writer = held_.Take();
  ASSERT_NE(writer, nullptr);
  // The client reads nothing more: once the socket buffers are full, the queue grows to the bound.
  const std::string chunk(4 << 10, 'x');
  size_t written = 0;
  while (writer->Write(chunk)) {
    written += chunk.size();
    ASSERT_LT(written, 512u << 20) << "the writer never refused";
  }
  EXPECT_GE(written, 64u << 10);
  EXPECT_TRUE(writer->closed());
  ASSERT_TRUE(held_.WaitEnded(1));
  EXPECT_TRUE(client.ReadToEnd());
  EXPECT_FALSE(client.ended_cleanly());  // dropped, not ended: the client knows it lost data
  EXPECT_LT(client.body().size(), written);
}

TEST_F(HttpStreamTest, StopEndsOpenStreamsPromptly) {
  HttpServerOptions options;
  options.shutdown_grace = Duration::Seconds(30);  // promptness must not come from force-closing
  StartServer(options);
  StreamClient first(server_->port(), kGetHeld);
  std::shared_ptr<StreamWriter> writer = held_.Take();
  ASSERT_NE(writer, nullptr);
  StreamClient second(server_->port(), kGetHeld);
  ASSERT_NE(held_.Take(), nullptr);
  ASSERT_TRUE(writer->Write("before stop\n"));
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(held_.ended(), 2);
  EXPECT_FALSE(writer->Write("after stop\n"));
  EXPECT_TRUE(first.ReadToEnd());
  EXPECT_TRUE(first.ended_cleanly());
  EXPECT_EQ(first.body(), "before stop\n");
  EXPECT_TRUE(second.ReadToEnd());
  EXPECT_TRUE(second.ended_cleanly());
}

}  // namespace
}  // namespace braid::server
