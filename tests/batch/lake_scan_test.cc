// LakeScan (batch/lake_scan.h) over lake tables written by real capture: every event of an epoch
// range exactly once, before and after OPTIMIZE widens the files' epoch tags and across ALTER
// STREAM ADD COLUMN; file skipping by epoch tags; and pruning of date partitions and row groups by
// an event-time range, with exact counts on a table whose layout the test fixes.
#include "batch/lake_scan.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lake/capture.h"
#include "lake/capture_test_util.h"
#include "lake/delta_table.h"
#include "lake/optimize.h"
#include "plan_test_util.h"
#include "scoped_temp_dir.h"

namespace braid::batch {
namespace {

using braid::testing::ScopedTempDir;
using lake::testing::FakeCaptureSource;
using lake::testing::TelemetryEvents;
using lake::testing::TelemetrySchema;
using Identity = std::pair<int64_t, int64_t>;  // (_partition, _offset)

constexpr int kLakeScanPartitions = 3;
constexpr Timestamp kLakeScanIngested{1'795'400'000'000'000};
constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kNov23 = 1'795'392'000'000'000;  // 2026-11-23T00:00:00Z

constexpr std::string_view kCountView =
    "CREATE VIEW counts AS SELECT device_id, COUNT(*) AS events, SUM(n) AS total FROM telemetry "
    "GROUP BY device_id, TumblingWindow(hour, 1)";

// TelemetrySchema() plus humidity DOUBLE (nullable), as after ALTER STREAM ADD COLUMN.
SchemaPtr AlteredSchema() {
  std::vector<Field> fields = TelemetrySchema()->fields();
  fields.push_back({"humidity", DataType::kDouble, true});
  return std::make_shared<const Schema>(std::move(fields));
}

// TelemetryEvents with humidity = 1000 + id.
Chunk AlteredEvents(int64_t first, size_t count) {
  const Chunk old = TelemetryEvents(first, count);
  Chunk events(AlteredSchema());
  for (size_t row = 0; row < count; ++row) {
    for (size_t c = 0; c < old.num_columns(); ++c) {
      events.mutable_column(c).AppendFrom(old.column(c), row);
    }
    events.mutable_column(old.num_columns()).AppendDouble(1000.0 + first + row);
  }
  return events;
}

class LakeScanTest : public ::testing::Test {
 protected:
  std::filesystem::path table_dir() const { return dir_.path() / "telemetry"; }

  lake::CaptureOptions Options(SchemaPtr schema) const {
    lake::CaptureOptions options;
    options.files.table_dir = table_dir();
    options.files.stream_schema = std::move(schema);
    options.files.timestamp_column = lake::testing::kTimeColumn;
    options.files.sort_columns = {lake::testing::kDeviceColumn, lake::testing::kTimeColumn};
    options.files.parquet.row_group_rows = row_group_rows_;
    return options;
  }

  // Appends `per_partition` events to each partition and captures them as the next epoch; keeps
  // E(epoch) in ends_.
  void CaptureNext(size_t per_partition, bool altered = false) {
    for (int p = 0; p < kLakeScanPartitions; ++p) {
      source_.Append(p,
                     altered ? AlteredEvents(next_id_, per_partition)
                             : TelemetryEvents(next_id_, per_partition),
                     kLakeScanIngested);
      next_id_ += static_cast<int64_t>(per_partition);
    }
    Result<lake::CaptureResult> result =
        lake::CaptureEpoch(source_, Options(altered ? AlteredSchema() : TelemetrySchema()));
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_EQ(result->epoch, static_cast<int64_t>(ends_.size()));
    ends_.push_back(result->end_offsets);
  }

  lake::DeltaSnapshot Snapshot() const {
    Result<lake::DeltaSnapshot> snapshot = lake::DeltaTable(table_dir()).LoadSnapshot();
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    return snapshot.ok() ? *snapshot : lake::DeltaSnapshot();
  }

  ScanRange Epochs(int64_t after, int64_t through) const {
    ScanRange range;
    range.after_epoch = after;
    range.through_epoch = through;
    range.begin_offsets = ends_[after];
    range.end_offsets = ends_[through];
    return range;
  }

  // Every (_partition, _offset) the scan yields, each counted; and the chunks' row count.
  struct Scanned {
    std::map<Identity, int> identities;
    std::vector<Chunk> chunks;
    ScanStats plan;
    ScanStats read;
  };
  Scanned Scan(const sql::ViewPlanPtr& plan, const ScanRange& range) const {
    Scanned out;
    Result<LakeScan> scan = LakeScan::Plan(table_dir(), Snapshot(), plan, range);
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    if (!scan.ok()) return out;
    out.plan = scan->plan_stats();
    const size_t partition = *plan->input_schema->FindField("_partition");
    const size_t offset = *plan->input_schema->FindField("_offset");
    for (const ScanTask& task : scan->tasks()) {
      Status status = scan->ReadTask(
          task,
          [&](Chunk rows) {
            EXPECT_EQ(rows.schema(), plan->input_schema);
            for (size_t row = 0; row < rows.num_rows(); ++row) {
              ++out.identities[{rows.column(partition).int64s()[row],
                                rows.column(offset).int64s()[row]}];
            }
            out.chunks.push_back(std::move(rows));
            return Status::Ok();
          },
          &out.read);
      EXPECT_TRUE(status.ok()) << status.ToString();
    }
    return out;
  }

  // The identities of epochs (after, through] by the recorded end offsets.
  std::set<Identity> Expected(int64_t after, int64_t through) const {
    std::set<Identity> expected;
    for (int p = 0; p < kLakeScanPartitions; ++p) {
      for (uint64_t o = ends_[after][p]; o < ends_[through][p]; ++o) {
        expected.insert({p, static_cast<int64_t>(o)});
      }
    }
    return expected;
  }

  void ExpectExactly(const Scanned& scanned, int64_t after, int64_t through) const {
    std::set<Identity> seen;
    for (const auto& [identity, count] : scanned.identities) {
      EXPECT_EQ(count, 1) << "(" << identity.first << ", " << identity.second << ")";
      seen.insert(identity);
    }
    EXPECT_EQ(seen, Expected(after, through)) << "epochs (" << after << ", " << through << "]";
  }

  // Files of the latest snapshot whose epoch tags lie outside (after, through].
  size_t FilesOutside(int64_t after, int64_t through) const {
    size_t files = 0;
    const lake::DeltaSnapshot snapshot = Snapshot();
    for (const auto& [path, add] : snapshot.files()) {
      std::optional<lake::FileEpochRange> range = lake::EpochRangeOf(add);
      EXPECT_TRUE(range.has_value()) << path;
      if (range && (range->max <= after || range->min > through)) ++files;
    }
    return files;
  }

  ScopedTempDir dir_{"lake-scan"};
  FakeCaptureSource source_{kLakeScanPartitions};
  std::vector<std::vector<uint64_t>> ends_{std::vector<uint64_t>(kLakeScanPartitions, 0)};
  int64_t next_id_ = 0;
  size_t row_group_rows_ = size_t{1} << 20;
};

sql::ViewPlanPtr Bind(std::string_view stream_sql, std::string_view view_sql) {
  Result<sql::ViewPlanPtr> plan = testing::BindViewPlan(stream_sql, view_sql);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? *plan : nullptr;
}

TEST_F(LakeScanTest, EpochRangesYieldEveryEventOnceBeforeAndAfterOptimize) {
  for (size_t per_partition : {40, 25, 60, 10}) CaptureNext(per_partition);
  const sql::ViewPlanPtr plan = Bind(testing::kTelemetryStreamSql, kCountView);
  ASSERT_NE(plan, nullptr);
  for (auto [after, through] : {std::pair{0, 4}, {0, 1}, {1, 3}, {2, 4}, {3, 4}, {4, 4}}) {
    const Scanned scanned = Scan(plan, Epochs(after, through));
    ExpectExactly(scanned, after, through);
    // Files of other epochs are never opened.
    EXPECT_EQ(scanned.plan.files_skipped, FilesOutside(after, through));
    EXPECT_EQ(scanned.plan.row_groups_skipped, 0u);
  }
  {
    Result<LakeScan> scan = LakeScan::Plan(table_dir(), Snapshot(), plan, Epochs(1, 3));
    ASSERT_TRUE(scan.ok());
    for (const ScanTask& task : scan->tasks()) EXPECT_FALSE(task.filter_rows) << task.path;
  }
  lake::OptimizeOptions optimize;
  optimize.small_file_bytes = int64_t{1} << 30;
  Result<lake::OptimizeResult> optimized = lake::Optimize(lake::DeltaTable(table_dir()), optimize);
  ASSERT_TRUE(optimized.ok()) << optimized.status().ToString();
  ASSERT_GT(optimized->files_removed, optimized->files_added);
  // A compacted file's tags span its inputs' epochs.
  size_t widened = 0;
  const lake::DeltaSnapshot optimized_snapshot = Snapshot();
  for (const auto& [path, add] : optimized_snapshot.files()) {
    std::optional<lake::FileEpochRange> range = lake::EpochRangeOf(add);
    ASSERT_TRUE(range.has_value()) << path;
    widened += range->min < range->max ? 1 : 0;
  }
  EXPECT_EQ(widened, optimized->files_added);
  for (auto [after, through] : {std::pair{0, 4}, {1, 3}, {2, 4}, {3, 4}}) {
    const Scanned scanned = Scan(plan, Epochs(after, through));
    ExpectExactly(scanned, after, through);
    EXPECT_EQ(scanned.plan.files_skipped, FilesOutside(after, through));
  }
  CaptureNext(5);  // epoch 5 after OPTIMIZE: only its files are read for (4, 5]
  const Scanned fresh = Scan(plan, Epochs(4, 5));
  ExpectExactly(fresh, 4, 5);
  EXPECT_EQ(fresh.plan.files_skipped, FilesOutside(4, 5));
  EXPECT_GE(fresh.plan.files_skipped, optimized->files_added);
  EXPECT_EQ(fresh.read.rows_read, 15u);
}

TEST_F(LakeScanTest, AlterStreamFilesReadAsNullAndProjectionLeavesUnusedColumnsNull) {
  CaptureNext(20);
  CaptureNext(10, /*altered=*/true);
  const std::string altered_stream =
      "CREATE STREAM telemetry (device_id STRING NOT NULL, event_ts TIMESTAMP, temperature "
      "DOUBLE, n BIGINT, ok BOOLEAN, humidity DOUBLE) WITH (partitions = 3, partition_key = "
      "'device_id', timestamp = 'event_ts')";
  const sql::ViewPlanPtr plan =
      Bind(altered_stream,
           "CREATE VIEW wet AS SELECT device_id, MAX(humidity) AS h FROM telemetry "
           "GROUP BY device_id, TumblingWindow(hour, 1)");
  ASSERT_NE(plan, nullptr);
  const Scanned scanned = Scan(plan, Epochs(0, 2));
  ExpectExactly(scanned, 0, 2);
  const Schema& input = *plan->input_schema;
  const size_t humidity = *input.FindField("humidity");
  const size_t offset = *input.FindField("_offset");
  const size_t temperature = *input.FindField("temperature");
  size_t with_humidity = 0;
  for (const Chunk& chunk : scanned.chunks) {
    for (size_t row = 0; row < chunk.num_rows(); ++row) {
      const bool altered = chunk.column(offset).int64s()[row] >= 20;  // epoch 2's offsets
      EXPECT_EQ(chunk.column(humidity).IsValid(row), altered);
      with_humidity += altered ? 1 : 0;
      // The plan never reads temperature: it is not decoded.
      EXPECT_FALSE(chunk.column(temperature).IsValid(row));
      EXPECT_TRUE(chunk.column(*input.FindField("device_id")).IsValid(row));
    }
  }
  EXPECT_EQ(with_humidity, 30u);
}

// One partition, one device: 1,000 events a minute apart from 2026-11-23T00:00Z (one file of ten
// 100-row groups), one event on 2026-11-22 and one on 2026-11-24 (a file each).
class LakeScanPruningTest : public LakeScanTest {
 protected:
  void SetUp() override {
    row_group_rows_ = 100;
    Chunk events(TelemetrySchema());
    auto add = [&](int64_t micros, int64_t n) {
      events.mutable_column(0).AppendString("d");
      events.mutable_column(1).AppendInt64(micros);
      events.mutable_column(2).AppendDouble(1.0);
      events.mutable_column(3).AppendInt64(n);
      events.mutable_column(4).AppendBool(true);
    };
    add(kNov23 - kMinute, -1);
    for (int64_t i = 0; i < 1000; ++i) add(kNov23 + i * kMinute, i);
    add(kNov23 + 1500 * kMinute, 1000);
    source_.Append(0, std::move(events), kLakeScanIngested);
    Result<lake::CaptureResult> result = lake::CaptureEpoch(source_, Options(TelemetrySchema()));
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ends_.push_back(result->end_offsets);
    plan_ = Bind(testing::kTelemetryStreamSql, kCountView);
    ASSERT_NE(plan_, nullptr);
  }

  ScanRange Minutes(int64_t from, int64_t to, std::string date_column) const {
    ScanRange range = Epochs(0, 1);
    range.min_time = Timestamp{kNov23 + from * kMinute};
    range.max_time = Timestamp{kNov23 + to * kMinute};
    range.date_partition_column = std::move(date_column);
    return range;
  }

  sql::ViewPlanPtr plan_;
};

TEST_F(LakeScanPruningTest, DatePartitionsAndRowGroupsOutsideTheTimeRangeAreSkipped) {
  ASSERT_EQ(Snapshot().files().size(), 3u);
  const Scanned scanned = Scan(plan_, Minutes(250, 420, "event_ts"));
  EXPECT_EQ(scanned.plan.files_total, 3u);
  EXPECT_EQ(scanned.plan.files_skipped, 2u);       // the two other dates, never opened
  EXPECT_EQ(scanned.plan.row_groups_skipped, 7u);  // keeps minutes [200, 500)
  EXPECT_EQ(scanned.read.rows_read, 300u);
  std::set<int64_t> offsets;
  for (const auto& [identity, count] : scanned.identities) offsets.insert(identity.second);
  ASSERT_FALSE(offsets.empty());
  // Offsets: 0 is the Nov 22 event, 1..1000 the minutes 0..999, 1001 the Nov 24 event.
  EXPECT_EQ(*offsets.begin(), 201);
  EXPECT_EQ(*offsets.rbegin(), 500);
}

TEST_F(LakeScanPruningTest, WithoutThePartitionColumnOnlyStatisticsPrune) {
  // The other dates' files are opened: their one row group each is pruned by statistics.
  const Scanned scanned = Scan(plan_, Minutes(250, 420, ""));
  EXPECT_EQ(scanned.plan.files_skipped, 2u);
  EXPECT_EQ(scanned.plan.row_groups_skipped, 9u);
  EXPECT_EQ(scanned.read.rows_read, 300u);
  // A range over everything prunes nothing.
  const Scanned all = Scan(plan_, Minutes(-10, 2000, "event_ts"));
  EXPECT_EQ(all.plan.files_skipped, 0u);
  EXPECT_EQ(all.plan.row_groups_skipped, 0u);
  EXPECT_EQ(all.identities.size(), 1002u);
}

}  // namespace
}  // namespace braid::batch
