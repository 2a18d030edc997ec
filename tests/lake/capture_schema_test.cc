// Capture across ALTER STREAM ... ADD COLUMN: the first epoch written with the new column commits
// the table's new schema with its files, older files read the column as NULL (through Braid's
// reader, OPTIMIZE and DuckDB with union_by_name), and schema changes other than appending
// nullable columns are refused.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/file_util.h"
#include "lake/capture.h"
#include "lake/capture_test_util.h"
#include "lake/lake_test_util.h"
#include "lake/optimize.h"

namespace braid::lake {
namespace {

using testing::FakeCaptureSource;
using testing::ScratchDir;

constexpr Timestamp kIngested{1'795'400'000'000'000};

// TelemetrySchema() plus humidity DOUBLE (nullable).
SchemaPtr AlteredSchema() {
  static const SchemaPtr schema = [] {
    std::vector<Field> fields = testing::TelemetrySchema()->fields();
    fields.push_back({"humidity", DataType::kDouble, true});
    return std::make_shared<const Schema>(std::move(fields));
  }();
  return schema;
}

// TelemetryEvents with humidity = id + 0.5.
Chunk AlteredEvents(int64_t first, size_t count) {
  Chunk old = testing::TelemetryEvents(first, count);
  Chunk events(AlteredSchema());
  for (size_t row = 0; row < count; ++row) {
    for (size_t c = 0; c < old.num_columns(); ++c) {
      events.mutable_column(c).AppendFrom(old.column(c), row);
    }
    events.mutable_column(old.num_columns()).AppendDouble(static_cast<double>(first) + 0.5 + row);
  }
  return events;
}

CaptureOptions OptionsFor(const std::filesystem::path& table_dir, SchemaPtr schema) {
  CaptureOptions options;
  options.files.table_dir = table_dir;
  options.files.stream_schema = std::move(schema);
  options.files.timestamp_column = testing::kTimeColumn;
  options.files.sort_columns = {testing::kDeviceColumn, testing::kTimeColumn};
  return options;
}

// Every row of the latest snapshot read in its schema: _offset -> humidity (nullopt = NULL).
std::map<int64_t, std::optional<double>> HumidityByOffset(const std::filesystem::path& table_dir) {
  std::map<int64_t, std::optional<double>> rows;
  const DeltaSnapshot snapshot = *DeltaTable(table_dir).LoadSnapshot();
  const SchemaPtr& schema = snapshot.metadata().schema.data;
  const size_t humidity = *schema->FindField("humidity");
  const size_t offset = *schema->FindField("_offset");
  for (const auto& [path, add] : snapshot.files()) {
    Result<std::unique_ptr<ParquetReader>> reader = ParquetReader::Open(table_dir / path);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) continue;
    for (size_t group = 0; group < (*reader)->num_row_groups(); ++group) {
      Result<Chunk> chunk = (*reader)->ReadRowGroupAs(group, schema);
      EXPECT_TRUE(chunk.ok()) << chunk.status().ToString();
      if (!chunk.ok()) continue;
      EXPECT_EQ(chunk->schema(), schema);
      for (size_t row = 0; row < chunk->num_rows(); ++row) {
        const Column& h = chunk->column(humidity);
        rows[chunk->column(offset).int64s()[row]] =
            h.IsValid(row) ? std::optional<double>(h.doubles()[row]) : std::nullopt;
      }
    }
  }
  return rows;
}

// One partition: events 0..39 before the ALTER (epoch 1), then 40..59 after it (epoch 2).
class CaptureSchemaTest : public ::testing::Test {
 protected:
  void CaptureBeforeAndAfter() {
    source_.Append(0, testing::TelemetryEvents(0, 40), kIngested);
    ASSERT_TRUE(CaptureEpoch(source_, OptionsFor(table_, testing::TelemetrySchema())).ok());
    // Events 40..49 were stored before the ALTER but captured after it; 50..59 have the column.
    source_.Append(0, testing::TelemetryEvents(40, 10), kIngested);
    source_.Append(0, AlteredEvents(50, 10), kIngested);
    Result<CaptureResult> second = CaptureEpoch(source_, OptionsFor(table_, AlteredSchema()));
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    EXPECT_EQ(second->outcome, CaptureOutcome::kCommitted);
    EXPECT_EQ(second->epoch, 2);
    EXPECT_EQ(second->table_version, 1);
  }

