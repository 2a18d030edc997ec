// BindView and BindAlert: the plans real CREATE VIEW / CREATE ALERT texts bind to: keys, window
// in microseconds, aggregates, schemas and the bound expressions. Streams: binder_test_util.h's
// catalog, and the seed's stream (docs/API.md) for its device_metrics view.
#include <gtest/gtest.h>

#include "binder_test_util.h"
#include "sql/printer.h"

namespace braid::sql {
namespace {

using testing::AggregateNames;
using testing::BindAlertSql;
using testing::BindViewSql;
using testing::Catalog;
using testing::FieldNames;
using testing::KeyTexts;
using testing::kMinute;
using testing::kSecond;
using testing::kSeedTelemetry;
using testing::MustBind;
using testing::Names;
using testing::OutputTexts;
using testing::TestCatalog;
using testing::Text;

// docs/API.md's device_metrics view over the seed's stream, verbatim.
TEST(Binder, SeedDeviceMetricsView) {
  TestCatalog seed;
  seed.AddStream(kSeedTelemetry);
  BoundView bound = MustBind(R"(CREATE VIEW device_metrics AS
SELECT device_id, System.Timestamp() AS window_end,
       COUNT(*) AS event_count, AVG(temperature) AS avg_temperature,
       MAX(temperature) AS max_temperature, MIN(temperature) AS min_temperature,
       STDEV(temperature) AS stddev_temperature, PERCENTILE_APPROX(temperature, 0.5) AS median_temperature,
       SUM(energy_consumed) AS total_energy, COUNT(DISTINCT user_id) AS unique_users,
       CASE WHEN AVG(temperature) > 85 THEN 'HIGH_TEMP'
            WHEN AVG(temperature) < 32 THEN 'LOW_TEMP' ELSE 'NORMAL' END AS alert_level
FROM telemetry TIMESTAMP BY event_ts
GROUP BY device_id, TumblingWindow(minute, 1))",
                             seed);
  const ViewPlan& plan = *bound.plan;
  EXPECT_TRUE(bound.warnings.empty());
  EXPECT_EQ(plan.name, "device_metrics");
  EXPECT_EQ(plan.source, "telemetry");
  EXPECT_EQ(Text(plan.event_time), "event_ts");
  EXPECT_EQ(plan.filter, nullptr);
  EXPECT_EQ(plan.having, nullptr);
  EXPECT_EQ(KeyTexts(plan), Names({"device_id=device_id"}));
  ASSERT_TRUE(plan.window.has_value());
  EXPECT_EQ(plan.window->kind, WindowKind::kTumbling);
  EXPECT_EQ(plan.window->size.micros, kMinute);
  EXPECT_EQ(plan.window->hop.micros, kMinute);
  EXPECT_EQ(plan.window->offset.micros, 0);
  EXPECT_EQ(AggregateNames(plan), Names({"COUNT_STAR", "AVG", "MAX", "MIN", "STDEV",
                                         "PERCENTILE_APPROX", "SUM", "COUNT_DISTINCT"}));
  ASSERT_EQ(plan.aggregates.size(), 8u);
  EXPECT_EQ(plan.aggregates[0].input, nullptr);
  EXPECT_EQ(plan.aggregates[0].sql, "COUNT(*)");
  EXPECT_EQ(plan.aggregates[5].sql, "PERCENTILE_APPROX(temperature, 0.5)");
  EXPECT_EQ(plan.aggregates[5].aggregate.params.fraction, 0.5);
  EXPECT_EQ(Text(plan.aggregates[7].input), "user_id");
  EXPECT_EQ(plan.aggregates[7].sql, "COUNT(DISTINCT user_id)");
  Schema grouped({{"device_id", DataType::kString, false},
                  {"window_start", DataType::kTimestamp, false},
                  {"window_end", DataType::kTimestamp, false},
                  {"_agg0", DataType::kBigint, true},
                  {"_agg1", DataType::kDouble, true},
                  {"_agg2", DataType::kDouble, true},
                  {"_agg3", DataType::kDouble, true},
                  {"_agg4", DataType::kDouble, true},
                  {"_agg5", DataType::kDouble, true},
                  {"_agg6", DataType::kDouble, true},
                  {"_agg7", DataType::kBigint, true}});
  EXPECT_EQ(*plan.grouped_schema, grouped);
  EXPECT_EQ(OutputTexts(plan),
            Names({"event_count=_agg0", "avg_temperature=_agg1", "max_temperature=_agg2",
                   "min_temperature=_agg3", "stddev_temperature=_agg4", "median_temperature=_agg5",
                   "total_energy=_agg6", "unique_users=_agg7",
                   "alert_level=CASE WHEN (_agg1 > 85.0) THEN 'HIGH_TEMP' WHEN "
                   "(_agg1 < 32.0) THEN 'LOW_TEMP' ELSE 'NORMAL' END"}));
  EXPECT_EQ(FieldNames(plan.output_schema),
            Names({"device_id", "window_start", "window_end", "event_count", "avg_temperature",
                   "max_temperature", "min_temperature", "stddev_temperature", "median_temperature",
                   "total_energy", "unique_users", "alert_level"}));
  EXPECT_EQ(plan.output_schema->field(11).type, DataType::kString);
  EXPECT_EQ(plan.output_schema->field(3).type, DataType::kBigint);
  // The canonical text parses back to itself.
  Result<ParsedStatement> reparsed = ParseStatement(plan.sql);
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().ToString();
  EXPECT_EQ(ToSql(std::get<CreateViewStatement>(reparsed->statement)), plan.sql);

