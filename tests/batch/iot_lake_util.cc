#include "iot_lake_util.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <utility>

#include "duckdb_oracle.h"
#include "lake/capture.h"
#include "lake/capture_test_util.h"
#include "lake/delta_actions.h"
#include "lake/delta_table.h"
#include "sql/view_oracle_util.h"

namespace braid::batch::testing {
namespace {

namespace fs = std::filesystem;
using braid::testing::OracleRow;
using braid::testing::OracleValue;

constexpr Timestamp kFirstIngestion{1'795'600'000'000'000};  // 2026-11-25T08:26:40Z

// The DuckDB query of one view of examples/iot.sql over `events` (device_id, event_us, ...),
// sql/view_oracle_util.h, and the output columns whose values come from floating-point
// sums (compared to 1e-9 relative; every other column exactly).
struct ViewOracle {
  std::string duckdb;
  std::set<std::string> approximate;
};

Result<ViewOracle> IotOracle(const std::string& view) {
  std::string sql = sql::testing::IotViewDuckDbSql(view);
  if (sql.empty()) return Status(StatusCode::kUndefinedObject, "no DuckDB oracle for view " + view);
  if (view == "device_metrics") {
    return ViewOracle{std::move(sql),
                      {"avg_temperature", "stddev_temperature", "p95_temperature", "total_energy"}};
  }
  if (view == "user_activity") {
    return ViewOracle{std::move(sql), {"total_revenue", "avg_session_duration"}};
  }
  return ViewOracle{std::move(sql), {"total_revenue"}};
}

// A DuckDB list literal of file paths.
std::string FileList(const std::vector<std::string>& files) {
  std::string list = "[";
  for (const std::string& file : files) {
    if (list.size() > 1) list += ", ";
    std::string quoted;
    for (char c : file) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    list += "'" + quoted + "'";
  }
  return list + "]";
}

std::string ColumnList(size_t columns) {
  std::string list;
  for (size_t c = 0; c < columns; ++c) list += fmt::format("{}c{}", c > 0 ? ", " : "", c);
  return list;
}

// A stored table as DuckDB compares it: the output columns as c0.. (timestamps as epoch µs), then
// h = `_having`.
std::string StoredRelationSql(const sql::ViewPlan& plan, const std::vector<std::string>& files) {
  std::string select;
  const Schema& schema = *plan.output_schema;
  for (size_t c = 0; c < schema.size(); ++c) {
    const Field& field = schema.field(c);
    select += field.type == DataType::kTimestamp ? fmt::format("epoch_us(\"{}\")", field.name)
                                                 : fmt::format("\"{}\"", field.name);
    select += fmt::format(" AS c{}, ", c);
  }
  return fmt::format("SELECT {}_having AS h FROM read_parquet({})", select, FileList(files));
}

// Whether column c of rows x and y agree (never NULL).
std::string ColumnMatchSql(size_t c, bool approximate) {
  if (!approximate) return fmt::format("(x.c{0} IS NOT DISTINCT FROM y.c{0})", c);
  return fmt::format(
      "(CASE WHEN x.c{0} IS NULL OR y.c{0} IS NULL THEN x.c{0} IS NULL AND y.c{0} IS NULL "
      "ELSE abs(x.c{0} - y.c{0}) <= 1e-9 * greatest(abs(x.c{0}), abs(y.c{0}), 1e-300) END)",
      c);
}

// The FULL OUTER JOIN of the rows of `a` and `b` with h true, on the cell identity, and the
// condition that a joined row is one cell present and equal on both sides.
struct JoinSql {
  std::string from;
  std::string equal;
};

JoinSql JoinOf(const sql::ViewPlan& plan, const std::set<std::string>& approximate,
               const std::string& a, const std::string& b) {
  const size_t identity = plan.keys.size() + (plan.window ? 2 : 0);
  JoinSql join;
  join.from = fmt::format(
      "(SELECT * FROM {} WHERE h) x FULL OUTER JOIN (SELECT * FROM {} WHERE h) y ON ", a, b);
  for (size_t c = 0; c < identity; ++c) {
    join.from += (c > 0 ? " AND " : "") + ColumnMatchSql(c, false);
  }
  join.equal = "coalesce(x.h AND y.h";
  const Schema& schema = *plan.output_schema;
  for (size_t c = 0; c < schema.size(); ++c) {
    join.equal += " AND " + ColumnMatchSql(c, approximate.count(schema.field(c).name) > 0);
  }
  join.equal += ", FALSE)";
  return join;
}

// Two result rows tagged 'cmp' (counts) and 'diff' (up to five differing rows) for `a` vs `b`.
std::vector<std::string> ComparisonSql(const sql::ViewPlan& plan,
                                       const std::set<std::string>& approximate,
                                       const std::string& a, const std::string& b) {
  const JoinSql join = JoinOf(plan, approximate, a, b);
  const std::string window_end =
      plan.window ? fmt::format("coalesce(x.c{0}, y.c{0})", plan.keys.size() + 1) : "0";
  return {
      fmt::format("SELECT 'cmp', '{0} vs {1}', (SELECT count(*) FROM {0}), (SELECT count(*) FROM "
                  "{1}), (SELECT count(*) FROM {0} WHERE h IS DISTINCT FROM TRUE), (SELECT "
                  "count(*) FROM {1} WHERE h IS DISTINCT FROM TRUE), count(*) FILTER (WHERE NOT "
                  "{2}), count(DISTINCT {3} // 86400000000) FROM {4}",
                  a, b, join.equal, window_end, join.from),
      fmt::format("SELECT 'diff', '{0} vs {1}', x.*, y.* FROM {2} WHERE NOT {3} ORDER BY {4} "
                  "LIMIT 5",
                  a, b, join.from, join.equal, window_end),
  };
}

std::string OracleText(const OracleValue& value) {
  if (std::holds_alternative<std::monostate>(value)) return "NULL";
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* d = std::get_if<double>(&value)) return fmt::format("{}", *d);
  return std::get<std::string>(value);
}

uint64_t OracleCount(const OracleValue& value) {
  if (const auto* d = std::get_if<double>(&value)) return static_cast<uint64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&value)) return std::stoull(*s);
  ADD_FAILURE() << "not a count: " << OracleText(value);
  return 0;
}

