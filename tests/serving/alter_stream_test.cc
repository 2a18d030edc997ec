// ALTER STREAM through the Database: ingest decodes with the new schema at once, events stored
// before it read the new column as NULL from the log (also after a restart), DESCRIBE and the
// catalog show it, and capture moves the lake table to the new schema with NULL for old events.
#include <gtest/gtest.h>

#include <fstream>

#include "lake/delta_table.h"
#include "lake/lake_test_util.h"
#include "lake/parquet_reader.h"
#include "database_test_fixture.h"
#include "serving/database.h"

namespace braid::serving {
namespace {


constexpr std::string_view kCreate =
    "CREATE STREAM sensors (id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, temperature DOUBLE) "
    "WITH (partitions = 2, partition_key = 'id', timestamp = 'ts')";
constexpr int64_t kTime = 1'795'400'000'000'000;  // 2026-11-24

class AlterStreamTest : public testing::DatabaseTest {
 protected:
  void SetUp() override {
    Open();
    ASSERT_TRUE(Run(kCreate).ok());
  }

  Result<QueryResult> Run(std::string_view sql) {
    Result<QueryResult> result = db_->Execute(sql);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    return result;
  }

  // Appends events id first..first+count-1 in the log's current schema, as ingest does: the
  // temperature is id / 10 and, when the stream has it, humidity = id.
  void Ingest(int64_t first, int64_t count) {
    Result<StreamHandle> stream = db_->FindStream("sensors");
    ASSERT_TRUE(stream.ok());
    Chunk events(stream->log->schema());
    for (int64_t id = first; id < first + count; ++id) {
      events.mutable_column(0).AppendInt64(id);
      events.mutable_column(1).AppendInt64(kTime + id);
      events.mutable_column(2).AppendDouble(static_cast<double>(id) / 10);
      if (events.num_columns() > 3) events.mutable_column(3).AppendInt64(id);
    }
    ASSERT_TRUE(stream->log->Append(events, {}).ok());
  }

  // id -> humidity (nullopt = NULL) of every event in the log, read in the current schema.
  std::map<int64_t, std::optional<int64_t>> HumidityInLog() {
    std::map<int64_t, std::optional<int64_t>> rows;
    std::shared_ptr<log::StreamLog> log = db_->FindStream("sensors")->log;
    const size_t humidity = *log->schema()->FindField("humidity");
    for (int p = 0; p < log->num_partitions(); ++p) {
      Result<std::vector<log::RecordBatch>> batches = log->ReadEvents(p, 0, 1 << 20);
      EXPECT_TRUE(batches.ok()) << batches.status().ToString();
      if (!batches.ok()) continue;
      for (const log::RecordBatch& batch : *batches) {
        const Column& column = batch.events.column(humidity);
        for (size_t row = 0; row < batch.events.num_rows(); ++row) {
          rows[batch.events.column(0).int64s()[row]] =
              column.IsValid(row) ? std::optional<int64_t>(column.int64s()[row]) : std::nullopt;
        }
      }
    }
    return rows;
  }

