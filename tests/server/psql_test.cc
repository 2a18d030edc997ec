// psql 15 itself against the PostgreSQL wire server: \d, \dv, \dt, \d name and -c "SELECT ..."
// print exactly what psql prints for a PostgreSQL server holding the same relations (the
// expected text is psql's own layout, written out by hand). Skips when psql is not installed.
#include <fmt/format.h>
#include <stdio.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "pg_test_fixture.h"

namespace braid::server::testing {
namespace {

constexpr std::string_view kPsql = "/usr/bin/psql";

class PsqlTest : public PgTest {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPsql)) GTEST_SKIP() << "psql is not installed";
    PgTest::SetUp();
    CreateAndRefreshView();
  }

  // What `psql -c command` prints (stdout and stderr), with `environment` set for it.
  std::string Psql(std::string_view command, std::string_view environment = "") {
    return RunPsql(fmt::format("-c '{}'", command), environment);
  }

  // What psql prints running `script` as a file (SQL and backslash commands mixed, any quotes).
  std::string PsqlScript(std::string_view script) {
    const std::filesystem::path file = dir_.File("script.sql");
    std::ofstream(file) << script;
    return RunPsql(fmt::format("-f '{}'", file.string()), "");
  }

 private:
  std::string RunPsql(std::string_view arguments, std::string_view environment) {
    const std::string line = fmt::format(
        "{} PGCONNECT_TIMEOUT=10 {} -X -P pager=off -h 127.0.0.1 -p {} -U tester -d braid {} 2>&1",
        environment, kPsql, server_->port(), arguments);
    FILE* pipe = popen(line.c_str(), "r");
    EXPECT_NE(pipe, nullptr) << line;
    if (pipe == nullptr) return "";
    std::string output;
    char buffer[4096];
    for (size_t n; (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0;) output.append(buffer, n);
    pclose(pipe);
    return output;
  }
};

TEST_F(PsqlTest, ListsRelations) {
  EXPECT_EQ(Psql("\\d"),
            "            List of relations\n"
            " Schema |      Name      | Type  | Owner  \n"
            "--------+----------------+-------+--------\n"
            " public | device_metrics | view  | tester\n"
            " public | telemetry      | table | tester\n"
            "(2 rows)\n\n");
  EXPECT_EQ(Psql("\\dv"),
            "            List of relations\n"
            " Schema |      Name      | Type | Owner  \n"
            "--------+----------------+------+--------\n"
            " public | device_metrics | view | tester\n"
            "(1 row)\n\n");
  EXPECT_EQ(Psql("\\dt"),
            "          List of relations\n"
            " Schema |   Name    | Type  | Owner  \n"
            "--------+-----------+-------+--------\n"
            " public | telemetry | table | tester\n"
            "(1 row)\n\n");
}

TEST_F(PsqlTest, DescribesAViewAndAStream) {
  EXPECT_EQ(Psql("\\d device_metrics"),
            "                        View \"public.device_metrics\"\n"
            "     Column      |           Type           | Collation | Nullable | Default \n"
            "-----------------+--------------------------+-----------+----------+---------\n"
            " device_id       | text                     |           | not null | \n"
            " window_start    | timestamp with time zone |           | not null | \n"
            " window_end      | timestamp with time zone |           | not null | \n"
            " event_count     | bigint                   |           |          | \n"
            " avg_temperature | double precision         |           |          | \n"
            " max_temperature | double precision         |           |          | \n"
            " _source         | text                     |           | not null | \n\n");
  EXPECT_EQ(Psql("\\d telemetry"),
            "                          Table \"public.telemetry\"\n"
            "     Column      |           Type           | Collation | Nullable | Default \n"
            "-----------------+--------------------------+-----------+----------+---------\n"
            " device_id       | text                     |           | not null | \n"
            " event_ts        | timestamp with time zone |           | not null | \n"
            " temperature     | double precision         |           |          | \n"
            " energy_consumed | double precision         |           |          | \n"
            " user_id         | text                     |           |          | \n\n");
  EXPECT_EQ(Psql("\\d nosuch"), "Did not find any relation named \"nosuch\".\n");
}

TEST_F(PsqlTest, ShowsAViewDefinitionWithDPlus) {
  const std::string output = Psql("\\d+ device_metrics");
  const sql::ViewPlanPtr view = db_->catalog().FindView("device_metrics");
  ASSERT_NE(view, nullptr);
  EXPECT_NE(output.find(" _source         | text                     |           | not null |  "
                        "       | extended | \nView definition:\n" +
                        view->sql + "\n"),
            std::string::npos)
      << output;
}

TEST_F(PsqlTest, RunsAQueryWithSettingsFromPgOptions) {
  // PGOPTIONS reaches the server as the startup packet's `options`: SET consistency = exact.
  EXPECT_EQ(Psql("SELECT device_id, window_end, event_count, avg_temperature FROM "
                 "device_metrics ORDER BY window_end, device_id",
                 "PGOPTIONS=\"-c consistency=exact\""),
            " device_id |       window_end       | event_count | avg_temperature | _source \n"
            "-----------+------------------------+-------------+-----------------+---------\n"
            " device-a  | 2026-11-23 10:01:00+00 |           2 |              21 | BATCH\n"
            " device-b  | 2026-11-23 10:01:00+00 |           1 |              30 | BATCH\n"
            " device-a  | 2026-11-23 10:02:00+00 |           1 |              25 | BATCH\n"
            "(3 rows)\n\n");
}

TEST_F(PsqlTest, GdescNamesTheColumnsAndTypesOfAStatement) {
  // psql describes the statement, then asks the server to format the types it was told; the
  // names come back through PQescapeLiteral (a quote doubled, and E'' with a backslash doubled).
  EXPECT_EQ(PsqlScript("SELECT device_id AS \"it's a \\ name\", window_end, event_count,\n"
                       "  avg_temperature, event_count > 1 AS busy FROM device_metrics \\gdesc\n"),
            "     Column      |           Type           \n"
            "-----------------+--------------------------\n"
            " it's a \\ name   | text\n"
            " window_end      | timestamp with time zone\n"
            " event_count     | bigint\n"
            " avg_temperature | double precision\n"
            " busy            | boolean\n"
            " _source         | text\n"
            "(6 rows)\n\n");
  EXPECT_EQ(PsqlScript("SELECT event_ts, temperature FROM telemetry \\gdesc\n"),
            "   Column    |           Type           \n"
            "-------------+--------------------------\n"
            " event_ts    | timestamp with time zone\n"
            " temperature | double precision\n"
            "(2 rows)\n\n");
}

TEST_F(PsqlTest, ReportsAnErrorWithItsPosition) {
  EXPECT_EQ(Psql("SELECT * FROM nowhere"),
            "ERROR:  view 'nowhere' does not exist\n"
            "LINE 1: SELECT * FROM nowhere\n"
            "                      ^\n");
}

}  // namespace
}  // namespace braid::server::testing