bool IsTagged(const OracleRow& row, std::string_view tag) {
  return !row.empty() && std::holds_alternative<std::string>(row[0]) &&
         std::get<std::string>(row[0]) == tag;
}

// The events view DuckDB computes the oracle from: the lake's columns with event_us.
std::string EventsSql(const std::vector<std::string>& lake_files) {
  return "CREATE VIEW events AS SELECT device_id, epoch_us(event_ts) AS event_us, temperature, "
         "energy_consumed, user_id, event_type, session_duration, revenue FROM read_parquet(" +
         FileList(lake_files) + ")";
}

// A stored row's cell identity (keys and window) as text.
std::string CellKey(const Chunk& chunk, size_t row, size_t identity) {
  std::string key;
  for (size_t c = 0; c < identity; ++c) {
    const Column& column = chunk.column(c);
    if (!column.IsValid(row)) {
      key += "\x01NULL";
    } else if (column.type() == DataType::kString) {
      key += column.StringAt(row);
    } else {
      key += std::to_string(column.int64s()[row]);
    }
    key += '\x1f';
  }
  return key;
}

struct CellRef {
  std::string key;
  const Chunk* chunk;
  size_t row;
};

std::vector<CellRef> CellsOf(const std::vector<Chunk>& chunks, size_t identity) {
  std::vector<CellRef> cells;
  for (const Chunk& chunk : chunks) {
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      cells.push_back(CellRef{CellKey(chunk, r, identity), &chunk, r});
    }
  }
  std::sort(cells.begin(), cells.end(),
            [](const CellRef& a, const CellRef& b) { return a.key < b.key; });
  return cells;
}

