// GET /v1/views/{view}: device_metrics rows filtered by one and two device_id values, by from/to
// (RFC 3339 and epoch milliseconds), with limit/offset, read from the speed layer before a refresh
// and from the batch view after it; a DOUBLE key parsed from the parameter; the 400 answers for
// bad parameters and the 404 for an unknown view. Expected rows are worked out by hand from the
// events of TelemetryEvent (api_test_fixture.h).
#include <chrono>
#include <thread>

#include "api_test_fixture.h"

namespace braid::server::testing {
namespace {

// The view of API.md.
constexpr std::string_view kDeviceMetrics = R"(CREATE VIEW device_metrics AS
SELECT device_id, System.Timestamp() AS window_end,
       COUNT(*) AS event_count, AVG(temperature) AS avg_temperature,
       MAX(temperature) AS max_temperature, MIN(temperature) AS min_temperature,
       STDEV(temperature) AS stddev_temperature, PERCENTILE_APPROX(temperature, 0.5) AS median_temperature,
       SUM(energy_consumed) AS total_energy, COUNT(DISTINCT user_id) AS unique_users,
       CASE WHEN AVG(temperature) > 85 THEN 'HIGH_TEMP'
            WHEN AVG(temperature) < 32 THEN 'LOW_TEMP' ELSE 'NORMAL' END AS alert_level
FROM telemetry TIMESTAMP BY event_ts
GROUP BY device_id, TumblingWindow(minute, 1))";

// One row per distinct session_duration (i % 13): a DOUBLE key, no window.
constexpr std::string_view kByDuration =
    "CREATE VIEW by_duration AS SELECT session_duration, COUNT(*) AS n FROM telemetry "
    "GROUP BY session_duration";

class ViewRowsApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_EQ(client().Post("/v1/sql", kDeviceMetrics).status, 200);
    ASSERT_EQ(client().Post("/v1/sql", kByDuration).status, 200);
    ASSERT_EQ(client().Post("/v1/streams/telemetry/events", TelemetryBody(0, 200)).status, 200);
  }

  void Refresh(std::string_view view) { RefreshAndWait(view); }
};

// The named columns of each row of an answer, as compact JSON arrays.
std::vector<std::string> Picked(const Json& json, const std::vector<std::string_view>& names) {
  std::vector<size_t> indexes;
  simdjson::dom::array columns, rows;
  EXPECT_EQ(json.At("columns").get_array().get(columns), simdjson::SUCCESS);
  for (std::string_view name : names) {
    size_t i = 0;
    for (simdjson::dom::element column : columns) {
      if (StringOf(column["name"]) == name) break;
      ++i;
    }
    EXPECT_LT(i, columns.size()) << "no column " << name;
    indexes.push_back(i);
  }
  std::vector<std::string> picked;
  EXPECT_EQ(json.At("rows").get_array().get(rows), simdjson::SUCCESS);
  for (simdjson::dom::element row : rows) {
    std::string line = "[";
    for (size_t i : indexes) {
      if (line.size() > 1) line += ',';
      line += simdjson::minify(row.at(i));
    }
    picked.push_back(line + "]");
  }
  return picked;
}

const std::vector<std::string_view> kColumns = {"device_id", "window_end", "event_count",
                                                "max_temperature", "_source"};

// GET target must answer 200; returns the picked columns of its rows.
std::vector<std::string> GetRows(TestClient& client, std::string_view target,
                                 const std::vector<std::string_view>& names = kColumns) {
  ClientResponse response = client.Get(target);
  EXPECT_EQ(response.status, 200) << target << ": " << response.body;
  if (response.status != 200) return {response.body};
  return Picked(Json(response.body), names);
}

// "<status> <code> <message>" of a request that must fail.
std::string GetError(TestClient& client, std::string_view target) {
  ClientResponse response = client.Get(target);
  if (response.status == 200) return "succeeded: " + response.body;
  Json json(response.body);
  simdjson::dom::element error = json.At("error");
  EXPECT_TRUE(error["line"].error() == simdjson::NO_SUCH_FIELD) << response.body;
  return fmt::format("{} {} {}", response.status, StringOf(error["code"]),
                     StringOf(error["message"]));
}