  void ExpectOldEventsNull(const std::map<int64_t, std::optional<int64_t>>& rows) {
    ASSERT_EQ(rows.size(), 20u);
    for (const auto& [id, humidity] : rows) {
      if (id < 10) {
        EXPECT_FALSE(humidity.has_value()) << id;
      } else {
        EXPECT_EQ(humidity, id) << id;
      }
    }
  }

};

TEST_F(AlterStreamTest, IngestBeforeAndAfterReadsOldEventsAsNull) {
  Ingest(0, 10);
  Result<QueryResult> altered = Run("ALTER STREAM Sensors ADD COLUMN humidity BIGINT");
  ASSERT_TRUE(altered.ok());
  EXPECT_EQ(altered->command_tag, "ALTER STREAM");
  EXPECT_EQ(altered->message, "stream sensors altered: column humidity BIGINT added");
  EXPECT_EQ(db_->FindStream("sensors")->log->schema()->size(), 4u);
  Ingest(10, 10);
  ExpectOldEventsNull(HumidityInLog());
  Result<QueryResult> described = Run("DESCRIBE sensors");
  ASSERT_TRUE(described.ok());
  ASSERT_EQ(described->num_rows(), 4u);
  EXPECT_EQ(described->chunks[0].column(0).StringAt(3), "humidity");
  EXPECT_EQ(described->chunks[0].column(1).StringAt(3), "BIGINT");
  EXPECT_TRUE(described->chunks[0].column(2).bools()[3]);
  EXPECT_NE(described->message.find("humidity BIGINT"), std::string::npos);
}

TEST_F(AlterStreamTest, TheNewSchemaSurvivesARestart) {
  Ingest(0, 10);
  ASSERT_TRUE(Run("ALTER STREAM sensors ADD humidity BIGINT").ok());
  Ingest(10, 10);
  Open();
  EXPECT_EQ(db_->catalog().FindStream("sensors")->schema->size(), 4u);
  ExpectOldEventsNull(HumidityInLog());
  // The original CREATE (as a definitions file keeps it) is a no-op, not a conflict.
  Result<QueryResult> create = Run(kCreate);
  ASSERT_TRUE(create.ok());
  EXPECT_EQ(create->message, "stream sensors unchanged");
  EXPECT_EQ(db_->catalog().FindStream("sensors")->schema->size(), 4u);
}

TEST_F(AlterStreamTest, ErrorsCarryCodesAndPositions) {
  const std::pair<std::string_view, StatusCode> cases[] = {
      {"ALTER STREAM nope ADD x BIGINT", StatusCode::kUndefinedObject},
      {"ALTER STREAM sensors ADD TEMPERATURE DOUBLE", StatusCode::kInvalidArgument},
      {"ALTER STREAM sensors ADD _partition BIGINT", StatusCode::kInvalidArgument},
      {"ALTER STREAM sensors ADD x BIGINT NOT NULL", StatusCode::kInvalidArgument},
  };
  for (const auto& [sql, code] : cases) {
    Result<QueryResult> result = db_->Execute(sql);
    EXPECT_EQ(result.status().code(), code) << sql << ": " << result.status().ToString();
    EXPECT_TRUE(result.status().position().has_value()) << sql;
  }
  Result<QueryResult> unknown = db_->Execute("ALTER STREAM nope ADD x BIGINT");
  EXPECT_EQ(unknown.status().position()->column, 14);
  EXPECT_EQ(db_->catalog().FindStream("sensors")->schema->size(), 3u);
}

TEST_F(AlterStreamTest, CaptureEvolvesTheLakeTable) {
  Ingest(0, 10);
  Result<lake::CaptureResult> first = db_->capture().CaptureStream("sensors");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Ingest(10, 5);  // stored before the ALTER, captured after it
  ASSERT_TRUE(Run("ALTER STREAM sensors ADD humidity BIGINT").ok());
  Ingest(15, 5);
  Result<lake::CaptureResult> second = db_->capture().CaptureStream("sensors");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->epoch, 2);
  const std::filesystem::path table = dir_.path() / "lake" / "sensors";
  const lake::DeltaSnapshot snapshot = *lake::DeltaTable(table).LoadSnapshot();
  const SchemaPtr& schema = snapshot.metadata().schema.data;
  ASSERT_TRUE(schema->FindField("humidity").has_value());
  EXPECT_EQ(*schema->FindField("humidity"), 3u);  // before the ingestion metadata columns
  std::map<int64_t, bool> has_humidity;
  for (const auto& [path, add] : snapshot.files()) {
    auto reader = lake::ParquetReader::Open(table / path);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    for (size_t group = 0; group < (*reader)->num_row_groups(); ++group) {
      Result<Chunk> rows = (*reader)->ReadRowGroupAs(group, schema);
      ASSERT_TRUE(rows.ok()) << rows.status().ToString();
      for (size_t row = 0; row < rows->num_rows(); ++row) {
        has_humidity[rows->column(0).int64s()[row]] = rows->column(3).IsValid(row);
      }
    }
  }
  ASSERT_EQ(has_humidity.size(), 20u);
  for (const auto& [id, valid] : has_humidity) EXPECT_EQ(valid, id >= 15) << id;
}

TEST_F(AlterStreamTest, ADefinitionsFileWithCreateAndAlterReappliesAfterARestart) {
  const std::filesystem::path file = dir_.path() / "definitions.sql";
  {
    std::ofstream out(file);
    out << kCreate << ";\nALTER STREAM sensors ADD COLUMN IF NOT EXISTS humidity BIGINT;\n";
  }
  ASSERT_TRUE(db_->ApplyDefinitionsFile(file).ok());
  Ingest(0, 10);
  Open();
  Status reapplied = db_->ApplyDefinitionsFile(file);
  ASSERT_TRUE(reapplied.ok()) << reapplied.ToString();
  EXPECT_EQ(db_->catalog().FindStream("sensors")->schema->size(), 4u);
  Result<QueryResult> again = Run("ALTER STREAM sensors ADD IF NOT EXISTS humidity BIGINT");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->message, "stream sensors unchanged: column humidity BIGINT already exists");
  Ingest(10, 10);
  std::map<int64_t, std::optional<int64_t>> rows = HumidityInLog();
  ASSERT_EQ(rows.size(), 20u);
  EXPECT_EQ(rows.at(3), 3);  // ingested after the ALTER of the first run
}

}  // namespace
}  // namespace braid::serving
