// POST /v1/sql limits and routing hints: each request runs in a fresh session with the server's
// query limits (ApiOptions::query_limits) overridden by its max_rows, timeout_ms and max_staleness
// members (checked with SHOW and with results just over and at max_rows); a statement past its
// timeout is 408 57014; a syntax error in a JSON body keeps its line and column; meta reports the
// requested consistency, routing and staleness. An answer longer than the streamed-answer size is
// chunked, parses as JSON and holds every row (checked against the windows worked out from the
// ingested events); a short one keeps its Content-Length.
#include <chrono>
#include <map>
#include <thread>
#include <utility>

#include "api_test_fixture.h"

namespace braid::server::testing {
namespace {

constexpr std::string_view kPerMinuteView =
    "CREATE VIEW per_minute AS SELECT device_id, COUNT(*) AS n, MAX(temperature) AS hottest "
    "FROM telemetry GROUP BY device_id, TumblingWindow(minute, 1)";
constexpr int kSqlLimitsEvents = 200;
// 200 events of 50 devices: 50 windows ending 10:01, 10:02 and 10:03 each, 20 ending 10:04 and
// event 0's own window ending exactly at 10:00:00 (SqlLimitsApiTest::ExpectedWindows).
constexpr size_t kViewRows = 171;

class SqlLimitsApiTest : public ApiTest {
 protected:
  // The view, kSqlLimitsEvents events, and a refresh that puts them all into the batch view.
  void Load() {
    ASSERT_EQ(client().Post("/v1/sql", kPerMinuteView).status, 200);
    ASSERT_EQ(
        client().Post("/v1/streams/telemetry/events", TelemetryBody(0, kSqlLimitsEvents)).status,
        200);
    RefreshAndWait("per_minute");
  }

  ClientResponse Sql(std::string_view json_body) {
    return client().Post("/v1/sql", json_body, {{"Content-Type", "application/json"}});
  }

  // The one value SHOW `setting` answers within a request carrying `members`.
  std::string Show(std::string_view setting, std::string_view members) {
    ClientResponse response = Sql(
        fmt::format(R"({{"sql": "SHOW {}"{}{}}})", setting, members.empty() ? "" : ", ", members));
    EXPECT_EQ(response.status, 200) << response.body;
    if (response.status != 200) return response.body;
    simdjson::dom::array rows;
    const Json json(response.body);
    EXPECT_EQ(json.At("rows").get_array().get(rows), simdjson::SUCCESS);
    return rows.size() == 1 ? StringOf(rows.at(0).at(0)) : response.body;
  }

  // "<status> <code> <sqlstate>" of a request that must fail.
  std::string Error(std::string_view json_body) {
    ClientResponse response = Sql(json_body);
    if (response.status == 200) return "succeeded: " + response.body.substr(0, 200);
    const Json json(response.body);
    return fmt::format("{} {} {}", response.status, StringOf(json.At("error", "code")),
                       StringOf(json.At("error", "sqlstate")));
  }

  // The oracle: (window_end, device_id) -> events, from the events' own times. Windows are
  // (end - 1 minute, end], so an event exactly on a minute ends its window there.
  static std::map<std::pair<std::string, std::string>, int> ExpectedWindows() {
    std::map<std::pair<std::string, std::string>, int> windows;
    const int64_t minute = Duration::Minutes(1).micros;
    for (int i = 0; i < kSqlLimitsEvents; ++i) {
      const Json event(TelemetryEvent(i));
      const int64_t t = ParseRfc3339(StringOf(event.At("event_ts")))->micros;
      const int64_t end = (t + minute - 1) / minute * minute;
      ++windows[{FormatRfc3339(Timestamp{end}), StringOf(event.At("device_id"))}];
    }
    return windows;
  }

