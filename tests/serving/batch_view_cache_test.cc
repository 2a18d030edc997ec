// CachedBatchView (serving/batch_view_cache.h): point and range lookups find exactly the stored
// rows they ask for, in window_end order; FoundRows gives them with or without their serialized
// states (without: empty states, every other column unchanged), and any of them with states; a
// point lookup of every device with every kind of window range equals a scan of the rows, also
// when a chunk holds many devices' rows (the cache clusters each chunk by key).
#include "serving/batch_view_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "batch/hash_aggregator.h"
#include "batch/plan_test_util.h"
#include "lake/capture_test_util.h"

namespace braid::serving {
namespace {

constexpr std::string_view kMetricsView =
    "CREATE VIEW metrics AS SELECT device_id, COUNT(*) AS events, SUM(n) AS total, "
    "MAX(temperature) AS max_t FROM telemetry GROUP BY device_id, TumblingWindow(hour, 6)";

sql::ViewPlanPtr Plan() {
  Result<sql::ViewPlanPtr> plan =
      batch::testing::BindViewPlan(batch::testing::kTelemetryStreamSql, kMetricsView);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? *plan : nullptr;
}

// The stored rows (with states) of 600 telemetry events, in chunks of `rows_per_chunk` rows
// (ordered by window_end, then device: a device's rows are strewn over a large chunk).
std::vector<Chunk> StoredRows(const sql::ViewPlanPtr& plan, size_t rows_per_chunk = 5) {
  const Chunk events = lake::testing::TelemetryEvents(0, 600);
  Chunk input(plan->input_schema);
  const size_t n = events.num_columns();
  for (size_t row = 0; row < events.num_rows(); ++row) {
    if (!events.column(lake::testing::kTimeColumn).IsValid(row)) continue;
    for (size_t c = 0; c < n; ++c) input.mutable_column(c).AppendFrom(events.column(c), row);
    input.mutable_column(n).AppendInt64(1'795'400'000'000'000);  // _ingested_at
    input.mutable_column(n + 1).AppendInt64(0);                  // _partition
    input.mutable_column(n + 2).AppendInt64(static_cast<int64_t>(row));  // _offset
  }
  batch::HashAggregator aggregator(plan, batch::AggregatorOptions{});
  EXPECT_TRUE(aggregator.Consume(input).ok());
  Result<std::vector<Chunk>> rows = aggregator.Finish(rows_per_chunk, 1);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? *rows : std::vector<Chunk>{};
}

// One stored row as text, every column (states as their byte counts and bytes).
std::string RowText(const Chunk& chunk, size_t row, size_t first_state, bool with_states) {
  std::string text;
  for (size_t c = 0; c < chunk.num_columns(); ++c) {
    const Column& column = chunk.column(c);
    if (c >= first_state && !with_states) continue;
    if (!column.IsValid(row)) {
      text += "NULL|";
      continue;
    }
    switch (column.type()) {
      case DataType::kBoolean: text += column.bools()[row] ? "t|" : "f|"; break;
      case DataType::kBigint:
      case DataType::kTimestamp: text += std::to_string(column.int64s()[row]) + "|"; break;
      case DataType::kDouble: text += std::to_string(column.doubles()[row]) + "|"; break;
      case DataType::kString: text += std::string(column.StringAt(row)) + "|"; break;
    }
  }
  return text;
}

std::vector<std::string> Rows(const std::vector<Chunk>& chunks, size_t first_state,
                              bool with_states) {
  std::vector<std::string> rows;
  for (const Chunk& chunk : chunks) {
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      rows.push_back(RowText(chunk, r, first_state, with_states));
    }
  }
  return rows;
}

// The stored rows of device `device` with window_end in [low, high], ordered by window_end.
std::vector<std::string> Expected(const sql::ViewPlan& plan, const std::vector<Chunk>& stored,
                                  const std::string& device, int64_t low, int64_t high,
                                  bool with_states) {
  const size_t end_column = plan.keys.size() + 1;
  std::vector<std::pair<int64_t, std::string>> rows;
  for (const Chunk& chunk : stored) {
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      const int64_t end = chunk.column(end_column).int64s()[r];
      if (chunk.column(0).StringAt(r) != device || end < low || end > high) continue;
      rows.emplace_back(end, RowText(chunk, r, batch::FirstStateColumn(plan), with_states));
    }
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> texts;
  for (auto& [end, text] : rows) texts.push_back(std::move(text));
  return texts;
}

// The metrics view, its stored rows and the cached view built from them.
class BatchViewCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plan = Plan();
    ASSERT_NE(plan, nullptr);
    stored = StoredRows(plan);
    Result<std::shared_ptr<const CachedBatchView>> built = CachedBatchView::Build(stored, *plan);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    view = *built;
    first_state = batch::FirstStateColumn(*plan);
  }

