// Views and alerts through Database::Execute: the messages of CREATE [OR REPLACE] VIEW / ALERT
// (with binder warnings and their positions), binder and dependency errors with SQLSTATEs and
// line:column, DROP [IF EXISTS], the exact rows of SHOW VIEWS / SHOW ALERTS / DESCRIBE, ALTER
// STREAM re-binding a view, and re-applying examples/iot.sql being a no-op.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "common/file_util.h"
#include "lake/lake_test_util.h"
#include "database_test_fixture.h"
#include "serving/database.h"
#include "sql/parser.h"
#include "test_paths.h"

namespace braid::serving {
namespace {


constexpr std::string_view kStream =
    "CREATE STREAM telemetry (device_id STRING NOT NULL, event_ts TIMESTAMP NOT NULL, "
    "temperature DOUBLE) WITH (partitions = 2, partition_key = 'device_id', "
    "timestamp = 'event_ts')";
constexpr std::string_view kView =
    "CREATE VIEW temps AS SELECT device_id, AVG(temperature) AS avg_temp, "
    "MAX(temperature) AS max_temp FROM telemetry GROUP BY device_id, TumblingWindow(minute, 1)";
constexpr std::string_view kAlert = "CREATE ALERT hot ON temps WHERE avg_temp > 30";

// Every row of a result, its cells joined by '|' (NULL for null cells).
std::vector<std::string> Rows(const QueryResult& result) {
  std::vector<std::string> rows;
  for (const Chunk& chunk : result.chunks) {
    for (size_t row = 0; row < chunk.num_rows(); ++row) {
      std::string line;
      for (size_t c = 0; c < chunk.num_columns(); ++c) {
        const Column& column = chunk.column(c);
        if (c > 0) line += "|";
        if (!column.IsValid(row)) {
          line += "NULL";
        } else if (column.type() == DataType::kString) {
          line += column.StringAt(row);
        } else if (column.type() == DataType::kBoolean) {
          line += column.bools()[row] ? "true" : "false";
        } else {
          line += std::to_string(column.int64s()[row]);
        }
      }
      rows.push_back(std::move(line));
    }
  }
  return rows;
}

std::vector<std::string> ColumnNames(const QueryResult& result) {
  std::vector<std::string> names;
  if (result.schema == nullptr) return names;
  for (const Field& field : result.schema->fields()) names.push_back(field.name);
  return names;
}

class ViewStatementsTest : public testing::DatabaseTest {
 protected:
  void SetUp() override {
    Open();
    ASSERT_EQ(Message(kStream), "stream telemetry created");
  }

  QueryResult Run(std::string_view sql) {
    Result<QueryResult> result = db_->Execute(sql);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    return result.ok() ? *std::move(result) : QueryResult{};
  }
  std::string Message(std::string_view sql) { return Run(sql).message; }

  // The error of a statement that must fail, as "SQLSTATE line:column message".
  std::string Error(std::string_view sql) {
    Result<QueryResult> result = db_->Execute(sql);
    if (result.ok()) return "succeeded: " + result->message;
    const Status& status = result.status();
    std::string where =
        status.position() ? fmt::format("{}:{}", status.position()->line, status.position()->column)
                          : "-";
    return fmt::format("{} {} {}", SqlState(status.code()), where, status.message());
  }

