// GET /v1/alerts as Server-Sent Events (api_alerts.h) over a real HttpServer and an AlertHub in a
// temporary directory: live alerts arrive in order as id/event/data events, Last-Event-ID and
// ?after=N replay exactly the missed ones, a bad resume point is 400, keep-alive comments fill
// quiet streams, a client going away unsubscribes, other requests are served meanwhile, and Stop()
// with an open stream returns promptly. The oracle is what the test fired.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "scoped_temp_dir.h"
#include "server/api_alerts.h"
#include "server/http_server.h"
#include "stream_client.h"
#include "test_client.h"

namespace braid::server {
namespace {

using braid::testing::ScopedTempDir;
using testing::Json;
using testing::StreamClient;
using testing::StringOf;
using testing::TestClient;
using testing::UintOf;

// Alert number `i`: device-<i> too hot in the minute ending at 10:<i>.
speed::Alert MakeAlert(int i) {
  const Timestamp window_end = *ParseRfc3339(fmt::format("2026-11-23T10:{:02}:00Z", i));
  speed::Alert alert;
  alert.id = fmt::format("too_hot/per_minute/device-{}/{}", i, window_end.micros);
  alert.rule = "too_hot";
  alert.view = "per_minute";
  alert.window_end = window_end;
  JsonWriter json;
  json.BeginObject().Key("id").String(alert.id).Key("rule").String(alert.rule);
  json.Key("view").String(alert.view);
  json.Key("keys").BeginObject().Key("device_id").String(fmt::format("device-{}", i)).EndObject();
  json.Key("window_start").String(FormatRfc3339(window_end - Duration::Minutes(1)));
  json.Key("window_end").String(FormatRfc3339(window_end));
  json.Key("values").BeginObject().Key("max_temperature").Int(40 + i).EndObject();
  json.Key("fired_at").String(FormatRfc3339(window_end));
  json.EndObject();
  alert.json = json.Take();
  return alert;
}

// The events of an SSE body after ": connected", checked line by line: each is exactly
// "id: N\nevent: alert\ndata: {...}\n\n" with N the data's "sequence". Returns the device
// numbers, in order, so a test compares them with the alerts it fired.
std::vector<int> AlertEvents(std::string_view body) {
  std::vector<int> devices;
  constexpr std::string_view kConnected = ": connected\n\n";
  EXPECT_EQ(body.substr(0, kConnected.size()), kConnected) << body;
  body.remove_prefix(std::min(body.size(), kConnected.size()));
  while (!body.empty()) {
    size_t end = body.find("\n\n");
    if (end == std::string_view::npos) {
      ADD_FAILURE() << "an unterminated event: " << body;
      break;
    }
    std::string_view event = body.substr(0, end);
    body.remove_prefix(end + 2);
    if (event == ": keep-alive") continue;
    size_t first = event.find('\n');
    size_t second = event.find('\n', first + 1);
    EXPECT_EQ(event.substr(first + 1, second - first - 1), "event: alert") << event;
    EXPECT_EQ(event.substr(0, 4), "id: ") << event;
    std::string_view data = event.substr(second + 1);
    EXPECT_EQ(data.substr(0, 6), "data: ") << event;
    Json json(data.substr(6));
    EXPECT_EQ(fmt::format("id: {}", UintOf(json.At("sequence"))), event.substr(0, first));
    std::string device = StringOf(json.At("keys", "device_id"));
    int number = std::stoi(device.substr(device.find('-') + 1));
    EXPECT_EQ(StringOf(json.At("id")), MakeAlert(number).id);
    devices.push_back(number);
  }
  return devices;
}

std::string GetAlerts(std::string_view target = "/v1/alerts", std::string_view headers = "") {
  return fmt::format("GET {} HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n{}\r\n", target,
                     headers);
}

class AlertsSseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    speed::AlertHubOptions options;
    options.dir = dir_.path() / "alerts";
    Result<std::unique_ptr<speed::AlertHub>> hub = speed::AlertHub::Open(std::move(options));
    ASSERT_TRUE(hub.ok()) << hub.status().ToString();
    hub_ = std::move(hub).value();
  }