  seed.AddView(bound.plan);
  Result<AlertPlanPtr> alert = BindAlertSql(
      "CREATE ALERT temperature_alerts ON device_metrics WHERE alert_level <> 'NORMAL'", seed);
  ASSERT_TRUE(alert.ok()) << alert.status().ToString();
  EXPECT_EQ((*alert)->name, "temperature_alerts");
  EXPECT_EQ((*alert)->view, "device_metrics");
  EXPECT_EQ(Text((*alert)->condition), "(alert_level <> 'NORMAL')");
  EXPECT_EQ(
      std::get<BoundColumn>(std::get<BoundBinary>((*alert)->condition->node).left->node).index,
      11u);
  EXPECT_EQ((*alert)->sql,
            "CREATE ALERT temperature_alerts ON device_metrics WHERE alert_level <> 'NORMAL'");
}

TEST(Binder, WindowedViewWithFilterKeysAndHaving) {
  BoundView bound = MustBind(R"(CREATE VIEW site_temps AS
SELECT site, LOWER(device_id) AS device, System.Timestamp() AS t,
       AVG(temperature) FILTER (WHERE humidity < 90) AS avg_dry,
       MAX(temperature) - MIN(temperature) AS spread, UPPER(LOWER(device_id)) AS loud
FROM telemetry
WHERE temperature IS NOT NULL AND System.Timestamp() > '2026-01-01T00:00:00Z'
GROUP BY site, LOWER(device_id), TumblingWindow(second, 30, Offset(second, -5))
HAVING COUNT(*) > 2)");
  const ViewPlan& plan = *bound.plan;
  EXPECT_EQ(Text(plan.event_time), "ts");
  EXPECT_EQ(std::get<BoundColumn>(plan.event_time->node).index, 4u);
  EXPECT_EQ(Text(plan.filter),
            "((temperature IS NOT NULL) AND (ts > TIMESTAMP '2026-01-01T00:00:00.000000Z'))");
  EXPECT_EQ(KeyTexts(plan), Names({"site=site", "device=LOWER(device_id)"}));
  ASSERT_TRUE(plan.window.has_value());
  EXPECT_EQ(plan.window->size.micros, 30 * kSecond);
  EXPECT_EQ(plan.window->hop.micros, 30 * kSecond);
  EXPECT_EQ(plan.window->offset.micros, 25 * kSecond);  // floorMod(-5 s, 30 s)
  EXPECT_EQ(AggregateNames(plan), Names({"AVG", "MAX", "MIN", "COUNT_STAR"}));
  EXPECT_EQ(Text(plan.aggregates[0].input), "temperature");
  EXPECT_EQ(Text(plan.aggregates[0].filter), "(humidity < 90.0)");
  EXPECT_EQ(plan.aggregates[0].sql, "AVG(temperature) FILTER (WHERE humidity < 90)");
  EXPECT_EQ(OutputTexts(plan), Names({"t=window_end", "avg_dry=_agg0", "spread=(_agg1 - _agg2)",
                                      "loud=UPPER(device)"}));
  EXPECT_EQ(Text(plan.having), "(_agg3 > 2)");
  EXPECT_EQ(FieldNames(plan.grouped_schema), Names({"site", "device", "window_start", "window_end",
                                                    "_agg0", "_agg1", "_agg2", "_agg3"}));
  EXPECT_EQ(FieldNames(plan.output_schema), Names({"site", "device", "window_start", "window_end",
                                                   "t", "avg_dry", "spread", "loud"}));
  EXPECT_EQ(plan.window_start_index(), 2u);
  EXPECT_EQ(plan.aggregate_index(3), 7u);
  // Outputs index grouped rows: t is window_end (3), loud reads the key device (1).
  EXPECT_EQ(std::get<BoundColumn>(plan.outputs[0].expr->node).index, 3u);
  const auto& upper = std::get<BoundFunction>(plan.outputs[3].expr->node);
  EXPECT_EQ(std::get<BoundColumn>(upper.arguments[0]->node).index, 1u);
}

TEST(Binder, HoppingWindowNormalizesTheOffsetAndWarnsOnAnUnevenHop) {
  std::string_view sql =
      "CREATE VIEW h AS SELECT COUNT(*) AS n FROM telemetry\n"
      "GROUP BY HoppingWindow(minute, 10, 4, Offset(minute, 9))";
  BoundView bound = MustBind(sql);
  ASSERT_TRUE(bound.plan->window.has_value());
  const WindowDefinition& window = *bound.plan->window;
  EXPECT_EQ(window.kind, WindowKind::kHopping);
  EXPECT_EQ(window.size.micros, 10 * kMinute);
  EXPECT_EQ(window.hop.micros, 4 * kMinute);
  EXPECT_EQ(window.offset.micros, 1 * kMinute);  // 9 mod 4
  ASSERT_EQ(bound.warnings.size(), 1u);
  EXPECT_EQ(bound.warnings[0].message,
            "hop 4 minutes does not divide size 10 minutes: windows overlap unevenly");
  EXPECT_EQ(bound.warnings[0].position.line, 2);
  EXPECT_EQ(bound.warnings[0].position.column, 10);
  EXPECT_EQ(FieldNames(bound.plan->output_schema), Names({"window_start", "window_end", "n"}));

  BoundView even = MustBind(
      "CREATE VIEW h AS SELECT COUNT(*) AS n FROM telemetry GROUP BY HoppingWindow(minute, 10, 5)");
  EXPECT_TRUE(even.warnings.empty());
  EXPECT_EQ(even.plan->window->offset.micros, 0);
}

TEST(Binder, SessionWindowWithPartitionBy) {
  BoundView bound = MustBind(
      "CREATE VIEW s AS SELECT device_id, COUNT(*) AS n FROM telemetry GROUP BY device_id, "
      "SessionWindow(second, 5, 10, Offset(second, 12), PARTITION BY device_id)");
  ASSERT_TRUE(bound.plan->window.has_value());
  const WindowDefinition& window = *bound.plan->window;
  EXPECT_EQ(window.kind, WindowKind::kSession);
  EXPECT_EQ(window.size.micros, 5 * kSecond);
  EXPECT_EQ(window.max_duration.micros, 10 * kSecond);
  EXPECT_EQ(window.hop.micros, 0);
  EXPECT_EQ(window.offset.micros, 2 * kSecond);  // 12 mod 10
  ASSERT_EQ(window.partition_by.size(), 1u);
  EXPECT_EQ(Text(window.partition_by[0]), "device_id");
  EXPECT_TRUE(bound.warnings.empty());
}

TEST(Binder, KeysNotSelectedStillAppearInTheOutput) {
  BoundView bound = MustBind(
      "CREATE VIEW k AS SELECT COUNT(*) AS n, telemetry.SITE AS place FROM telemetry "
      "GROUP BY DATEPART(hour, ts), site, device_id");
  const ViewPlan& plan = *bound.plan;
  EXPECT_EQ(KeyTexts(plan),
            Names({"key0=DATEPART(hour, ts)", "place=site", "device_id=device_id"}));
  EXPECT_FALSE(plan.window.has_value());
  EXPECT_EQ(FieldNames(plan.output_schema), Names({"key0", "place", "device_id", "n"}));
  EXPECT_EQ(plan.output_schema->field(0).type, DataType::kBigint);
  EXPECT_FALSE(plan.output_schema->field(2).nullable);  // device_id is NOT NULL
  EXPECT_EQ(OutputTexts(plan), Names({"n=_agg0"}));
  EXPECT_EQ(plan.aggregate_index(0), 3u);
}

TEST(Binder, GlobalAggregateOverAStreamWithoutTimestamp) {
  BoundView bound = MustBind("CREATE VIEW g AS SELECT COUNT(*), SUM(v), AVG(v) AS mean FROM raw");
  const ViewPlan& plan = *bound.plan;
  EXPECT_EQ(plan.source, "raw");
  EXPECT_EQ(Text(plan.event_time), "_ingested_at");
  EXPECT_EQ(std::get<BoundColumn>(plan.event_time->node).index, 2u);
  EXPECT_TRUE(plan.keys.empty());
  EXPECT_FALSE(plan.window.has_value());
  EXPECT_EQ(AggregateNames(plan), Names({"COUNT_STAR", "SUM", "AVG"}));
  Schema grouped({{"_agg0", DataType::kBigint, true},
                  {"_agg1", DataType::kBigint, true},
                  {"_agg2", DataType::kDouble, true}});
  EXPECT_EQ(*plan.grouped_schema, grouped);
  EXPECT_EQ(FieldNames(plan.output_schema), Names({"count", "sum", "mean"}));

  BoundView timed = MustBind(
      "CREATE VIEW g AS SELECT tag, COUNT(*) AS n FROM raw TIMESTAMP BY CAST(v AS TIMESTAMP) "
      "GROUP BY tag, TumblingWindow(hour, 1)");
  EXPECT_EQ(Text(timed.plan->event_time), "CAST(v AS TIMESTAMP)");
  EXPECT_EQ(timed.plan->window->size.micros, 60 * kMinute);
}

TEST(Binder, PercentilesDistinctCountsAndSpreads) {
  BoundView bound = MustBind(
      "CREATE VIEW p AS SELECT device_id, "
      "PERCENTILE_CONT(0.95) OVER (ORDER BY temperature) AS p95, "
      "PERCENTILE_DISC(0.5) OVER (ORDER BY humidity) AS p50, "
      "APPROX_COUNT_DISTINCT(site) AS sites, COUNT(DISTINCT site) AS exact_sites, "
      "STDEVP(temperature) AS sd, VAR(humidity) AS v, VARP(_offset) AS vp, COUNT(site) AS c, "
      "PERCENTILE_CONT(0.95) OVER (ORDER BY temperature) / 2 AS half "
      "FROM telemetry GROUP BY device_id");
  const ViewPlan& plan = *bound.plan;
  EXPECT_EQ(AggregateNames(plan),
            Names({"PERCENTILE_CONT", "PERCENTILE_DISC", "APPROX_COUNT_DISTINCT", "COUNT_DISTINCT",
                   "STDEVP", "VAR", "VARP", "COUNT"}));
  EXPECT_EQ(plan.aggregates[0].aggregate.params.fraction, 0.95);
  EXPECT_EQ(Text(plan.aggregates[0].input), "temperature");
  EXPECT_EQ(plan.aggregates[1].aggregate.params.fraction, 0.5);
  EXPECT_EQ(Text(plan.aggregates[1].input), "humidity");
  EXPECT_EQ(plan.aggregates[1].sql, "PERCENTILE_DISC(0.5) OVER (ORDER BY humidity)");
  EXPECT_FALSE(plan.aggregates[2].aggregate.params.fraction.has_value());
  EXPECT_EQ(Text(plan.aggregates[6].input), "_offset");
  EXPECT_EQ(plan.aggregates[6].aggregate.function->argument, DataType::kBigint);
  EXPECT_EQ(OutputTexts(plan).back(), "half=(_agg0 / 2.0)");
}

TEST(Binder, FilteredCountsAreDistinctAggregatesAndTimestampIsTheWindowEnd) {
  BoundView bound = MustBind(
      "CREATE VIEW u AS SELECT site, COUNT(*) AS n, COUNT(*) FILTER (WHERE humidity > 50) AS "
      "humid, DATEPART(hour, System.Timestamp()) AS hour_of_day FROM telemetry "
      "WHERE site IS NOT NULL GROUP BY site, TumblingWindow(minute, 5)");
  const ViewPlan& plan = *bound.plan;
  EXPECT_EQ(AggregateNames(plan), Names({"COUNT_STAR", "COUNT_STAR"}));
  EXPECT_EQ(plan.aggregates[0].filter, nullptr);
  EXPECT_EQ(Text(plan.aggregates[1].filter), "(humidity > 50.0)");
  EXPECT_EQ(OutputTexts(plan),
            Names({"n=_agg0", "humid=_agg1", "hour_of_day=DATEPART(hour, window_end)"}));
  EXPECT_EQ(FieldNames(plan.output_schema),
            Names({"site", "window_start", "window_end", "n", "humid", "hour_of_day"}));
}

TEST(Binder, AlertOverAView) {
  Result<AlertPlanPtr> alert = BindAlertSql(
      "CREATE ALERT busy ON device_stats WHERE device_stats.n > 100 AND window_end > "
      "'2026-01-01T00:00:00Z'",
      Catalog());
  ASSERT_TRUE(alert.ok()) << alert.status().ToString();
  EXPECT_EQ((*alert)->view, "device_stats");
  EXPECT_EQ(Text((*alert)->condition),
            "((n > 100) AND (window_end > TIMESTAMP '2026-01-01T00:00:00.000000Z'))");
}

}  // namespace
}  // namespace braid::sql
