#include "speed/alert_hub.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "alert_test_util.h"
#include "scoped_temp_dir.h"

namespace braid::speed {
namespace {

namespace fs = std::filesystem;
using testing::FileLines;
using testing::FileText;
using testing::MakeAlert;
using testing::StoredLine;

std::unique_ptr<AlertHub> OpenHub(const fs::path& dir, Duration remember = Duration::Days(7)) {
  AlertHubOptions options;
  options.dir = dir;
  options.remember_ids_for = remember;
  Result<std::unique_ptr<AlertHub>> hub = AlertHub::Open(options);
  EXPECT_TRUE(hub.ok()) << hub.status().ToString();
  return hub.ok() ? std::move(hub).value() : nullptr;
}

// Collects what a subscriber is handed, from whichever thread.
struct Received {
  std::mutex mu;
  std::vector<uint64_t> sequences;
  std::vector<std::string> ids;
  std::vector<std::string> json;

  AlertHub::Subscriber Callback() {
    return [this](const Alert& alert) {
      std::lock_guard lock(mu);
      sequences.push_back(alert.sequence);
      ids.push_back(alert.id);
      json.push_back(alert.json);
    };
  }
};

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> v;
  for (uint64_t s = first; s <= last; ++s) v.push_back(s);
  return v;
}

TEST(AlertHubTest, StoresNewAlertsAndDropsRepeatedIds) {
  braid::testing::ScopedTempDir dir("alerts");
  const fs::path file = dir.path() / "alerts" / "alerts.jsonl";
  {
    auto hub = OpenHub(dir.path() / "alerts");
    ASSERT_NE(hub, nullptr);
    EXPECT_EQ(hub->alerts_stored(), 0u);
    Result<size_t> fired = hub->Fire({MakeAlert("a"), MakeAlert("b"), MakeAlert("a")});
    ASSERT_TRUE(fired.ok()) << fired.status().ToString();
    EXPECT_EQ(*fired, 2u);
    fired = hub->Fire({MakeAlert("a"), MakeAlert("c")});
    ASSERT_TRUE(fired.ok());
    EXPECT_EQ(*fired, 1u);
    EXPECT_EQ(hub->alerts_stored(), 3u);
    EXPECT_EQ(FileLines(file), (std::vector<std::string>{StoredLine(MakeAlert("a"), 1),
                                                         StoredLine(MakeAlert("b"), 2),
                                                         StoredLine(MakeAlert("c"), 3)}));
  }
  // Reopened: the ids are remembered and the sequence continues.
  auto hub = OpenHub(dir.path() / "alerts");
  ASSERT_NE(hub, nullptr);
  EXPECT_EQ(hub->alerts_stored(), 3u);
  Result<size_t> fired = hub->Fire({MakeAlert("b"), MakeAlert("d"), MakeAlert("c")});
  ASSERT_TRUE(fired.ok());
  EXPECT_EQ(*fired, 1u);
  EXPECT_EQ(hub->alerts_stored(), 4u);
  std::vector<std::string> lines = FileLines(file);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[3], StoredLine(MakeAlert("d"), 4));
  EXPECT_EQ(FileText(file).back(), '\n');
}

TEST(AlertHubTest, ForgetsIdsOfWindowsBeyondTheHorizon) {
  braid::testing::ScopedTempDir dir("alerts");
  auto hub = OpenHub(dir.path(), Duration::Hours(1));
  ASSERT_NE(hub, nullptr);
  EXPECT_EQ(*hub->Fire({MakeAlert("old", 0), MakeAlert("recent", 30)}), 2u);
  EXPECT_EQ(*hub->Fire({MakeAlert("old", 0)}), 0u);  // 30 min apart: both remembered
  EXPECT_EQ(*hub->Fire({MakeAlert("new", 120)}), 1u);
  // "old" ended 2 h before the newest window: forgotten, it fires again; "recent" (90 min) too.
  EXPECT_EQ(*hub->Fire({MakeAlert("old", 0), MakeAlert("recent", 30), MakeAlert("new", 120)}), 2u);
  hub.reset();
  hub = OpenHub(dir.path(), Duration::Hours(1));
  ASSERT_NE(hub, nullptr);
  EXPECT_EQ(hub->alerts_stored(), 5u);
  EXPECT_EQ(*hub->Fire({MakeAlert("new", 120), MakeAlert("old", 0)}), 1u);
}

