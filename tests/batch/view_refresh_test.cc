// Incremental refresh and full recompute of batch views (batch/view_refresh.h) against the
// reference executor over the same events: captures of several epochs with out-of-order and late
// events, refreshes in between, a recompute into a new version, reruns that change nothing, the
// session fallback, and a corrupted lake file that fails without touching the view.
#include "batch/view_refresh.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "batch/batch_view_table.h"
#include "lake/capture.h"
#include "lake/capture_test_util.h"
#include "lake/delta_table.h"
#include "plan_test_util.h"
#include "scoped_temp_dir.h"
#include "sql/reference_executor.h"
#include "sql/view_plan.h"

namespace braid::batch {
namespace {

using braid::testing::ScopedTempDir;
using lake::testing::FakeCaptureSource;
using lake::testing::TelemetrySchema;

constexpr int kRefreshPartitions = 3;
constexpr int64_t kStart = 1'795'388'400'000'000;  // 2026-11-22T23:00:00Z
constexpr int64_t kHour = 3'600'000'000;
constexpr Timestamp kRefreshIngested{1'795'400'000'000'000};

// Events `first`.. of pseudo-random devices and times over three days, out of order; `late`
// puts every time in the first day (events arriving long after their windows).
Chunk Events(uint64_t first, size_t count, bool late) {
  Chunk chunk(TelemetrySchema());
  uint64_t state = first * 2654435761u + 17;
  for (size_t i = 0; i < count; ++i) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    const uint64_t r = state >> 17;
    const int64_t id = static_cast<int64_t>(first + i);
    chunk.mutable_column(0).AppendString("device-" + std::to_string(r % 5));
    const int64_t span = late ? 20 * kHour : 72 * kHour;
    chunk.mutable_column(1).AppendInt64(kStart + static_cast<int64_t>((r >> 8) % span));
    if (id % 7 == 0) {
      chunk.mutable_column(2).AppendNull();
    } else {
      chunk.mutable_column(2).AppendDouble(10.0 + static_cast<double>(r % 997) * 0.37);
    }
    chunk.mutable_column(3).AppendInt64(static_cast<int64_t>(r % 13));
    chunk.mutable_column(4).AppendBool(id % 3 == 0);
  }
  return chunk;
}

// The view input of `events` as stored in the lake: + _ingested_at, _partition, _offset.
Chunk AsInput(const sql::ViewPlan& plan, const Chunk& events, int partition, uint64_t first,
              Timestamp ingested) {
  Chunk input(plan.input_schema);
  const size_t n = events.num_columns();
  for (size_t row = 0; row < events.num_rows(); ++row) {
    for (size_t c = 0; c < n; ++c) input.mutable_column(c).AppendFrom(events.column(c), row);
    input.mutable_column(n).AppendInt64(ingested.micros);
    input.mutable_column(n + 1).AppendInt64(partition);
    input.mutable_column(n + 2).AppendInt64(static_cast<int64_t>(first + row));
  }
  return input;
}

class ViewRefreshTest : public ::testing::Test {
 protected:
  std::filesystem::path lake_dir() const { return dir_.path() / "lake" / "telemetry"; }
  RefreshSource source() const { return RefreshSource{lake_dir(), kRefreshPartitions}; }

  void UsePlan(std::string_view view_sql) {
    Result<sql::ViewPlanPtr> plan = testing::BindViewPlan(testing::kTelemetryStreamSql, view_sql);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    plan_ = *plan;
  }

  // Appends `per_partition` events to every partition and feeds them to the oracle too.
  void Feed(size_t per_partition, bool late = false) {
    for (int p = 0; p < kRefreshPartitions; ++p) {
      const Chunk events = Events(next_id_, per_partition, late);
      next_id_ += per_partition;
      const Timestamp ingested = kRefreshIngested + Duration::Seconds(round_++);
      oracle_input_.push_back(AsInput(*plan_, events, p, offsets_[p], ingested));
      offsets_[p] += per_partition;
      source_.Append(p, events, ingested);
    }
  }

