// Roll-ups over views end to end (issue 7, API.md "Queries"): GROUP BY over a view re-aggregates
// its stored states, so a select item naming an aggregate column of the view is that column
// recomputed over the coarser group, exact for AVG, STDEV and COUNT(DISTINCT). The IoT tests read
// device_metrics (minute windows) while it mixes a batch version with speed generations, and
// DuckDB aggregates the raw events directly into hours or per device: the minute view rolled up
// must equal that, with windows (start, end] (an event at exactly 01:00:00 is in the hour ending
// 01:00). Also: SEMANTICS example 4 on a 5-minute view, WHERE before and HAVING / ORDER BY /
// LIMIT after the roll-up, ordinary aggregates over a view's rows, and the errors of a GROUP BY
// on a column that is not a key and of an ordinary aggregate mixed with a bare aggregate column.
// The IoT tests skip without the DuckDB oracle.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "iot_query_util.h"
#include "speed_test_fixture.h"
#include "sql/view_oracle_util.h"

namespace braid::serving {
namespace {

using braid::testing::OracleRow;
using testing::ColumnsOf;
using testing::IotWorkload;

constexpr int64_t kHourMicros = 3'600'000'000;
constexpr int64_t kMinuteMicros = 60'000'000;

// `rows` ordered by its first two columns (a key, then a time or a number).
Chunk SortedByKeyAndTime(const Chunk& rows) {
  std::vector<uint32_t> order(rows.num_rows());
  std::iota(order.begin(), order.end(), 0u);
  const Column& key = rows.column(0);
  const Column& time = rows.column(1);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const int c = key.StringAt(a).compare(key.StringAt(b));
    return c != 0 ? c < 0 : time.int64s()[a] < time.int64s()[b];
  });
  return rows.Select(order);
}

// A BIGINT or DOUBLE cell as a double (counts stay exact below 2^53).
double NumberAt(const Column& column, size_t row) {
  if (column.type() == DataType::kDouble) return column.doubles()[row];
  return static_cast<double>(column.int64s()[row]);
}

// device_metrics over 40,000 events spanning about 2 h 47 min: 25,000 refreshed into the batch
// view (epoch 1), 15,000 more in the speed layer only. The stream tolerates an hour of disorder,
// so the speed layer sees nothing late and every event counts at its own time.
class RollupIotTest : public testing::IotDatabaseTest {
 protected:
  static constexpr uint64_t kEvents = 40'000;

