// BindCreateStream: the definition a CREATE STREAM binds to, and every binding error.
#include <gtest/gtest.h>

#include "sql/stream_definition.h"
#include "sql_test_util.h"

namespace braid::sql {
namespace {

using testing::BindSql;
using testing::ExpectedError;
using testing::HasError;

// API.md, "SQL", verbatim.
constexpr std::string_view kApiExample = R"(CREATE STREAM telemetry (
  device_id STRING NOT NULL, event_ts TIMESTAMP NOT NULL, temperature DOUBLE,
  energy_consumed DOUBLE, user_id STRING, event_type STRING, session_duration DOUBLE, revenue DOUBLE
) WITH (partitions = 16, partition_key = 'device_id', timestamp = 'event_ts',
        out_of_order = '10s', allowed_lateness = '5s', out_of_order_policy = 'adjust', retention = '7d');)";

StreamDefinition BindStream(std::string_view sql) {
  Result<StreamDefinition> definition = BindSql(sql);
  EXPECT_TRUE(definition.ok()) << sql << ": " << definition.status().ToString();
  return definition.ok() ? *definition : StreamDefinition{};
}

TEST(StreamBinderTest, BindsTheApiExample) {
  StreamDefinition d = BindStream(kApiExample);
  EXPECT_EQ(d.name, "telemetry");
  ASSERT_NE(d.schema, nullptr);
  Schema expected({
      {"device_id", DataType::kString, false},
      {"event_ts", DataType::kTimestamp, false},
      {"temperature", DataType::kDouble, true},
      {"energy_consumed", DataType::kDouble, true},
      {"user_id", DataType::kString, true},
      {"event_type", DataType::kString, true},
      {"session_duration", DataType::kDouble, true},
      {"revenue", DataType::kDouble, true},
  });
  EXPECT_EQ(*d.schema, expected);
  EXPECT_EQ(d.partitions, 16);
  EXPECT_EQ(d.partition_key, "device_id");
  EXPECT_EQ(d.timestamp, "event_ts");
  EXPECT_EQ(d.out_of_order, Duration::Seconds(10));
  EXPECT_EQ(d.allowed_lateness, Duration::Seconds(5));
  EXPECT_EQ(d.out_of_order_policy, OutOfOrderPolicy::kAdjust);
  EXPECT_EQ(d.max_future, Duration::Minutes(5));    // default
  EXPECT_EQ(d.idle_timeout, Duration::Seconds(5));  // default
  EXPECT_EQ(d.retention, Duration::Days(7));
  EXPECT_FALSE(d.retention_bytes.has_value());
}

TEST(StreamBinderTest, FillsInDefaults) {
  StreamDefinition d = BindStream("CREATE STREAM s (a BIGINT)");
  EXPECT_EQ(d.partitions, 4);
  EXPECT_FALSE(d.partition_key.has_value());
  EXPECT_FALSE(d.timestamp.has_value());
  EXPECT_EQ(d.out_of_order, Duration::Seconds(0));
  EXPECT_EQ(d.allowed_lateness, Duration::Seconds(0));
  EXPECT_EQ(d.out_of_order_policy, OutOfOrderPolicy::kAdjust);
  EXPECT_EQ(d.max_future, Duration::Minutes(5));
  EXPECT_EQ(d.idle_timeout, Duration::Seconds(5));
  EXPECT_FALSE(d.retention.has_value());
  EXPECT_FALSE(d.retention_bytes.has_value());
}

TEST(StreamBinderTest, MatchesOptionAndColumnNamesCaseInsensitively) {
  StreamDefinition d = BindStream(
      "CREATE STREAM s (Device_Id STRING, TS TIMESTAMP) WITH (PARTITIONS = 1, "
      "Partition_Key = 'DEVICE_ID', timestamp = 'ts', OUT_OF_ORDER_POLICY = 'DROP', "
      "max_future = '1 hour', idle_timeout = '250ms', retention_bytes = 1048576)");
  EXPECT_EQ(d.partitions, 1);
  EXPECT_EQ(d.partition_key, "Device_Id");  // stored as the column is declared
  EXPECT_EQ(d.timestamp, "TS");
  EXPECT_EQ(d.out_of_order_policy, OutOfOrderPolicy::kDrop);
  EXPECT_EQ(d.max_future, Duration::Hours(1));
  EXPECT_EQ(d.idle_timeout, Duration::Millis(250));
  EXPECT_EQ(d.retention_bytes, 1048576u);
  EXPECT_TRUE(d.schema->field(1).nullable);  // a nullable timestamp column is allowed
}

