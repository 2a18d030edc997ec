// AlertHub webhooks against a small HTTP receiver running in the test (Boost.Beast on
// 127.0.0.1:0) that answers 500 to its first requests and 200 afterwards.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "alert_test_util.h"
#include "common/hash.h"
#include "scoped_temp_dir.h"
#include "speed/alert_hub.h"

namespace braid::speed {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using testing::FileLines;
using testing::FileText;
using testing::MakeAlert;
using testing::StoredLine;

constexpr auto kDeadline = std::chrono::seconds(10);

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::string content_type;
  std::string body;
  int answered = 0;
};

// Bound at construction (connections are refused until Listen), answers `fail_first` requests
// with 500 and the rest with 200, recording every request.
class TestReceiver {
 public:
  explicit TestReceiver(int fail_first) : fail_first_(fail_first) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.bind(endpoint);
  }
  ~TestReceiver() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  void Listen() {
    acceptor_.listen();
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  std::string url() const {
    return fmt::format("http://127.0.0.1:{}/hook", acceptor_.local_endpoint().port());
  }

  // Waits until `n` requests were answered 200.
  bool WaitForAcknowledged(size_t n) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, kDeadline, [&] { return acknowledged_.size() >= n; });
  }
  std::vector<std::string> acknowledged() {
    std::lock_guard lock(mu_);
    return acknowledged_;
  }
  std::vector<ReceivedRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  struct Session : std::enable_shared_from_this<Session> {
    Session(TestReceiver* receiver, tcp::socket socket)
        : receiver(receiver), socket(std::move(socket)) {}
    void Read() {
      request = {};
      http::async_read(socket, buffer, request,
                       [self = shared_from_this()](beast::error_code ec, size_t) {
                         if (!ec) self->Answer();
                       });
    }
    void Answer() {
      response = {};
      response.version(11);
      response.result(receiver->Record(request));
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      http::async_write(socket, response,
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (!ec) self->Read();
                        });
    }
    TestReceiver* receiver;
    tcp::socket socket;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::empty_body> response;
  };

  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<Session>(this, std::move(socket))->Read();
      Accept();
    });
  }

  http::status Record(const http::request<http::string_body>& request) {
    std::lock_guard lock(mu_);
    const bool fail = static_cast<int>(requests_.size()) < fail_first_;
    requests_.push_back({.method = std::string(request.method_string()),
                         .target = std::string(request.target()),
                         .content_type = std::string(request[http::field::content_type]),
                         .body = request.body(),
                         .answered = fail ? 500 : 200});
    if (!fail) acknowledged_.push_back(request.body());
    changed_.notify_all();
    return fail ? http::status::internal_server_error : http::status::ok;
  }

  asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::thread thread_;
  const int fail_first_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<ReceivedRequest> requests_;
  std::vector<std::string> acknowledged_;
};

WebhookOptions FastWebhook(const std::string& url) {
  return {.url = url,
          .timeout = Duration::Seconds(2),
          .initial_backoff = Duration::Millis(1),
          .max_backoff = Duration::Millis(8)};
}

std::unique_ptr<AlertHub> OpenWebhookHub(const fs::path& dir,
                                         std::vector<WebhookOptions> webhooks) {
  AlertHubOptions options;
  options.dir = dir;
  options.webhooks = std::move(webhooks);
  Result<std::unique_ptr<AlertHub>> hub = AlertHub::Open(options);
  EXPECT_TRUE(hub.ok()) << hub.status().ToString();
  return hub.ok() ? std::move(hub).value() : nullptr;
}

std::string PositionFileText(const fs::path& dir, const std::string& url) {
  return FileText(dir / "webhooks" / fmt::format("{:016x}.pos", Hash64(url)));
}

// Polls the hub's own report (it has no notification for it) until `done`, or the deadline.
template <typename Predicate>
bool Eventually(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

TEST(WebhookTest, DeliversEveryAlertInOrderThroughFailures) {
  braid::testing::ScopedTempDir dir("webhook");
  TestReceiver receiver(/*fail_first=*/3);
  receiver.Listen();
  auto hub = OpenWebhookHub(dir.path(), {FastWebhook(receiver.url())});
  ASSERT_NE(hub, nullptr);
  std::vector<Alert> alerts = {MakeAlert("a"), MakeAlert("b"), MakeAlert("c"), MakeAlert("d")};
  ASSERT_EQ(*hub->Fire({alerts[0], alerts[1]}), 2u);
  ASSERT_EQ(*hub->Fire({alerts[2], alerts[3], alerts[0]}), 2u);
  ASSERT_TRUE(receiver.WaitForAcknowledged(4));
  const std::vector<std::string> lines = FileLines(dir.path() / "alerts.jsonl");
  ASSERT_EQ(lines.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(lines[i], StoredLine(alerts[i], i + 1));
  EXPECT_EQ(receiver.acknowledged(), lines);
  // The first alert was refused three times and retried; nothing was skipped or reordered.
  std::vector<ReceivedRequest> requests = receiver.requests();
  ASSERT_EQ(requests.size(), 7u);
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i].method, "POST");
    EXPECT_EQ(requests[i].target, "/hook");
    EXPECT_EQ(requests[i].content_type, "application/json");
    EXPECT_EQ(requests[i].body, lines[i < 4 ? 0 : i - 3]);
    EXPECT_EQ(requests[i].answered, i < 3 ? 500 : 200);
  }
  ASSERT_TRUE(Eventually([&] { return hub->webhooks()[0].pending == 0; }));
  WebhookStatus status = hub->webhooks()[0];
  EXPECT_EQ(status.url, receiver.url());
  EXPECT_EQ(status.delivered, 4u);
  EXPECT_EQ(status.failures, 3u);
  EXPECT_NE(status.last_error.find("HTTP 500"), std::string::npos) << status.last_error;
  hub.reset();
  EXPECT_EQ(PositionFileText(dir.path(), receiver.url()), "4\n");
}

