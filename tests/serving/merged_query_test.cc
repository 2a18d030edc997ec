// Merged reads of device_metrics (examples/iot.sql) end to end (issue 7): 200,000 generated
// events of 200 devices, out of order and late, appended to the real log in steps, with captures
// that seal epochs without a refresh, refreshes that fold them into the batch view, and more
// ingest in between. At every step, against what was appended (SEMANTICS.md, "Epochs,
// generations and the merge"; examples 4 and 9):
//   - merged counts every event exactly once: its rows' event_count sums to the events ingested;
//   - exact counts the events the batch view absorbed and equals DuckDB's computation of the view
//     over exactly those events; speed counts the rest (generations > B);
//   - each merged row is its batch row merged with its speed row, and `_source` says which
//     existed (BATCH, SPEED, MERGED);
//   - after the last refresh merged equals DuckDB's computation over every event.
// A second run whose stream tolerates an hour of disorder (so the speed layer sees nothing late
// and places every event at its own time) checks every column of the merged rows against DuckDB
// at every step, while they mix batch and speed states. Skips without the DuckDB oracle.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "iot_query_util.h"
#include "sql/view_oracle_util.h"

namespace braid::serving {
namespace {

using testing::ColumnsOf;
using testing::IotWorkload;
using testing::NearlyEqual;

constexpr std::string_view kCellsQuery =
    "SELECT device_id, window_end, event_count, avg_temperature, max_temperature, "
    "min_temperature, total_energy, unique_users, _source FROM device_metrics";

// Every output column of device_metrics, in the order of sql::testing::IotViewDuckDbSql.
const std::vector<std::string> kViewColumns = {
    "device_id",       "window_start",    "window_end",      "event_count",
    "avg_temperature", "max_temperature", "min_temperature", "stddev_temperature",
    "p95_temperature", "total_energy",    "unique_users",    "alert_level"};

// One row of device_metrics as the merge invariants need it.
struct Cell {
  int64_t events = 0;
  double avg = 0, max = 0, min = 0, energy = 0;
  int64_t users = 0;
  std::string source;
};
using CellKey = std::pair<std::string, int64_t>;  // device_id, window_end
using Cells = std::map<CellKey, Cell>;

Cells CellsOf(const QueryResult& result) {
  const Chunk rows = ColumnsOf(
      result, {"device_id", "window_end", "event_count", "avg_temperature", "max_temperature",
               "min_temperature", "total_energy", "unique_users", "_source"});
  Cells cells;
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    const CellKey key{std::string(rows.column(0).StringAt(r)), rows.column(1).int64s()[r]};
    const Cell cell{rows.column(2).int64s()[r],
                    rows.column(3).doubles()[r],
                    rows.column(4).doubles()[r],
                    rows.column(5).doubles()[r],
                    rows.column(6).doubles()[r],
                    rows.column(7).int64s()[r],
                    std::string(rows.column(8).StringAt(r))};
    EXPECT_TRUE(cells.emplace(key, cell).second)
        << "two rows for " << key.first << " " << key.second;
  }
  return cells;
}

int64_t EventsIn(const Cells& cells) {
  int64_t events = 0;
  for (const auto& [key, cell] : cells) events += cell.events;
  return events;
}

// Whether `merged` is `batch` ⊕ `speed` (either may be absent), as far as the columns allow:
// counts, sums, MIN, MAX and AVG exactly (AVG from the two sums: temperature is never NULL),
// COUNT(DISTINCT) between the larger part and the sum of both.
std::string MergeMismatch(const Cell* batch, const Cell* speed, const Cell& merged) {
  const std::string_view source = batch && speed ? "MERGED" : (batch ? "BATCH" : "SPEED");
  if (merged.source != source) return fmt::format("_source {} where {}", merged.source, source);
  const Cell empty{0, 0, -1e300, 1e300, 0, 0, ""};
  const Cell& b = batch ? *batch : empty;
  const Cell& s = speed ? *speed : empty;
  if (merged.events != b.events + s.events) return fmt::format("event_count {}", merged.events);
  if (merged.max != std::max(b.max, s.max)) return fmt::format("max {}", merged.max);
  if (merged.min != std::min(b.min, s.min)) return fmt::format("min {}", merged.min);
  if (!NearlyEqual(merged.energy, b.energy + s.energy)) return fmt::format("sum {}", merged.energy);
  const double avg =
      (b.avg * static_cast<double>(b.events) + s.avg * static_cast<double>(s.events)) /
      static_cast<double>(merged.events);
  if (!NearlyEqual(merged.avg, avg)) return fmt::format("avg {} where {}", merged.avg, avg);
  if (merged.users < std::max(b.users, s.users) || merged.users > b.users + s.users) {
    return fmt::format("unique_users {} of {} and {}", merged.users, b.users, s.users);
  }
  return "";
}

// How many merged rows came from each layer.
struct SourceCounts {
  size_t batch = 0, speed = 0, merged = 0;
};

class MergedQueryTest : public testing::IotDatabaseTest {
 protected:
  void SetUp() override {
    if (!braid::testing::OracleAvailable()) GTEST_SKIP() << "DuckDB oracle not installed";
  }

