// Helpers shared by the binder's tests: a catalog of streams and views as BindEnvironment sees
// it, binding CREATE VIEW / CREATE ALERT texts, and readable renderings of a plan's parts. The
// shared catalog holds telemetry (device_id STRING NOT NULL, site, temperature, humidity, ts; WITH
// timestamp = 'ts'), raw (v BIGINT, tag STRING; no timestamp) and the view device_stats.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sql/bound_expression.h"
#include "sql/parser.h"
#include "sql/view_binder.h"
#include "sql_test_util.h"

namespace braid::sql::testing {

inline constexpr std::string_view kTelemetry =
    "CREATE STREAM telemetry (device_id STRING NOT NULL, site STRING, temperature DOUBLE, "
    "humidity DOUBLE, ts TIMESTAMP) WITH (timestamp = 'ts', partition_key = 'device_id')";
inline constexpr std::string_view kRaw = "CREATE STREAM raw (v BIGINT, tag STRING)";
inline constexpr std::string_view kSeedTelemetry = R"(CREATE STREAM telemetry (
  device_id STRING NOT NULL, event_ts TIMESTAMP NOT NULL, temperature DOUBLE,
  energy_consumed DOUBLE, user_id STRING, event_type STRING, session_duration DOUBLE, revenue DOUBLE
) WITH (partitions = 16, partition_key = 'device_id', timestamp = 'event_ts'))";
inline constexpr std::string_view kDeviceStats =
    "CREATE VIEW device_stats AS SELECT device_id, COUNT(*) AS n FROM telemetry "
    "GROUP BY device_id, TumblingWindow(minute, 5)";

// A catalog of streams and views, as the binder sees it.
class TestCatalog {
 public:
  void AddStream(std::string_view sql) {
    Result<StreamDefinition> stream = BindSql(sql);
    ASSERT_TRUE(stream.ok()) << stream.status().ToString();
    streams_[CanonicalIdentifier(stream->name)] = std::make_shared<StreamDefinition>(*stream);
  }
  void AddView(ViewPlanPtr view) { views_[CanonicalIdentifier(view->name)] = std::move(view); }

  BindEnvironment Environment() const {
    return BindEnvironment{
        .find_stream = [this](std::string_view name) -> std::shared_ptr<const StreamDefinition> {
          auto it = streams_.find(CanonicalIdentifier(name));
          return it == streams_.end() ? nullptr : it->second;
        },
        .find_view = [this](std::string_view name) -> ViewPlanPtr {
          auto it = views_.find(CanonicalIdentifier(name));
          return it == views_.end() ? nullptr : it->second;
        }};
  }

 private:
  std::map<std::string, std::shared_ptr<const StreamDefinition>> streams_;
  std::map<std::string, ViewPlanPtr> views_;
};

inline Result<BoundView> BindViewSql(std::string_view sql, const TestCatalog& catalog) {
  ASSIGN_OR_RETURN(ParsedStatement parsed, ParseStatement(sql));
  const auto* view = std::get_if<CreateViewStatement>(&parsed.statement);
  if (view == nullptr) return Status(StatusCode::kInternal, "not a CREATE VIEW");
  return BindView(*view, catalog.Environment());
}

inline Result<AlertPlanPtr> BindAlertSql(std::string_view sql, const TestCatalog& catalog) {
  ASSIGN_OR_RETURN(ParsedStatement parsed, ParseStatement(sql));
  const auto* alert = std::get_if<CreateAlertStatement>(&parsed.statement);
  if (alert == nullptr) return Status(StatusCode::kInternal, "not a CREATE ALERT");
  return BindAlert(*alert, catalog.Environment());
}

// The test catalog: telemetry, raw and the view device_stats over telemetry.
inline TestCatalog MakeCatalog() {
  TestCatalog catalog;
  catalog.AddStream(kTelemetry);
  catalog.AddStream(kRaw);
  Result<BoundView> stats = BindViewSql(kDeviceStats, catalog);
  EXPECT_TRUE(stats.ok()) << stats.status().ToString();
  if (stats.ok()) catalog.AddView(stats->plan);
  return catalog;
}

inline const TestCatalog& Catalog() {
  static const TestCatalog catalog = MakeCatalog();
  return catalog;
}

inline BoundView MustBind(std::string_view sql, const TestCatalog& catalog = Catalog()) {
  Result<BoundView> bound = BindViewSql(sql, catalog);
  EXPECT_TRUE(bound.ok()) << sql << ": " << bound.status().ToString();
  return bound.ok() ? std::move(bound).value() : BoundView{std::make_shared<ViewPlan>(), {}};
}

inline std::string Text(const BoundExprPtr& expr) {
  return expr == nullptr ? "<null>" : BoundToString(*expr);
}

inline std::vector<std::string> FieldNames(const SchemaPtr& schema) {
  std::vector<std::string> names;
  if (schema == nullptr) return names;
  for (const Field& field : schema->fields()) names.push_back(field.name);
  return names;
}

inline std::vector<std::string> AggregateNames(const ViewPlan& plan) {
  std::vector<std::string> names;
  for (const ViewAggregate& a : plan.aggregates) names.emplace_back(a.aggregate.function->name);
  return names;
}

inline std::vector<std::string> KeyTexts(const ViewPlan& plan) {
  std::vector<std::string> texts;
  for (const GroupKey& key : plan.keys) texts.push_back(key.name + "=" + Text(key.expr));
  return texts;
}

inline std::vector<std::string> OutputTexts(const ViewPlan& plan) {
  std::vector<std::string> texts;
  for (const ViewOutput& output : plan.outputs) {
    texts.push_back(output.name + "=" + Text(output.expr));
  }
  return texts;
}

using Names = std::vector<std::string>;
inline constexpr int64_t kSecond = 1000000;
inline constexpr int64_t kMinute = 60 * kSecond;

}  // namespace braid::sql::testing