  ScratchDir dir_;
  std::filesystem::path table_ = dir_.path() / "telemetry";
  FakeCaptureSource source_{1};
};

TEST_F(CaptureSchemaTest, TheFirstEpochWithTheColumnCommitsTheNewSchema) {
  CaptureBeforeAndAfter();
  const DeltaTable table(table_);
  const DeltaSnapshot before = *table.LoadSnapshotAt(0);
  const DeltaSnapshot after = *table.LoadSnapshot();
  EXPECT_EQ(*before.metadata().schema.data, *CaptureFileSchema(*testing::TelemetrySchema()));
  EXPECT_EQ(*after.metadata().schema.data, *CaptureFileSchema(*AlteredSchema()));
  EXPECT_EQ(after.metadata().id, before.metadata().id);  // the same table
  EXPECT_EQ(after.metadata().schema.partition, before.metadata().schema.partition);
  // The metaData action is in the epoch's own commit, with its files and txn.
  const std::string commit = *ReadWholeFile(table_ / "_delta_log" / "00000000000000000001.json");
  EXPECT_NE(commit.find("\"metaData\""), std::string::npos);
  EXPECT_NE(commit.find("humidity"), std::string::npos);
  EXPECT_NE(commit.find("\"txn\""), std::string::npos);
  EXPECT_NE(commit.find("\"add\""), std::string::npos);
}

TEST_F(CaptureSchemaTest, OlderFilesAndOlderEventsReadTheColumnAsNull) {
  CaptureBeforeAndAfter();
  const std::map<int64_t, std::optional<double>> rows = HumidityByOffset(table_);
  ASSERT_EQ(rows.size(), 60u);
  for (const auto& [offset, humidity] : rows) {
    if (offset < 50) {
      EXPECT_FALSE(humidity.has_value()) << offset;
    } else {
      EXPECT_EQ(humidity, static_cast<double>(offset) + 0.5) << offset;
    }
  }
}

TEST_F(CaptureSchemaTest, AnEpochWithoutEventsLeavesTheSchema) {
  source_.Append(0, testing::TelemetryEvents(0, 10), kIngested);
  ASSERT_TRUE(CaptureEpoch(source_, OptionsFor(table_, testing::TelemetrySchema())).ok());
  Result<CaptureResult> idle = CaptureEpoch(source_, OptionsFor(table_, AlteredSchema()));
  ASSERT_TRUE(idle.ok()) << idle.status().ToString();
  EXPECT_EQ(idle->outcome, CaptureOutcome::kNoNewEvents);
  const DeltaSnapshot snapshot = *DeltaTable(table_).LoadSnapshot();
  EXPECT_EQ(snapshot.version(), 0);
  EXPECT_EQ(*snapshot.metadata().schema.data, *CaptureFileSchema(*testing::TelemetrySchema()));
}

TEST_F(CaptureSchemaTest, RefusesChangesOtherThanAddedNullableColumns) {
  source_.Append(0, AlteredEvents(0, 10), kIngested);
  ASSERT_TRUE(CaptureEpoch(source_, OptionsFor(table_, AlteredSchema())).ok());
  source_.Append(0, testing::TelemetryEvents(10, 10), kIngested);
  // Dropping the column would lose data; so would retyping or inserting a column.
  std::vector<Field> retyped = AlteredSchema()->fields();
  retyped.back().type = DataType::kBigint;
  std::vector<Field> required = AlteredSchema()->fields();
  required.push_back({"must", DataType::kBigint, false});
  for (const SchemaPtr& schema :
       {testing::TelemetrySchema(), std::make_shared<const Schema>(retyped),
        std::make_shared<const Schema>(required)}) {
    EXPECT_EQ(CaptureEpoch(source_, OptionsFor(table_, schema)).status().code(),
              StatusCode::kTypeMismatch);
  }
  EXPECT_EQ(DeltaTable(table_).LoadSnapshot()->version(), 0);
}

TEST_F(CaptureSchemaTest, OptimizeCompactsOldAndNewFilesWithNulls) {
  CaptureBeforeAndAfter();
  OptimizeOptions options;
  options.sort_columns = {"device_id", "event_ts"};
  Result<OptimizeResult> optimized = Optimize(DeltaTable(table_), options);
  ASSERT_TRUE(optimized.ok()) << optimized.status().ToString();
  EXPECT_GT(optimized->files_removed, optimized->files_added);
  const std::map<int64_t, std::optional<double>> rows = HumidityByOffset(table_);
  ASSERT_EQ(rows.size(), 60u);
  EXPECT_FALSE(rows.at(0).has_value());
  EXPECT_FALSE(rows.at(49).has_value());
  EXPECT_EQ(rows.at(59), 59.5);
}

TEST_F(CaptureSchemaTest, DuckDbReadsOldFilesWithNull) {
  if (!testing::OracleAvailable()) GTEST_SKIP() << "node or the DuckDB oracle is missing";
  CaptureBeforeAndAfter();
  std::string files;
  const DeltaSnapshot snapshot = *DeltaTable(table_).LoadSnapshot();
  for (const auto& [path, add] : snapshot.files()) {
    files += fmt::format("{}'{}'", files.empty() ? "" : ", ", (table_ / path).string());
  }
  const std::vector<std::string> lines = testing::DuckDbQuery(
      {fmt::format("SELECT count(*), count(humidity), sum(humidity), "
                   "count(*) FILTER (WHERE humidity IS NULL AND _offset < 50), "
                   "count(*) FILTER (WHERE humidity = _offset + 0.5) "
                   "FROM read_parquet([{}], union_by_name = true)",
                   files)});
  // 60 events; 50..59 have humidity 50.5..59.5 (sum 550), the 50 before have NULL.
  EXPECT_EQ(lines, (std::vector<std::string>{R"(["60","10",550,"50","10"])"}));
}

TEST(ParquetReadAs, RefusesARetypedOrForeignFile) {
  ScratchDir dir;
  const SchemaPtr schema = testing::AllTypesSchema();
  testing::WriteFile(dir.File("f.parquet"), schema,
                     {testing::RandomChunk(schema, 5, testing::NullPattern::kRandom, 1)}, {});
  auto reader = ParquetReader::Open(dir.File("f.parquet"));
  ASSERT_TRUE(reader.ok());
  auto retyped = std::make_shared<const Schema>(std::vector<Field>{{"i", DataType::kDouble, true}});
  EXPECT_EQ((*reader)->ReadRowGroupAs(0, retyped).status().code(), StatusCode::kTypeMismatch);
  auto foreign =
      std::make_shared<const Schema>(std::vector<Field>{{"zz", DataType::kDouble, true}});
  EXPECT_EQ((*reader)->ReadRowGroupAs(0, foreign).status().code(), StatusCode::kTypeMismatch);
  // A subset in another order, plus a missing nullable column.
  auto subset =
      std::make_shared<const Schema>(std::vector<Field>{{"s", DataType::kString, true},
                                                        {"b", DataType::kBoolean, true},
                                                        {"new", DataType::kBigint, true}});
  Result<Chunk> chunk = (*reader)->ReadRowGroupAs(0, subset);
  ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
  Result<Chunk> all = (*reader)->ReadRowGroup(0);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(chunk->column(0), all->column(*schema->FindField("s")));
  EXPECT_EQ(chunk->column(1), all->column(*schema->FindField("b")));
  EXPECT_EQ(chunk->column(2).null_count(), 5u);
}

}  // namespace
}  // namespace braid::lake