  // Checks that `body` is the whole answer of SELECT window_end, device_id, n ... ORDER BY
  // window_end, device_id over every window.
  static void ExpectEveryWindow(const std::string& body) {
    const Json json(body);
    ASSERT_TRUE(json.ok()) << "not JSON: " << body.substr(0, 200) << "..."
                           << body.substr(body.size() > 200 ? body.size() - 200 : 0);
    std::vector<std::string> rows, expected;
    simdjson::dom::array array;
    ASSERT_EQ(json.At("rows").get_array().get(array), simdjson::SUCCESS);
    for (simdjson::dom::element row : array) {
      rows.push_back(
          fmt::format("{} {} {}", StringOf(row.at(0)), StringOf(row.at(1)), IntOf(row.at(2))));
    }
    for (const auto& [window, events] : ExpectedWindows()) {
      expected.push_back(fmt::format("{} {} {}", window.first, window.second, events));
    }
    EXPECT_EQ(expected.size(), kViewRows);
    EXPECT_EQ(rows, expected);
    EXPECT_EQ(StringOf(json.At("command")), fmt::format("SELECT {}", kViewRows));
    EXPECT_EQ(StringOf(json.At("meta", "consistency")), "exact");
  }
};

constexpr std::string_view kEveryWindow =
    "SELECT window_end, device_id, n FROM per_minute ORDER BY window_end, device_id";

TEST_F(SqlLimitsApiTest, RequestMembersOverrideTheServersLimits) {
  EXPECT_EQ(Show("max_result_rows", ""), "1000000");
  EXPECT_EQ(Show("statement_timeout", ""), "30s");
  EXPECT_EQ(Show("max_staleness", ""), "none");
  EXPECT_EQ(Show("max_result_rows", R"("max_rows": 5)"), "5");
  EXPECT_EQ(Show("statement_timeout", R"("timeout_ms": 1500)"), "1500ms");
  EXPECT_EQ(Show("statement_timeout", R"("timeout_ms": 0)"), "0s");
  EXPECT_EQ(Show("max_staleness", R"("max_staleness": "10s")"), "10s");
  EXPECT_EQ(Show("consistency", R"("consistency": "speed")"), "speed");
  // Each request has its own session: nothing carries over.
  EXPECT_EQ(Show("max_result_rows", ""), "1000000");
  api_options_.query_limits.max_result_rows = 77;
  api_options_.query_limits.statement_timeout = Duration::Seconds(5);
  Reopen();
  EXPECT_EQ(Show("max_result_rows", ""), "77");
  EXPECT_EQ(Show("statement_timeout", ""), "5s");
  EXPECT_EQ(Show("max_result_rows", R"("max_rows": 1000)"), "1000");
  for (std::string_view bad :
       {R"({"sql": "SHOW STREAMS", "max_rows": 0})", R"({"sql": "SHOW STREAMS", "max_rows": "5"})",
        R"({"sql": "SHOW STREAMS", "max_rows": 1.5})",
        R"({"sql": "SHOW STREAMS", "timeout_ms": -1})",
        R"({"sql": "SHOW STREAMS", "max_staleness": "soon"})",
        R"({"sql": "SHOW STREAMS", "max_staleness": 10})",
        R"({"sql": "SHOW STREAMS", "limit": 10})"}) {
    EXPECT_EQ(Error(bad), "400 invalid_argument 22023") << bad;
  }
}

TEST_F(SqlLimitsApiTest, MaxRowsExceededIsTooLarge) {
  Load();
  const std::string query = fmt::format(R"({{"sql": "{}", "consistency": "exact")", kEveryWindow);
  EXPECT_EQ(Error(fmt::format(R"({}, "max_rows": {}}})", query, kViewRows - 1)),
            "413 too_large 54000");
  ClientResponse at_limit = Sql(fmt::format(R"({}, "max_rows": {}}})", query, kViewRows));
  ASSERT_EQ(at_limit.status, 200) << at_limit.body;
  ExpectEveryWindow(at_limit.body);
  // The server's default applies without the member.
  api_options_.query_limits.max_result_rows = 10;
  Reopen();
  EXPECT_EQ(Error(query + "}"), "413 too_large 54000");
  EXPECT_EQ(Sql(fmt::format(R"({}, "max_rows": {}}})", query, kViewRows)).status, 200);
}

TEST_F(SqlLimitsApiTest, TimeoutCancelsTheStatement) {
  Load();
  ClientResponse response =
      Sql(fmt::format(R"({{"sql": "{}", "consistency": "exact", "timeout_ms": 1}})", kEveryWindow));
  ASSERT_EQ(response.status, 408) << response.body.substr(0, 300);
  const Json json(response.body);
  EXPECT_EQ(StringOf(json.At("error", "code")), "cancelled");
  EXPECT_EQ(StringOf(json.At("error", "sqlstate")), "57014");
  EXPECT_EQ(StringOf(json.At("error", "message")),
            "canceling statement due to statement timeout (1ms)");
}

TEST_F(SqlLimitsApiTest, SyntaxErrorKeepsItsPosition) {
  ClientResponse response =
      Sql(R"({"sql": "SELECT device_id\nFROM per_minute\nWHER n > 1", "max_rows": 5})");
  ASSERT_EQ(response.status, 400) << response.body;
  const Json json(response.body);
  EXPECT_EQ(StringOf(json.At("error", "code")), "syntax_error");
  EXPECT_EQ(StringOf(json.At("error", "sqlstate")), "42601");
  EXPECT_EQ(IntOf(json.At("error", "line")), 3);
  EXPECT_EQ(IntOf(json.At("error", "column")), 1);
}

TEST_F(SqlLimitsApiTest, MetaReportsTheRequestAndTheRouting) {
  Load();
  ClientResponse response = Sql(fmt::format(
      R"({{"sql": "{}", "consistency": "exact", "max_staleness": "3650d"}})", kEveryWindow));
  ASSERT_EQ(response.status, 200) << response.body.substr(0, 300);
  const Json json(response.body);
  EXPECT_EQ(StringOf(json.At("meta", "consistency")), "exact");
  EXPECT_EQ(StringOf(json.At("meta", "requested")), "exact");
  EXPECT_TRUE(json.At("meta", "routing").is_null());  // ten years old is fresh enough
  EXPECT_EQ(IntOf(json.At("meta", "batch_epoch")), 1);
  // Statements that read no view say what was asked, and nothing about layers.
  const Json show(Sql(R"({"sql": "SHOW STREAMS", "consistency": "speed"})").body);
  EXPECT_EQ(StringOf(show.At("meta", "consistency")), "speed");
  EXPECT_EQ(StringOf(show.At("meta", "requested")), "speed");
  EXPECT_TRUE(show.At("meta", "routing").is_null());
  EXPECT_TRUE(show.At("meta", "staleness_ms").is_null());
}

TEST_F(SqlLimitsApiTest, MetaReportsARoutingAroundAStaleLayer) {
  ASSERT_EQ(client().Post("/v1/sql", kPerMinuteView).status, 200);
  ASSERT_EQ(
      client().Post("/v1/streams/telemetry/events", TelemetryBody(0, kSqlLimitsEvents)).status,
      200);
  ASSERT_TRUE(db_->speed().WaitUntilCaughtUp("telemetry", Duration::Seconds(20)));
  // No batch version yet: exact cannot be 1ms fresh, so the engine answers merged and says why.
  ClientResponse response =
      Sql(R"({"sql": "SELECT COUNT(*) AS c FROM per_minute", "consistency": "exact", )"
          R"("max_staleness": "1ms"})");
  ASSERT_EQ(response.status, 200) << response.body;
  const Json json(response.body);
  EXPECT_EQ(StringOf(json.At("meta", "consistency")), "merged");
  EXPECT_EQ(StringOf(json.At("meta", "requested")), "exact");
  EXPECT_EQ(StringOf(json.At("meta", "routing")),
            "the batch view of per_minute is unknown old, more than max_staleness 1ms: answered "
            "merged (batch and speed)");
  EXPECT_TRUE(json.At("meta", "staleness_ms").is_number());
}

TEST_F(SqlLimitsApiTest, LongAnswersAreStreamedWithEveryRow) {
  api_options_.streamed_answer_bytes = 512;  // the answer is about 12 KiB: ~24 pieces
  Reopen();
  Load();
  ClientResponse streamed =
      Sql(fmt::format(R"({{"sql": "{}", "consistency": "exact"}})", kEveryWindow));
  ASSERT_EQ(streamed.status, 200) << streamed.body.substr(0, 300);
  EXPECT_EQ(streamed.Header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(streamed.Header("Content-Length"), "");
  EXPECT_EQ(streamed.Header("Content-Type"), "application/json");
  ExpectEveryWindow(streamed.body);
  // GET /v1/views/{view} streams the same way.
  ClientResponse view = client().Get("/v1/views/per_minute?consistency=exact");
  ASSERT_EQ(view.status, 200) << view.body.substr(0, 300);
  EXPECT_EQ(view.Header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(Json(view.body).At("rows").get_array().size(), kViewRows);
  // A short answer keeps its Content-Length.
  ClientResponse short_answer = client().Post("/v1/sql", "SHOW STREAMS");
  ASSERT_EQ(short_answer.status, 200);
  EXPECT_EQ(short_answer.Header("Transfer-Encoding"), "");
  EXPECT_EQ(short_answer.Header("Content-Length"), std::to_string(short_answer.body.size()));
}

}  // namespace
}  // namespace braid::server::testing