  void SetUp() override {
    if (!braid::testing::OracleAvailable()) GTEST_SKIP() << "DuckDB oracle not installed";
    OpenIot("1h", IotWorkload(/*late_fraction=*/0.02, /*seed=*/21, /*rate=*/4.0));
    Ingest(25'000);
    EXPECT_EQ(Refresh(), 1);
    Ingest(kEvents - 25'000);
    CatchUp();
  }

  // DuckDB's aggregates of the raw events (the first `events`, or all), by device and the end of
  // the hour holding each.
  std::vector<OracleRow> HourlyOracle(std::optional<uint64_t> events = std::nullopt) {
    return Oracle(
        fmt::format(
            "SELECT device_id, we, count(*), avg(temperature), stddev_samp(temperature), "
            "count(DISTINCT user_id), max(temperature), min(temperature), sum(energy_consumed), "
            "quantile_cont(temperature, 0.95), CASE WHEN avg(temperature) > 85 THEN 'HIGH_TEMP' "
            "WHEN avg(temperature) < 32 THEN 'LOW_TEMP' ELSE 'NORMAL' END "
            "FROM (SELECT *, {} AS we FROM events) GROUP BY device_id, we ORDER BY device_id, we",
            sql::testing::GridCeilingSql("event_us", kHourMicros)),
        events);
  }
};

constexpr std::string_view kHourly =
    "SELECT device_id, System.Timestamp() AS window_end, event_count, avg_temperature, "
    "stddev_temperature, unique_users, max_temperature, min_temperature, total_energy, "
    "p95_temperature, alert_level FROM device_metrics GROUP BY device_id, TumblingWindow(hour, 1)";
const std::vector<std::string> kHourlyColumns = {
    "device_id",          "window_end",      "event_count",     "avg_temperature",
    "stddev_temperature", "unique_users",    "max_temperature", "min_temperature",
    "total_energy",       "p95_temperature", "alert_level"};

TEST_F(RollupIotTest, HourlyRollUpEqualsDuckDbHourlyAggregationOfTheEvents) {
  const QueryResult merged = Run(kHourly);
  ASSERT_TRUE(merged.coverage.has_value());
  EXPECT_EQ(merged.coverage->batch_epoch, 1);
  const std::vector<OracleRow> oracle = HourlyOracle();
  EXPECT_GE(oracle.size(), 200u * 3);  // every device in at least three hours
  size_t alerting = 0;                 // the hot and cold devices' hours
  for (const OracleRow& row : oracle) alerting += std::get<std::string>(row.back()) != "NORMAL";
  EXPECT_GT(alerting, 0u);
  sql::testing::ExpectRowsAgree("hourly roll-up",
                                SortedByKeyAndTime(ColumnsOf(merged, kHourlyColumns)), oracle, 1);
  // Every event once: the hourly counts add up to what was ingested.
  const Chunk counts = ColumnsOf(merged, {"event_count"});
  int64_t total = 0;
  for (int64_t n : counts.column(0).int64s()) total += n;
  EXPECT_EQ(total, static_cast<int64_t>(kEvents));
}

TEST_F(RollupIotTest, HourlyRollUpOfTheBatchViewAloneCountsTheAbsorbedEvents) {
  const QueryResult exact = Run(kHourly, Consistency::kExact);
  const std::vector<OracleRow> oracle = HourlyOracle(25'000);
  sql::testing::ExpectRowsAgree("hourly roll-up of exact",
                                SortedByKeyAndTime(ColumnsOf(exact, kHourlyColumns)), oracle, 1);
}

TEST_F(RollupIotTest, PerDeviceTotalsMergeEveryWindow) {
  const QueryResult merged =
      Run("SELECT device_id, event_count, avg_temperature, stddev_temperature, unique_users, "
          "max_temperature, total_energy FROM device_metrics GROUP BY device_id");
  const std::vector<OracleRow> oracle = Oracle(
      "SELECT device_id, count(*), avg(temperature), stddev_samp(temperature), "
      "count(DISTINCT user_id), max(temperature), sum(energy_consumed) FROM events "
      "GROUP BY device_id ORDER BY device_id");
  ASSERT_EQ(oracle.size(), 200u);
  const Chunk rows = SortedByKeyAndTime(
      ColumnsOf(merged, {"device_id", "event_count", "avg_temperature", "stddev_temperature",
                         "unique_users", "max_temperature", "total_energy"}));
  sql::testing::ExpectRowsAgree("per-device roll-up", rows, oracle, 1);
}

TEST_F(RollupIotTest, WhereFiltersViewRowsThenHavingOrderAndLimitApplyToTheRollUp) {
  // Minute windows ending by 01:30 only (about 108 events per device); then the devices with at
  // least 115 such events, the five busiest (ties by device).
  const QueryResult merged =
      Run("SELECT device_id, event_count, unique_users FROM device_metrics "
          "WHERE window_end <= TIMESTAMP '2026-11-23T01:30:00Z' GROUP BY device_id "
          "HAVING event_count >= 115 ORDER BY event_count DESC, device_id LIMIT 5");
  const std::vector<OracleRow> oracle = Oracle(fmt::format(
      "SELECT device_id, count(*) AS n, count(DISTINCT user_id) FROM events WHERE {} <= {} "
      "GROUP BY device_id HAVING count(*) >= 115 ORDER BY n DESC, device_id LIMIT 5",
      sql::testing::GridCeilingSql("event_us", kMinuteMicros),
      1795392000000000 + 90 * kMinuteMicros));
  ASSERT_EQ(oracle.size(), 5u);  // the threshold keeps more than five devices
  sql::testing::ExpectRowsAgree("filtered roll-up",
                                ColumnsOf(merged, {"device_id", "event_count", "unique_users"}),
                                oracle, 1);
}

TEST_F(RollupIotTest, OrdinaryAggregatesRunOverAllTheViewRows) {
  const std::string minutes = sql::testing::GridCeilingSql("event_us", kMinuteMicros);
  QueryResult all = Run("SELECT COUNT(*), SUM(event_count) FROM device_metrics");
  ASSERT_EQ(all.num_rows(), 1u);
  ASSERT_EQ(all.chunks.size(), 1u);
  ASSERT_GE(all.chunks[0].num_columns(), 2u);
  const std::vector<OracleRow> cells =
      Oracle(fmt::format("SELECT count(DISTINCT (device_id, {})) FROM events", minutes));
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(NumberAt(all.chunks[0].column(0), 0),
            std::stod(std::get<std::string>(cells[0][0])));  // one view row per device minute
  EXPECT_EQ(NumberAt(all.chunks[0].column(1), 0), static_cast<double>(kEvents));
}

TEST_F(RollupIotTest, OrdinaryAggregatesRunOverTheViewRowsOfEachGroup) {
  const std::string minutes = sql::testing::GridCeilingSql("event_us", kMinuteMicros);
  // Per device: its number of minute rows and its events.
  const QueryResult per_device =
      Run("SELECT device_id, COUNT(*) AS minutes, SUM(event_count) AS events FROM device_metrics "
          "GROUP BY device_id ORDER BY device_id");
  const std::vector<OracleRow> oracle = Oracle(
      fmt::format("SELECT device_id, count(DISTINCT {}), count(*) FROM events GROUP BY device_id "
                  "ORDER BY device_id",
                  minutes));
  const Chunk rows = ColumnsOf(per_device, {"device_id", "minutes", "events"});
  ASSERT_EQ(rows.num_rows(), oracle.size());
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    ASSERT_EQ(std::get<std::string>(oracle[r][0]), rows.column(0).StringAt(r));
    EXPECT_EQ(NumberAt(rows.column(1), r), std::stod(std::get<std::string>(oracle[r][1])))
        << rows.column(0).StringAt(r);
    EXPECT_EQ(NumberAt(rows.column(2), r), std::stod(std::get<std::string>(oracle[r][2])))
        << rows.column(0).StringAt(r);
  }
}

// Errors of a roll-up: a grouping by a column that is not one of the view's keys, and an
// ordinary aggregate beside a bare aggregate column of the view.
class RollupErrorTest : public testing::SpeedTest {
 protected:
  void SetUp() override {
    OpenQuiet();
    CreateStream("partitions = 1");
    Run("CREATE VIEW f AS SELECT k, COUNT(*) AS n, AVG(v) AS mean FROM s "
        "GROUP BY k, TumblingWindow(minute, 5)");
  }

  void ExpectGroupingError(const std::string& sql) {
    Result<QueryResult> result = db_->Execute(sql, Consistency::kMerged);
    ASSERT_FALSE(result.ok()) << sql;
    EXPECT_TRUE(result.status().code() == StatusCode::kGroupingError ||
                result.status().code() == StatusCode::kInvalidArgument)
        << sql << ": " << result.status().ToString();
  }
};

TEST_F(RollupErrorTest, GroupByAColumnThatIsNotAViewKey) {
  const std::string sql = "SELECT mean, n FROM f GROUP BY mean";
  ExpectGroupingError(sql);
  Result<QueryResult> result = db_->Execute(sql, Consistency::kMerged);
  ASSERT_FALSE(result.ok());
  ASSERT_TRUE(result.status().position().has_value()) << result.status().ToString();
  EXPECT_EQ(result.status().position()->line, 1);
  EXPECT_EQ(result.status().position()->column, static_cast<int>(sql.rfind("mean")) + 1)
      << result.status().ToString();
}

TEST_F(RollupErrorTest, UnknownColumnInARollUpItemIsReportedWhereItIsWritten) {
  const std::string sql = "SELECT k, nope FROM f GROUP BY k";
  Result<QueryResult> result = db_->Execute(sql, Consistency::kMerged);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUndefinedColumn) << result.status().ToString();
  ASSERT_TRUE(result.status().position().has_value()) << result.status().ToString();
  EXPECT_EQ(result.status().position()->line, 1);
  EXPECT_EQ(result.status().position()->column, static_cast<int>(sql.find("nope")) + 1)
      << result.status().ToString();
}

TEST_F(RollupErrorTest, OrdinaryAggregateBesideABareAggregateColumn) {
  ExpectGroupingError("SELECT COUNT(*), n FROM f");
  ExpectGroupingError("SELECT k, SUM(n), mean FROM f GROUP BY k");
}

// SEMANTICS example 4 on a 5-minute view, in the speed layer, in the batch view and merged. The
// stream tolerates an hour of disorder, so events appended after later ones are not late (the
// speed layer counts them at their own time).
class RollupExample4Test : public testing::SpeedTest {
 protected:
  void SetUp() override {
    OpenQuiet();
    CreateStream("partitions = 1, out_of_order = '1h'");
    Run("CREATE VIEW f AS SELECT k, COUNT(*) AS n FROM s GROUP BY k, TumblingWindow(minute, 5)");
  }

