// Point reads (serving/point_read.h), which POST /v1/sql runs on the io thread that received them
// once their view's batch rows are in memory: which statements are point reads (a table of
// statements over a one-key and a two-key view, decided by hand from the definition: every key
// bound by = or IN to few values of its type); when a point read counts as in memory (not
// before its view's batch rows were read since the last refresh); a point read whose answer is
// longer than the streamed-answer size (streamed from a blocking thread: streaming on the io
// thread would wait for itself); and point reads, scans and DDL from several clients at once,
// each answer checked against the windows worked out from the ingested events.
#include <chrono>
#include <future>
#include <thread>

#include "api_test_fixture.h"
#include "serving/point_read.h"
#include "sql/parser.h"

namespace braid::server::testing {
namespace {

constexpr std::string_view kPerMinute =
    "CREATE VIEW per_minute AS SELECT device_id, COUNT(*) AS n FROM telemetry "
    "GROUP BY device_id, TumblingWindow(minute, 1)";
constexpr std::string_view kPerUser =
    "CREATE VIEW per_user AS SELECT device_id, user_id, COUNT(*) AS n FROM telemetry "
    "GROUP BY device_id, user_id";
constexpr std::string_view kTotals =
    "CREATE VIEW totals AS SELECT COUNT(*) AS n FROM telemetry GROUP BY TumblingWindow(hour, 1)";
constexpr int kPointReadEvents = 200;

class PointReadApiTest : public ApiTest {
 protected:
  void Load() {
    for (std::string_view ddl : {kPerMinute, kPerUser, kTotals}) {
      ASSERT_EQ(client().Post("/v1/sql", ddl).status, 200);
    }
    ASSERT_EQ(
        client().Post("/v1/streams/telemetry/events", TelemetryBody(0, kPointReadEvents)).status,
        200);
    RefreshAndWait("per_minute");
  }

  // The rows of per_minute for `device` (0..49) as "window_end n" lines, from the events' own
  // times: TelemetryEvent(i) is device i % 50 at 10:MM:SS with MM = i / 60, SS = i % 60, in the
  // window (end - 1 minute, end].
  static std::vector<std::string> ExpectedWindows(int device) {
    std::map<int64_t, int> counts;
    const int64_t minute = Duration::Minutes(1).micros;
    for (int i = device; i < kPointReadEvents; i += 50) {
      const int64_t t = ParseRfc3339(StringOf(Json(TelemetryEvent(i)).At("event_ts")))->micros;
      ++counts[(t + minute - 1) / minute * minute];
    }
    std::vector<std::string> lines;
    for (const auto& [end, n] : counts) {
      lines.push_back(fmt::format("{} {}", FormatRfc3339(Timestamp{end}), n));
    }
    return lines;
  }

  static std::string PointRead(int device) {
    return fmt::format(
        R"({{"sql": "SELECT window_end, n FROM per_minute WHERE device_id = 'device-{:03}' )"
        R"(ORDER BY window_end", "consistency": "exact"}})",
        device);
  }

  // The "window_end n" lines of an answer.
  static std::vector<std::string> Lines(const std::string& body) {
    const Json json(body);
    std::vector<std::string> lines;
    simdjson::dom::array rows;
    EXPECT_EQ(json.At("rows").get_array().get(rows), simdjson::SUCCESS) << body;
    for (simdjson::dom::element row : rows) {
      lines.push_back(fmt::format("{} {}", StringOf(row.at(0)), IntOf(row.at(1))));
    }
    return lines;
  }

  ClientResponse Sql(TestClient& client, std::string_view json_body) {
    return client.Post("/v1/sql", json_body, {{"Content-Type", "application/json"}});
  }
};