bool ValuesAgree(const Column& a, size_t ra, const Column& b, size_t rb) {
  if (!a.IsValid(ra) || !b.IsValid(rb)) return a.IsValid(ra) == b.IsValid(rb);
  switch (a.type()) {
    case DataType::kDouble: {
      const double x = a.doubles()[ra], y = b.doubles()[rb];
      return x == y || std::fabs(x - y) <= 1e-9 * std::max(std::fabs(x), std::fabs(y));
    }
    case DataType::kString:
      return a.StringAt(ra) == b.StringAt(rb);
    case DataType::kBoolean:
      return a.bools()[ra] == b.bools()[rb];
    default:
      return a.int64s()[ra] == b.int64s()[rb];
  }
}

std::string ValueText(const Column& column, size_t row) {
  if (!column.IsValid(row)) return "NULL";
  switch (column.type()) {
    case DataType::kDouble:
      return fmt::format("{}", column.doubles()[row]);
    case DataType::kString:
      return std::string(column.StringAt(row));
    case DataType::kBoolean:
      return column.bools()[row] ? "true" : "false";
    default:
      return std::to_string(column.int64s()[row]);
  }
}

}  // namespace

// An in-memory partitioned log: batches appended per partition, read by offset range, dropped
// once captured (as retention would).
class IotLake::Source : public lake::CaptureSource {
 public:
  void Append(size_t partition, Chunk events, Timestamp ingested_at) {
    std::lock_guard lock(mu_);
    const uint64_t first = ends_[partition];
    ends_[partition] += events.num_rows();
    partitions_[partition].push_back(Batch{first, std::move(events), ingested_at});
  }

  std::vector<uint64_t> EndOffsets() override {
    std::lock_guard lock(mu_);
    return ends_;
  }

  Status ReadRange(int partition, uint64_t from, uint64_t to,
                   const EventsCallback& callback) override {
    std::lock_guard lock(mu_);
    for (const Batch& batch : partitions_[partition]) {
      RETURN_IF_ERROR(lake::testing::ReadBatchRange(batch.events, batch.first_offset,
                                                    batch.ingested_at, from, to, callback));
    }
    return Status::Ok();
  }

  Status CommitCaptured(const std::vector<uint64_t>& offsets) override {
    std::lock_guard lock(mu_);
    for (size_t p = 0; p < partitions_.size() && p < offsets.size(); ++p) {
      std::deque<Batch>& batches = partitions_[p];
      while (!batches.empty() &&
             batches.front().first_offset + batches.front().events.num_rows() <= offsets[p]) {
        batches.pop_front();
      }
    }
    return Status::Ok();
  }

 private:
  struct Batch {
    uint64_t first_offset;
    Chunk events;
    Timestamp ingested_at;
  };
  std::mutex mu_;
  std::vector<std::deque<Batch>> partitions_ = std::vector<std::deque<Batch>>(kIotPartitions);
  std::vector<uint64_t> ends_ = std::vector<uint64_t>(kIotPartitions, 0);
};

IotLake::IotLake(std::filesystem::path lake_dir, const cli::IotGeneratorOptions& generator)
    : dir_(std::move(lake_dir)), generator_(generator), source_(std::make_unique<Source>()) {}

IotLake::~IotLake() = default;

