// SELECT, CREATE VIEW, CREATE ALERT and SET: the trees they give, the examples of API.md and of
// the seed's Stream Analytics queries verbatim, and canonical text round trips.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "expression_test_util.h"
#include "sql/parser.h"
#include "sql/printer.h"

namespace braid::sql {
namespace {

using testing::NodeAs;

template <typename T>
T ParseQueryAs(std::string_view sql) {
  Result<ParsedStatement> parsed = ParseStatement(sql);
  EXPECT_TRUE(parsed.ok()) << sql << ": " << parsed.status().ToString();
  if (!parsed.ok()) return T{};
  T* statement = std::get_if<T>(&parsed->statement);
  EXPECT_NE(statement, nullptr) << sql;
  return statement != nullptr ? std::move(*statement) : T{};
}

constexpr std::string_view kApiView =
    "CREATE VIEW device_metrics AS\n"
    "SELECT device_id, System.Timestamp() AS window_end,\n"
    "       COUNT(*) AS event_count, AVG(temperature) AS avg_temperature,\n"
    "       MAX(temperature) AS max_temperature, MIN(temperature) AS min_temperature,\n"
    "       STDEV(temperature) AS stddev_temperature, PERCENTILE_APPROX(temperature, 0.5) AS "
    "median_temperature,\n"
    "       SUM(energy_consumed) AS total_energy, COUNT(DISTINCT user_id) AS unique_users,\n"
    "       CASE WHEN AVG(temperature) > 85 THEN 'HIGH_TEMP'\n"
    "            WHEN AVG(temperature) < 32 THEN 'LOW_TEMP' ELSE 'NORMAL' END AS alert_level\n"
    "FROM telemetry TIMESTAMP BY event_ts\n"
    "GROUP BY device_id, TumblingWindow(minute, 1);";

constexpr std::string_view kApiAlert =
    "CREATE ALERT temperature_alerts ON device_metrics WHERE alert_level <> 'NORMAL';";

TEST(QueryParserTest, ApiDeviceMetricsView) {
  auto view = ParseQueryAs<CreateViewStatement>(kApiView);
  EXPECT_EQ(view.name, "device_metrics");
  EXPECT_FALSE(view.or_replace);
  EXPECT_EQ(view.name_position.column, 13);
  const SelectStatement& q = view.query;
  EXPECT_EQ(q.position.line, 2);
  ASSERT_EQ(q.items.size(), 11u);
  const std::string_view aliases[] = {"window_end",         "event_count",     "avg_temperature",
                                      "max_temperature",    "min_temperature", "stddev_temperature",
                                      "median_temperature", "total_energy",    "unique_users",
                                      "alert_level"};
  EXPECT_FALSE(q.items[0].alias.has_value());
  for (size_t i = 1; i < 11; ++i) EXPECT_EQ(q.items[i].alias, aliases[i - 1]) << i;
  EXPECT_EQ(NodeAs<FunctionCall>(*q.items[1].expr).name,
            (std::vector<std::string>{"System", "Timestamp"}));
  const FunctionCall& count = NodeAs<FunctionCall>(*q.items[2].expr);
  ASSERT_EQ(count.arguments.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Star>(count.arguments[0]->node));
  EXPECT_TRUE(NodeAs<FunctionCall>(*q.items[9].expr).distinct);
  EXPECT_EQ(NodeAs<CaseExpr>(*q.items[10].expr).whens.size(), 2u);
  EXPECT_EQ(q.items[10].position.line, 7);
  EXPECT_EQ(q.items[10].position.column, 8);
  EXPECT_EQ(q.from, "telemetry");
  EXPECT_EQ(q.from_position.line, 9);
  EXPECT_EQ(NodeAs<ColumnRef>(*q.timestamp_by).name, "event_ts");
  ASSERT_EQ(q.group_by.size(), 2u);
  const WindowSpec& window = NodeAs<WindowSpec>(*q.group_by[1]);
  EXPECT_EQ(window.kind, WindowKind::kTumbling);
  EXPECT_EQ(window.unit, TimeUnit::kMinute);
  EXPECT_EQ(window.size, 1);
  EXPECT_EQ(q.group_by[1]->position.line, 10);
  EXPECT_EQ(q.group_by[1]->position.column, 21);
  EXPECT_EQ(q.where, nullptr);
  EXPECT_FALSE(q.limit.has_value());
}

TEST(QueryParserTest, ApiAlert) {
  auto alert = ParseQueryAs<CreateAlertStatement>(kApiAlert);
  EXPECT_EQ(alert.name, "temperature_alerts");
  EXPECT_EQ(alert.view, "device_metrics");
  EXPECT_EQ(alert.view_position.column, 36);
  ASSERT_NE(alert.condition, nullptr);
  EXPECT_EQ(ToSql(*alert.condition), "alert_level <> 'NORMAL'");
  EXPECT_EQ(alert.condition->position.column, 57);
}

TEST(QueryParserTest, ApiScriptParsesAsThreeStatements) {
  std::string script = fmt::format(
      "CREATE STREAM telemetry (device_id STRING NOT NULL, event_ts TIMESTAMP NOT NULL, "
      "temperature DOUBLE) WITH (partitions = 16, timestamp = 'event_ts');\n\n{}\n\n{}\n",
      kApiView, kApiAlert);
  Result<std::vector<ParsedStatement>> statements = ParseScript(script);
  ASSERT_TRUE(statements.ok()) << statements.status().ToString();
  ASSERT_EQ(statements->size(), 3u);
  EXPECT_TRUE(std::holds_alternative<CreateStreamStatement>((*statements)[0].statement));
  EXPECT_TRUE(std::holds_alternative<CreateViewStatement>((*statements)[1].statement));
  EXPECT_TRUE(std::holds_alternative<CreateAlertStatement>((*statements)[2].statement));
  EXPECT_EQ((*statements)[1].position.line, 3);
  EXPECT_EQ((*statements)[1].text, kApiView.substr(0, kApiView.size() - 1));
}

TEST(QueryParserTest, SeedStreamAnalyticsQueries) {
  const std::string_view queries[] = {
      "SELECT\n    deviceId,\n    System.Timestamp() AS WindowEnd,\n    COUNT(*) AS EventCount,\n"
      "    AVG(temperature) AS AvgTemperature,\n    SUM(energyConsumed) AS TotalEnergy,\n"
      "    COUNT(DISTINCT userId) AS UniqueUsers\nFROM\n"
      "    EventHubInput TIMESTAMP BY eventTimestamp\nGROUP BY\n    deviceId,\n"
      "    TumblingWindow(minute, 1)",
      "SELECT deviceId, System.Timestamp() AS WindowEnd, AVG(temperature) AS avgTemp\n"
      "FROM Input TIMESTAMP BY eventTime\n"
      "GROUP BY deviceId, HoppingWindow(minute, 5, 1)  -- 5-min window, 1-min hop",
      "SELECT deviceId, System.Timestamp() AS WindowEnd, COUNT(*) AS eventCount\n"
      "FROM Input TIMESTAMP BY eventTime\n"
      "GROUP BY deviceId, SessionWindow(minute, 5, 10)  -- 5-min timeout, 10-min max",
  };
  const WindowKind kinds[] = {WindowKind::kTumbling, WindowKind::kHopping, WindowKind::kSession};
  for (size_t i = 0; i < 3; ++i) {
    auto select = ParseQueryAs<SelectStatement>(queries[i]);
    ASSERT_EQ(select.group_by.size(), 2u) << queries[i];
    EXPECT_EQ(NodeAs<WindowSpec>(*select.group_by[1]).kind, kinds[i]);
    EXPECT_NE(select.timestamp_by, nullptr);
  }
}

TEST(QueryParserTest, SelectWithEveryClause) {
  auto s = ParseQueryAs<SelectStatement>(
      "select distinct t.*, device_id d, COUNT(*) n from device_metrics "
      "where window_end >= TIMESTAMP '2026-11-23T00:00:00Z' and device_id like 'dev-%' "
      "group by device_id, TumblingWindow(hour, 1) having count(*) > 2 "
      "order by n desc nulls last, device_id limit 10 offset 20");
  EXPECT_TRUE(s.distinct);
  ASSERT_EQ(s.items.size(), 3u);
  EXPECT_EQ(NodeAs<Star>(*s.items[0].expr).qualifier, "t");
  EXPECT_EQ(s.items[1].alias, "d");
  EXPECT_EQ(s.from, "device_metrics");
  EXPECT_EQ(s.timestamp_by, nullptr);
  EXPECT_EQ(NodeAs<BinaryExpr>(*s.where).op, BinaryOp::kAnd);
  EXPECT_EQ(s.group_by.size(), 2u);
  EXPECT_NE(s.having, nullptr);
  ASSERT_EQ(s.order_by.size(), 2u);
  EXPECT_EQ(s.order_by[0].direction, SortDirection::kDescending);
  EXPECT_EQ(s.order_by[0].nulls, NullsOrder::kLast);
  EXPECT_EQ(s.order_by[1].direction, SortDirection::kAscending);
  EXPECT_EQ(s.limit, 10);
  EXPECT_EQ(s.offset, 20);
  auto star = ParseQueryAs<SelectStatement>("SELECT * FROM device_metrics LIMIT 5");
  ASSERT_EQ(star.items.size(), 1u);
  EXPECT_FALSE(NodeAs<Star>(*star.items[0].expr).qualifier.has_value());
  EXPECT_EQ(star.limit, 5);
}

TEST(QueryParserTest, CreateOrReplaceAndSet) {
  auto view = ParseQueryAs<CreateViewStatement>("create or replace view v as select a from s");
  EXPECT_TRUE(view.or_replace);
  EXPECT_EQ(view.query.from, "s");
  auto alert = ParseQueryAs<CreateAlertStatement>("CREATE OR REPLACE ALERT hot ON v WHERE t > 90");
  EXPECT_TRUE(alert.or_replace);
  auto set = ParseQueryAs<SetStatement>("SET consistency = 'exact'");
  EXPECT_EQ(set.name, "consistency");
  EXPECT_EQ(std::get<std::string>(set.value.value), "exact");
  EXPECT_EQ(set.name_position.column, 5);
  auto set_to = ParseQueryAs<SetStatement>("set max_rows to 1000");
  EXPECT_EQ(std::get<int64_t>(set_to.value.value), 1000);
}

TEST(QueryParserTest, StatementsRoundTripThroughCanonicalText) {
  const std::string_view selects[] = {
      "SELECT a FROM s",
      "SELECT DISTINCT *, t.*, a + 1 AS b, \"select\" AS \"from\" FROM \"my stream\" TIMESTAMP BY "
      "CAST(ts AS TIMESTAMP) WHERE a IS NOT NULL GROUP BY a, HoppingWindow(second, 10, 5, "
      "Offset(millisecond, -1)) HAVING COUNT(*) > 1 ORDER BY b DESC NULLS FIRST, a LIMIT 3 "
      "OFFSET 4",
      "SELECT PERCENTILE_CONT(0.5) OVER (ORDER BY x) AS median FROM v GROUP BY SlidingWindow("
      "minute, 10)",
  };
  for (std::string_view sql : selects) {
    auto first = ParseQueryAs<SelectStatement>(sql);
    std::string printed = ToSql(first);
    EXPECT_EQ(printed, sql);
    EXPECT_EQ(ToSql(ParseQueryAs<SelectStatement>(printed)), printed);
  }
  auto view = ParseQueryAs<CreateViewStatement>(kApiView);
  std::string printed_view = ToSql(view);
  EXPECT_EQ(printed_view,
            "CREATE VIEW device_metrics AS SELECT device_id, System.Timestamp() AS window_end, "
            "COUNT(*) AS event_count, AVG(temperature) AS avg_temperature, MAX(temperature) AS "
            "max_temperature, MIN(temperature) AS min_temperature, STDEV(temperature) AS "
            "stddev_temperature, PERCENTILE_APPROX(temperature, 0.5) AS median_temperature, "
            "SUM(energy_consumed) AS total_energy, COUNT(DISTINCT user_id) AS unique_users, CASE "
            "WHEN AVG(temperature) > 85 THEN 'HIGH_TEMP' WHEN AVG(temperature) < 32 THEN "
            "'LOW_TEMP' ELSE 'NORMAL' END AS alert_level FROM telemetry TIMESTAMP BY event_ts "
            "GROUP BY device_id, TumblingWindow(minute, 1)");
  EXPECT_EQ(ToSql(ParseQueryAs<CreateViewStatement>(printed_view)), printed_view);
  auto alert = ParseQueryAs<CreateAlertStatement>("create or replace alert a on v where x>1");
  EXPECT_EQ(ToSql(alert), "CREATE OR REPLACE ALERT a ON v WHERE x > 1");
}

}  // namespace
}  // namespace braid::sql