  // The three consistencies read now agree with each other and with what was appended: merged
  // counts all ingested events, exact the `absorbed` first ones, speed the rest, every answer
  // covers batch epoch `epoch`, and every merged row merges its batch and speed rows.
  SourceCounts ExpectLayers(const std::string& step, uint64_t absorbed, int64_t epoch) {
    SCOPED_TRACE(step);
    const QueryResult merged_answer = Run(kCellsQuery);
    const QueryResult exact_answer = Run(kCellsQuery, Consistency::kExact);
    const QueryResult speed_answer = Run(kCellsQuery, Consistency::kSpeed);
    for (const QueryResult* answer : {&merged_answer, &exact_answer, &speed_answer}) {
      EXPECT_TRUE(answer->coverage.has_value());
      if (answer->coverage) {
        EXPECT_EQ(answer->coverage->batch_epoch, epoch);
      }
    }
    if (merged_answer.coverage) {
      EXPECT_EQ(merged_answer.coverage->consistency, Consistency::kMerged);
    }
    const Cells merged = CellsOf(merged_answer), exact = CellsOf(exact_answer),
                speed = CellsOf(speed_answer);
    EXPECT_EQ(EventsIn(merged), static_cast<int64_t>(ingested()));
    EXPECT_EQ(EventsIn(exact), static_cast<int64_t>(absorbed));
    EXPECT_EQ(EventsIn(speed), static_cast<int64_t>(ingested() - absorbed));
    SourceCounts counts;
    size_t reported = 0;
    for (const auto& [key, cell] : merged) {
      const auto b = exact.find(key), s = speed.find(key);
      const std::string mismatch = MergeMismatch(b == exact.end() ? nullptr : &b->second,
                                                 s == speed.end() ? nullptr : &s->second, cell);
      if (!mismatch.empty() && reported++ < 10) {
        ADD_FAILURE() << "merged row " << key.first << " " << FormatRfc3339(Timestamp{key.second})
                      << ": " << mismatch;
      }
      (cell.source == "BATCH"   ? counts.batch
       : cell.source == "SPEED" ? counts.speed
                                : counts.merged)++;
    }
    size_t missing = 0;
    for (const Cells* part : {&exact, &speed}) {
      for (const auto& [key, cell] : *part) missing += merged.count(key) == 0;
    }
    EXPECT_EQ(missing, 0u) << "batch or speed rows without a merged row";
    return counts;
  }

  // Every column of device_metrics read at `consistency` equals DuckDB's computation of the view
  // over the first `events` events (doubles to 1e-9 relative; p95 is PERCENTILE_CONT, exact).
  void ExpectViewIsDuckDb(const std::string& what, Consistency consistency, uint64_t events) {
    const std::string columns = fmt::format("{}", fmt::join(kViewColumns, ", "));
    const QueryResult answer =
        Run(fmt::format("SELECT {} FROM device_metrics ORDER BY device_id, window_end", columns),
            consistency);
    const std::vector<braid::testing::OracleRow> oracle =
        Oracle("SELECT * FROM (" + sql::testing::IotViewDuckDbSql("device_metrics") +
                   ") ORDER BY device_id, window_end",
               events);
    sql::testing::ExpectRowsAgree(what, ColumnsOf(answer, kViewColumns), oracle);
  }