  void Capture() {
    lake::CaptureOptions options;
    options.files.table_dir = lake_dir();
    options.files.stream_schema = TelemetrySchema();
    options.files.timestamp_column = 1;
    options.files.sort_columns = {0, 1};
    options.files.max_rows_per_file = 700;  // several files per epoch
    Result<lake::CaptureResult> result = lake::CaptureEpoch(source_, options);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_EQ(result->outcome, lake::CaptureOutcome::kCommitted);
  }

  RefreshStats Refresh(int64_t version, const RefreshOptions& options = {}) {
    Result<RefreshStats> stats = RefreshView(dir_.path(), plan_, version, source(), options);
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    return stats.ok() ? *stats : RefreshStats{};
  }

  // The active files of a version's table with their window_end ranges (tags).
  std::map<std::string, std::pair<int64_t, int64_t>> StoredFiles(int64_t version) {
    Result<BatchViewTable> table = BatchViewTable::Open(dir_.path(), plan_, version);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    Result<lake::DeltaSnapshot> snapshot = lake::DeltaTable(table->dir()).LoadSnapshot();
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    std::map<std::string, std::pair<int64_t, int64_t>> files;
    for (const auto& [path, add] : snapshot->files()) {
      files[path] = {std::stoll(add.tags.at("braid.windowEndMin")),
                     std::stoll(add.tags.at("braid.windowEndMax"))};
    }
    return files;
  }

  // The view's rows (output_schema columns, HAVING applied) keyed by their key and window text.
  std::map<std::string, Chunk> StoredRows(int64_t version) {
    Result<BatchViewTable> table = BatchViewTable::Open(dir_.path(), plan_, version);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    Result<std::vector<Chunk>> chunks = table->Read(std::nullopt);
    EXPECT_TRUE(chunks.ok()) << chunks.status().ToString();
    const size_t having = plan_->output_schema->fields().size();
    std::map<std::string, Chunk> rows;
    for (const Chunk& chunk : *chunks) {
      for (size_t r = 0; r < chunk.num_rows(); ++r) {
        const Column& keep = chunk.column(having);
        if (!keep.IsValid(r) || !keep.bools()[r]) continue;
        AddRow(chunk, r, &rows);
      }
    }
    return rows;
  }

  std::map<std::string, Chunk> OracleRows() {
    sql::ReferenceExecutor executor(plan_);
    for (const Chunk& input : oracle_input_) EXPECT_TRUE(executor.Consume(input).ok());
    Result<Chunk> rows = executor.Finish();
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::map<std::string, Chunk> out;
    for (size_t r = 0; r < rows->num_rows(); ++r) AddRow(*rows, r, &out);
    return out;
  }

  // Row `r` (its output_schema columns) under the text of its keys and window.
  void AddRow(const Chunk& chunk, size_t r, std::map<std::string, Chunk>* rows) {
    Chunk row(plan_->output_schema);
    for (size_t c = 0; c < row.num_columns(); ++c) {
      row.mutable_column(c).AppendFrom(chunk.column(c), r);
    }
    const size_t identity = plan_->keys.size() + (plan_->window ? 2 : 0);
    std::string key;
    for (size_t c = 0; c < identity; ++c) {
      const Column& column = chunk.column(c);
      if (!column.IsValid(r)) {
        key += "NULL|";
      } else if (column.type() == DataType::kString) {
        key += std::string(column.StringAt(r)) + "|";
      } else {
        key += std::to_string(column.int64s()[r]) + "|";
      }
    }
    EXPECT_TRUE(rows->emplace(key, std::move(row)).second) << "duplicate cell " << key;
  }