// device-007 gets events 7, 57 (10:00:07, 10:00:57, 23.5 and 28.5 degrees), 107 (10:01:47, 33.5)
// and 157 (10:02:37, 38.5); device-008 events 8, 58, 108, 158, each half a degree warmer.
std::vector<std::string> Device7(std::string_view source) {
  return {
      fmt::format(R"(["device-007","2026-11-23T10:01:00.000000Z",2,28.5,"{}"])", source),
      fmt::format(R"(["device-007","2026-11-23T10:02:00.000000Z",1,33.5,"{}"])", source),
      fmt::format(R"(["device-007","2026-11-23T10:03:00.000000Z",1,38.5,"{}"])", source),
  };
}

TEST_F(ViewRowsApiTest, FiltersByKeysFromSpeedThenFromBatch) {
  ASSERT_TRUE(db_->speed().WaitUntilCaughtUp("telemetry", Duration::Seconds(20)));
  EXPECT_EQ(GetRows(client(), "/v1/views/device_metrics?device_id=device-007&consistency=speed"),
            Device7("SPEED"));
  ClientResponse speed =
      client().Get("/v1/views/device_metrics?device_id=device-007&consistency=speed");
  const Json speed_json(speed.body);
  EXPECT_EQ(StringOf(speed_json.At("meta", "consistency")), "speed");
  EXPECT_EQ(StringOf(speed_json.At("meta", "requested")), "speed");
  EXPECT_TRUE(speed_json.At("meta", "routing").is_null());
  EXPECT_EQ(StringOf(speed_json.At("command")), "SELECT 3");

  EXPECT_EQ(GetRows(client(), "/v1/views/device_metrics?device_id=device-007&consistency=exact"),
            std::vector<std::string>{});  // nothing absorbed yet
  Refresh("device_metrics");
  EXPECT_EQ(GetRows(client(), "/v1/views/device_metrics?device_id=device-007&consistency=exact"),
            Device7("BATCH"));
  // Two values: ordered by window_end, then device_id.
  EXPECT_EQ(GetRows(client(),
                    "/v1/views/device_metrics?device_id=device-008&consistency=exact"
                    "&DEVICE_ID=device-007"),
            (std::vector<std::string>{
                R"(["device-007","2026-11-23T10:01:00.000000Z",2,28.5,"BATCH"])",
                R"(["device-008","2026-11-23T10:01:00.000000Z",2,29,"BATCH"])",
                R"(["device-007","2026-11-23T10:02:00.000000Z",1,33.5,"BATCH"])",
                R"(["device-008","2026-11-23T10:02:00.000000Z",1,34,"BATCH"])",
                R"(["device-007","2026-11-23T10:03:00.000000Z",1,38.5,"BATCH"])",
                R"(["device-008","2026-11-23T10:03:00.000000Z",1,39,"BATCH"])",
            }));
  // A value no row has, and a value that needs quoting in SQL.
  EXPECT_EQ(GetRows(client(), "/v1/views/device_metrics?device_id=x%27%20OR%20%27a%27%3D%27a"
                              "&consistency=exact"),
            std::vector<std::string>{});
  // The speed layer dropped what the batch view absorbed.
  EXPECT_EQ(GetRows(client(), "/v1/views/device_metrics?device_id=device-007&consistency=speed"),
            std::vector<std::string>{});
}

TEST_F(ViewRowsApiTest, FromToLimitAndOffset) {
  Refresh("device_metrics");
  const std::vector<std::string> all = Device7("BATCH");
  const std::string base = "/v1/views/device_metrics?consistency=exact&device_id=device-007";
  EXPECT_EQ(GetRows(client(), base + "&from=2026-11-23T10:02:00Z"),
            (std::vector<std::string>{all[1], all[2]}));
  // Epoch milliseconds of 10:02:00 and 10:02:59.999: both bounds are inclusive.
  const int64_t ten_two = ParseRfc3339("2026-11-23T10:02:00Z")->micros / 1000;
  EXPECT_EQ(GetRows(client(), fmt::format("{}&from={}&to={}", base, ten_two, ten_two)),
            std::vector<std::string>{all[1]});
  EXPECT_EQ(GetRows(client(), base + "&to=2026-11-23T10:02:59.999Z"),
            (std::vector<std::string>{all[0], all[1]}));
  EXPECT_EQ(GetRows(client(), base + "&from=2026-11-23T10:03:00.000001Z"),
            std::vector<std::string>{});
  EXPECT_EQ(GetRows(client(), base + "&limit=1&offset=1"), std::vector<std::string>{all[1]});
  EXPECT_EQ(GetRows(client(), base + "&offset=2"), std::vector<std::string>{all[2]});
  EXPECT_EQ(GetRows(client(), base + "&limit=0"), std::vector<std::string>{});
  // Every device's 10:04 window: events 180..199, devices 30..49; the first three by device_id.
  EXPECT_EQ(GetRows(client(),
                    "/v1/views/device_metrics?consistency=exact&from=2026-11-23T10:04:00Z"
                    "&limit=3",
                    {"device_id", "window_end", "event_count"}),
            (std::vector<std::string>{
                R"(["device-030","2026-11-23T10:04:00.000000Z",1])",
                R"(["device-031","2026-11-23T10:04:00.000000Z",1])",
                R"(["device-032","2026-11-23T10:04:00.000000Z",1])",
            }));
}