  void StartServer(HttpServerOptions options = {}) {
    options.port = 0;
    stream_options_.on_unsubscribed = [this] {
      std::lock_guard<std::mutex> lock(mu_);
      ++unsubscribed_;
      cv_.notify_all();
    };
    Router router;
    router.Add(HttpVerb::get, "/v1/alerts", [this](const Request& request, Responder responder) {
      Result<std::optional<uint64_t>> after = AlertsResumePoint(request);
      if (!after.ok()) {
        responder.Send(ErrorResponse(after.status()));
        return;
      }
      ServeAlerts(*hub_, *after, std::move(responder), stream_options_);
    });
    router.Add(HttpVerb::get, "/ping", [](const Request&, Responder responder) {
      responder.Send(JsonResponse(200, R"({"pong":true})"));
    });
    Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(options, std::move(router));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  void Fire(std::vector<int> numbers) {
    std::vector<speed::Alert> alerts;
    for (int i : numbers) alerts.push_back(MakeAlert(i));
    Result<size_t> fired = hub_->Fire(std::move(alerts));
    ASSERT_TRUE(fired.ok()) << fired.status().ToString();
    ASSERT_EQ(*fired, numbers.size());
  }

  bool WaitUnsubscribed(int count) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return unsubscribed_ >= count; });
  }
  int unsubscribed() {
    std::lock_guard<std::mutex> lock(mu_);
    return unsubscribed_;
  }

  ScopedTempDir dir_{"alerts-sse"};
  std::unique_ptr<speed::AlertHub> hub_;
  AlertStreamOptions stream_options_;
  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::condition_variable cv_;
  int unsubscribed_ = 0;
};

