// The views of examples/iot.sql against DuckDB: 20,000 generated telemetry events (fixed seed,
// out of order and late ones included, and hand-placed events on a window boundary) go through
// ReferenceExecutor, and DuckDB computes the same rows from the same events (written to a CSV
// file) with hand-written SQL per view: the tumbling window end is the epoch-aligned ceiling of
// the event time, so an event exactly on a boundary belongs to the window ending there
// (SEMANTICS.md). Every row and value must agree, doubles to 1e-9 relative. The alerts' matching
// rows are compared the same way. Also: every example file binds (the e-commerce and fraud views
// have their own oracle tests beside this one). The DuckDB tests skip when the oracle
// (tests/oracle, node) is not installed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "cli/iot_generator.h"
#include "duckdb_oracle.h"
#include "scoped_temp_dir.h"
#include "sql/expression_evaluator.h"
#include "view_oracle_util.h"

namespace braid::sql {
namespace {

using braid::testing::OracleRow;
using testing::BindScript;
using testing::BoundScript;
using testing::ExpectRowsAgree;
using testing::IotViewDuckDbSql;
using testing::ReadCsvViewSql;
using testing::ReadExample;
using testing::ToViewInput;
using testing::WriteCsv;

constexpr size_t kEvents = 20000;
constexpr size_t kBatchRows = 4096;
constexpr int64_t kIotMinute = 60'000'000;
constexpr int64_t kStart = 1795392000000000;  // 2026-11-23T00:00:00Z, the generator's default
// A device the generator never produces (it draws from 50), with three events around 00:10:00.
constexpr uint64_t kBoundaryDevice = 999;

// The generated events plus the boundary device's three, as view input chunks of kBatchRows rows.
std::vector<Chunk> GenerateInput(const SchemaPtr& input_schema) {
  cli::IotGenerator generator(cli::IotGeneratorOptions{
      .devices = 50, .users = 500, .rate = 5.0, .late_fraction = 0.01, .seed = 7});
  std::vector<cli::IotEvent> events;
  for (size_t i = 0; i < kEvents; ++i) events.push_back(generator.Next());
  for (int64_t delta : {-1, 0, 1}) {
    cli::IotEvent event = events.front();
    event.device = kBoundaryDevice;
    event.event_ts = Timestamp{kStart + 10 * kIotMinute + delta};
    events.push_back(event);
  }
  std::vector<Chunk> chunks;
  for (size_t begin = 0; begin < events.size(); begin += kBatchRows) {
    Chunk stream_rows(cli::IotGenerator::TelemetrySchema());
    for (size_t i = begin; i < std::min(events.size(), begin + kBatchRows); ++i) {
      cli::IotGenerator::AppendToChunk(events[i], &stream_rows);
    }
    Result<Chunk> chunk =
        ToViewInput(stream_rows, input_schema, Timestamp{kStart}, static_cast<int64_t>(begin));
    EXPECT_TRUE(chunk.ok()) << chunk.status().ToString();
    if (chunk.ok()) chunks.push_back(std::move(*chunk));
  }
  return chunks;
}

std::string LoadEventsSql(const std::filesystem::path& csv) {
  return ReadCsvViewSql(
      "events", csv,
      "'device_id': 'VARCHAR', 'event_us': 'BIGINT', 'temperature': 'DOUBLE', "
      "'energy_consumed': 'DOUBLE', 'user_id': 'VARCHAR', 'event_type': 'VARCHAR', "
      "'session_duration': 'DOUBLE', 'revenue': 'DOUBLE'");
}

// A view of examples/iot.sql and the DuckDB query (without ORDER BY) that computes its rows.
struct ViewOracle {
  std::string view;
  std::string key;  // the one group key, for ORDER BY window_end, key
  std::vector<std::string> columns;
  std::string duckdb;
};

std::vector<ViewOracle> IotOracles() {
  return {
      {"device_metrics",
       "device_id",
       {"device_id", "window_start", "window_end", "event_count", "avg_temperature",
        "max_temperature", "min_temperature", "stddev_temperature", "p95_temperature",
        "total_energy", "unique_users", "alert_level"},
       IotViewDuckDbSql("device_metrics")},
      {"user_activity",
       "event_type",
       {"event_type", "window_start", "window_end", "event_count", "unique_users", "total_revenue",
        "avg_session_duration", "max_session_duration", "hour_of_day"},
       IotViewDuckDbSql("user_activity")},
      {"user_hourly",
       "user_id",
       {"user_id", "window_start", "window_end", "total_events", "unique_devices", "login_count",
        "transaction_count", "total_revenue"},
       IotViewDuckDbSql("user_hourly")},
  };
}

std::string OrderedSql(const ViewOracle& oracle, std::string_view where = "TRUE") {
  return fmt::format("SELECT * FROM ({}) WHERE {} ORDER BY window_end, {} NULLS FIRST",
                     oracle.duckdb, where, oracle.key);
}

// The iot example bound once, the generated input, and the CSV DuckDB reads, for every test.
class IotViewsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<BoundScript> script = BindScript(ReadExample("iot.sql"));
    ASSERT_TRUE(script.ok()) << script.status().ToString();
    script_ = new BoundScript(std::move(*script));
    ASSERT_EQ(script_->views.count("device_metrics"), 1u);
    input_ = new std::vector<Chunk>(GenerateInput(script_->views["device_metrics"]->input_schema));
    directory_ = new braid::testing::ScopedTempDir("view-oracle");
    WriteCsv(*input_, cli::IotGenerator::TelemetrySchema()->size(), directory_->File("events.csv"));
  }
  static void TearDownTestSuite() {
    delete directory_;
    delete input_;
    delete script_;
  }

