// The worked examples of SEMANTICS.md (1, 5, 6, 8, 9) through the whole engine: events appended
// to the real log, read by the speed layer's tailer thread, answered by SELECT with consistency
// 'speed'; then captured and refreshed, answered with consistency 'exact' (the batch truth) while
// the speed layer no longer answers for the absorbed events. Example 8 also checks when its
// windows are emitted (alerts), idle partitions on the wall clock, and both lateness policies.
#include <gtest/gtest.h>

#include <thread>

#include "common/file_util.h"
#include "speed_test_fixture.h"

namespace braid::serving {
namespace {

using testing::AlertBody;
using testing::AlertInbox;
using testing::At;

constexpr std::string_view kCountPerMinute =
    "CREATE VIEW m AS SELECT k, COUNT(*) AS n FROM s GROUP BY k, TumblingWindow(minute, 1)";
constexpr std::string_view kWindowCounts = "SELECT k, window_end, n FROM m ORDER BY window_end, k";

// `rows` with the _source cell every answer over a view ends with ('SPEED' or 'BATCH').
std::vector<std::string> From(std::string_view source, std::vector<std::string> rows) {
  for (std::string& row : rows) row = fmt::format("{}|{}", row, source);
  return rows;
}

class SpeedServiceTest : public testing::SpeedTest {
 protected:
  void SetUp() override { OpenQuiet(); }
};

TEST_F(SpeedServiceTest, Example1WindowsAreStartExclusiveEndInclusive) {
  CreateStream("partitions = 1");
  Run(kCountPerMinute);
  Append(0, {{"a", At(0, 0, 59.999999)}, {"a", At(0, 1, 0)}, {"a", At(0, 1, 0.000001)}});
  CatchUp();
  const std::vector<std::string> truth{"a|00:01:00|2", "a|00:02:00|1"};
  EXPECT_EQ(Rows(kWindowCounts, Consistency::kSpeed), From("SPEED", truth));
  EXPECT_TRUE(Rows(kWindowCounts, Consistency::kExact).empty());
  EXPECT_EQ(Refresh("m").to_epoch, 1);
  EXPECT_EQ(Rows(kWindowCounts, Consistency::kExact), From("BATCH", truth));
  EXPECT_TRUE(Rows(kWindowCounts, Consistency::kSpeed).empty());
}

TEST_F(SpeedServiceTest, Example5HoppingWindowsSum) {
  CreateStream("partitions = 1");
  Run("CREATE VIEW h AS SELECT k, SUM(v) AS total FROM s GROUP BY k, HoppingWindow(minute, 10, 5)");
  Append(0, {{"a", At(0, 7, 0), 1}, {"a", At(0, 10, 0), 2}, {"a", At(0, 12, 30), 4}});
  CatchUp();
  constexpr std::string_view kQuery = "SELECT k, window_end, total FROM h ORDER BY window_end";
  const std::vector<std::string> truth{"a|00:10:00|3", "a|00:15:00|7", "a|00:20:00|4"};
  EXPECT_EQ(Rows(kQuery, Consistency::kSpeed), From("SPEED", truth));
  Refresh("h");
  EXPECT_EQ(Rows(kQuery, Consistency::kExact), From("BATCH", truth));
  EXPECT_TRUE(Rows(kQuery, Consistency::kSpeed).empty());
}

TEST_F(SpeedServiceTest, Example6SessionsAndABridgingOutOfOrderEvent) {
  CreateStream("partitions = 1, out_of_order = '10m'");
  Run("CREATE VIEW w AS SELECT k, COUNT(*) AS n FROM s GROUP BY k, SessionWindow(minute, 5, 60)");
  Append(0, {{"a", At(0, 0, 0)}, {"a", At(0, 4, 0)}, {"a", At(0, 9, 0)}, {"a", At(0, 15, 0)}});
  CatchUp();
  constexpr std::string_view kQuery =
      "SELECT k, window_start, window_end, n FROM w ORDER BY window_end";
  EXPECT_EQ(Rows(kQuery, Consistency::kSpeed),
            From("SPEED", {"a|00:00:00|00:14:00|3", "a|00:15:00|00:20:00|1"}));
  Append(0, {{"a", At(0, 12, 0)}});  // within out_of_order: on time, bridges the two sessions
  CatchUp();
  const std::vector<std::string> bridged{"a|00:00:00|00:20:00|5"};
  EXPECT_EQ(Rows(kQuery, Consistency::kSpeed), From("SPEED", bridged));
  Refresh("w");
  EXPECT_EQ(Rows(kQuery, Consistency::kExact), From("BATCH", bridged));
  EXPECT_TRUE(Rows(kQuery, Consistency::kSpeed).empty());
}

// Example 8 under `policy`: two partitions, out_of_order 2 s, tumbling 10 s, idle_timeout 1 s.
class Example8Test : public SpeedServiceTest,
                     public ::testing::WithParamInterface<std::string_view> {
 protected:
  static constexpr Duration kIdle = Duration::Seconds(1);
  uint64_t Emitted() { return db_->speed().FindView("t")->Describe().counters.emitted_rows; }
  int64_t Watermark() { return db_->speed().FindView("t")->watermark(); }
  void Arrive(int partition, double second) {
    Append(partition, {{"d", At(0, 0, second)}});
    CatchUp();
  }
};

TEST_P(Example8Test, EmissionWaitsForEveryActivePartitionAndLateEventsFollowThePolicy) {
  const std::string_view policy = GetParam();
  CreateStream(fmt::format(
      "partitions = 2, out_of_order = '2s', idle_timeout = '1s', out_of_order_policy = '{}'",
      policy));
  Run("CREATE VIEW t AS SELECT COUNT(*) AS n FROM s GROUP BY TumblingWindow(second, 10)");
  Run("CREATE ALERT a ON t WHERE n > 0");
  AlertInbox inbox(db_->alerts());
  Arrive(0, 3);
  Arrive(1, 4);
  Arrive(0, 12);
  Arrive(1, 11);
  const Timestamp p1_last = Now();
  Arrive(1, 13);
  EXPECT_EQ(Watermark(), At(0, 0, 10).micros);  // min(:12, :11) - 2 s: the row (:10] stays open
  EXPECT_EQ(Emitted(), 0u);
  // p0's next arrivals come half an idle_timeout later, so that p1 goes idle alone.
  std::this_thread::sleep_for(std::chrono::microseconds(kIdle.micros / 2));
  Arrive(0, 14);
  EXPECT_EQ(Watermark(), At(0, 0, 11).micros);
  ASSERT_TRUE(inbox.WaitFor(1, kWait));  // emitted during the batch, before catch-up
  EXPECT_EQ(Emitted(), 1u);
  Arrive(0, 25);
  EXPECT_EQ(Watermark(), At(0, 0, 11).micros);  // p1 still holds it
  EXPECT_EQ(Emitted(), 1u);
  // p1 idles past idle_timeout: Wc = :23 and (:20] is emitted.
  ASSERT_TRUE(inbox.WaitFor(2, kWait));
  EXPECT_GE((Now() - p1_last).micros, kIdle.micros);
  EXPECT_EQ(Watermark(), At(0, 0, 23).micros);
  EXPECT_EQ(Emitted(), 2u);
  Arrive(1, 15);  // late: every window holding :15 was emitted
  const speed::SpeedCounters counters = db_->speed().FindView("t")->Describe().counters;
  EXPECT_EQ(counters.events, 8u);
  EXPECT_EQ(counters.late, 1u);
  constexpr std::string_view kQuery = "SELECT window_end, n FROM t ORDER BY window_end";
  if (policy == "adjust") {
    EXPECT_EQ(counters.adjusted, 1u);
    EXPECT_EQ(counters.counted, 8u);
    EXPECT_EQ(Rows(kQuery, Consistency::kSpeed),
              From("SPEED", {"00:00:10|2", "00:00:20|4", "00:00:30|2"}));
  } else {
    EXPECT_EQ(counters.dropped, 1u);
    EXPECT_EQ(counters.counted, 7u);
    EXPECT_EQ(Rows(kQuery, Consistency::kSpeed),
              From("SPEED", {"00:00:10|2", "00:00:20|4", "00:00:30|1"}));
  }
  EXPECT_EQ(Refresh("t").to_epoch, 1);
  EXPECT_EQ(Rows(kQuery, Consistency::kExact),
            From("BATCH", {"00:00:10|2", "00:00:20|5", "00:00:30|1"}));
  EXPECT_TRUE(Rows(kQuery, Consistency::kSpeed).empty());
  // Exactly the two emitted windows raised alerts, in the hub and in the file.
  const std::vector<speed::Alert> alerts = inbox.alerts();
  ASSERT_EQ(alerts.size(), 2u);
  const std::string first = R"("rule":"a","view":"t","keys":{},)"
                            R"("window_start":"2024-01-01T00:00:00.000000Z",)"
                            R"("window_end":"2024-01-01T00:00:10.000000Z","values":{"n":2})";
  const std::string second = R"("rule":"a","view":"t","keys":{},)"
                             R"("window_start":"2024-01-01T00:00:10.000000Z",)"
                             R"("window_end":"2024-01-01T00:00:20.000000Z","values":{"n":4})";
  EXPECT_EQ(AlertBody(alerts[0].json), first);
  EXPECT_EQ(AlertBody(alerts[1].json), second);
  Result<std::string> file = ReadWholeFile(dir_.path() / "alerts" / "alerts.jsonl");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(std::count(file->begin(), file->end(), '\n'), 2);
  EXPECT_NE(file->find(first), std::string::npos) << *file;
  EXPECT_NE(file->find(second), std::string::npos) << *file;
}

INSTANTIATE_TEST_SUITE_P(Policies, Example8Test, ::testing::Values("adjust", "drop"),
                         [](const auto& info) { return std::string(info.param); });

TEST_F(SpeedServiceTest, Example9AnAbsorbedEventIsCountedByExactNotBySpeed) {
  CreateStream("partitions = 1");
  Run(kCountPerMinute);
  Append(0, {{"x", At(0, 0, 10)}});
  EXPECT_EQ(Capture(), 1);
  Append(0, {{"x", At(0, 0, 20)}});
  EXPECT_EQ(Capture(), 2);
  Append(0, {{"a", At(0, 0, 30)}});
  CatchUp();
  constexpr std::string_view kQuery = "SELECT k, window_end, n FROM m WHERE k = 'a'";
  EXPECT_EQ(Rows(kQuery, Consistency::kSpeed), From("SPEED", {"a|00:01:00|1"}));
  EXPECT_EQ(Refresh("m").to_epoch, 3);  // seals epoch 3 with the event, then absorbs it
  QueryResult exact = Run(kQuery, Consistency::kExact);
  EXPECT_EQ(testing::RowTexts(exact), From("BATCH", {"a|00:01:00|1"}));
  ASSERT_TRUE(exact.coverage.has_value());
  EXPECT_EQ(exact.coverage->batch_epoch, 3);
  QueryResult speed = Run(kQuery, Consistency::kSpeed);
  EXPECT_EQ(speed.num_rows(), 0u);
  ASSERT_TRUE(speed.coverage.has_value());
  EXPECT_EQ(speed.coverage->batch_epoch, 3);
  EXPECT_EQ(Sum("m", "n", Consistency::kExact), 3);
  EXPECT_EQ(Sum("m", "n", Consistency::kSpeed), 0);
}

}  // namespace
}  // namespace braid::serving
