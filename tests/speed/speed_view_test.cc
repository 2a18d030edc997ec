// The speed layer's per-view state (speed/speed_view.h) driven batch by batch: the worked examples
// of SEMANTICS.md (windows, sessions, watermarks, idle partitions, lateness under adjust and
// drop), emission exactly once per window, generations and their hand-off to the batch layer.
#include "speed/speed_view.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "speed_test_util.h"

namespace braid::speed {
namespace {

using testing::At;
using testing::Bind;
using testing::BoundView;
using testing::Event;
using testing::InputOf;

// "key end value" per row of batch view rows whose output columns are k, window_start,
// window_end, then the value (BIGINT or DOUBLE); window times as HH:MM:SS(.ffffff).
std::vector<std::string> Cells(const std::vector<Chunk>& rows) {
  std::vector<std::string> cells;
  for (const Chunk& chunk : rows) {
    for (size_t row = 0; row < chunk.num_rows(); ++row) {
      std::string end = FormatRfc3339(Timestamp{chunk.column(2).int64s()[row]}).substr(11, 15);
      while (end.back() == '0') end.pop_back();
      if (end.back() == '.') end.pop_back();
      const Column& value = chunk.column(3);
      const std::string text = value.type() == DataType::kDouble
                                   ? fmt::format("{}", value.doubles()[row])
                                   : fmt::format("{}", value.int64s()[row]);
      cells.push_back(fmt::format("{} {} {}", chunk.column(0).StringAt(row), end, text));
    }
  }
  return cells;
}

std::vector<std::string> RowsOf(const SpeedView& view) {
  Result<SpeedRows> rows = view.Rows();
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? Cells(rows->rows) : std::vector<std::string>{};
}

struct Fixture {
  BoundView bound;
  std::unique_ptr<SpeedView> view;
  std::vector<uint64_t> next;
  std::vector<Chunk> emitted;

  Fixture(std::string_view options, std::string_view view_sql, int64_t absorbed = 0)
      : bound(Bind(options, view_sql)),
        view(std::make_unique<SpeedView>(bound.plan,
                                         SpeedViewOptionsFor(*bound.stream, size_t{1} << 30),
                                         absorbed)),
        next(static_cast<size_t>(bound.stream->partitions), 0) {}