  // The view's rows from the reference executor over all of the input.
  static Result<Chunk> RunView(const std::string& name) {
    auto it = script_->views.find(name);
    if (it == script_->views.end()) return Status(StatusCode::kUndefinedObject, name);
    return testing::RunView(it->second, *input_);
  }

  static std::vector<OracleRow> Oracle(const std::string& query) {
    return braid::testing::DuckDbRows({LoadEventsSql(directory_->File("events.csv")), query});
  }

  static inline BoundScript* script_ = nullptr;
  static inline std::vector<Chunk>* input_ = nullptr;
  static inline braid::testing::ScopedTempDir* directory_ = nullptr;
};

TEST_F(IotViewsTest, EveryViewMatchesDuckDb) {
  if (!braid::testing::OracleAvailable()) GTEST_SKIP() << "DuckDB oracle not installed";
  ASSERT_EQ(script_->views.size(), IotOracles().size());
  for (const ViewOracle& oracle : IotOracles()) {
    SCOPED_TRACE(oracle.view);
    Result<Chunk> rows = RunView(oracle.view);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> names;
    for (const Field& field : rows->schema()->fields()) names.push_back(field.name);
    EXPECT_EQ(names, oracle.columns);
    ExpectRowsAgree(oracle.view, *rows, Oracle(OrderedSql(oracle)));
  }
}

// Each alert's condition over its view's rows selects what the same condition selects in DuckDB.
TEST_F(IotViewsTest, AlertsMatchDuckDb) {
  if (!braid::testing::OracleAvailable()) GTEST_SKIP() << "DuckDB oracle not installed";
  const std::map<std::string, std::string> conditions = {
      {"temperature_alerts", "alert_level <> 'NORMAL'"},
      {"high_revenue_users", "total_revenue > 1500"}};
  ASSERT_EQ(script_->alerts.size(), conditions.size());
  for (const auto& [name, plan] : script_->alerts) {
    SCOPED_TRACE(name);
    ASSERT_EQ(conditions.count(name), 1u);
    Result<Chunk> rows = RunView(plan->view);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    Result<std::vector<uint32_t>> selected = SelectTrue(*plan->condition, *rows);
    ASSERT_TRUE(selected.ok()) << selected.status().ToString();
    EXPECT_GT(selected->size(), 0u) << "the data should trigger " << name;
    for (const ViewOracle& oracle : IotOracles()) {
      if (oracle.view != plan->view) continue;
      ExpectRowsAgree(name, rows->Select(*selected),
                      Oracle(OrderedSql(oracle, conditions.at(name))));
    }
  }
}

// Three events at 00:09:59.999999, 00:10:00 and 00:10:00.000001: the one on the boundary closes
// the window ending there (SEMANTICS.md example 1), independently of the oracle.
TEST_F(IotViewsTest, BoundaryEventBelongsToTheWindowEndingThere) {
  Result<Chunk> rows = RunView("device_metrics");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<std::pair<int64_t, int64_t>> windows;  // (window_end, event_count)
  const std::string device = fmt::format("device-{:05}", kBoundaryDevice);
  for (size_t r = 0; r < rows->num_rows(); ++r) {
    if (rows->column(0).StringAt(r) != device) continue;
    windows.emplace_back(rows->column(2).int64s()[r], rows->column(3).int64s()[r]);
  }
  const std::vector<std::pair<int64_t, int64_t>> expected = {{kStart + 10 * kIotMinute, 2},
                                                             {kStart + 11 * kIotMinute, 1}};
  EXPECT_EQ(windows, expected);
}

// The data spans the windows the comparison is meant to exercise: hot and cold devices, many
// minutes, late events before the start.
TEST_F(IotViewsTest, InputCoversTheCases) {
  Result<Chunk> rows = RunView("device_metrics");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::map<std::string, int> levels;
  int64_t first_end = INT64_MAX;
  for (size_t r = 0; r < rows->num_rows(); ++r) {
    ++levels[std::string(rows->column(11).StringAt(r))];
    first_end = std::min(first_end, rows->column(2).int64s()[r]);
  }
  EXPECT_GT(levels["HIGH_TEMP"], 10);
  EXPECT_GT(levels["LOW_TEMP"], 10);
  EXPECT_GT(levels["NORMAL"], 1000);
  EXPECT_LE(first_end, kStart);
}

// Every example file parses and binds, without warnings.
TEST(ExampleFiles, EveryStatementBinds) {
  for (const char* name : {"iot.sql", "ecommerce.sql", "fraud.sql"}) {
    SCOPED_TRACE(name);
    std::string text = ReadExample(name);
    ASSERT_FALSE(text.empty());
    Result<BoundScript> script = BindScript(text);
    ASSERT_TRUE(script.ok()) << script.status().ToString();
    EXPECT_EQ(script->streams.size(), 1u);
    EXPECT_GE(script->views.size(), 2u);
    EXPECT_GE(script->alerts.size(), 1u);
    EXPECT_EQ(script->warnings, 0u);
  }
}

}  // namespace
}  // namespace braid::sql
