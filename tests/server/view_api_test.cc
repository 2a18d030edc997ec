// Views and alerts over POST /v1/sql: the messages of CREATE VIEW / ALERT (with the hopping-window
// warning), binder errors as JSON with their code, line and column, dependency errors as 409,
// SHOW VIEWS / SHOW ALERTS / DESCRIBE VIEW rows, and views surviving a restart.
#include "api_test_fixture.h"

namespace braid::server::testing {
namespace {

constexpr std::string_view kTempsView =
    "CREATE VIEW temps AS SELECT device_id, AVG(temperature) AS avg_temp FROM telemetry "
    "GROUP BY device_id, TumblingWindow(minute, 1)";
constexpr std::string_view kAlert = "CREATE ALERT hot ON temps WHERE avg_temp > 30";

// The message of a statement that must succeed.
std::string Message(TestClient& client, std::string_view sql) {
  ClientResponse response = client.Post("/v1/sql", sql);
  EXPECT_EQ(response.status, 200) << sql << ": " << response.body;
  if (response.status != 200) return response.body;
  return StringOf(Json(response.body).At("message"));
}

// "<http status> <code> <line>:<column> <message>" of a statement that must fail.
std::string Error(TestClient& client, std::string_view sql) {
  ClientResponse response = client.Post("/v1/sql", sql);
  if (response.status == 200) return "succeeded: " + response.body;
  Json json(response.body);
  simdjson::dom::element error = json.At("error");
  std::string where = "-";
  int64_t line = 0;
  int64_t column = 0;
  if (error["line"].get(line) == simdjson::SUCCESS &&
      error["column"].get(column) == simdjson::SUCCESS) {
    where = fmt::format("{}:{}", line, column);
  }
  return fmt::format("{} {} {} {}", response.status, StringOf(error["code"]), where,
                     StringOf(error["message"]));
}

TEST_F(ApiTest, CreateViewAndAlertMessages) {
  EXPECT_EQ(Message(client(), kTempsView), "view temps created");
  EXPECT_EQ(Message(client(), kTempsView), "view temps unchanged");
  ClientResponse json = client().Post("/v1/sql", fmt::format(R"({{"sql": "{}"}})", kAlert),
                                      {{"Content-Type", "application/json"}});
  ASSERT_EQ(json.status, 200) << json.body;
  EXPECT_EQ(StringOf(Json(json.body).At("message")), "alert hot created");
  EXPECT_EQ(StringOf(Json(json.body).At("command")), "CREATE ALERT");
  EXPECT_EQ(Message(client(),
                    "CREATE VIEW h AS SELECT COUNT(*) AS n FROM telemetry\n"
                    "GROUP BY HoppingWindow(minute, 10, 4)"),
            "view h created; warning at 2:10: hop 4 minutes does not divide size 10 minutes: "
            "windows overlap unevenly");
  EXPECT_EQ(Message(client(),
                    "CREATE OR REPLACE VIEW temps AS SELECT device_id, "
                    "AVG(temperature) AS avg_temp, COUNT(*) AS n FROM telemetry "
                    "GROUP BY device_id, TumblingWindow(minute, 1)"),
            "view temps replaced");
}

TEST_F(ApiTest, ViewErrorsAreJsonWithCodeAndPosition) {
  EXPECT_EQ(Error(client(),
                  "CREATE VIEW v AS\nSELECT device_id, AVG(temprature) AS t\n"
                  "FROM telemetry GROUP BY device_id"),
            "400 undefined_column 2:23 column temprature does not exist");
  EXPECT_EQ(Error(client(),
                  "CREATE VIEW v AS SELECT COUNT(*) AS n\n  FROM nope GROUP BY "
                  "TumblingWindow(minute, 1)"),
            "404 undefined_object 2:8 stream nope does not exist");
  ASSERT_EQ(Message(client(), kTempsView), "view temps created");
  ASSERT_EQ(Message(client(), kAlert), "alert hot created");
  EXPECT_EQ(Error(client(),
                  "CREATE VIEW temps AS SELECT COUNT(*) AS n FROM telemetry "
                  "GROUP BY TumblingWindow(minute, 1)"),
            "409 duplicate_object 1:13 view 'temps' already exists with a different definition; "
            "use CREATE OR REPLACE VIEW to change it");
  EXPECT_EQ(Error(client(), "DROP STREAM telemetry"),
            "409 dependent_objects 1:13 cannot drop stream 'telemetry': views temps read it; "
            "drop them first");
  EXPECT_EQ(Error(client(), "DROP VIEW temps"),
            "409 dependent_objects 1:11 cannot drop view 'temps': alerts hot are defined on it; "
            "drop them first");
  EXPECT_EQ(Message(client(), "DROP ALERT hot"), "alert hot dropped");
  EXPECT_EQ(Message(client(), "DROP VIEW temps"), "view temps dropped");
  EXPECT_EQ(Message(client(), "DROP STREAM telemetry"), "stream telemetry dropped");
}

TEST_F(ApiTest, ShowAndDescribeViewsSurviveARestart) {
  ASSERT_EQ(Message(client(), kTempsView), "view temps created");
  ASSERT_EQ(Message(client(), kAlert), "alert hot created");
  Reopen();
  ClientResponse views = client().Post("/v1/sql", "SHOW VIEWS");
  ASSERT_EQ(views.status, 200) << views.body;
  EXPECT_EQ(
      MinifiedRows(Json(views.body)),
      std::vector<std::string>{R"x(["temps","telemetry","TumblingWindow(1m)","device_id",4])x"});
  ClientResponse alerts = client().Post("/v1/sql", "SHOW ALERTS");
  ASSERT_EQ(alerts.status, 200) << alerts.body;
  EXPECT_EQ(MinifiedRows(Json(alerts.body)),
            std::vector<std::string>{R"x(["hot","temps","(avg_temp > 30.0)"])x"});
  ClientResponse describe = client().Post("/v1/sql", "DESCRIBE VIEW temps");
  ASSERT_EQ(describe.status, 200) << describe.body;
  Json described(describe.body);
  EXPECT_EQ(MinifiedRows(described), (std::vector<std::string>{
                                         R"x(["device_id","STRING",false,"key"])x",
                                         R"x(["window_start","TIMESTAMP",false,"window_start"])x",
                                         R"x(["window_end","TIMESTAMP",false,"window_end"])x",
                                         R"x(["avg_temp","DOUBLE",true,"output"])x",
                                     }));
  EXPECT_EQ(StringOf(described.At("message")), kTempsView);
  EXPECT_EQ(Message(client(), kTempsView), "view temps unchanged");
}

}  // namespace
}  // namespace braid::server::testing