TEST(AlertHubTest, TruncatesATornLastLine) {
  braid::testing::ScopedTempDir dir("alerts");
  const fs::path file = dir.path() / "alerts.jsonl";
  {
    auto hub = OpenHub(dir.path());
    ASSERT_NE(hub, nullptr);
    ASSERT_EQ(*hub->Fire({MakeAlert("a"), MakeAlert("b")}), 2u);
  }
  const std::string complete = FileText(file);
  std::ofstream(file, std::ios::app) << StoredLine(MakeAlert("x"), 3).substr(0, 30);
  ASSERT_EQ(FileText(file).size(), complete.size() + 30);

  auto hub = OpenHub(dir.path());
  ASSERT_NE(hub, nullptr);
  EXPECT_EQ(hub->alerts_stored(), 2u);
  EXPECT_EQ(FileText(file), complete);
  // The torn alert was never acknowledged: firing it stores it whole, as sequence 3.
  EXPECT_EQ(*hub->Fire({MakeAlert("x")}), 1u);
  EXPECT_EQ(FileText(file), complete + StoredLine(MakeAlert("x"), 3) + "\n");
}

TEST(AlertHubTest, RefusesAlertsWhoseJsonDoesNotMatch) {
  braid::testing::ScopedTempDir dir("alerts");
  auto hub = OpenHub(dir.path());
  ASSERT_NE(hub, nullptr);
  Alert not_object = MakeAlert("a");
  not_object.json = "[1]";
  Alert other_id = MakeAlert("b");
  other_id.id = "c";
  for (const Alert& bad : {not_object, other_id}) {
    Result<size_t> fired = hub->Fire({MakeAlert("ok"), bad});
    ASSERT_FALSE(fired.ok()) << bad.json;
    EXPECT_EQ(fired.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(hub->alerts_stored(), 0u);
  EXPECT_EQ(FileText(dir.path() / "alerts.jsonl"), "");
  EXPECT_EQ(*hub->Fire({MakeAlert("ok")}), 1u);  // none of the refused calls was remembered
}

TEST(AlertHubTest, SubscriberReceivesLiveAlertsUntilUnsubscribed) {
  braid::testing::ScopedTempDir dir("alerts");
  auto hub = OpenHub(dir.path());
  ASSERT_NE(hub, nullptr);
  ASSERT_EQ(*hub->Fire({MakeAlert("before")}), 1u);
  Received received;
  const uint64_t token = hub->Subscribe(received.Callback());
  EXPECT_TRUE(received.sequences.empty());
  ASSERT_EQ(*hub->Fire({MakeAlert("a"), MakeAlert("b"), MakeAlert("before")}), 2u);
  EXPECT_EQ(received.sequences, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(received.ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(received.json, (std::vector<std::string>{StoredLine(MakeAlert("a"), 2),
                                                     StoredLine(MakeAlert("b"), 3)}));
  hub->Unsubscribe(token);
  ASSERT_EQ(*hub->Fire({MakeAlert("c")}), 1u);
  EXPECT_EQ(received.sequences.size(), 2u);
}

TEST(AlertHubTest, SubscriberAfterASequenceGetsTheStoredRestThenLiveAlerts) {
  braid::testing::ScopedTempDir dir("alerts");
  {
    auto hub = OpenHub(dir.path());
    ASSERT_NE(hub, nullptr);
    ASSERT_EQ(*hub->Fire({MakeAlert("a"), MakeAlert("b"), MakeAlert("c"), MakeAlert("d")}), 4u);
  }
  auto hub = OpenHub(dir.path());
  ASSERT_NE(hub, nullptr);
  Received received;
  hub->Subscribe(received.Callback(), uint64_t{2});
  EXPECT_EQ(received.sequences, (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(received.ids, (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(received.json, (std::vector<std::string>{StoredLine(MakeAlert("c"), 3),
                                                     StoredLine(MakeAlert("d"), 4)}));
  ASSERT_EQ(*hub->Fire({MakeAlert("e")}), 1u);
  EXPECT_EQ(received.sequences, (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(received.ids.back(), "e");

  Received up_to_date;
  hub->Subscribe(up_to_date.Callback(), uint64_t{5});
  Received ahead;  // a Last-Event-ID beyond the file: only new alerts
  hub->Subscribe(ahead.Callback(), uint64_t{99});
  ASSERT_EQ(*hub->Fire({MakeAlert("f")}), 1u);
  EXPECT_EQ(up_to_date.sequences, (std::vector<uint64_t>{6}));
  EXPECT_EQ(ahead.sequences, (std::vector<uint64_t>{6}));
}

TEST(AlertHubTest, AlertsFiredDuringTheReplayFollowIt) {
  braid::testing::ScopedTempDir dir("alerts");
  auto hub = OpenHub(dir.path());
  ASSERT_NE(hub, nullptr);
  ASSERT_EQ(*hub->Fire({MakeAlert("a"), MakeAlert("b"), MakeAlert("c")}), 3u);
  // While the stored alerts are replayed, two more are fired: after the replay, before the
  // subscription is live. They must come once each, in order, between the replay and live ones.
  std::vector<uint64_t> sequences;
  hub->Subscribe(
      [&](const Alert& alert) {
        sequences.push_back(alert.sequence);
        if (alert.sequence == 2) {
          ASSERT_EQ(*hub->Fire({MakeAlert("d")}), 1u);
        }
        if (alert.sequence == 4) {
          ASSERT_EQ(*hub->Fire({MakeAlert("e")}), 1u);
        }
      },
      uint64_t{1});
  EXPECT_EQ(sequences, (std::vector<uint64_t>{2, 3, 4, 5}));
  ASSERT_EQ(*hub->Fire({MakeAlert("f")}), 1u);
  EXPECT_EQ(sequences, (std::vector<uint64_t>{2, 3, 4, 5, 6}));
}

TEST(AlertHubTest, ResumingWhileAlertsFireHasNoGapAndNoDuplicate) {
  braid::testing::ScopedTempDir dir("alerts");
  auto hub = OpenHub(dir.path());
  ASSERT_NE(hub, nullptr);
  for (int i = 0; i < 20; ++i) ASSERT_EQ(*hub->Fire({MakeAlert(fmt::format("s{}", i))}), 1u);
  constexpr int kLive = 200;
  std::thread firer([&] {
    for (int i = 0; i < kLive; ++i) ASSERT_EQ(*hub->Fire({MakeAlert(fmt::format("l{}", i))}), 1u);
  });
  std::vector<std::unique_ptr<Received>> subscribers;
  for (uint64_t after : {0, 7, 19}) {
    subscribers.push_back(std::make_unique<Received>());
    hub->Subscribe(subscribers.back()->Callback(), after);
  }
  firer.join();
  const uint64_t total = 20 + kLive;
  EXPECT_EQ(hub->alerts_stored(), total);
  EXPECT_EQ(subscribers[0]->sequences, Range(1, total));
  EXPECT_EQ(subscribers[1]->sequences, Range(8, total));
  EXPECT_EQ(subscribers[2]->sequences, Range(20, total));
}

TEST(AlertHubTest, ConcurrentFiresAreStoredOnceAndDeliveredInOrder) {
  braid::testing::ScopedTempDir dir("alerts");
  auto hub = OpenHub(dir.path());
  ASSERT_NE(hub, nullptr);
  Received received;
  hub->Subscribe(received.Callback());
  // Four threads fire overlapping ids: 0..59 in all, each id by two threads.
  std::vector<std::thread> threads;
  std::atomic<size_t> new_alerts{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 30; ++i) {
        Result<size_t> fired = hub->Fire({MakeAlert(fmt::format("id{}", (t % 2) * 30 + i))});
        ASSERT_TRUE(fired.ok());
        new_alerts += *fired;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(new_alerts.load(), 60u);
  EXPECT_EQ(hub->alerts_stored(), 60u);
  EXPECT_EQ(received.sequences, Range(1, 60));
  std::vector<std::string> lines = FileLines(dir.path() / "alerts.jsonl");
  ASSERT_EQ(lines.size(), 60u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i], StoredLine(MakeAlert(received.ids[i]), i + 1));
  }
}

}  // namespace
}  // namespace braid::speed
