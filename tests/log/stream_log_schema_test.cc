// StreamLog schema evolution: AlterSchema appends nullable columns; batches written before read
// them as NULL through ReadEvents, in memory and after a reopen with the new schema.
#include <gtest/gtest.h>

#include "log/group_commit.h"
#include "log/stream_log.h"
#include "log_test_util.h"

namespace braid::log {
namespace {

using testing::EventIds;
using testing::MakeEvents;
using testing::TempDir;

// EventSchema() plus a nullable humidity DOUBLE.
SchemaPtr WiderSchema() {
  std::vector<Field> fields = testing::EventSchema()->fields();
  fields.push_back({"humidity", DataType::kDouble, true});
  return std::make_shared<const Schema>(std::move(fields));
}

// MakeEvents rows with humidity = id / 2.
Chunk MakeWiderEvents(int64_t first_id, size_t count) {
  Chunk narrow = MakeEvents(first_id, count);
  Chunk wide(WiderSchema());
  for (size_t row = 0; row < count; ++row) {
    for (size_t c = 0; c < narrow.num_columns(); ++c) {
      wide.mutable_column(c).AppendFrom(narrow.column(c), row);
    }
    wide.mutable_column(4).AppendDouble(static_cast<double>(first_id + row) / 2);
  }
  return wide;
}

class StreamLogSchemaTest : public ::testing::Test {
 protected:
  std::unique_ptr<StreamLog> Open(SchemaPtr schema) {
    StreamLogConfig config;
    config.name = "telemetry";
    config.schema = std::move(schema);
    config.partitions = 1;
    config.timestamp_column = 2;
    Result<std::unique_ptr<StreamLog>> log =
        StreamLog::Open(dir_.path() / "telemetry", config, options_, committer_.get(), nullptr);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }

  // Every event of partition 0 through ReadEvents, as one chunk of the log's current schema.
  static Chunk ReadAll(const StreamLog& log) {
    Chunk all(log.schema());
    uint64_t offset = 0;
    while (offset < log.partition(0).end_offset()) {
      Result<std::vector<RecordBatch>> batches = log.ReadEvents(0, offset, 1 << 20);
      EXPECT_TRUE(batches.ok()) << batches.status().ToString();
      if (!batches.ok() || batches->empty()) break;
      for (const RecordBatch& batch : *batches) {
        EXPECT_EQ(batch.events.schema(), log.schema());
        for (size_t row = 0; row < batch.events.num_rows(); ++row) all.AppendRow(batch.events, row);
        offset += batch.header.record_count;
      }
    }
    return all;
  }

  // Checks ids 0..9 with humidity NULL below 5 and id / 2 from 5 on.
  static void ExpectOldRowsNull(const Chunk& all) {
    ASSERT_EQ(all.num_rows(), 10u);
    EXPECT_EQ(EventIds(all), testing::Range(0, 10));
    for (size_t row = 0; row < 10; ++row) {
      const Column& humidity = all.column(4);
      if (row < 5) {
        EXPECT_FALSE(humidity.IsValid(row)) << row;
      } else {
        ASSERT_TRUE(humidity.IsValid(row)) << row;
        EXPECT_EQ(humidity.doubles()[row], static_cast<double>(row) / 2);
      }
    }
  }

  TempDir dir_;
  LogOptions options_;
  std::unique_ptr<GroupCommitter> committer_ =
      std::make_unique<GroupCommitter>(Duration::Millis(1));
};

TEST_F(StreamLogSchemaTest, OldBatchesReadTheAddedColumnAsNull) {
  auto log = Open(testing::EventSchema());
  ASSERT_TRUE(log->Append(MakeEvents(0, 5), {}).ok());
  ASSERT_TRUE(log->AlterSchema(WiderSchema()).ok());
  EXPECT_EQ(*log->schema(), *WiderSchema());
  EXPECT_EQ(*log->config().schema, *testing::EventSchema());  // the schema at open
  ASSERT_TRUE(log->Append(MakeWiderEvents(5, 5), {}).ok());
  ExpectOldRowsNull(ReadAll(*log));
  // The raw partition still holds each batch in the schema it was written with.
  Result<std::vector<RecordBatch>> raw = log->partition(0).Read(0, 1 << 20);
  ASSERT_TRUE(raw.ok());
  ASSERT_EQ(raw->size(), 2u);
  EXPECT_EQ((*raw)[0].events.num_columns(), 4u);
  EXPECT_EQ((*raw)[1].events.num_columns(), 5u);
}

TEST_F(StreamLogSchemaTest, AReopenWithTheNewSchemaProjectsOldBatches) {
  {
    auto log = Open(testing::EventSchema());
    ASSERT_TRUE(log->Append(MakeEvents(0, 5), {}).ok());
  }
  auto log = Open(WiderSchema());
  ASSERT_TRUE(log->Append(MakeWiderEvents(5, 5), {}).ok());
  ExpectOldRowsNull(ReadAll(*log));
}

TEST_F(StreamLogSchemaTest, AcceptsAppendsDecodedBeforeTheChange) {
  auto log = Open(testing::EventSchema());
  ASSERT_TRUE(log->AlterSchema(WiderSchema()).ok());
  // A request decoded with the old schema just before ALTER: stored as is, read with NULL.
  ASSERT_TRUE(log->Append(MakeEvents(0, 5), {}).ok());
  ASSERT_TRUE(log->Append(MakeWiderEvents(5, 5), {}).ok());
  ExpectOldRowsNull(ReadAll(*log));
}

TEST_F(StreamLogSchemaTest, RefusesSchemasThatDoNotExtendTheCurrentOne) {
  auto log = Open(WiderSchema());
  EXPECT_EQ(log->AlterSchema(testing::EventSchema()).code(), StatusCode::kInvalidArgument);
  std::vector<Field> fields = WiderSchema()->fields();
  fields.push_back({"required", DataType::kBigint, false});
  EXPECT_EQ(log->AlterSchema(std::make_shared<const Schema>(fields)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(log->AlterSchema(nullptr).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*log->schema(), *WiderSchema());
  EXPECT_EQ(log->ReadEvents(1, 0, 1024).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->ReadEvents(-1, 0, 1024).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace braid::log