  // PointLookupsInLargeChunks with the view built from `large`, clustered or not.
  void ExpectLookupsInLargeChunks(const std::vector<Chunk>& large, bool cluster);

  sql::ViewPlanPtr plan;
  std::vector<Chunk> stored;
  std::shared_ptr<const CachedBatchView> view;
  size_t first_state = 0;
};

TEST_F(BatchViewCacheTest, LookupsWithAndWithoutStates) {
  const size_t end_column = plan->keys.size() + 1;

  // The window ends of device-3, to ask for a range inside them.
  std::vector<int64_t> ends;
  for (const Chunk& chunk : stored) {
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      if (chunk.column(0).StringAt(r) == "device-3") {
        ends.push_back(chunk.column(end_column).int64s()[r]);
      }
    }
  }
  std::sort(ends.begin(), ends.end());
  ASSERT_GE(ends.size(), 6u);
  const int64_t low = ends[1], high = ends[ends.size() - 2];

  CellLookup lookup;
  Column device(DataType::kString);
  device.AppendString("device-3");
  lookup.key_values.push_back(device);
  lookup.min_window_end = low;
  lookup.max_window_end = high;
  const std::vector<std::string> expected = Expected(*plan, stored, "device-3", low, high, true);
  ASSERT_EQ(expected.size(), ends.size() - 2);

  const FoundRows found = CachedBatchView::Find(view, lookup);
  EXPECT_EQ(found.size(), expected.size());

  // With states: every found row as stored.
  EXPECT_EQ(Rows(found.Rows(true), first_state, true), expected);

  // Without: the same rows, every state column empty.
  const std::vector<Chunk> without = found.Rows(false);
  EXPECT_EQ(Rows(without, first_state, false),
            Expected(*plan, stored, "device-3", low, high, false));
  for (const Chunk& chunk : without) {
    for (size_t c = first_state; c < chunk.num_columns(); ++c) {
      EXPECT_EQ(chunk.column(c).arena().size(), 0u) << "state column " << c;
    }
  }

  // Some rows, by their positions among the found rows: those rows with their states.
  const std::vector<uint32_t> positions = {0, 2, static_cast<uint32_t>(expected.size() - 1)};
  const Chunk picked = found.WithStates(positions);
  EXPECT_EQ(Rows({picked}, first_state, true),
            (std::vector<std::string>{expected[0], expected[2], expected.back()}));
  EXPECT_EQ(found.WithStates({}).num_rows(), 0u);

  // A range scan (no key): every row in the window_end range, ordered by window_end.
  CellLookup range;
  range.key_values.push_back(std::nullopt);
  range.min_window_end = low;
  range.max_window_end = high;
  size_t in_range = 0;
  int64_t previous = INT64_MIN;
  for (const Chunk& chunk : CachedBatchView::Find(view, range).Rows(true)) {
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      const int64_t end = chunk.column(end_column).int64s()[r];
      EXPECT_GE(end, low);
      EXPECT_LE(end, high);
      EXPECT_GE(end, previous);
      previous = end;
      ++in_range;
    }
  }
  size_t expected_in_range = 0;
  for (const Chunk& chunk : stored) {
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      const int64_t end = chunk.column(end_column).int64s()[r];
      expected_in_range += end >= low && end <= high ? 1 : 0;
    }
  }
  EXPECT_EQ(in_range, expected_in_range);
}