  ScopedTempDir dir_{"view-refresh"};
  FakeCaptureSource source_{kRefreshPartitions};
  sql::ViewPlanPtr plan_;
  std::vector<Chunk> oracle_input_;
  std::vector<uint64_t> offsets_ = std::vector<uint64_t>(kRefreshPartitions, 0);
  uint64_t next_id_ = 1;
  int64_t round_ = 0;
};

// Equal row sets: exact but for doubles, which may differ by merge order (1e-9 relative).
void ExpectSameRows(const std::string& what, const std::map<std::string, Chunk>& actual,
                    const std::map<std::string, Chunk>& expected) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  size_t reported = 0;
  for (const auto& [key, row] : expected) {
    auto it = actual.find(key);
    ASSERT_NE(it, actual.end()) << what << ": missing " << key;
    for (size_t c = 0; c < row.num_columns() && reported < 10; ++c) {
      const Column& want = row.column(c);
      const Column& got = it->second.column(c);
      if (want.type() == DataType::kDouble && want.IsValid(0) && got.IsValid(0)) {
        const double a = got.doubles()[0], b = want.doubles()[0];
        const bool close = std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b));
        EXPECT_TRUE(close) << what << ": " << key << " column " << c << ": " << a << " vs " << b;
        reported += close ? 0 : 1;
      } else {
        EXPECT_TRUE(got == want) << what << ": " << key << " column " << c;
        reported += got == want ? 0 : 1;
      }
    }
  }
}

constexpr std::string_view kRefreshMetricsView =
    "CREATE VIEW metrics AS SELECT device_id, COUNT(*) AS events, SUM(n) AS total, "
    "AVG(temperature) AS avg_t, MAX(temperature) AS max_t, COUNT(DISTINCT n) AS kinds, "
    "STDEV(temperature) AS sd_t FROM telemetry GROUP BY device_id, TumblingWindow(hour, 1)";

TEST_F(ViewRefreshTest, IncrementalRefreshesEqualRecomputeAndReference) {
  UsePlan(kRefreshMetricsView);
  Feed(900);
  Capture();
  RefreshStats first = Refresh(1);
  EXPECT_TRUE(first.committed);
  EXPECT_TRUE(first.full);  // an empty version is built from every epoch
  EXPECT_EQ(first.from_epoch, 0);
  EXPECT_EQ(first.to_epoch, 1);
  EXPECT_EQ(first.rows_read, 3u * 900);
  ExpectSameRows("after epoch 1", StoredRows(1), OracleRows());

  // Two epochs between refreshes, then late events only, then one more epoch.
  Feed(500);
  Capture();
  Feed(300);
  Capture();
  RefreshStats second = Refresh(1);
  EXPECT_FALSE(second.full);
  EXPECT_EQ(second.from_epoch, 1);
  EXPECT_EQ(second.to_epoch, 3);
  EXPECT_EQ(second.rows_read, 3u * 800);  // only the new epochs are scanned
  ExpectSameRows("after epoch 3", StoredRows(1), OracleRows());

  Feed(200, /*late=*/true);
  Capture();
  RefreshStats late = Refresh(1);
  EXPECT_EQ(late.to_epoch, 4);
  // Late events end in windows of 2026-11-23 only (hourly windows (23:00, 00:00] .. 19:00): of the
  // view's four dates only the file of that one is rewritten.
  EXPECT_EQ(late.files_replaced, 1u);  // one file per date at this size
  ExpectSameRows("after late epoch 4", StoredRows(1), OracleRows());

  RefreshOptions two_threads;
  two_threads.threads = 2;
  Result<RefreshStats> recompute = RecomputeView(dir_.path(), plan_, 2, source(), two_threads);
  ASSERT_TRUE(recompute.ok()) << recompute.status().ToString();
  EXPECT_TRUE(recompute->full);
  EXPECT_EQ(recompute->to_epoch, 4);
  EXPECT_EQ(recompute->rows_read, 3u * 1900);
  ExpectSameRows("recompute v2", StoredRows(2), OracleRows());
  ExpectSameRows("v1 vs v2", StoredRows(1), StoredRows(2));
}