TEST(StreamBinderTest, AcceptsTheBoundsOfPartitions) {
  EXPECT_EQ(BindStream("CREATE STREAM s (a BIGINT) WITH (partitions = 1024)").partitions, 1024);
  EXPECT_EQ(BindStream("CREATE STREAM s (a BIGINT) WITH (partitions = +1)").partitions, 1);
}

struct BindErrorCase {
  std::string_view sql;
  ExpectedError error;
};

TEST(StreamBinderTest, RejectsBadOptions) {
  constexpr StatusCode kInvalid = StatusCode::kInvalidArgument;
  const BindErrorCase cases[] = {
      {"CREATE STREAM s (a BIGINT) WITH (partitons = 4)",
       {kInvalid, 1, 34,
        "unknown stream option 'partitons' (did you mean 'partitions'?); the "
        "options are partitions, partition_key, timestamp"}},
      {"CREATE STREAM s (a BIGINT) WITH (colour = 'red')",
       {kInvalid, 1, 34, "unknown stream option 'colour'; the options are"}},
      {"CREATE STREAM s (a BIGINT) WITH (partitions = '4')",
       {kInvalid, 1, 47, "option 'partitions' expects an integer, found string '4'"}},
      {"CREATE STREAM s (a BIGINT) WITH (partitions = 4.0)",
       {kInvalid, 1, 47, "option 'partitions' expects an integer, found number 4.0"}},
      {"CREATE STREAM s (a BIGINT) WITH (partitions = TRUE)",
       {kInvalid, 1, 47, "expects an integer, found TRUE"}},
      {"CREATE STREAM s (a BIGINT) WITH (partitions = 0)",
       {kInvalid, 1, 47, "option 'partitions' must be between 1 and 1024, found 0"}},
      {"CREATE STREAM s (a BIGINT) WITH (partitions = 1025)",
       {kInvalid, 1, 47, "must be between 1 and 1024, found 1025"}},
      {"CREATE STREAM s (a BIGINT) WITH (partitions = -2)",
       {kInvalid, 1, 47, "must be between 1 and 1024, found -2"}},
      {"CREATE STREAM s (a BIGINT) WITH (partitions = 2, Partitions = 2)",
       {kInvalid, 1, 50, "option 'Partitions' is given twice (first at 1:34)"}},
      {"CREATE STREAM s (a BIGINT) WITH (out_of_order = '10 parsecs')",
       {kInvalid, 1, 49, "option 'out_of_order': invalid duration '10 parsecs': unknown unit"}},
      {"CREATE STREAM s (a BIGINT) WITH (allowed_lateness = '-5s')",
       {kInvalid, 1, 53, "option 'allowed_lateness': invalid duration '-5s'"}},
      {"CREATE STREAM s (a BIGINT) WITH (max_future = 300)",
       {kInvalid, 1, 47,
        "option 'max_future' expects a duration string such as '10s', found "
        "integer 300"}},
      {"CREATE STREAM s (a BIGINT) WITH (idle_timeout = '0s')",
       {kInvalid, 1, 49, "option 'idle_timeout' must be longer than 0s"}},
      {"CREATE STREAM s (a BIGINT) WITH (retention = '0d')",
       {kInvalid, 1, 46, "option 'retention' must be longer than 0s"}},
      {"CREATE STREAM s (a BIGINT) WITH (retention_bytes = 0)",
       {kInvalid, 1, 52, "option 'retention_bytes' must be positive, found 0"}},
      {"CREATE STREAM s (a BIGINT) WITH (out_of_order_policy = 'ignore')",
       {kInvalid, 1, 56,
        "option 'out_of_order_policy' must be 'adjust' or 'drop', found "
        "'ignore'"}},
      {"CREATE STREAM s (a BIGINT) WITH (out_of_order_policy = FALSE)",
       {kInvalid, 1, 56, "expects 'adjust' or 'drop', found FALSE"}},
  };
  for (const BindErrorCase& c : cases) {
    EXPECT_TRUE(HasError(BindSql(c.sql).status(), c.error)) << c.sql;
  }
}

