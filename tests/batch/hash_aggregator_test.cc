#include "batch/hash_aggregator.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "hash_aggregator_test_util.h"

namespace braid::batch {
namespace {

using testing::Concat;
using testing::ExpectSameRows;
using testing::kBase;
using testing::Plan;
using testing::RandomChunks;
using testing::ReferenceRows;
using testing::ViewRows;

// Every aggregate kind, tumbling windows, two STRING keys (one nullable).
constexpr std::string_view kAllAggregates =
    "CREATE VIEW every_aggregate AS SELECT device_id, site, COUNT(*) AS n, "
    "COUNT(temperature) AS nt, SUM(temperature) AS s, AVG(humidity) AS a, "
    "MIN(temperature) AS lo, MAX(humidity) AS hi, STDEV(temperature) AS sd, "
    "STDEVP(humidity) AS sdp, VAR(temperature) AS v, VARP(humidity) AS vp, "
    "COUNT(DISTINCT site) AS ds, APPROX_COUNT_DISTINCT(humidity) AS ads, "
    "PERCENTILE_CONT(0.5) OVER (ORDER BY temperature) AS med, "
    "PERCENTILE_DISC(0.9) OVER (ORDER BY humidity) AS p90, "
    "PERCENTILE_APPROX(temperature, 0.5) AS pa, "
    "COUNT(*) FILTER (WHERE humidity > 50) AS humid "
    "FROM telemetry GROUP BY device_id, site, TumblingWindow(minute, 5)";
// Hopping windows with WHERE, HAVING and an output expression; a DOUBLE key.
constexpr std::string_view kHopping =
    "CREATE VIEW hopping AS SELECT site, humidity, COUNT(*) AS n, SUM(temperature) * 2 AS s2, "
    "MIN(ts) AS first_ts FROM telemetry WHERE temperature > 0 OR temperature IS NULL "
    "GROUP BY site, humidity, HoppingWindow(minute, 10, 5) HAVING COUNT(*) > 1";
constexpr std::string_view kSession =
    "CREATE VIEW sessions AS SELECT device_id, COUNT(*) AS n, AVG(temperature) AS a, "
    "COUNT(DISTINCT site) AS ds FROM telemetry "
    "GROUP BY device_id, SessionWindow(minute, 1, 10, PARTITION BY device_id)";
constexpr std::string_view kSessionByKey =
    "CREATE VIEW site_sessions AS SELECT site, device_id, SUM(humidity) AS s, "
    "MAX(temperature) AS hi FROM telemetry "
    "GROUP BY site, device_id, SessionWindow(second, 20, 120, PARTITION BY site)";
constexpr std::string_view kNoWindow =
    "CREATE VIEW totals AS SELECT site, COUNT(*) AS n, SUM(humidity) AS s, "
    "STDEV(temperature) AS sd FROM telemetry GROUP BY site";
// BIGINT keys and the ingestion time as event time.
constexpr std::string_view kRaw =
    "CREATE VIEW raw_counts AS SELECT tag, v, COUNT(*) AS n, SUM(v) AS s FROM raw "
    "GROUP BY tag, v, TumblingWindow(minute, 1)";

constexpr std::string_view kViews[] = {kAllAggregates, kHopping,  kSession,
                                       kSessionByKey,  kNoWindow, kRaw};

std::vector<Chunk> Finish(HashAggregator& aggregator, size_t rows_per_chunk = 65536) {
  Result<std::vector<Chunk>> rows = aggregator.Finish(rows_per_chunk);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? std::move(rows).value() : std::vector<Chunk>{};
}

void ConsumeAll(HashAggregator& aggregator, const std::vector<Chunk>& chunks) {
  for (const Chunk& chunk : chunks) {
    Status status = aggregator.Consume(chunk);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
}

class HashAggregatorViews : public ::testing::TestWithParam<std::string_view> {};

TEST_P(HashAggregatorViews, EqualsReferenceExecutor) {
  sql::ViewPlanPtr plan = Plan(GetParam());
  ASSERT_NE(plan->input_schema, nullptr);
  for (uint64_t seed : {1, 2, 3}) {
    std::vector<Chunk> chunks = RandomChunks(*plan, 2000 + 1000 * seed, seed);
    HashAggregator aggregator(plan, AggregatorOptions{});
    ConsumeAll(aggregator, chunks);
    std::vector<Chunk> rows = Finish(aggregator, 97);
    for (const Chunk& chunk : rows) {
      EXPECT_LE(chunk.num_rows(), 97u);
      EXPECT_EQ(*chunk.schema(), *BatchViewSchema(*plan));
    }
    Chunk expected = ReferenceRows(plan, chunks);
    ASSERT_GT(expected.num_rows(), 5u);
    ExpectSameRows(expected, ViewRows(*plan, rows));
  }
}

TEST_P(HashAggregatorViews, MergeFromEqualsOnePass) {
  sql::ViewPlanPtr plan = Plan(GetParam());
  std::vector<Chunk> chunks = RandomChunks(*plan, 4000, 7);
  for (size_t parts : {2, 3, 4}) {
    std::vector<std::unique_ptr<HashAggregator>> aggregators;
    for (size_t i = 0; i < parts; ++i) {
      aggregators.push_back(std::make_unique<HashAggregator>(plan, AggregatorOptions{}));
    }
    for (size_t i = 0; i < chunks.size(); ++i) {
      ASSERT_TRUE(aggregators[i % parts]->Consume(chunks[i]).ok());
    }
    for (size_t i = 1; i < parts; ++i) {
      ASSERT_TRUE(aggregators[0]->MergeFrom(*aggregators[i]).ok());
      EXPECT_EQ(aggregators[i]->groups(), 0u);
      EXPECT_TRUE(Finish(*aggregators[i]).empty());
    }
    ExpectSameRows(ReferenceRows(plan, chunks), ViewRows(*plan, Finish(*aggregators[0])));
  }
}

INSTANTIATE_TEST_SUITE_P(Views, HashAggregatorViews, ::testing::ValuesIn(kViews));

class HashAggregatorRefresh : public ::testing::TestWithParam<std::string_view> {};

// Incremental refresh: the stored rows of a first part, then the rows of a second.
TEST_P(HashAggregatorRefresh, ConsumeStatesThenRowsEqualsOnePass) {
  sql::ViewPlanPtr plan = Plan(GetParam());
  std::vector<Chunk> first = RandomChunks(*plan, 3000, 11);
  std::vector<Chunk> second = RandomChunks(*plan, 1500, 12, 300, 3000);
  HashAggregator before(plan, AggregatorOptions{});
  ConsumeAll(before, first);
  std::vector<Chunk> stored = Finish(before, 50);
  HashAggregator refreshed(plan, AggregatorOptions{});
  for (const Chunk& chunk : stored) {
    Status status = refreshed.ConsumeStates(chunk);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  ConsumeAll(refreshed, second);
  std::vector<Chunk> all = first;
  all.insert(all.end(), second.begin(), second.end());
  ExpectSameRows(ReferenceRows(plan, all), ViewRows(*plan, Finish(refreshed)));
  // The stored states alone give back the stored rows.
  HashAggregator reloaded(plan, AggregatorOptions{});
  for (const Chunk& chunk : stored) ASSERT_TRUE(reloaded.ConsumeStates(chunk).ok());
  ExpectSameRows(ViewRows(*plan, stored), ViewRows(*plan, Finish(reloaded)));
}

INSTANTIATE_TEST_SUITE_P(Views, HashAggregatorRefresh,
                         ::testing::Values(kAllAggregates, kHopping, kNoWindow, kRaw));

// Exact rows written out by hand: window columns, HAVING's `_having`, states that decode.
TEST(HashAggregator, FinishRowsByHand) {
  sql::ViewPlanPtr plan = Plan(
      "CREATE VIEW per_device AS SELECT device_id, COUNT(*) AS n, MAX(temperature) AS hi "
      "FROM telemetry GROUP BY device_id, TumblingWindow(minute, 1) HAVING COUNT(*) > 1");
  Chunk rows(plan->input_schema);
  struct Row {
    const char* device;
    int64_t seconds;
    double temperature;
  };
  for (const Row& r : {Row{"b", 10, 1.5}, Row{"a", 30, 2.0}, Row{"b", 60, 3.0}, Row{"b", 61, -1.0},
                       Row{"a", 59, 4.0}}) {
    rows.mutable_column(0).AppendString(r.device);
    rows.mutable_column(1).AppendNull();
    rows.mutable_column(2).AppendDouble(r.temperature);
    rows.mutable_column(3).AppendNull();
    rows.mutable_column(4).AppendInt64(kBase + r.seconds * 1000000);
    rows.mutable_column(5).AppendInt64(kBase);
    rows.mutable_column(6).AppendInt64(0);
    rows.mutable_column(7).AppendInt64(r.seconds);
  }
  HashAggregator aggregator(plan, AggregatorOptions{});
  ASSERT_TRUE(aggregator.Consume(rows).ok());
  EXPECT_EQ(aggregator.groups(), 3u);
  std::vector<Chunk> out = Finish(aggregator);
  ASSERT_EQ(out.size(), 1u);
  std::vector<std::string> rendered = sql::testing::Render(out[0]);
  ASSERT_EQ(rendered.size(), 3u);
  // kBase is a whole minute: (kBase, kBase + 1 min] holds seconds 10 through 60.
  const int64_t minute = 60000000;
  std::vector<std::vector<std::string>> expected = {
      {"'a'", std::to_string(kBase), std::to_string(kBase + minute), "2", "4", "true"},
      {"'b'", std::to_string(kBase), std::to_string(kBase + minute), "2", "3", "true"},
      {"'b'", std::to_string(kBase + minute), std::to_string(kBase + 2 * minute), "1", "-1",
       "false"}};
  for (size_t row = 0; row < 3; ++row) {
    for (size_t c = 0; c < 6; ++c) {
      const Column& column = out[0].column(c);
      std::string cell = column.type() == DataType::kTimestamp
                             ? std::to_string(column.int64s()[row])
                             : sql::testing::RenderCell(column, row);
      EXPECT_EQ(cell, expected[row][c]) << "row " << row << " column " << c;
    }
  }
  EXPECT_EQ(FirstStateColumn(*plan), 6u);
  EXPECT_EQ(out[0].schema()->field(6).name, "_state_0");
  EXPECT_EQ(out[0].schema()->field(7).name, "_state_1");
}

TEST(HashAggregator, OutOfMemoryPastTheLimit) {
  sql::ViewPlanPtr plan = Plan(kAllAggregates);
  std::vector<Chunk> chunks = RandomChunks(*plan, 3000, 5);
  HashAggregator aggregator(plan, AggregatorOptions{.memory_limit = 64 * 1024});
  Status status = Status::Ok();
  for (const Chunk& chunk : chunks) {
    status = aggregator.Consume(chunk);
    if (!status.ok()) break;
  }
  ASSERT_EQ(status.code(), StatusCode::kOutOfMemory) << status.ToString();
  EXPECT_NE(status.message().find("every_aggregate"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("65536"), std::string::npos) << status.message();
  // Session windows count their buffered rows.
  sql::ViewPlanPtr sessions = Plan(kSession);
  HashAggregator buffered(sessions, AggregatorOptions{.memory_limit = 16 * 1024});
  status = Status::Ok();
  for (const Chunk& chunk : RandomChunks(*sessions, 3000, 5)) {
    status = buffered.Consume(chunk);
    if (!status.ok()) break;
  }
  EXPECT_EQ(status.code(), StatusCode::kOutOfMemory) << status.ToString();
}

// The rows Finish builds count against the limit with the cells: a limit the cells fit in but
// not the rows as well fails Finish with kOutOfMemory; a little more room and it succeeds.
TEST(HashAggregator, FinishRowsCountAgainstTheLimit) {
  sql::ViewPlanPtr plan = Plan(kAllAggregates);
  std::vector<Chunk> chunks = RandomChunks(*plan, 3000, 5);
  HashAggregator measure(plan, AggregatorOptions{});
  ConsumeAll(measure, chunks);
  const size_t cells = measure.memory_bytes();
  size_t rows = 0;
  for (const Chunk& chunk : Finish(measure, 64)) rows += chunk.MemoryBytes();
  ASSERT_GT(rows, 0u);

  HashAggregator tight(plan, AggregatorOptions{.memory_limit = cells + rows / 2});
  ConsumeAll(tight, chunks);
  Result<std::vector<Chunk>> failed = tight.Finish(64);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kOutOfMemory) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("every_aggregate"), std::string::npos);

  HashAggregator roomy(plan, AggregatorOptions{.memory_limit = cells + rows + 4096});
  ConsumeAll(roomy, chunks);
  EXPECT_TRUE(roomy.Finish(64).ok());
}

TEST(HashAggregator, ErrorsAreValues) {
  sql::ViewPlanPtr plan = Plan(kNoWindow);
  HashAggregator aggregator(plan, AggregatorOptions{});
  // A NULL event time.
  Chunk rows = RandomChunks(*plan, 1, 1)[0];
  Chunk null_time(plan->input_schema);
  for (size_t c = 0; c < rows.num_columns(); ++c) {
    if (plan->input_schema->field(c).name == "ts") {
      null_time.mutable_column(c).AppendNull();
    } else {
      null_time.mutable_column(c).AppendFrom(rows.column(c), 0);
    }
  }
  EXPECT_EQ(aggregator.Consume(null_time).code(), StatusCode::kDataError);
  // An undecodable state.
  ASSERT_TRUE(aggregator.Consume(rows).ok());
  std::vector<Chunk> stored = Finish(aggregator);
  ASSERT_EQ(stored.size(), 1u);
  std::vector<Column> columns;
  for (size_t c = 0; c < stored[0].num_columns(); ++c) columns.push_back(stored[0].column(c));
  columns[FirstStateColumn(*plan)] = Column(DataType::kString);
  columns[FirstStateColumn(*plan)].AppendString("\x01\x02garbage");
  Result<Chunk> corrupt = Chunk::Make(BatchViewSchema(*plan), std::move(columns));
  ASSERT_TRUE(corrupt.ok()) << corrupt.status().ToString();
  HashAggregator reader(plan, AggregatorOptions{});
  EXPECT_EQ(reader.ConsumeStates(*corrupt).code(), StatusCode::kCorruption);
  // Sessions have no stored states to merge.
  sql::ViewPlanPtr sessions = Plan(kSession);
  HashAggregator session_aggregator(sessions, AggregatorOptions{});
  EXPECT_EQ(session_aggregator.ConsumeStates(Chunk(BatchViewSchema(*sessions))).code(),
            StatusCode::kUnsupported);
  EXPECT_EQ(aggregator.MergeFrom(aggregator).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace braid::batch