// With several files per date, a refresh reads and rewrites only the files whose window_end range
// holds a window of the new events; every other file stays as it was, and the rows stay exact
// (every cell in exactly one file: StoredRows fails on a duplicate cell).
TEST_F(ViewRefreshTest, RefreshRewritesOnlyTheFilesOfTouchedWindows) {
  UsePlan(kRefreshMetricsView);
  RefreshOptions small_files;
  small_files.rows_per_file = 20;
  Feed(900);
  Capture();
  ASSERT_TRUE(Refresh(1, small_files).committed);
  const auto before = StoredFiles(1);
  ASSERT_GT(before.size(), 8u);

  Feed(50, /*late=*/true);  // event times in [kStart, kStart + 20 h): windows ending by then
  Capture();
  const RefreshStats late = Refresh(1, small_files);
  ASSERT_TRUE(late.committed);
  const auto after = StoredFiles(1);
  const int64_t last_late_end = kStart + 20 * kHour;
  size_t kept = 0, beyond = 0;
  for (const auto& [path, range] : before) {
    if (range.first > last_late_end) {
      ++beyond;
      EXPECT_TRUE(after.contains(path)) << path << " holds no late window but was rewritten";
    }
    if (after.contains(path)) ++kept;
  }
  EXPECT_GT(beyond, 4u);
  EXPECT_EQ(late.files_replaced, before.size() - kept);
  EXPECT_LT(late.files_replaced, before.size() - beyond + 1);
  EXPECT_EQ(late.rows_read, 3u * 50);
  ExpectSameRows("after the late epoch", StoredRows(1), OracleRows());
  for (const auto& [path, range] : after) EXPECT_LE(range.first, range.second) << path;
}

TEST_F(ViewRefreshTest, RerunChangesNothing) {
  UsePlan(kRefreshMetricsView);
  Feed(400);
  Capture();
  ASSERT_TRUE(Refresh(1).committed);
  Result<BatchViewTable> table = BatchViewTable::Open(dir_.path(), plan_, 1);
  ASSERT_TRUE(table.ok());
  const int64_t table_version = table->Horizon()->table_version;
  const std::map<std::string, Chunk> before = StoredRows(1);

  RefreshStats again = Refresh(1);
  EXPECT_FALSE(again.committed);
  EXPECT_EQ(again.rows_read, 0u);
  EXPECT_EQ(again.to_epoch, 1);
  EXPECT_EQ(table->Horizon()->table_version, table_version);
  ExpectSameRows("rerun", StoredRows(1), before);
}

TEST_F(ViewRefreshTest, SessionViewsRecomputeInPlace) {
  UsePlan(
      "CREATE VIEW sessions AS SELECT device_id, COUNT(*) AS events, MAX(temperature) AS max_t "
      "FROM telemetry GROUP BY device_id, SessionWindow(minute, 20, 240, PARTITION BY device_id)");
  Feed(300);
  Capture();
  ASSERT_TRUE(Refresh(1).committed);
  ExpectSameRows("sessions after epoch 1", StoredRows(1), OracleRows());
  // New events fall between stored sessions and bridge them.
  Feed(300);
  Capture();
  RefreshStats stats = Refresh(1);
  EXPECT_TRUE(stats.full);
  EXPECT_EQ(stats.rows_read, 3u * 600);
  ExpectSameRows("sessions after epoch 2", StoredRows(1), OracleRows());
}

TEST_F(ViewRefreshTest, CorruptedLakeFileFailsAndLeavesTheViewUntouched) {
  UsePlan(kRefreshMetricsView);
  Feed(400);
  Capture();
  ASSERT_TRUE(Refresh(1).committed);
  const std::map<std::string, Chunk> before = StoredRows(1);
  const std::vector<std::string> old_files = lake::testing::ParquetFilesUnder(lake_dir());
  Feed(400);
  Capture();
  for (const std::string& file : lake::testing::ParquetFilesUnder(lake_dir())) {
    if (std::find(old_files.begin(), old_files.end(), file) != old_files.end()) continue;
    const std::filesystem::path path = lake_dir() / file;
    std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  }
  Result<RefreshStats> failed = RefreshView(dir_.path(), plan_, 1, source());
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kCorruption) << failed.status().ToString();
  Result<BatchViewTable> table = BatchViewTable::Open(dir_.path(), plan_, 1);
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->Horizon()->epoch, 1);
  ExpectSameRows("after the failed refresh", StoredRows(1), before);
}

}  // namespace
}  // namespace braid::batch