// Point lookups (the per-key index with its window ends beside the rows) against a scan: every
// device, and an absent one, with no range, only a lower or upper bound, bounds on and between
// window ends, an empty range, and two devices at once.
TEST_F(BatchViewCacheTest, PointLookupsEqualAScan) {
  std::vector<int64_t> ends;
  const size_t end_column = plan->keys.size() + 1;
  for (const Chunk& chunk : stored) {
    for (size_t r = 0; r < chunk.num_rows(); ++r)
      ends.push_back(chunk.column(end_column).int64s()[r]);
  }
  std::sort(ends.begin(), ends.end());
  ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
  ASSERT_GE(ends.size(), 3u);
  const int64_t hour = int64_t{3600} * 1'000'000;
  const std::vector<std::pair<std::optional<int64_t>, std::optional<int64_t>>> ranges = {
      {std::nullopt, std::nullopt},     {ends[1], std::nullopt},
      {std::nullopt, ends[1]},          {ends[1], ends[1]},
      {ends[0] + hour, ends[2] - hour}, {ends[2] + 1, ends[1]},
      {ends.back() + 1, std::nullopt}};
  std::vector<std::string> devices = {"device-404"};  // no such device
  for (int d = 0; d < 20; ++d) devices.push_back("device-" + std::to_string(d));
  size_t found_rows = 0;
  for (const auto& [low, high] : ranges) {
    for (size_t d = 0; d < devices.size(); ++d) {
      CellLookup lookup;
      Column keys(DataType::kString);
      keys.AppendString(devices[d]);
      if (d % 5 == 4) keys.AppendString(devices[d - 1]);  // device_id IN (two devices)
      lookup.key_values.push_back(keys);
      lookup.min_window_end = low;
      lookup.max_window_end = high;
      std::vector<std::string> expected = Expected(
          *plan, stored, devices[d], low.value_or(INT64_MIN), high.value_or(INT64_MAX), true);
      if (d % 5 == 4) {
        // Two devices come ordered by window_end together: compare as sets of rows.
        std::vector<std::string> other = Expected(
            *plan, stored, devices[d - 1], low.value_or(INT64_MIN), high.value_or(INT64_MAX), true);
        expected.insert(expected.end(), other.begin(), other.end());
        std::sort(expected.begin(), expected.end());
      }
      std::vector<std::string> got =
          Rows(CachedBatchView::Find(view, lookup).Rows(true), first_state, true);
      if (d % 5 == 4) std::sort(got.begin(), got.end());
      EXPECT_EQ(got, expected) << devices[d] << " [" << low.value_or(-1) << ", "
                               << high.value_or(-1) << "]";
      found_rows += got.size();
    }
  }
  EXPECT_GT(found_rows, 100u);  // the cases above do find rows
}

// Large chunks (each day's rows of every device, ordered by window_end, then device), built with
// each chunk's rows put in key order and as stored: a point read (with and without states, any
// window range) gives exactly the device's rows in window_end order; a scan of every row gives
// them all, in window_end order.
TEST_F(BatchViewCacheTest, PointLookupsInLargeChunks) {
  const std::vector<Chunk> large = StoredRows(plan, 4096);
  ASSERT_EQ(large.size(), 4u);  // one per day of window ends (72 hours of events)
  for (const bool cluster : {true, false}) {
    SCOPED_TRACE(cluster ? "clustered" : "as stored");
    ExpectLookupsInLargeChunks(large, cluster);
  }
}

void BatchViewCacheTest::ExpectLookupsInLargeChunks(const std::vector<Chunk>& large, bool cluster) {
  Result<std::shared_ptr<const CachedBatchView>> built =
      CachedBatchView::Build(large, *plan, cluster);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  const int64_t hour = int64_t{3600} * 1'000'000;
  size_t found_rows = 0;
  for (int d = 0; d < 20; ++d) {
    const std::string device = "device-" + std::to_string(d);
    for (const auto& [low, high] : std::vector<std::pair<int64_t, int64_t>>{
             {INT64_MIN, INT64_MAX}, {1'795'388'400'000'000 + 36 * hour, INT64_MAX}}) {
      CellLookup lookup;
      Column keys(DataType::kString);
      keys.AppendString(device);
      lookup.key_values.push_back(keys);
      if (low != INT64_MIN) lookup.min_window_end = low;
      for (const bool with_states : {false, true}) {
        const std::vector<std::string> got =
            Rows(CachedBatchView::Find(*built, lookup).Rows(with_states), first_state, with_states);
        EXPECT_EQ(got, Expected(*plan, large, device, low, high, with_states)) << device;
        found_rows += got.size();
      }
    }
  }
  EXPECT_GT(found_rows, 100u);
  std::vector<int64_t> scanned_ends;
  const size_t end_column = plan->keys.size() + 1;
  for (const Chunk& chunk : CachedBatchView::Find(*built, CellLookup{}).Rows(false)) {
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      scanned_ends.push_back(chunk.column(end_column).int64s()[r]);
    }
  }
  size_t stored_rows = 0;
  for (const Chunk& chunk : large) stored_rows += chunk.num_rows();
  EXPECT_EQ(scanned_ends.size(), stored_rows);
  EXPECT_TRUE(std::is_sorted(scanned_ends.begin(), scanned_ends.end()));
}

}  // namespace
}  // namespace braid::serving