TEST(StreamBinderTest, RejectsBadColumnReferences) {
  const BindErrorCase cases[] = {
      {"CREATE STREAM s (a BIGINT, b STRING) WITH (partition_key = 'nope')",
       {StatusCode::kUndefinedColumn, 1, 60,
        "option 'partition_key' names column 'nope', which "
        "stream 's' does not have (columns: a, b)"}},
      {"CREATE STREAM s (a BIGINT, t DOUBLE) WITH (partition_key = 't')",
       {StatusCode::kTypeMismatch, 1, 60, "partition key column 't' is DOUBLE"}},
      {"CREATE STREAM s (a BIGINT) WITH (partition_key = 1)",
       {StatusCode::kInvalidArgument, 1, 50, "expects a string naming a column, found integer 1"}},
      {"CREATE STREAM s (a BIGINT) WITH (timestamp = 'ts')",
       {StatusCode::kUndefinedColumn, 1, 46, "option 'timestamp' names column 'ts'"}},
      {"CREATE STREAM s (a BIGINT, ts STRING) WITH (timestamp = 'ts')",
       {StatusCode::kTypeMismatch, 1, 57,
        "timestamp column 'ts' is STRING; the timestamp column "
        "must be TIMESTAMP"}},
      {"CREATE STREAM s (a BIGINT) WITH (timestamp = 5)",
       {StatusCode::kInvalidArgument, 1, 46,
        "expects a string naming a TIMESTAMP column, found "
        "integer 5"}},
  };
  for (const BindErrorCase& c : cases) {
    EXPECT_TRUE(HasError(BindSql(c.sql).status(), c.error)) << c.sql;
  }
}

TEST(StreamBinderTest, RejectsBadNames) {
  constexpr StatusCode kInvalid = StatusCode::kInvalidArgument;
  std::string long_name(129, 'x');
  std::string long_sql = "CREATE STREAM " + long_name + " (a BIGINT)";
  const BindErrorCase cases[] = {
      {"CREATE STREAM s (\n  a BIGINT,\n  b STRING,\n  A DOUBLE\n)",
       {kInvalid, 4, 3, "column 'A' is declared twice (first at 2:3)"}},
      {"CREATE STREAM s (a BIGINT, \"_Offset\" BIGINT)",
       {kInvalid, 1, 28, "column name '_Offset' is reserved for the lake's ingestion metadata"}},
      {"CREATE STREAM \"a/b\" (a BIGINT)", {kInvalid, 1, 15, "invalid stream name 'a/b'"}},
      {"CREATE STREAM [..] (a BIGINT)", {kInvalid, 1, 15, "invalid stream name '..'"}},
      {"CREATE STREAM \"tab\there\" (a BIGINT)", {kInvalid, 1, 15, "invalid stream name"}},
      {long_sql, {kInvalid, 1, 15, "longer than 128 bytes"}},
  };
  for (const BindErrorCase& c : cases) {
    EXPECT_TRUE(HasError(BindSql(c.sql).status(), c.error)) << c.sql;
  }
  EXPECT_TRUE(BindSql("CREATE STREAM " + std::string(128, 'x') + " (a BIGINT)").ok());
}

TEST(StreamBinderTest, ReportsBindErrorsOnTheirLine) {
  std::string_view sql =
      "CREATE STREAM telemetry (\n"
      "  device_id STRING NOT NULL,\n"
      "  temperature DOUBLE\n"
      ") WITH (\n"
      "  partitions = 8,\n"
      "  partition_key = 'temperature'\n"
      ")";
  EXPECT_TRUE(HasError(BindSql(sql).status(),
                       {StatusCode::kTypeMismatch, 6, 19, "partition key column 'temperature'"}));
}

}  // namespace
}  // namespace braid::sql