TEST_F(PointReadApiTest, PointReadsBindEveryKeyToFewValues) {
  Load();
  const sql::Catalog& catalog = db_->catalog();
  const std::vector<std::pair<std::string, bool>> cases = {
      {"SELECT * FROM per_minute WHERE device_id = 'device-001'", true},
      {"SELECT * FROM PER_MINUTE WHERE 'device-001' = device_id AND window_end > "
       "'2026-11-23T10:01:00Z'",
       true},
      {"SELECT n FROM per_minute WHERE device_id IN ('device-001', 'device-002') AND n > 1 "
       "ORDER BY n LIMIT 1",
       true},
      {"SELECT device_id, SUM(n) FROM per_minute WHERE device_id = 'device-001' "
       "GROUP BY device_id",
       true},
      {"SELECT * FROM per_user WHERE device_id = 'device-001' AND user_id = 'user-1'", true},
      {"SELECT * FROM per_user WHERE device_id IN ('device-001', 'device-002', 'device-003', "
       "'device-004') AND user_id IN ('user-1', 'user-2', 'user-3', 'user-4')",
       true},  // 16 cells
      {"SELECT * FROM per_user WHERE device_id IN ('device-001', 'device-002', 'device-003', "
       "'device-004', 'device-005') AND user_id IN ('user-1', 'user-2', 'user-3', 'user-4')",
       false},                                                           // 20 cells
      {"SELECT * FROM per_user WHERE device_id = 'device-001'", false},  // user_id unbound
      {"SELECT * FROM per_minute", false},
      {"SELECT * FROM per_minute WHERE window_end > '2026-11-23T10:01:00Z'", false},
      {"SELECT * FROM per_minute WHERE device_id = 5", false},  // not the key's type
      {"SELECT * FROM per_minute WHERE device_id <> 'device-001'", false},
      {"SELECT * FROM per_minute WHERE device_id = 'device-001' OR device_id = 'device-002'",
       false},
      {"SELECT * FROM per_minute WHERE device_id LIKE 'device-00%'", false},
      {"SELECT * FROM totals WHERE n > 0", false},                        // no keys: every window
      {"SELECT * FROM telemetry WHERE device_id = 'device-001'", false},  // a stream
      {"SELECT * FROM nowhere WHERE device_id = 'device-001'", false},
      {"SELECT 1", false},
      {"SHOW VIEWS", false},
      {"SET consistency = 'exact'", false},
      {"DROP VIEW per_minute", false},
      {"SELECT * FROM per_minute WHERE device_id = 'device-001' AND", false},  // a syntax error
  };
  for (const auto& [sql, point_read] : cases) {
    Result<sql::ParsedStatement> statement = sql::ParseStatement(sql);
    EXPECT_EQ(statement.ok() && serving::PointReadView(*statement, catalog) != nullptr, point_read)
        << sql;
  }
}

// A point read is in memory once its view's served batch rows were read since the view's last
// commit: not before the first read, again after a refresh, never for a view without a batch
// version.
TEST_F(PointReadApiTest, InMemoryOnceTheBatchRowsWereRead) {
  Load();
  auto in_memory = [this](std::string_view sql) {
    Result<sql::ParsedStatement> statement = sql::ParseStatement(sql);
    EXPECT_TRUE(statement.ok()) << sql;
    return statement.ok() && db_->IsInMemoryRead(*statement);
  };
  const std::string point = "SELECT * FROM per_minute WHERE device_id = 'device-001'";
  const std::string other_device = "SELECT n FROM per_minute WHERE device_id = 'device-002'";
  const std::string per_user =
      "SELECT * FROM per_user WHERE device_id = 'device-001' AND user_id = 'user-1'";
  EXPECT_FALSE(in_memory(point));  // the refresh in Load() committed a new version
  ASSERT_EQ(Lines(Sql(client(), PointRead(1)).body), ExpectedWindows(1));
  EXPECT_TRUE(in_memory(point));
  EXPECT_TRUE(in_memory(other_device));
  EXPECT_FALSE(in_memory("SELECT * FROM per_minute"));  // a scan, not a point read
  ASSERT_EQ(Sql(client(), R"({"sql": ")" + per_user + R"("})").status, 200);
  EXPECT_FALSE(in_memory(per_user));  // no batch version: each read looks for one
  RefreshAndWait("per_minute");
  EXPECT_FALSE(in_memory(point));
  EXPECT_EQ(Lines(Sql(client(), PointRead(1)).body), ExpectedWindows(1));
  EXPECT_TRUE(in_memory(point));
}