  speed::SpeedCounters Counters() {
    return db_->speed().FindView("device_metrics")->Describe().counters;
  }
};

TEST_F(MergedQueryTest, EveryEventIsCountedOnceThroughCapturesRefreshesAndLateData) {
  OpenIot("10s", IotWorkload(/*late_fraction=*/0.02, /*seed=*/11));
  Ingest(50'000);
  CatchUp();
  SourceCounts counts = ExpectLayers("first ingest, nothing captured", 0, 0);
  EXPECT_EQ(counts.batch + counts.merged, 0u);
  EXPECT_GT(counts.speed, 0u);
  EXPECT_EQ(Capture(), 1);  // sealed, not absorbed: still the speed layer's generation 1
  ExpectLayers("captured without a refresh", 0, 0);
  Ingest(50'000);
  CatchUp();
  ExpectLayers("first half", 0, 0);
  EXPECT_EQ(Refresh(), 2);
  ExpectLayers("first half refreshed", 100'000, 2);
  ExpectViewIsDuckDb("exact after the first refresh", Consistency::kExact, 100'000);
  Ingest(50'000);
  CatchUp();
  counts = ExpectLayers("refreshed, then more events", 100'000, 2);
  // Early minutes only in batch, the minutes around the refresh in both, later ones only in speed.
  EXPECT_GT(counts.batch, 0u);
  EXPECT_GT(counts.merged, 0u);
  EXPECT_GT(counts.speed, 0u);
  EXPECT_EQ(Capture(), 3);
  Ingest(50'000);
  CatchUp();
  counts = ExpectLayers("second half, one epoch sealed after the refresh", 100'000, 2);
  EXPECT_GT(counts.merged, 0u);
  // The late events reached the speed layer late and were counted at the watermark: merged
  // still counts each once.
  const speed::SpeedCounters late = Counters();
  EXPECT_GT(late.late, 0u);
  EXPECT_EQ(late.adjusted, late.late);
  EXPECT_EQ(Refresh(), 4);
  counts = ExpectLayers("everything refreshed", 200'000, 4);
  EXPECT_EQ(counts.speed + counts.merged, 0u);
  ExpectViewIsDuckDb("merged after the last refresh", Consistency::kMerged, 200'000);
  ExpectViewIsDuckDb("exact after the last refresh", Consistency::kExact, 200'000);
}

// With an hour of tolerated disorder nothing is late (pushed back at most 10 min 5 s, appended
// 5000 events = about 4 minutes at a time), so the speed layer holds every event at its own
// time and merged rows equal DuckDB's at every step, however they mix batch and speed states.
TEST_F(MergedQueryTest, MergedRowsEqualDuckDbAtEveryStep) {
  OpenIot("1h", IotWorkload(/*late_fraction=*/0.02, /*seed=*/12));
  Ingest(40'000);
  CatchUp();
  ExpectViewIsDuckDb("speed only", Consistency::kMerged, 40'000);
  EXPECT_EQ(Capture(), 1);
  Ingest(30'000);
  CatchUp();
  ExpectViewIsDuckDb("two generations", Consistency::kMerged, 70'000);
  EXPECT_EQ(Refresh(), 2);
  Ingest(30'000);
  CatchUp();
  SourceCounts counts = ExpectLayers("batch and one generation", 70'000, 2);
  EXPECT_GT(counts.batch, 0u);
  EXPECT_GT(counts.merged, 0u);
  EXPECT_GT(counts.speed, 0u);
  ExpectViewIsDuckDb("batch and one generation", Consistency::kMerged, 100'000);
  ExpectViewIsDuckDb("the batch part", Consistency::kExact, 70'000);
  EXPECT_EQ(Capture(), 3);
  Ingest(20'000);
  CatchUp();
  ExpectViewIsDuckDb("batch and two generations", Consistency::kMerged, 120'000);
  const speed::SpeedCounters counters = Counters();
  EXPECT_EQ(counters.late, 0u);
  EXPECT_EQ(counters.counted, counters.events);
}

}  // namespace
}  // namespace braid::serving