TEST_F(ViewRowsApiTest, ParsesAKeyAsTheColumnsType) {
  Refresh("by_duration");
  // session_duration = i % 13: 3 for i = 3, 16, ..., 198 and 4 for 4, 17, ..., 199 (16 each);
  // 10 for 10, 23, ..., 192 (15). A DOUBLE renders in its shortest form (4, not 4.0).
  EXPECT_EQ(GetRows(client(), "/v1/views/by_duration?session_duration=10&consistency=exact",
                    {"session_duration", "n"}),
            std::vector<std::string>{"[10,15]"});
  EXPECT_EQ(GetRows(client(),
                    "/v1/views/by_duration?session_duration=4.0&session_duration=3e0"
                    "&consistency=exact",
                    {"session_duration", "n"}),
            (std::vector<std::string>{"[3,16]", "[4,16]"}));
}

TEST_F(ViewRowsApiTest, BadParametersAre400AndAnUnknownView404) {
  EXPECT_EQ(GetError(client(), "/v1/views/device_metrics?devce_id=device-007"),
            "400 undefined_column view 'device_metrics' has no column 'devce_id' (key columns: "
            "device_id; parameters: from, to, consistency, max_staleness, limit, offset)");
  EXPECT_EQ(GetError(client(), "/v1/views/device_metrics?event_count=2"),
            "400 invalid_argument column 'event_count' of view 'device_metrics' is not a key "
            "column (key columns: device_id)");
  EXPECT_EQ(GetError(client(), "/v1/views/by_duration?session_duration=long"),
            "400 invalid_argument bad value 'long' for parameter 'session_duration': expected a "
            "DOUBLE (not a number)");
  EXPECT_EQ(GetError(client(), "/v1/views/by_duration?from=2026-11-23T10:00:00Z"),
            "400 invalid_argument parameter 'from' filters window_end, and view 'by_duration' "
            "has no window");
  EXPECT_EQ(GetError(client(), "/v1/views/device_metrics?to=yesterday"),
            "400 invalid_argument bad value 'yesterday' for parameter 'to': expected an RFC 3339 "
            "time or epoch milliseconds");
  EXPECT_EQ(GetError(client(), "/v1/views/device_metrics?from=1&from=2"),
            "400 invalid_argument parameter 'from' is given more than once (again as '2')");
  EXPECT_EQ(GetError(client(), "/v1/views/device_metrics?consistency=eventual"),
            "400 invalid_argument unknown consistency 'eventual': expected merged, exact or "
            "speed");
  EXPECT_EQ(GetError(client(), "/v1/views/device_metrics?max_staleness=soon"),
            "400 invalid_argument bad value 'soon' for parameter 'max_staleness': expected a "
            "duration such as '10s', or 'none'");
  EXPECT_EQ(GetError(client(), "/v1/views/device_metrics?limit=-1"),
            "400 invalid_argument bad value '-1' for parameter 'limit': expected an integer >= 0");
  EXPECT_EQ(GetError(client(), "/v1/views/device_metrics?offset=two"),
            "400 invalid_argument bad value 'two' for parameter 'offset': expected an integer "
            ">= 0");
  EXPECT_EQ(GetError(client(), "/v1/views/nope?device_id=1"),
            "404 undefined_object view 'nope' does not exist");
}

}  // namespace
}  // namespace braid::server::testing