  // One batch of `events` in `partition`, appended at `tau`, in generation `generation`.
  void Send(int partition, std::vector<Event> events, Timestamp tau, int64_t generation = 1) {
    Chunk input = InputOf(*bound.plan, events, partition, next[partition], tau);
    next[partition] += events.size();
    Status status = view->Consume(input, 0, input.num_rows(), partition, generation, tau, &emitted);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  std::vector<std::string> TakeEmitted() {
    std::vector<std::string> cells = Cells(emitted);
    emitted.clear();
    return cells;
  }
};

constexpr std::string_view kCountPerMinute =
    "CREATE VIEW m AS SELECT k, COUNT(*) AS n FROM s GROUP BY k, TumblingWindow(minute, 1)";

// Batches arrive after their events happened (events more than max_future ahead of their
// arrival would not raise the watermark).
const Timestamp kTau = At(23, 0, 0);

TEST(SpeedViewTest, Example1WindowsAreStartExclusiveEndInclusive) {
  Fixture f("partitions = 1", kCountPerMinute);
  f.Send(0, {{"a", At(0, 0, 59.999999)}, {"a", At(0, 1, 0)}, {"a", At(0, 1, 0.000001)}}, kTau);
  EXPECT_EQ(RowsOf(*f.view), (std::vector<std::string>{"a 00:01:00 2", "a 00:02:00 1"}));
}

TEST(SpeedViewTest, Example2OffsetShiftsTheGrid) {
  Fixture f("partitions = 1",
            "CREATE VIEW h AS SELECT k, COUNT(*) AS n FROM s "
            "GROUP BY k, TumblingWindow(hour, 1, Offset(millisecond, -1))");
  f.Send(0,
         {{"a", At(12, 0, 0)}, {"a", At(12, 59, 59.999)}, {"a", At(12, 59, 59.9995)},
          {"a", At(13, 0, 0)}},
         kTau);
  EXPECT_EQ(RowsOf(*f.view), (std::vector<std::string>{"a 12:59:59.999 2", "a 13:59:59.999 2"}));
}

TEST(SpeedViewTest, Example5HoppingWindowsSum) {
  Fixture f("partitions = 1",
            "CREATE VIEW h AS SELECT k, SUM(v) AS total FROM s "
            "GROUP BY k, HoppingWindow(minute, 10, 5)");
  f.Send(0, {{"a", At(0, 7, 0), 1}, {"a", At(0, 10, 0), 2}, {"a", At(0, 12, 30), 4}}, kTau);
  EXPECT_EQ(RowsOf(*f.view),
            (std::vector<std::string>{"a 00:10:00 3", "a 00:15:00 7", "a 00:20:00 4"}));
}

constexpr std::string_view kSessions =
    "CREATE VIEW w AS SELECT k, COUNT(*) AS n FROM s GROUP BY k, SessionWindow(minute, 5, 60)";

TEST(SpeedViewTest, Example6SessionsAndABridgingOutOfOrderEvent) {
  Fixture f("partitions = 1, out_of_order = '10m'", kSessions);
  f.Send(0, {{"a", At(0, 0, 0)}, {"a", At(0, 4, 0)}, {"a", At(0, 9, 0)}, {"a", At(0, 15, 0)}},
         kTau);
  EXPECT_EQ(RowsOf(*f.view), (std::vector<std::string>{"a 00:14:00 3", "a 00:20:00 1"}));
  f.Send(0, {{"a", At(0, 12, 0)}}, kTau);  // within out_of_order: on time, bridges the two
  EXPECT_EQ(RowsOf(*f.view), (std::vector<std::string>{"a 00:20:00 5"}));
}

TEST(SpeedViewTest, Example7SessionsAreCutOnTheMaxDurationGrid) {
  Fixture f("partitions = 1",
            "CREATE VIEW w AS SELECT k, COUNT(*) AS n FROM s "
            "GROUP BY k, SessionWindow(second, 5, 10)");
  f.Send(0,
         {{"a", At(0, 0, 1)}, {"a", At(0, 0, 5)}, {"a", At(0, 0, 9)}, {"a", At(0, 0, 13)},
          {"a", At(0, 0, 17)}, {"a", At(0, 0, 21)}},
         kTau);
  EXPECT_EQ(RowsOf(*f.view), (std::vector<std::string>{"a 00:00:20 5", "a 00:00:26 1"}));
  Fixture g("partitions = 1",
            "CREATE VIEW w AS SELECT k, COUNT(*) AS n FROM s "
            "GROUP BY k, SessionWindow(second, 5, 10)");
  g.Send(0, {{"b", At(0, 0, 0)}, {"b", At(0, 0, 4)}, {"b", At(0, 0, 8)}, {"b", At(0, 0, 12)}},
         kTau);
  EXPECT_EQ(RowsOf(*g.view), (std::vector<std::string>{"b 00:00:10 3", "b 00:00:17 1"}));
}

// Example 8 of SEMANTICS.md, arrival by arrival, under both policies.
void RunExample8(std::string_view policy, const std::vector<std::string>& final_rows) {
  constexpr std::string_view kTenSeconds =
      "CREATE VIEW t AS SELECT k, COUNT(*) AS n FROM s GROUP BY k, TumblingWindow(second, 10)";
  Fixture f(fmt::format("partitions = 2, out_of_order = '2s', idle_timeout = '5s', "
                        "out_of_order_policy = '{}'",
                        policy),
            kTenSeconds);
  auto tau = [](double seconds) { return At(1, 0, seconds); };  // arrival clock
  f.Send(0, {{"x", At(0, 0, 3)}}, tau(0.0));
  f.Send(1, {{"x", At(0, 0, 4)}}, tau(0.1));
  f.Send(0, {{"x", At(0, 0, 12)}}, tau(0.2));
  f.Send(1, {{"x", At(0, 0, 11)}}, tau(0.3));
  f.Send(1, {{"x", At(0, 0, 13)}}, tau(0.4));
  EXPECT_EQ(f.TakeEmitted(), std::vector<std::string>{}) << "Wc = :10 is not past :10";
  EXPECT_EQ(f.view->watermark(), At(0, 0, 10).micros);
  f.Send(0, {{"x", At(0, 0, 14)}}, tau(0.5));
  EXPECT_EQ(f.TakeEmitted(), std::vector<std::string>{"x 00:00:10 2"});
  EXPECT_EQ(f.view->watermark(), At(0, 0, 11).micros);
  f.Send(0, {{"x", At(0, 0, 25)}}, tau(0.6));
  EXPECT_EQ(f.TakeEmitted(), std::vector<std::string>{});
  // p1 received nothing for idle_timeout: it no longer holds the watermark back.
  ASSERT_TRUE(f.view->Advance(tau(4.0), &f.emitted).ok());
  EXPECT_EQ(f.TakeEmitted(), std::vector<std::string>{}) << "p1 is not idle yet";
  ASSERT_TRUE(f.view->Advance(tau(5.4), &f.emitted).ok());
  EXPECT_EQ(f.TakeEmitted(), std::vector<std::string>{"x 00:00:20 4"});
  EXPECT_EQ(f.view->watermark(), At(0, 0, 23).micros);
  // p1 wakes up with :15, whose only window was emitted: late.
  f.Send(1, {{"x", At(0, 0, 15)}}, tau(5.5));
  EXPECT_EQ(f.TakeEmitted(), std::vector<std::string>{});
  EXPECT_EQ(RowsOf(*f.view), final_rows);
  SpeedViewStatus status = f.view->Describe();
  EXPECT_EQ(status.counters.late, 1u);
  EXPECT_EQ(status.counters.events, 8u);
  EXPECT_EQ(status.counters.emitted_rows, 2u);
}

TEST(SpeedViewTest, Example8AdjustCountsALateEventAtTheWatermark) {
  RunExample8("adjust", {"x 00:00:10 2", "x 00:00:20 4", "x 00:00:30 2"});
}

TEST(SpeedViewTest, Example8DropLeavesALateEventToTheBatchLayer) {
  RunExample8("drop", {"x 00:00:10 2", "x 00:00:20 4", "x 00:00:30 1"});
}

TEST(SpeedViewTest, EveryWindowIsEmittedOnceWhenTheWatermarkPassesItsEndPlusLateness) {
  Fixture f("partitions = 1, allowed_lateness = '30s'", kCountPerMinute);
  f.Send(0, {{"a", At(0, 0, 10)}, {"b", At(0, 0, 20)}}, kTau);
  f.Send(0, {{"a", At(0, 1, 30)}}, kTau);  // Wc = 00:01:30 = end + lateness: not past
  EXPECT_EQ(f.TakeEmitted(), std::vector<std::string>{});
  // The first event closes the window ending 00:01:00; b's :59 arrives after that: late, and
  // counted at the watermark (adjust), in the window ending 00:02:00.
  f.Send(0, {{"a", At(0, 1, 30.000001)}, {"b", At(0, 0, 59)}}, kTau);
  EXPECT_EQ(f.TakeEmitted(), (std::vector<std::string>{"a 00:01:00 1", "b 00:01:00 1"}));
  f.Send(0, {{"a", At(0, 5, 0)}}, kTau);
  EXPECT_EQ(f.TakeEmitted(), (std::vector<std::string>{"a 00:02:00 2", "b 00:02:00 1"}));
  EXPECT_EQ(f.view->Describe().counters.adjusted, 1u);
  EXPECT_EQ(f.view->Describe().counters.emitted_rows, 4u);
}

TEST(SpeedViewTest, AHoppingEventCountsOnlyInItsWindowsStillOpen) {
  Fixture f("partitions = 1",
            "CREATE VIEW h AS SELECT k, COUNT(*) AS n FROM s "
            "GROUP BY k, HoppingWindow(minute, 10, 5)");
  f.Send(0, {{"a", At(0, 11, 0)}}, kTau);  // Wc = 00:11: windows ending <= 00:10 are emitted
  EXPECT_EQ(f.TakeEmitted(), std::vector<std::string>{});
  // 00:09 lies in (00:00, 00:10] and (00:05, 00:15]: the first ended before Wc (emitted), the
  // second is open, so the event counts there only and is not late.
  f.Send(0, {{"a", At(0, 9, 0)}}, kTau);
  EXPECT_EQ(RowsOf(*f.view), (std::vector<std::string>{"a 00:15:00 2", "a 00:20:00 1"}));
  EXPECT_EQ(f.view->Describe().counters.late, 0u);
}

TEST(SpeedViewTest, EventsWithoutTimeAreSkippedAndCounted) {
  Fixture f("partitions = 1",
            "CREATE VIEW m AS SELECT k, COUNT(*) AS n FROM s TIMESTAMP BY "
            "CASE WHEN v > 0 THEN ts END GROUP BY k, TumblingWindow(minute, 1)");
  f.Send(0, {{"a", At(0, 0, 10), 1}, {"a", At(0, 0, 20), -1}}, kTau);
  EXPECT_EQ(RowsOf(*f.view), (std::vector<std::string>{"a 00:01:00 1"}));
  EXPECT_EQ(f.view->Describe().counters.null_time, 1u);
}

TEST(SpeedViewTest, QueriesReadOnlyGenerationsTheBatchLayerHasNotAbsorbed) {
  Fixture f("partitions = 1", kCountPerMinute);
  f.Send(0, {{"a", At(0, 0, 10)}, {"a", At(0, 0, 20)}}, kTau, 3);
  f.Send(0, {{"a", At(0, 0, 30)}}, kTau, 4);
  EXPECT_EQ(RowsOf(*f.view), (std::vector<std::string>{"a 00:01:00 3"}));
  f.view->Absorbed(3);
  EXPECT_EQ(RowsOf(*f.view), (std::vector<std::string>{"a 00:01:00 1"}));
  // Generation 3 stays held (not queried) until its window is emitted, for the alert's sake.
  EXPECT_EQ(f.view->Describe().generations, (std::vector<int64_t>{3, 4}));
  f.Send(0, {{"a", At(0, 2, 0)}}, kTau, 4);
  EXPECT_EQ(f.TakeEmitted(), (std::vector<std::string>{"a 00:01:00 3"}));
  EXPECT_EQ(f.view->Describe().generations, (std::vector<int64_t>{4}));
  f.view->Absorbed(4);
  EXPECT_EQ(RowsOf(*f.view), std::vector<std::string>{});
}

// Reads beside no stored rows keep the speed rows they build (kept_rows in the status), and a
// generation's hits and misses stay counted after it is dropped.
TEST(SpeedViewTest, StatusCountsKeptRowsAcrossDroppedGenerations) {
  Fixture f("partitions = 1", kCountPerMinute);
  f.Send(0, {{"a", At(0, 0, 10)}, {"b", At(0, 0, 20)}}, kTau, 3);
  const batch::HashAggregator::StoredStates no_states = [](std::span<const uint32_t>) {
    return Result<Chunk>(Status(StatusCode::kInternal, "no stored rows"));
  };
  for (int read = 0; read < 3; ++read) {
    batch::HashAggregator::RowsBeside rows;
    ASSERT_TRUE(f.view->ReadBeside(0, {}, {}, no_states, false, 0, &rows).ok());
  }
  batch::ReadCacheStats kept = f.view->Describe().kept_rows;
  EXPECT_EQ(kept.rows, 2u);
  EXPECT_GT(kept.bytes, 0u);
  EXPECT_EQ(kept.misses, 2u);  // the first read built both rows, the others copied them
  EXPECT_EQ(kept.hits, 4u);
  f.view->Absorbed(3);
  f.Send(0, {{"a", At(0, 2, 0)}}, kTau, 4);  // emits minute 1, so generation 3 goes
  ASSERT_EQ(f.view->Describe().generations, (std::vector<int64_t>{4}));
  kept = f.view->Describe().kept_rows;
  EXPECT_EQ(kept.rows, 0u);
  EXPECT_EQ(kept.bytes, 0u);
  EXPECT_EQ(kept.misses, 2u);
  EXPECT_EQ(kept.hits, 4u);
}

TEST(SpeedViewTest, ExpressionErrorsStopTheViewWithTheirReason) {
  Fixture f("partitions = 1",
            "CREATE VIEW m AS SELECT k, SUM(CAST(v AS BIGINT) * 9223372036854775807) AS n FROM s "
            "GROUP BY k, TumblingWindow(minute, 1)");
  Chunk input = InputOf(*f.bound.plan, {{"a", At(0, 0, 1), 2}}, 0, 0, kTau);  // overflows
  Status status = f.view->Consume(input, 0, 1, 0, 1, kTau, &f.emitted);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(f.view->Describe().error, "");
  EXPECT_FALSE(f.view->Rows().ok());
}

}  // namespace
}  // namespace braid::speed