  std::string CatalogFile() {
    Result<std::string> text = ReadWholeFile(dir_.path() / "catalog");
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    return text.ok() ? *text : "";
  }

};

TEST_F(ViewStatementsTest, CreateReportsCreatedUnchangedAndReplaced) {
  QueryResult created = Run(kView);
  EXPECT_EQ(created.command_tag, "CREATE VIEW");
  EXPECT_EQ(created.message, "view temps created");
  EXPECT_EQ(created.schema, nullptr);
  EXPECT_EQ(Message(kView), "view temps unchanged");
  QueryResult alert = Run(kAlert);
  EXPECT_EQ(alert.command_tag, "CREATE ALERT");
  EXPECT_EQ(alert.message, "alert hot created");
  EXPECT_EQ(Message("create alert HOT on temps where avg_temp>30;"), "alert hot unchanged");
  EXPECT_EQ(Message("CREATE OR REPLACE VIEW temps AS SELECT device_id, MIN(temperature) AS "
                    "min_temp, AVG(temperature) AS avg_temp FROM telemetry "
                    "GROUP BY device_id, TumblingWindow(minute, 1)"),
            "view temps replaced");
  EXPECT_EQ(Message("CREATE OR REPLACE ALERT hot ON temps WHERE min_temp < 0"),
            "alert hot replaced");
  EXPECT_EQ(Message("CREATE OR REPLACE ALERT hot ON temps WHERE min_temp < 0"),
            "alert hot unchanged");
  EXPECT_EQ(Error(kView),
            "42P07 1:13 view 'temps' already exists with a different definition; use CREATE OR "
            "REPLACE VIEW to change it");
}

TEST_F(ViewStatementsTest, HoppingWindowWarningIsInTheMessage) {
  EXPECT_EQ(Message("CREATE VIEW h AS SELECT COUNT(*) AS n FROM telemetry\n"
                    "GROUP BY HoppingWindow(minute, 10, 4)"),
            "view h created; warning at 2:10: hop 4 minutes does not divide size 10 minutes: "
            "windows overlap unevenly");
  EXPECT_EQ(Message("CREATE VIEW h2 AS SELECT COUNT(*) AS n FROM telemetry "
                    "GROUP BY HoppingWindow(minute, 10, 5)"),
            "view h2 created");
}

TEST_F(ViewStatementsTest, BinderErrorsCarrySqlStateAndPosition) {
  EXPECT_EQ(Error("CREATE VIEW v AS\nSELECT device_id, AVG(temprature) AS t\n"
                  "FROM telemetry GROUP BY device_id"),
            "42703 2:23 column temprature does not exist");
  EXPECT_EQ(Error("CREATE VIEW v AS SELECT COUNT(*) AS n\n  FROM nope GROUP BY TumblingWindow("
                  "minute, 1)"),
            "42P01 2:8 stream nope does not exist");
  Run(kView);
  EXPECT_EQ(Error("CREATE ALERT a ON temps\nWHERE  avg_tmp > 1"),
            "42703 2:8 column avg_tmp does not exist");
  EXPECT_EQ(Error("CREATE ALERT a ON tmps WHERE avg_temp > 1"),
            "42P01 1:19 view tmps does not exist");
  EXPECT_EQ(Error("CREATE VIEW telemetry AS SELECT device_id, COUNT(*) AS n FROM telemetry "
                  "GROUP BY device_id"),
            "42P07 1:13 'telemetry' is already the name of a stream");
  EXPECT_EQ(Error("CREATE STREAM temps (x BIGINT)"),
            "42P07 - 'temps' is already the name of a view");
  EXPECT_EQ(Run("SHOW VIEWS").num_rows(), 1u);
}

TEST_F(ViewStatementsTest, DropsFollowDependencies) {
  Run(kView);
  Run(kAlert);
  const std::string file = CatalogFile();
  EXPECT_EQ(Error("DROP STREAM telemetry"),
            "2BP01 1:13 cannot drop stream 'telemetry': views temps read it; drop them first");
  EXPECT_EQ(Error("DROP VIEW  temps"),
            "2BP01 1:12 cannot drop view 'temps': alerts hot are defined on it; drop them first");
  EXPECT_EQ(Error("CREATE OR REPLACE VIEW temps AS SELECT device_id, COUNT(*) AS n "
                  "FROM telemetry GROUP BY device_id"),
            "2BP01 - alert 'hot' would no longer bind: column avg_temp does not exist");
  EXPECT_EQ(CatalogFile(), file);
  EXPECT_EQ(Error("DROP ALERT nope"), "42P01 1:12 alert 'nope' does not exist");
  EXPECT_EQ(Error("DROP VIEW nope"), "42P01 1:11 view 'nope' does not exist");
  QueryResult skipped = Run("DROP VIEW IF EXISTS nope");
  EXPECT_EQ(skipped.command_tag, "DROP VIEW");
  EXPECT_EQ(skipped.message, "view nope does not exist, skipped");
  EXPECT_EQ(Message("DROP ALERT IF EXISTS nope"), "alert nope does not exist, skipped");
  QueryResult alert = Run("DROP ALERT hot");
  EXPECT_EQ(alert.command_tag, "DROP ALERT");
  EXPECT_EQ(alert.message, "alert hot dropped");
  EXPECT_EQ(Message("DROP VIEW temps"), "view temps dropped");
  EXPECT_EQ(Message("DROP STREAM telemetry"), "stream telemetry dropped");
  EXPECT_EQ(CatalogFile(), "-- braid catalog v1\n-- end of braid catalog\n");
}

TEST_F(ViewStatementsTest, ShowViewsAndAlertsRows) {
  Run(kView);
  Run(kAlert);
  Run("CREATE VIEW counts AS SELECT COUNT(*) AS n, SUM(temperature) AS total FROM telemetry "
      "GROUP BY HoppingWindow(minute, 10, 5, Offset(minute, 1))");
  Run("CREATE VIEW sessions AS SELECT device_id, event_ts, COUNT(*) AS n FROM telemetry "
      "GROUP BY device_id, event_ts, SessionWindow(second, 5, 30)");
  Run("CREATE VIEW per_device AS SELECT device_id, COUNT(*) AS n FROM telemetry "
      "GROUP BY device_id");
  Run("CREATE ALERT busy ON per_device WHERE n >= 100 AND device_id <> 'test'");
  QueryResult views = Run("SHOW VIEWS");
  EXPECT_EQ(views.command_tag, "SHOW");
  EXPECT_EQ(ColumnNames(views),
            (std::vector<std::string>{"name", "stream", "window", "keys", "columns"}));
  EXPECT_EQ(Rows(views), (std::vector<std::string>{
                             "counts|telemetry|HoppingWindow(10m, 5m, offset 1m)||4",
                             "per_device|telemetry|none|device_id|2",
                             "sessions|telemetry|SessionWindow(5s, 30s)|device_id, event_ts|5",
                             "temps|telemetry|TumblingWindow(1m)|device_id|5",
                         }));
  QueryResult alerts = Run("SHOW ALERTS");
  EXPECT_EQ(ColumnNames(alerts), (std::vector<std::string>{"name", "view", "condition"}));
  EXPECT_EQ(Rows(alerts), (std::vector<std::string>{
                              "busy|per_device|((n >= 100) AND (device_id <> 'test'))",
                              "hot|temps|(avg_temp > 30.0)",
                          }));
}

TEST_F(ViewStatementsTest, DescribeViewAndAlertRows) {
  Run(kView);
  Run(kAlert);
  for (std::string_view sql : {"DESCRIBE VIEW temps", "DESCRIBE Temps"}) {
    QueryResult view = Run(sql);
    EXPECT_EQ(view.command_tag, "DESCRIBE");
    EXPECT_EQ(view.message,
              "CREATE VIEW temps AS SELECT device_id, AVG(temperature) AS avg_temp, "
              "MAX(temperature) AS max_temp FROM telemetry GROUP BY device_id, "
              "TumblingWindow(minute, 1)");
    EXPECT_EQ(ColumnNames(view), (std::vector<std::string>{"column", "type", "nullable", "role"}));
    EXPECT_EQ(Rows(view), (std::vector<std::string>{
                              "device_id|STRING|false|key",
                              "window_start|TIMESTAMP|false|window_start",
                              "window_end|TIMESTAMP|false|window_end",
                              "avg_temp|DOUBLE|true|output",
                              "max_temp|DOUBLE|true|output",
                          }));
  }
  QueryResult alert = Run("DESCRIBE ALERT hot");
  EXPECT_EQ(alert.message, "CREATE ALERT hot ON temps WHERE avg_temp > 30");
  EXPECT_EQ(ColumnNames(alert), (std::vector<std::string>{"view", "condition"}));
  EXPECT_EQ(Rows(alert), std::vector<std::string>{"temps|(avg_temp > 30.0)"});
  Run("CREATE VIEW per_device AS SELECT COUNT(*) AS n, device_id AS d FROM telemetry "
      "GROUP BY device_id");
  EXPECT_EQ(Rows(Run("DESCRIBE per_device")),
            (std::vector<std::string>{"d|STRING|false|key", "n|BIGINT|true|output"}));
  EXPECT_EQ(Error("DESCRIBE VIEW hot"), "42P01 1:1 'hot' is not a stream, view or alert");
  EXPECT_EQ(Error("DESCRIBE ALERT temps"), "42P01 1:1 'temps' is not a stream, view or alert");
}

TEST_F(ViewStatementsTest, AlterStreamRebindsTheViewAndSurvivesARestart) {
  Run(kView);
  Run(kAlert);
  EXPECT_EQ(Message("ALTER STREAM telemetry ADD COLUMN humidity DOUBLE"),
            "stream telemetry altered: column humidity DOUBLE added");
  for (int restart = 0; restart < 2; ++restart) {
    SCOPED_TRACE(restart ? "after restart" : "before restart");
    sql::ViewPlanPtr view = db_->catalog().FindView("temps");
    ASSERT_NE(view, nullptr);
    EXPECT_EQ(view->input_schema->FindField("humidity"), std::optional<size_t>(3));
    EXPECT_EQ(view->input_schema->FindField("_offset"), std::optional<size_t>(6));
    EXPECT_EQ(Rows(Run("SHOW VIEWS")),
              std::vector<std::string>{"temps|telemetry|TumblingWindow(1m)|device_id|5"});
    EXPECT_EQ(Message(kView), "view temps unchanged");
    EXPECT_EQ(Message(kAlert), "alert hot unchanged");
    Open();
  }
  // The new column is usable by a view on the altered stream.
  EXPECT_EQ(Message("CREATE VIEW wet AS SELECT device_id, MAX(humidity) AS h FROM telemetry "
                    "GROUP BY device_id"),
            "view wet created");
}

TEST_F(ViewStatementsTest, DefinitionsFileErrorsArePositionedInTheFile) {
  const std::filesystem::path file = dir_.path() / "defs.sql";
  {
    std::ofstream out(file);
    out << "-- views\n" << kView << ";\n\nCREATE ALERT cold ON temps\n  WHERE min_temp < 0;\n";
  }
  Status status = db_->ApplyDefinitionsFile(file);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kUndefinedColumn);
  ASSERT_TRUE(status.position().has_value()) << status.ToString();
  EXPECT_EQ(status.position()->line, 5);
  EXPECT_EQ(status.position()->column, 9);
  EXPECT_NE(status.message().find(file.string()), std::string::npos) << status.ToString();
  // The statements before the failing one were applied.
  EXPECT_EQ(Rows(Run("SHOW VIEWS")),
            std::vector<std::string>{"temps|telemetry|TumblingWindow(1m)|device_id|5"});
  EXPECT_TRUE(Rows(Run("SHOW ALERTS")).empty());
}

TEST_F(ViewStatementsTest, ReapplyingTheIotExampleChangesNothing) {
  ASSERT_EQ(Message("DROP STREAM telemetry"), "stream telemetry dropped");
  const std::string file = braid::testing::SourceDir() + "/examples/iot.sql";
  ASSERT_TRUE(db_->ApplyDefinitionsFile(file).ok());
  const std::string catalog = CatalogFile();
  EXPECT_EQ(Rows(Run("SHOW VIEWS")).size(), 3u);
  EXPECT_EQ(Rows(Run("SHOW ALERTS")).size(), 2u);
  sql::ViewPlanPtr metrics = db_->catalog().FindView("device_metrics");
  Status again = db_->ApplyDefinitionsFile(file);
  ASSERT_TRUE(again.ok()) << again.ToString();
  EXPECT_EQ(CatalogFile(), catalog);
  EXPECT_EQ(db_->catalog().FindView("device_metrics"), metrics);

  Open();
  Result<std::string> text = ReadWholeFile(file);
  ASSERT_TRUE(text.ok());
  Result<std::vector<sql::ParsedStatement>> statements = sql::ParseScript(*text);
  ASSERT_TRUE(statements.ok()) << statements.status().ToString();
  ASSERT_EQ(statements->size(), 6u);
  for (const sql::ParsedStatement& statement : *statements) {
    EXPECT_TRUE(Message(statement.text).ends_with(" unchanged")) << statement.text;
  }
  EXPECT_EQ(CatalogFile(), catalog);
}

}  // namespace
}  // namespace braid::serving
