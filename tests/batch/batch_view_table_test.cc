// BatchViewTable (batch/batch_view_table.h): the stored batch view as a Delta table partitioned
// by window_date. Replace / Read / Horizon round trip, replacing one date keeps the others, a
// rerun of an absorbed horizon writes nothing, files written without a commit (a crash) change
// nothing, a view without a window, and DuckDB reading the files: the output columns as values
// and the states as BLOBs.
#include "batch/batch_view_table.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "batch/hash_aggregator.h"
#include "duckdb_oracle.h"
#include "lake/capture_test_util.h"
#include "lake/data_file.h"
#include "lake/delta_table.h"
#include "lake/lake_test_util.h"
#include "plan_test_util.h"
#include "scoped_temp_dir.h"

namespace braid::batch {
namespace {

using braid::testing::ScopedTempDir;

constexpr std::string_view kMetricsView =
    "CREATE VIEW Metrics AS SELECT device_id, COUNT(*) AS events, SUM(n) AS total, "
    "MAX(temperature) AS max_t FROM telemetry GROUP BY device_id, TumblingWindow(hour, 6)";
constexpr std::string_view kTotalsView =
    "CREATE VIEW totals AS SELECT device_id, COUNT(*) AS events FROM telemetry GROUP BY device_id";
constexpr Timestamp kIngested{1'795'400'000'000'000};

sql::ViewPlanPtr Bind(std::string_view view_sql) {
  Result<sql::ViewPlanPtr> plan = testing::BindViewPlan(testing::kTelemetryStreamSql, view_sql);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? *plan : nullptr;
}

// The batch view rows of telemetry events first..first+count-1 with an event time (partition 0),
// aggregated by the HashAggregator: window_end ascending, so dates are contiguous.
std::vector<Chunk> ViewRows(const sql::ViewPlanPtr& plan, int64_t first, size_t count,
                            size_t rows_per_chunk = 7, size_t threads = 1) {
  const Chunk events = lake::testing::TelemetryEvents(first, count);
  Chunk input(plan->input_schema);
  const size_t n = events.num_columns();
  for (size_t row = 0; row < events.num_rows(); ++row) {
    if (!events.column(lake::testing::kTimeColumn).IsValid(row)) continue;  // no event time
    for (size_t c = 0; c < n; ++c) input.mutable_column(c).AppendFrom(events.column(c), row);
    input.mutable_column(n).AppendInt64(kIngested.micros);
    input.mutable_column(n + 1).AppendInt64(0);
    input.mutable_column(n + 2).AppendInt64(first + static_cast<int64_t>(row));
  }
  HashAggregator aggregator(plan, AggregatorOptions{});
  Status consumed = aggregator.Consume(input);
  EXPECT_TRUE(consumed.ok()) << consumed.ToString();
  Result<std::vector<Chunk>> rows = aggregator.Finish(rows_per_chunk, threads);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? *rows : std::vector<Chunk>{};
}

// The rows of `chunks` whose window date is in `dates` (all when empty), in order, as one Chunk.
Chunk RowsOf(const sql::ViewPlan& plan, const std::vector<Chunk>& chunks,
             const std::set<std::string>& dates = {}) {
  Chunk out(BatchViewSchema(plan));
  const size_t window_end = plan.window_start_index() + 1;
  for (const Chunk& chunk : chunks) {
    for (size_t row = 0; row < chunk.num_rows(); ++row) {
      if (!dates.empty() && plan.window &&
          !dates.contains(WindowDate(Timestamp{chunk.column(window_end).int64s()[row]}))) {
        continue;
      }
      out.AppendRow(chunk, row);
    }
  }
  return out;
}

std::set<std::string> DatesOf(const sql::ViewPlan& plan, const std::vector<Chunk>& chunks) {
  std::set<std::string> dates;
  const size_t window_end = plan.window_start_index() + 1;
  for (const Chunk& chunk : chunks) {
    for (int64_t end : chunk.column(window_end).int64s()) dates.insert(WindowDate(Timestamp{end}));
  }
  return dates;
}

BatchHorizon HorizonAt(int64_t epoch, std::vector<uint64_t> ends) {
  BatchHorizon horizon;
  horizon.epoch = epoch;
  horizon.end_offsets = std::move(ends);
  horizon.definition_hash = 0xfedcba9876543210u;
  return horizon;
}

class BatchViewTableTest : public ::testing::Test {
 protected:
  BatchViewTable Open(const sql::ViewPlanPtr& plan, int64_t version = 1) {
    Result<BatchViewTable> table = BatchViewTable::Open(dir_.path(), plan, version);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    return std::move(table).value();
  }

  Chunk ReadRows(const BatchViewTable& table, const sql::ViewPlan& plan,
                 const std::optional<std::set<std::string>>& dates) {
    Result<std::vector<Chunk>> read = table.Read(dates);
    EXPECT_TRUE(read.ok()) << read.status().ToString();
    return read.ok() ? RowsOf(plan, *read) : Chunk(BatchViewSchema(plan));
  }

  ScopedTempDir dir_{"batch-view-table"};
};

TEST_F(BatchViewTableTest, ReplaceReadAndHorizonRoundTrip) {
  const sql::ViewPlanPtr plan = Bind(kMetricsView);
  ASSERT_NE(plan, nullptr);
  BatchViewTable table = Open(plan);
  EXPECT_EQ(table.dir(), dir_.path() / "views" / "metrics" / "v1");
  Result<BatchHorizon> empty = table.Horizon();
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->epoch, 0);
  EXPECT_EQ(empty->table_version, 0);
  EXPECT_EQ(ReadRows(table, *plan, std::nullopt).num_rows(), 0u);

  const std::vector<Chunk> rows = ViewRows(plan, 0, 500);
  const std::set<std::string> dates = DatesOf(*plan, rows);
  ASSERT_EQ(dates.size(), 4u);  // the events span four dates
  Result<bool> written = table.Replace(dates, rows, HorizonAt(2, {500, 0, 0}));
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_TRUE(*written);

  Result<BatchHorizon> horizon = Open(plan).Horizon();  // a fresh handle reads the same
  ASSERT_TRUE(horizon.ok()) << horizon.status().ToString();
  EXPECT_EQ(horizon->epoch, 2);
  EXPECT_EQ(horizon->end_offsets, (std::vector<uint64_t>{500, 0, 0}));
  EXPECT_EQ(horizon->definition_hash, 0xfedcba9876543210u);
  EXPECT_EQ(horizon->table_version, 1);
  EXPECT_EQ(ReadRows(table, *plan, std::nullopt), RowsOf(*plan, rows));
  const std::string second = *std::next(dates.begin());
  EXPECT_EQ(ReadRows(table, *plan, std::set<std::string>{second}), RowsOf(*plan, rows, {second}));
  // One file per date, in its window_date directory.
  const lake::DeltaSnapshot snapshot = *lake::DeltaTable(table.dir()).LoadSnapshot();
  ASSERT_EQ(snapshot.files().size(), 4u);
  for (const auto& [path, add] : snapshot.files()) {
    EXPECT_EQ(path.substr(0, 12), "window_date=") << path;
    EXPECT_TRUE(dates.contains(*add.partition_values.at("window_date"))) << path;
  }
}

// Finish cuts its rows into chunks that never span two window dates, whatever the chunk size and
// the number of threads building them, and gives the same rows in the same order.
TEST_F(BatchViewTableTest, FinishChunksStayWithinOneDate) {
  const sql::ViewPlanPtr plan = Bind(kMetricsView);
  const Chunk expected = RowsOf(*plan, ViewRows(plan, 0, 900, 65536, 1));
  ASSERT_GT(DatesOf(*plan, {expected}).size(), 2u);
  for (size_t rows_per_chunk : {1, 5, 64}) {
    for (size_t threads : {1, 3}) {
      const std::vector<Chunk> chunks = ViewRows(plan, 0, 900, rows_per_chunk, threads);
      for (const Chunk& chunk : chunks) {
        EXPECT_LE(chunk.num_rows(), rows_per_chunk);
        EXPECT_EQ(DatesOf(*plan, {chunk}).size(), 1u) << rows_per_chunk << " " << threads;
      }
      EXPECT_EQ(RowsOf(*plan, chunks), expected) << rows_per_chunk << " " << threads;
    }
  }
}

// A date with more rows than a file holds gets several files, written on several threads; reading
// them gives every row once, in order.
TEST_F(BatchViewTableTest, LargeDatesSpanSeveralFiles) {
  const sql::ViewPlanPtr plan = Bind(kMetricsView);
  const std::vector<Chunk> rows = ViewRows(plan, 0, 900, 3);
  const std::set<std::string> dates = DatesOf(*plan, rows);
  BatchViewTable table = Open(plan);
  ASSERT_TRUE(*table.Replace(dates, rows, HorizonAt(1, {900, 0, 0}), /*threads=*/3,
                             /*rows_per_file=*/5));
  Result<lake::DeltaSnapshot> snapshot = lake::DeltaTable(table.dir()).LoadSnapshot();
  ASSERT_TRUE(snapshot.ok());
  std::map<std::string, size_t> files_per_date;
  for (const auto& [path, add] : snapshot->files()) {
    ++files_per_date[*add.partition_values.at("window_date")];
  }
  EXPECT_EQ(files_per_date.size(), dates.size());
  for (const std::string& date : dates) {
    // Chunks of at most 3 rows packed whole into files of at most 5 rows: at least rows/5 files,
    // at most one per chunk.
    const size_t rows_of_date = RowsOf(*plan, rows, {date}).num_rows();
    EXPECT_GE(files_per_date[date], (rows_of_date + 4) / 5) << date;
    EXPECT_LE(files_per_date[date], (rows_of_date + 2) / 3 + 1) << date;
  }
  EXPECT_EQ(ReadRows(table, *plan, std::nullopt), RowsOf(*plan, rows));
}

TEST_F(BatchViewTableTest, ReplacingOneDateKeepsTheOthers) {
  const sql::ViewPlanPtr plan = Bind(kMetricsView);
  ASSERT_NE(plan, nullptr);
  BatchViewTable table = Open(plan);
  const std::vector<Chunk> rows = ViewRows(plan, 0, 500);
  const std::set<std::string> dates = DatesOf(*plan, rows);
  ASSERT_TRUE(table.Replace(dates, rows, HorizonAt(1, {500, 0, 0})).ok());

  // New rows for the second date only (events of other ids, so other values).
  const std::string target = *std::next(dates.begin());
  const Chunk replacement = RowsOf(*plan, ViewRows(plan, 7000, 900), {target});
  ASSERT_GT(replacement.num_rows(), 0u);
  Result<bool> written = table.Replace({target}, {replacement}, HorizonAt(2, {900, 0, 0}));
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_TRUE(*written);
  std::set<std::string> others = dates;
  others.erase(target);
  EXPECT_EQ(ReadRows(table, *plan, others), RowsOf(*plan, rows, others));
  EXPECT_EQ(ReadRows(table, *plan, std::set<std::string>{target}), replacement);

  // Replacing a date with no rows empties it.
  const std::string first = *dates.begin();
  ASSERT_TRUE(table.Replace({first}, {}, HorizonAt(3, {900, 0, 0})).ok());
  EXPECT_EQ(ReadRows(table, *plan, std::set<std::string>{first}).num_rows(), 0u);
  EXPECT_EQ(lake::DeltaTable(table.dir()).LoadSnapshot()->files().size(), 3u);

  // Rows outside the replaced dates are refused before anything is written.
  Result<bool> wrong = table.Replace({first}, rows, HorizonAt(4, {900, 0, 0}));
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(table.Horizon()->epoch, 3);
}

TEST_F(BatchViewTableTest, RerunOfAnAbsorbedHorizonWritesNothing) {
  const sql::ViewPlanPtr plan = Bind(kMetricsView);
  ASSERT_NE(plan, nullptr);
  BatchViewTable table = Open(plan);
  const std::vector<Chunk> rows = ViewRows(plan, 0, 300);
  const std::set<std::string> dates = DatesOf(*plan, rows);
  ASSERT_TRUE(*table.Replace(dates, rows, HorizonAt(3, {300, 0, 0})));
  const size_t files = lake::testing::ParquetFilesUnder(table.dir()).size();
  for (int64_t epoch : {3, 2}) {
    Result<bool> rerun = table.Replace(dates, ViewRows(plan, 50, 10), HorizonAt(epoch, {60, 0, 0}));
    ASSERT_TRUE(rerun.ok()) << rerun.status().ToString();
    EXPECT_FALSE(*rerun);
  }
  EXPECT_EQ(lake::testing::ParquetFilesUnder(table.dir()).size(), files);
  EXPECT_EQ(table.Horizon()->table_version, 1);
  EXPECT_EQ(ReadRows(table, *plan, std::nullopt), RowsOf(*plan, rows));
}

TEST_F(BatchViewTableTest, FilesWrittenWithoutACommitChangeNothing) {
  const sql::ViewPlanPtr plan = Bind(kMetricsView);
  ASSERT_NE(plan, nullptr);
  BatchViewTable table = Open(plan);
  const std::vector<Chunk> rows = ViewRows(plan, 0, 300);
  const std::set<std::string> dates = DatesOf(*plan, rows);
  ASSERT_TRUE(*table.Replace(dates, rows, HorizonAt(1, {300, 0, 0})));
  // A refresh that wrote its new files and died before committing.
  const std::vector<Chunk> next = ViewRows(plan, 1000, 300);
  for (const std::string& date : DatesOf(*plan, next)) {
    lake::DeltaAddFile add;
    add.path = fmt::format("window_date={}/part-00000002-crashed.parquet", date);
    add.partition_values = {{"window_date", date}};
    Result<lake::DeltaAddFile> orphan =
        lake::WriteDataFile(table.dir(), add, RowsOf(*plan, next, {date}), {});
    ASSERT_TRUE(orphan.ok()) << orphan.status().ToString();
  }
  BatchViewTable reopened = Open(plan);
  EXPECT_EQ(reopened.Horizon()->epoch, 1);
  EXPECT_EQ(ReadRows(reopened, *plan, std::nullopt), RowsOf(*plan, rows));
  // The rerun commits normally; the orphans stay unreferenced.
  ASSERT_TRUE(*reopened.Replace(DatesOf(*plan, next), next, HorizonAt(2, {600, 0, 0})));
  EXPECT_EQ(reopened.Horizon()->epoch, 2);
  std::set<std::string> untouched = dates;
  for (const std::string& date : DatesOf(*plan, next)) untouched.erase(date);
  const Chunk expected =
      untouched.empty() ? Chunk(BatchViewSchema(*plan)) : RowsOf(*plan, rows, untouched);
  EXPECT_EQ(ReadRows(reopened, *plan, untouched), expected);
  EXPECT_EQ(ReadRows(reopened, *plan, DatesOf(*plan, next)), RowsOf(*plan, next));
}

TEST_F(BatchViewTableTest, ViewWithoutWindowHasOnePartition) {
  const sql::ViewPlanPtr plan = Bind(kTotalsView);
  ASSERT_NE(plan, nullptr);
  BatchViewTable table = Open(plan, 4);
  const std::vector<Chunk> rows = ViewRows(plan, 0, 200);
  ASSERT_TRUE(*table.Replace({""}, rows, HorizonAt(1, {200, 0, 0})));
  EXPECT_EQ(ReadRows(table, *plan, std::nullopt), RowsOf(*plan, rows));
  const std::vector<Chunk> more = ViewRows(plan, 0, 400);
  ASSERT_TRUE(*table.Replace({""}, more, HorizonAt(2, {400, 0, 0})));
  EXPECT_EQ(ReadRows(table, *plan, std::set<std::string>{""}), RowsOf(*plan, more));
  const lake::DeltaSnapshot snapshot = *lake::DeltaTable(table.dir()).LoadSnapshot();
  EXPECT_TRUE(snapshot.metadata().schema.partition.empty());
  EXPECT_EQ(snapshot.files().size(), 1u);
}

TEST_F(BatchViewTableTest, OpeningWithAnotherDefinitionsColumnsFails) {
  ASSERT_TRUE(BatchViewTable::Open(dir_.path(), Bind(kMetricsView), 1).ok());
  const sql::ViewPlanPtr other = Bind(
      "CREATE VIEW metrics AS SELECT device_id, COUNT(*) AS events FROM telemetry "
      "GROUP BY device_id, TumblingWindow(hour, 6)");
  EXPECT_EQ(BatchViewTable::Open(dir_.path(), other, 1).status().code(), StatusCode::kTypeMismatch);
  EXPECT_TRUE(BatchViewTable::Open(dir_.path(), other, 2).ok());
}

TEST_F(BatchViewTableTest, DuckDbReadsOutputColumnsAndBinaryStates) {
  if (!braid::testing::OracleAvailable()) GTEST_SKIP() << "DuckDB oracle not installed";
  const sql::ViewPlanPtr plan = Bind(kMetricsView);
  ASSERT_NE(plan, nullptr);
  BatchViewTable table = Open(plan);
  const std::vector<Chunk> rows = ViewRows(plan, 0, 500);
  ASSERT_TRUE(*table.Replace(DatesOf(*plan, rows), rows, HorizonAt(1, {500, 0, 0})));
  const Chunk all = RowsOf(*plan, rows);
  const Schema& schema = *all.schema();
  const size_t events = *schema.FindField("events");
  const size_t state = *schema.FindField("_state_0");
  int64_t total_events = 0;
  for (size_t row = 0; row < all.num_rows(); ++row)
    total_events += all.column(events).int64s()[row];
  std::string first_state_hex;
  for (unsigned char byte : all.column(state).StringAt(0)) {
    first_state_hex += fmt::format("{:02X}", byte);
  }
  const std::string files = (table.dir() / "window_date=*" / "*.parquet").string();
  const std::vector<braid::testing::OracleRow> result = braid::testing::DuckDbRows({fmt::format(
      "SELECT COUNT(*), SUM(events)::VARCHAR, MIN(typeof(_state_0)), MAX(typeof(device_id)), "
      "MAX(typeof(window_end)), "
      "(SELECT hex(_state_0) FROM read_parquet('{0}', hive_partitioning = false) "
      " ORDER BY window_end, device_id LIMIT 1) "
      "FROM read_parquet('{0}', hive_partitioning = false)",
      files)});
  ASSERT_EQ(result.size(), 1u);
  const braid::testing::OracleRow& row = result[0];
  ASSERT_EQ(row.size(), 6u);
  EXPECT_EQ(std::get<std::string>(row[0]), std::to_string(all.num_rows()));
  EXPECT_EQ(std::get<std::string>(row[1]), std::to_string(total_events));
  EXPECT_EQ(std::get<std::string>(row[2]), "BLOB");
  EXPECT_EQ(std::get<std::string>(row[3]), "VARCHAR");
  EXPECT_EQ(std::get<std::string>(row[4]), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(std::get<std::string>(row[5]), first_state_hex);
}

}  // namespace
}  // namespace braid::batch