Status IotLake::SealEpoch(size_t events) {
  std::vector<Chunk> partitions;
  for (size_t p = 0; p < kIotPartitions; ++p) {
    partitions.emplace_back(cli::IotGenerator::TelemetrySchema());
  }
  for (size_t i = 0; i < events; ++i) {
    const cli::IotEvent event = generator_.Next();
    // Fibonacci hashing of the device number: a device's events stay in one partition.
    const size_t partition = (event.device * 0x9E3779B97F4A7C15ull) >> 60;
    cli::IotGenerator::AppendToChunk(event, &partitions[partition]);
  }
  const Timestamp ingested = kFirstIngestion + Duration::Seconds(epoch_);
  for (size_t p = 0; p < kIotPartitions; ++p) {
    if (partitions[p].num_rows() > 0) source_->Append(p, std::move(partitions[p]), ingested);
  }
  lake::CaptureOptions options;
  options.files.table_dir = dir_;
  options.files.stream_schema = cli::IotGenerator::TelemetrySchema();
  options.files.timestamp_column = 1;
  options.files.sort_columns = {0, 1};
  options.files.max_rows_per_file = 50'000;  // several files in the larger epochs
  ASSIGN_OR_RETURN(lake::CaptureResult result, lake::CaptureEpoch(*source_, options));
  if (result.outcome != lake::CaptureOutcome::kCommitted || result.events != events) {
    return Status(StatusCode::kInternal,
                  fmt::format("epoch {} not sealed: {} events", epoch_ + 1, result.events));
  }
  epoch_ = result.epoch;
  events_ += events;
  return Status::Ok();
}

Result<std::vector<std::string>> ActiveDataFiles(const std::filesystem::path& table_dir) {
  ASSIGN_OR_RETURN(lake::DeltaSnapshot snapshot, lake::DeltaTable(table_dir).LoadSnapshot());
  std::vector<std::string> files;
  if (!snapshot.exists()) return files;
  for (const auto& [path, add] : snapshot.files()) {
    ASSIGN_OR_RETURN(std::string relative, lake::DecodeDataFilePath(path));
    files.push_back((table_dir / relative).string());
  }
  return files;
}

void ExpectLakeHolds(const std::filesystem::path& lake_dir, uint64_t events) {
  Result<std::vector<std::string>> active = ActiveDataFiles(lake_dir);
  ASSERT_TRUE(active.ok()) << active.status().ToString();
  ASSERT_FALSE(active->empty());
  std::vector<std::string> on_disk;
  for (const auto& entry : fs::recursive_directory_iterator(lake_dir)) {
    if (entry.path().extension() == ".parquet") on_disk.push_back(entry.path().string());
  }
  std::sort(on_disk.begin(), on_disk.end());
  std::vector<std::string> sorted = *active;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(on_disk, sorted) << "the lake holds files no snapshot references";
  const std::vector<OracleRow> rows = braid::testing::DuckDbRows(
      {"SELECT count(*), count(DISTINCT (_partition, _offset)) FROM read_parquet(" +
       FileList(*active) + ")"});
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].size(), 2u);
  EXPECT_EQ(OracleCount(rows[0][0]), events);
  EXPECT_EQ(OracleCount(rows[0][1]), events);
}