TEST_F(AlertsSseTest, AlertsFiredAfterConnectingArriveInOrder) {
  Fire({1});  // before connecting, without a resume point: not sent
  StartServer();
  StreamClient client(server_->port(), GetAlerts());
  std::string head = client.ReadHead();
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("Content-Type: text/event-stream\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Cache-Control: no-cache\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << head;
  ASSERT_TRUE(client.ReadUntil(": connected\n\n"));  // written once subscribed
  Fire({2, 3});
  Fire({4});
  ASSERT_TRUE(client.ReadUntil("id: 4\n"));
  ASSERT_TRUE(client.ReadUntil("\n\n", client.body().find("id: 4\n")));
  EXPECT_EQ(AlertEvents(client.body()), (std::vector<int>{2, 3, 4}));
  EXPECT_NE(client.body().find("id: 2\nevent: alert\ndata: {"), std::string::npos);
}

TEST_F(AlertsSseTest, LastEventIdReplaysExactlyTheMissedAlertsThenContinuesLive) {
  Fire({1, 2, 3, 4, 5});
  StartServer();
  StreamClient client(server_->port(), GetAlerts("/v1/alerts?after=1", "Last-Event-ID: 3\r\n"));
  ASSERT_TRUE(client.ReadUntil("id: 5\n"));
  Fire({6});
  ASSERT_TRUE(client.ReadUntil("id: 6\n"));
  ASSERT_TRUE(client.ReadUntil("\n\n", client.body().find("id: 6\n")));
  EXPECT_EQ(AlertEvents(client.body()), (std::vector<int>{4, 5, 6}));
}

TEST_F(AlertsSseTest, AfterQueryReplaysWhenNoLastEventIdIsSent) {
  Fire({1, 2, 3});
  StartServer();
  StreamClient from_two(server_->port(), GetAlerts("/v1/alerts?after=2"));
  ASSERT_TRUE(from_two.ReadUntil("id: 3\n"));
  ASSERT_TRUE(from_two.ReadUntil("\n\n", from_two.body().find("id: 3\n")));
  EXPECT_EQ(AlertEvents(from_two.body()), (std::vector<int>{3}));
  StreamClient from_zero(server_->port(), GetAlerts("/v1/alerts?after=0"));
  ASSERT_TRUE(from_zero.ReadUntil("id: 3\n"));
  ASSERT_TRUE(from_zero.ReadUntil("\n\n", from_zero.body().find("id: 3\n")));
  EXPECT_EQ(AlertEvents(from_zero.body()), (std::vector<int>{1, 2, 3}));
}

TEST_F(AlertsSseTest, AReplayLargerThanTheBoundIsCutAndResumingLosesNothing) {
  stream_options_.max_queued_bytes = 2000;  // a few events of ~400 bytes
  std::vector<int> fired;
  for (int i = 1; i <= 20; ++i) fired.push_back(i);
  Fire(fired);
  StartServer();
  std::vector<int> received;
  uint64_t last_event_id = 0;
  for (int connection = 0; connection < 20 && received.size() < fired.size(); ++connection) {
    StreamClient client(
        server_->port(),
        GetAlerts("/v1/alerts", fmt::format("Last-Event-ID: {}\r\n", last_event_id)));
    // Either the rest fits (the stream goes live after alert 20) or it is cut: the stream ends
    // cleanly after a whole event, and the client resumes from there.
    if (!client.ReadUntil("id: 20\n") || !client.ReadUntil("\n\n", client.body().find("id: 20"))) {
      EXPECT_TRUE(client.eof());
      EXPECT_TRUE(client.ended_cleanly());
    }
    std::vector<int> part = AlertEvents(client.body());
    ASSERT_FALSE(part.empty()) << "no progress on connection " << connection;
    EXPECT_LE(client.body().size(), 2000u);
    received.insert(received.end(), part.begin(), part.end());
    last_event_id = static_cast<uint64_t>(received.back());  // alert N has sequence N here
  }
  EXPECT_GT(last_event_id, 0u);
  EXPECT_EQ(received, fired);
}

TEST_F(AlertsSseTest, ABadResumePointIs400) {
  StartServer();
  TestClient client(server_->port());
  Result<testing::ClientResponse> bad_header =
      client.Send("GET", "/v1/alerts", "", {{"Last-Event-ID", "three"}});
  ASSERT_TRUE(bad_header.ok());
  EXPECT_EQ(bad_header->status, 400);
  EXPECT_EQ(StringOf(Json(bad_header->body).At("error", "code")), "invalid_argument");
  EXPECT_EQ(client.Get("/v1/alerts?after=-1").status, 400);
  EXPECT_EQ(client.Get("/v1/alerts?after=").status, 400);
}

TEST_F(AlertsSseTest, AQuietStreamGetsKeepAliveComments) {
  stream_options_.keep_alive_interval = Duration::Millis(20);
  StartServer();
  StreamClient client(server_->port(), GetAlerts());
  ASSERT_TRUE(client.ReadUntil(": keep-alive\n\n: keep-alive\n\n"));
  Fire({7});
  ASSERT_TRUE(client.ReadUntil("id: 1\n"));
  ASSERT_TRUE(client.ReadUntil("\n\n", client.body().find("id: 1\n")));
  EXPECT_EQ(AlertEvents(client.body()), (std::vector<int>{7}));
}

TEST_F(AlertsSseTest, AClientGoingAwayUnsubscribes) {
  StartServer();
  StreamClient client(server_->port(), GetAlerts());
  ASSERT_TRUE(client.ReadUntil(": connected\n\n"));
  EXPECT_EQ(unsubscribed(), 0);
  client.Close();
  ASSERT_TRUE(WaitUnsubscribed(1));
  Fire({1});  // nobody to deliver to; the hub still stores it
  EXPECT_EQ(hub_->alerts_stored(), 1u);
  EXPECT_EQ(unsubscribed(), 1);
}

TEST_F(AlertsSseTest, OtherRequestsAreServedWhileAStreamIsOpen) {
  StartServer();
  StreamClient stream(server_->port(), GetAlerts());
  ASSERT_TRUE(stream.ReadUntil(": connected\n\n"));
  TestClient client(server_->port());
  testing::ClientResponse ping = client.Get("/ping");
  EXPECT_EQ(ping.status, 200);
  EXPECT_EQ(ping.body, R"({"pong":true})");
  Fire({1});
  ASSERT_TRUE(stream.ReadUntil("id: 1\n"));
}

TEST_F(AlertsSseTest, StopWithAnOpenStreamReturnsPromptly) {
  HttpServerOptions options;
  options.shutdown_grace = Duration::Seconds(30);  // promptness must not come from force-closing
  StartServer(options);
  StreamClient client(server_->port(), GetAlerts());
  ASSERT_TRUE(client.ReadUntil(": connected\n\n"));
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(unsubscribed(), 1);
  EXPECT_TRUE(client.ReadToEnd());
  EXPECT_TRUE(client.ended_cleanly());
  EXPECT_EQ(client.body(), ": connected\n\n");
}

}  // namespace
}  // namespace braid::server
