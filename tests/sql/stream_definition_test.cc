// StreamDefinition: canonical SQL, its round trip through parse + bind, equality and differences.
#include "sql/stream_definition.h"

#include <gtest/gtest.h>

#include <random>

#include "sql_test_util.h"

namespace braid::sql {
namespace {

using testing::BindSql;

StreamDefinition BindDefinition(std::string_view sql) {
  Result<StreamDefinition> definition = BindSql(sql);
  EXPECT_TRUE(definition.ok()) << sql << ": " << definition.status().ToString();
  return definition.ok() ? *definition : StreamDefinition{};
}

// Field-by-field comparison, independent of operator== and ToSql.
void ExpectSameFields(const StreamDefinition& a, const StreamDefinition& b) {
  EXPECT_EQ(a.name, b.name);
  ASSERT_NE(a.schema, nullptr);
  ASSERT_NE(b.schema, nullptr);
  EXPECT_EQ(*a.schema, *b.schema);
  EXPECT_EQ(a.partitions, b.partitions);
  EXPECT_EQ(a.partition_key, b.partition_key);
  EXPECT_EQ(a.timestamp, b.timestamp);
  EXPECT_EQ(a.out_of_order, b.out_of_order);
  EXPECT_EQ(a.allowed_lateness, b.allowed_lateness);
  EXPECT_EQ(a.out_of_order_policy, b.out_of_order_policy);
  EXPECT_EQ(a.max_future, b.max_future);
  EXPECT_EQ(a.idle_timeout, b.idle_timeout);
  EXPECT_EQ(a.retention, b.retention);
  EXPECT_EQ(a.retention_bytes, b.retention_bytes);
}

void ExpectRoundTrip(const StreamDefinition& d) {
  std::string sql = d.ToSql();
  Result<StreamDefinition> back = BindSql(sql);
  ASSERT_TRUE(back.ok()) << sql << "\n" << back.status().ToString();
  ExpectSameFields(*back, d);
  EXPECT_TRUE(*back == d) << sql;
  EXPECT_EQ(back->ToSql(), sql);  // canonical text is a fixed point
}

TEST(StreamDefinitionTest, WritesCanonicalSql) {
  StreamDefinition d = BindDefinition(
      "create stream telemetry (device_id string not null, event_ts timestamp NOT NULL, "
      "temperature float) with (Partitions = 16, partition_key = 'DEVICE_ID', "
      "timestamp = 'event_ts', out_of_order = '10 seconds', retention = '168 hours')");
  EXPECT_EQ(d.ToSql(),
            "CREATE STREAM telemetry (\n"
            "  device_id STRING NOT NULL,\n"
            "  event_ts TIMESTAMP NOT NULL,\n"
            "  temperature DOUBLE\n"
            ") WITH (\n"
            "  partitions = 16,\n"
            "  partition_key = 'device_id',\n"
            "  timestamp = 'event_ts',\n"
            "  out_of_order = '10s',\n"
            "  allowed_lateness = '0s',\n"
            "  out_of_order_policy = 'adjust',\n"
            "  max_future = '5m',\n"
            "  idle_timeout = '5s',\n"
            "  retention = '7d'\n"
            ")");
}

TEST(StreamDefinitionTest, QuotesNamesThatNeedIt) {
  StreamDefinition d = BindDefinition(
      "CREATE STREAM [My \"Stream\"] (\"select\" STRING NOT NULL, [it's] BIGINT, \"1st\" BOOLEAN, "
      "CamelCase DOUBLE, \"température\" TIMESTAMP, \"from\" TIMESTAMP NOT NULL) WITH "
      "(partition_key = 'IT''S', timestamp = 'FROM', retention_bytes = 1000, "
      "out_of_order_policy = 'drop', allowed_lateness = '1500us', max_future = '0s')");
  std::string sql = d.ToSql();
  EXPECT_NE(sql.find("CREATE STREAM \"My \"\"Stream\"\"\" (\n"), std::string::npos) << sql;
  EXPECT_NE(sql.find("  \"select\" STRING NOT NULL,\n"), std::string::npos) << sql;
  EXPECT_NE(sql.find("  \"it's\" BIGINT,\n"), std::string::npos) << sql;
  EXPECT_NE(sql.find("  \"1st\" BOOLEAN,\n"), std::string::npos) << sql;
  EXPECT_NE(sql.find("  CamelCase DOUBLE,\n"), std::string::npos) << sql;
  EXPECT_NE(sql.find("  partition_key = 'it''s',\n"), std::string::npos) << sql;
  EXPECT_NE(sql.find("  timestamp = 'from',\n"), std::string::npos) << sql;
  ExpectRoundTrip(d);
}

TEST(StreamDefinitionTest, RoundTripsTheApiExampleAndMinimalStreams) {
  ExpectRoundTrip(BindDefinition(
      "CREATE STREAM telemetry (\n"
      "  device_id STRING NOT NULL, event_ts TIMESTAMP NOT NULL, temperature DOUBLE,\n"
      "  energy_consumed DOUBLE, user_id STRING, event_type STRING, session_duration DOUBLE, "
      "revenue DOUBLE\n"
      ") WITH (partitions = 16, partition_key = 'device_id', timestamp = 'event_ts',\n"
      "        out_of_order = '10s', allowed_lateness = '5s', out_of_order_policy = 'adjust', "
      "retention = '7d');"));
  ExpectRoundTrip(BindDefinition("CREATE STREAM s (a BIGINT)"));
  ExpectRoundTrip(BindDefinition("CREATE STREAM \"if\" (\"NOT\" BIGINT NOT NULL)"));
}

// Definitions built directly (not from SQL), with names and values chosen at random from tricky
// sets; each must come back field for field from its canonical SQL.
TEST(StreamDefinitionTest, RoundTripsRandomDefinitions) {
  const std::vector<std::string> names = {
      "a",      "Device", "select", "my stream", "it's", "\"q\"", "1st",      "x]y",  "température",
      "_u",     "FROM",   "end",    "a-b",       "NULL", "tab",   "Z9",       "with", "partitions",
      "stream", "a;b",    "/*c*/",  "--d",       "e.f",  "[g]",   "TIMESTAMP"};
  const DataType types[] = {DataType::kBoolean, DataType::kBigint, DataType::kDouble,
                            DataType::kString, DataType::kTimestamp};
  const Duration durations[] = {Duration::Micros(0),  Duration::Micros(1),   Duration::Micros(1500),
                                Duration::Seconds(1), Duration::Seconds(90), Duration::Hours(36),
                                Duration::Days(7),    Duration::Millis(250)};
  std::mt19937 rng(20261123);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  for (int iteration = 0; iteration < 300; ++iteration) {
    StreamDefinition d;
    d.name = names[pick(names.size())];
    if (d.name.find('/') != std::string::npos) d.name = "plain";  // not a directory name
    std::vector<Field> fields;
    size_t first = pick(names.size());
    size_t count = 1 + pick(8);
    for (size_t i = 0; i < count; ++i) {
      fields.push_back({names[(first + i) % names.size()], types[pick(5)], pick(2) == 0});
    }
    d.schema = std::make_shared<const Schema>(fields);
    d.partitions = 1 + static_cast<int>(pick(1024));
    const Field& key = fields[pick(fields.size())];
    if (pick(2) == 0 && key.type != DataType::kDouble) d.partition_key = key.name;
    const Field& ts = fields[pick(fields.size())];
    if (ts.type == DataType::kTimestamp) d.timestamp = ts.name;
    d.out_of_order = durations[pick(8)];
    d.allowed_lateness = durations[pick(8)];
    d.out_of_order_policy = pick(2) == 0 ? OutOfOrderPolicy::kAdjust : OutOfOrderPolicy::kDrop;
    d.max_future = durations[pick(8)];
    d.idle_timeout = durations[1 + pick(7)];
    if (pick(2) == 0) d.retention = durations[1 + pick(7)];
    if (pick(2) == 0) d.retention_bytes = 1 + rng();
    SCOPED_TRACE(d.ToSql());
    ExpectRoundTrip(d);
  }
}

TEST(StreamDefinitionTest, EqualityIsSameStream) {
  StreamDefinition base = BindDefinition("CREATE STREAM s (a BIGINT NOT NULL, b STRING)");
  EXPECT_TRUE(base == BindDefinition("create stream S (a bigint not null, b text null)"));
  EXPECT_TRUE(base ==
              BindDefinition("CREATE STREAM s (a INT NOT NULL, b STRING) WITH (partitions = 4, "
                             "max_future = '300s', out_of_order_policy = 'adjust')"));
  EXPECT_FALSE(base == BindDefinition("CREATE STREAM t (a BIGINT NOT NULL, b STRING)"));
  EXPECT_FALSE(base == BindDefinition("CREATE STREAM s (A BIGINT NOT NULL, b STRING)"));
  EXPECT_FALSE(base == BindDefinition("CREATE STREAM s (a BIGINT, b STRING)"));
  EXPECT_FALSE(base == BindDefinition("CREATE STREAM s (a DOUBLE NOT NULL, b STRING)"));
  EXPECT_FALSE(base == BindDefinition("CREATE STREAM s (b STRING, a BIGINT NOT NULL)"));
  EXPECT_FALSE(base == BindDefinition("CREATE STREAM s (a BIGINT NOT NULL, b STRING, c STRING)"));
  EXPECT_FALSE(base == BindDefinition(
                           "CREATE STREAM s (a BIGINT NOT NULL, b STRING) WITH (partitions = 5)"));
  EXPECT_FALSE(base == BindDefinition("CREATE STREAM s (a BIGINT NOT NULL, b STRING) WITH "
                                      "(partition_key = 'a')"));
  EXPECT_FALSE(base == BindDefinition("CREATE STREAM s (a BIGINT NOT NULL, b STRING) WITH "
                                      "(retention_bytes = 10)"));
  EXPECT_FALSE(base == BindDefinition("CREATE STREAM s (a BIGINT NOT NULL, b STRING) WITH "
                                      "(idle_timeout = '6s')"));
}

TEST(StreamDefinitionTest, DescribesDifferencesRequestedFirst) {
  StreamDefinition existing = BindDefinition(
      "CREATE STREAM telemetry (id STRING NOT NULL, temperature BIGINT) WITH (partitions = 8, "
      "retention = '7d')");
  StreamDefinition requested = BindDefinition(
      "CREATE STREAM telemetry (id STRING NOT NULL, temperature DOUBLE, extra BOOLEAN) WITH "
      "(partitions = 16, partition_key = 'id', out_of_order_policy = 'drop')");
  EXPECT_EQ(DescribeDifferences(requested, existing),
            (std::vector<std::string>{
                "3 columns vs existing 2",
                "column 2 temperature DOUBLE vs existing temperature BIGINT",
                "partitions 16 vs existing 8",
                "partition_key 'id' vs existing none",
                "out_of_order_policy 'drop' vs existing 'adjust'",
                "retention none vs existing '7d'",
            }));
  EXPECT_TRUE(DescribeDifferences(existing, existing).empty());
}

TEST(StreamDefinitionTest, NamesOutOfOrderPolicies) {
  EXPECT_EQ(OutOfOrderPolicyName(OutOfOrderPolicy::kAdjust), "adjust");
  EXPECT_EQ(OutOfOrderPolicyName(OutOfOrderPolicy::kDrop), "drop");
}

}  // namespace
}  // namespace braid::sql