// A SELECT without FROM (a client's `SELECT 1` health check) reads nothing: it runs on the io
// thread too, and answers its one row.
TEST_F(PointReadApiTest, SelectWithoutFromIsInMemory) {
  Result<sql::ParsedStatement> constant = sql::ParseStatement("SELECT 1 + 1 AS two");
  ASSERT_TRUE(constant.ok());
  EXPECT_TRUE(db_->IsInMemoryRead(*constant));
  const ClientResponse answer = client().Post("/v1/sql", "SELECT 1 + 1 AS two");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_NE(answer.body.find(R"("rows":[[2]])"), std::string::npos) << answer.body;
}

// With inline point reads off, every statement runs on a blocking thread: the same answers.
TEST_F(PointReadApiTest, InlinePointReadsCanBeTurnedOff) {
  api_options_.inline_memory_reads = false;
  Reopen();
  Load();
  for (int device = 0; device < 3; ++device) {
    EXPECT_EQ(Lines(Sql(client(), PointRead(device)).body), ExpectedWindows(device));
  }
}

TEST_F(PointReadApiTest, LongPointReadAnswersAreStreamed) {
  api_options_.streamed_answer_bytes = 64;  // a device's three windows are about 600 bytes
  Reopen();
  Load();
  // A first read loads the view's batch rows on a blocking thread; the next runs on the io thread.
  ASSERT_EQ(Sql(client(), PointRead(2)).status, 200);
  Result<sql::ParsedStatement> point =
      sql::ParseStatement("SELECT window_end, n FROM per_minute WHERE device_id = 'device-001'");
  ASSERT_TRUE(point.ok());
  ASSERT_TRUE(db_->IsInMemoryRead(*point));
  // Were the stream written from the io thread, it would wait for that same thread forever:
  // the request runs with a deadline.
  std::future<ClientResponse> answer =
      std::async(std::launch::async, [this] { return Sql(client(), PointRead(1)); });
  if (answer.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    ADD_FAILURE() << "no answer in 30 s";
    std::abort();  // the client thread cannot be stopped
  }
  const ClientResponse streamed = answer.get();
  ASSERT_EQ(streamed.status, 200) << streamed.body;
  EXPECT_EQ(streamed.Header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(streamed.Header("Content-Length"), "");
  EXPECT_EQ(Lines(streamed.body), ExpectedWindows(1));
  EXPECT_EQ(ExpectedWindows(1), (std::vector<std::string>{"2026-11-23T10:01:00.000000Z 2",
                                                          "2026-11-23T10:02:00.000000Z 1",
                                                          "2026-11-23T10:03:00.000000Z 1"}));
  EXPECT_EQ(StringOf(Json(streamed.body).At("command")), "SELECT 3");
  // The connection ended with the stream; the next request (a short answer) opens another.
  const ClientResponse error = Sql(client(), R"({"sql": "SELECT * FROM per_minute WHERE"})");
  EXPECT_EQ(error.status, 400) << error.body;
}

// Point reads (the first on a blocking thread, the others inline), scans and other statements
// from four clients at once; every answer is checked.
TEST_F(PointReadApiTest, ConcurrentClientsGetTheirOwnAnswers) {
  Load();
  constexpr int kClients = 4;
  constexpr int kRequests = 60;
  std::vector<std::future<std::string>> failures;
  for (int c = 0; c < kClients; ++c) {
    failures.push_back(std::async(std::launch::async, [this, c]() -> std::string {
      TestClient own(server_->port());
      for (int r = 0; r < kRequests; ++r) {
        const int device = (c * kRequests + r) % 50;
        if (r % 10 == 9) {  // now and then a scan, or a statement that is no point read
          const ClientResponse scan =
              Sql(own, c % 2 == 0 ? R"({"sql": "SELECT COUNT(*) AS n FROM per_minute"})"
                                  : R"({"sql": "SHOW VIEWS"})");
          if (scan.status != 200) return scan.body;
          continue;
        }
        const ClientResponse point = Sql(own, PointRead(device));
        if (point.status != 200) return point.body;
        if (Lines(point.body) != ExpectedWindows(device)) {
          return fmt::format("device {}: {}", device, point.body);
        }
        if (point.Header("Content-Length") != std::to_string(point.body.size())) {
          return "no Content-Length: " + point.body;
        }
      }
      return "";
    }));
  }
  for (std::future<std::string>& failure : failures) EXPECT_EQ(failure.get(), "");
}

}  // namespace
}  // namespace braid::server::testing