  std::vector<std::string> HourlyCounts() {
    QueryResult result =
        Run("SELECT k, System.Timestamp() AS window_end, n FROM f GROUP BY k, "
            "TumblingWindow(hour, 1)");
    QueryResult picked;
    picked.chunks.push_back(ColumnsOf(result, {"k", "window_end", "n"}));
    std::vector<std::string> rows = testing::RowTexts(picked);
    std::sort(rows.begin(), rows.end());
    return rows;
  }
};

using testing::At;

TEST_F(RollupExample4Test, FiveMinuteCountsRolledUpToHours) {
  Append(0, {{"a", At(0, 57, 0)}, {"a", At(1, 2, 0)}});
  CatchUp();
  const std::vector<std::string> truth{"a|01:00:00|1", "a|02:00:00|1"};
  EXPECT_EQ(HourlyCounts(), truth);  // speed generations only
  Refresh("f");
  EXPECT_EQ(HourlyCounts(), truth);  // the batch view only
  EXPECT_EQ(Rows("SELECT k, window_end, n FROM f ORDER BY window_end", Consistency::kExact),
            (std::vector<std::string>{"a|01:00:00|1|BATCH", "a|01:05:00|1|BATCH"}));
  // An event at exactly 01:00:00 is in the hour ending 01:00; one just after 02:00 in the next.
  // Both stay in the speed layer, merged with the batch view's 5-minute states.
  Append(0, {{"a", At(1, 0, 0)}, {"a", At(2, 0, 0.000001)}});
  CatchUp();
  EXPECT_EQ(HourlyCounts(),
            (std::vector<std::string>{"a|01:00:00|2", "a|02:00:00|1", "a|03:00:00|1"}));
  QueryResult all = Run("SELECT k, n FROM f GROUP BY k");
  QueryResult picked;
  picked.chunks.push_back(ColumnsOf(all, {"k", "n"}));
  EXPECT_EQ(testing::RowTexts(picked), std::vector<std::string>{"a|4"});
}

}  // namespace
}  // namespace braid::serving