void ExpectTablesMatchDuckDb(const sql::ViewPlan& plan, const std::filesystem::path& lake_dir,
                             const std::vector<std::filesystem::path>& table_dirs,
                             size_t min_dates) {
  Result<ViewOracle> oracle = IotOracle(plan.name);
  ASSERT_TRUE(oracle.ok()) << oracle.status().ToString();
  Result<std::vector<std::string>> lake_files = ActiveDataFiles(lake_dir);
  ASSERT_TRUE(lake_files.ok()) << lake_files.status().ToString();
  ASSERT_FALSE(lake_files->empty());
  const size_t columns = plan.output_schema->size();
  // Tables, not views: each relation is computed once and compared several times. A CREATE
  // TABLE prints its row count as an untagged row, which the parsing below skips.
  std::vector<std::string> statements = {
      EventsSql(*lake_files),
      fmt::format("CREATE TABLE oracle AS SELECT *, TRUE AS h FROM ({}) AS t({})", oracle->duckdb,
                  ColumnList(columns))};
  for (size_t i = 0; i < table_dirs.size(); ++i) {
    Result<std::vector<std::string>> files = ActiveDataFiles(table_dirs[i]);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    ASSERT_FALSE(files->empty()) << table_dirs[i] << " holds no rows";
    statements.push_back(fmt::format("CREATE TABLE t{} AS {}", i, StoredRelationSql(plan, *files)));
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 0; i < table_dirs.size(); ++i)
    pairs.emplace_back("oracle", fmt::format("t{}", i));
  for (size_t i = 1; i < table_dirs.size(); ++i) pairs.emplace_back("t0", fmt::format("t{}", i));
  for (const auto& [a, b] : pairs) {
    for (std::string& sql : ComparisonSql(plan, oracle->approximate, a, b)) {
      statements.push_back(std::move(sql));
    }
  }
  const std::vector<OracleRow> rows = braid::testing::DuckDbRows(statements);
  std::map<std::string, std::string> diffs;
  for (const OracleRow& row : rows) {
    if (!IsTagged(row, "diff")) continue;
    std::string& text = diffs[OracleText(row[1])];
    text += "\n  ";
    for (size_t c = 2; c < row.size(); ++c)
      text += OracleText(row[c]) + (c + 1 < row.size() ? ", " : "");
  }
  size_t compared = 0;
  for (const OracleRow& row : rows) {
    if (!IsTagged(row, "cmp")) continue;
    ASSERT_EQ(row.size(), 8u);
    ++compared;
    const std::string what = plan.name + ": " + OracleText(row[1]);
    const uint64_t left = OracleCount(row[2]), right = OracleCount(row[3]);
    EXPECT_GT(left, 0u) << what;
    EXPECT_EQ(left, right) << what << ": row counts";
    EXPECT_EQ(OracleCount(row[4]), 0u) << what << ": rows with _having not true (left)";
    EXPECT_EQ(OracleCount(row[5]), 0u) << what << ": rows with _having not true (right)";
    EXPECT_EQ(OracleCount(row[6]), 0u)
        << what << ": differing rows (left columns, h, then right columns, h):"
        << diffs[OracleText(row[1])];
    EXPECT_GE(OracleCount(row[7]), min_dates) << what << ": window_end dates";
  }
  EXPECT_EQ(compared, pairs.size());
}

void ExpectSameStoredRows(const std::string& what, const BatchViewTable& actual,
                          const BatchViewTable& expected, const sql::ViewPlan& plan) {
  Result<std::vector<Chunk>> actual_rows = actual.Read(std::nullopt);
  ASSERT_TRUE(actual_rows.ok()) << what << ": " << actual_rows.status().ToString();
  Result<std::vector<Chunk>> expected_rows = expected.Read(std::nullopt);
  ASSERT_TRUE(expected_rows.ok()) << what << ": " << expected_rows.status().ToString();
  const size_t identity = plan.keys.size() + (plan.window ? 2 : 0);
  const std::vector<CellRef> got = CellsOf(*actual_rows, identity);
  const std::vector<CellRef> want = CellsOf(*expected_rows, identity);
  ASSERT_EQ(got.size(), want.size()) << what << ": row count";
  const size_t compared = plan.output_schema->size() + 1;  // with _having
  int reported = 0;
  for (size_t i = 0; i < got.size() && reported < 10; ++i) {
    if (got[i].key != want[i].key) {
      ADD_FAILURE() << what << ": cell " << got[i].key << " where " << want[i].key
                    << " is expected";
      ++reported;
      continue;
    }
    for (size_t c = 0; c < compared; ++c) {
      const Column& a = got[i].chunk->column(c);
      const Column& b = want[i].chunk->column(c);
      if (ValuesAgree(a, got[i].row, b, want[i].row)) continue;
      ADD_FAILURE() << what << ": cell " << got[i].key << " column " << c << ": "
                    << ValueText(a, got[i].row) << " vs " << ValueText(b, want[i].row);
      ++reported;
    }
  }
}

}  // namespace braid::batch::testing