TEST(WebhookTest, DeliversTheBacklogAndResumesAfterReopen) {
  braid::testing::ScopedTempDir dir("webhook");
  {
    auto hub = OpenWebhookHub(dir.path(), {});
    ASSERT_NE(hub, nullptr);
    ASSERT_EQ(*hub->Fire({MakeAlert("a"), MakeAlert("b"), MakeAlert("c")}), 3u);
  }
  TestReceiver receiver(/*fail_first=*/0);
  receiver.Listen();
  {
    auto hub = OpenWebhookHub(dir.path(), {FastWebhook(receiver.url())});
    ASSERT_NE(hub, nullptr);
    ASSERT_TRUE(receiver.WaitForAcknowledged(3));
    ASSERT_TRUE(Eventually([&] { return hub->webhooks()[0].delivered == 3; }));
  }
  EXPECT_EQ(PositionFileText(dir.path(), receiver.url()), "3\n");
  {
    auto hub = OpenWebhookHub(dir.path(), {FastWebhook(receiver.url())});
    ASSERT_NE(hub, nullptr);
    EXPECT_EQ(hub->webhooks()[0].delivered, 0u);  // since this start
    ASSERT_EQ(*hub->Fire({MakeAlert("d")}), 1u);
    ASSERT_TRUE(receiver.WaitForAcknowledged(4));
    ASSERT_TRUE(Eventually([&] { return hub->webhooks()[0].delivered == 1; }));
    EXPECT_EQ(hub->webhooks()[0].pending, 0u);
  }
  EXPECT_EQ(PositionFileText(dir.path(), receiver.url()), "4\n");
  // Exactly the four stored lines, each once: the reopened hub did not re-send a, b, c.
  EXPECT_EQ(receiver.acknowledged(), FileLines(dir.path() / "alerts.jsonl"));
  EXPECT_EQ(receiver.requests().size(), 4u);
}

TEST(WebhookTest, RetriesWhileTheReceiverRefusesConnections) {
  braid::testing::ScopedTempDir dir("webhook");
  TestReceiver receiver(/*fail_first=*/0);  // bound, not listening: connections are refused
  auto hub = OpenWebhookHub(dir.path(), {FastWebhook(receiver.url())});
  ASSERT_NE(hub, nullptr);
  ASSERT_EQ(*hub->Fire({MakeAlert("a"), MakeAlert("b")}), 2u);
  ASSERT_TRUE(Eventually([&] { return hub->webhooks()[0].failures >= 3; }));
  WebhookStatus status = hub->webhooks()[0];
  EXPECT_EQ(status.delivered, 0u);
  EXPECT_EQ(status.pending, 2u);
  EXPECT_NE(status.last_error.find("cannot connect"), std::string::npos) << status.last_error;
  receiver.Listen();
  ASSERT_TRUE(receiver.WaitForAcknowledged(2));
  EXPECT_EQ(receiver.acknowledged(), FileLines(dir.path() / "alerts.jsonl"));
}

TEST(WebhookTest, ClosingDoesNotWaitForABackoff) {
  braid::testing::ScopedTempDir dir("webhook");
  TestReceiver receiver(/*fail_first=*/1000);
  receiver.Listen();
  WebhookOptions webhook = FastWebhook(receiver.url());
  webhook.initial_backoff = webhook.max_backoff = Duration::Seconds(60);
  auto hub = OpenWebhookHub(dir.path(), {webhook});
  ASSERT_NE(hub, nullptr);
  ASSERT_EQ(*hub->Fire({MakeAlert("a")}), 1u);
  ASSERT_TRUE(Eventually([&] { return hub->webhooks()[0].failures == 1; }));
  const auto start = std::chrono::steady_clock::now();
  hub.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_FALSE(
      fs::exists(dir.path() / "webhooks" / fmt::format("{:016x}.pos", Hash64(receiver.url()))));
}

TEST(WebhookTest, RefusesBadWebhookOptions) {
  braid::testing::ScopedTempDir dir("webhook");
  WebhookOptions backwards = FastWebhook("http://host:80/x");
  backwards.initial_backoff = Duration::Seconds(2);
  backwards.max_backoff = Duration::Seconds(1);
  for (const WebhookOptions& webhook :
       {FastWebhook("https://example.com/hook"), FastWebhook("http://:80/x"),
        FastWebhook("http://host:8o/x"), backwards}) {
    AlertHubOptions options;
    options.dir = dir.path();
    options.webhooks = {webhook};
    Result<std::unique_ptr<AlertHub>> hub = AlertHub::Open(options);
    ASSERT_FALSE(hub.ok()) << webhook.url;
    EXPECT_EQ(hub.status().code(), StatusCode::kInvalidArgument);
  }
  AlertHubOptions options;
  options.dir = dir.path();
  options.webhooks = {FastWebhook("http://h:1/x"), FastWebhook("http://h:1/x")};
  Result<std::unique_ptr<AlertHub>> twice = AlertHub::Open(options);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("configured twice"), std::string::npos);
}

}  // namespace
}  // namespace braid::speed
