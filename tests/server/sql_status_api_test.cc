// POST /v1/sql (DDL round trip, JSON bodies, errors with positions), the JSON rendering of query
// results, GET /v1/status against what was ingested, and /healthz.
#include "api_test_fixture.h"
#include "server/api_sql.h"

namespace braid::server::testing {
namespace {

std::vector<std::string> ColumnNames(const Json& json) {
  std::vector<std::string> names;
  simdjson::dom::array columns;
  EXPECT_EQ(json.At("columns").get_array().get(columns), simdjson::SUCCESS);
  for (simdjson::dom::element column : columns) names.push_back(StringOf(column["name"]));
  return names;
}

// The rows of an answer, each rendered back to compact JSON.
TEST_F(ApiTest, DdlCreateShowDescribeDrop) {
  ClientResponse again = client().Post("/v1/sql", kTelemetryDdl);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(StringOf(Json(again.body).At("message")), "stream telemetry unchanged");
  EXPECT_EQ(StringOf(Json(again.body).At("command")), "CREATE STREAM");

  ClientResponse show = client().Post("/v1/sql", "SHOW STREAMS");
  ASSERT_EQ(show.status, 200) << show.body;
  Json shown(show.body);
  EXPECT_EQ(ColumnNames(shown), (std::vector<std::string>{"name", "partitions", "partition_key",
                                                          "timestamp", "events"}));
  EXPECT_EQ(MinifiedRows(shown),
            std::vector<std::string>{R"(["telemetry",16,"device_id","event_ts",0])"});
  EXPECT_GE(shown.At("meta", "elapsed_ms").get_double().value(), 0.0);

  ClientResponse describe = client().Post("/v1/sql", "DESCRIBE telemetry");
  ASSERT_EQ(describe.status, 200) << describe.body;
  Json described(describe.body);
  std::vector<std::string> rows = MinifiedRows(described);
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_EQ(rows[0], R"(["device_id","STRING",false,"partition_key"])");
  EXPECT_EQ(rows[1], R"(["event_ts","TIMESTAMP",false,"timestamp"])");
  EXPECT_EQ(rows[2], R"(["temperature","DOUBLE",true,null])");
  EXPECT_TRUE(StringOf(described.At("message")).starts_with("CREATE STREAM telemetry"));

  ClientResponse drop = client().Post("/v1/sql", "DROP STREAM telemetry");
  ASSERT_EQ(drop.status, 200) << drop.body;
  EXPECT_EQ(StringOf(Json(drop.body).At("command")), "DROP STREAM");
  EXPECT_EQ(MinifiedRows(Json(client().Post("/v1/sql", "SHOW STREAMS").body)).size(), 0u);
  EXPECT_EQ(client().Post("/v1/streams/telemetry/events", TelemetryBody(0, 1)).status, 404);
  ClientResponse missing = client().Post("/v1/sql", "DESCRIBE telemetry");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(StringOf(Json(missing.body).At("error", "code")), "undefined_object");
}

TEST_F(ApiTest, SqlSyntaxErrorsCarryLineAndColumn) {
  ClientResponse response = client().Post("/v1/sql", "SHOW\n  42");
  ASSERT_EQ(response.status, 400) << response.body;
  Json json(response.body);
  EXPECT_EQ(StringOf(json.At("error", "code")), "syntax_error");
  EXPECT_EQ(IntOf(json.At("error", "line")), 2);
  EXPECT_EQ(IntOf(json.At("error", "column")), 3);
  EXPECT_FALSE(StringOf(json.At("error", "message")).empty());
}

TEST_F(ApiTest, SqlAcceptsAJsonBody) {
  ClientResponse response =
      client().Post("/v1/sql", R"({"sql": "SHOW STREAMS", "consistency": "exact"})",
                    {{"Content-Type", "application/json"}});
  ASSERT_EQ(response.status, 200) << response.body;
  Json json(response.body);
  EXPECT_EQ(StringOf(json.At("meta", "consistency")), "exact");
  EXPECT_EQ(MinifiedRows(json).size(), 1u);
  // A body starting with '{' is JSON even without the content type.
  EXPECT_EQ(client().Post("/v1/sql", R"({"sql": "SHOW STREAMS"})").status, 200);
  for (std::string_view bad :
       {R"({"sql": "SHOW STREAMS", "consistency": "eventual"})", R"({"query": "SHOW STREAMS"})",
        R"({"sql": 1})", R"({"sql": )", R"({"consistency": "exact"})"}) {
    ClientResponse rejected = client().Post("/v1/sql", bad);
    EXPECT_EQ(rejected.status, 400) << bad;
    EXPECT_EQ(StringOf(Json(rejected.body).At("error", "code")), "invalid_argument") << bad;
  }
}

TEST(QueryResultJsonTest, RendersEveryTypeNullsAndTimestampsWithMicroseconds) {
  serving::QueryResult result;
  result.schema =
      std::make_shared<const Schema>(std::vector<Field>{{"b", DataType::kBoolean, true},
                                                        {"i", DataType::kBigint, true},
                                                        {"d", DataType::kDouble, true},
                                                        {"s", DataType::kString, true},
                                                        {"t", DataType::kTimestamp, true}});
  Chunk rows(result.schema);
  rows.mutable_column(0).AppendBool(true);
  rows.mutable_column(1).AppendInt64(-42);
  rows.mutable_column(2).AppendDouble(0.1);
  rows.mutable_column(3).AppendString("é\"\n");
  rows.mutable_column(4).AppendInt64(ParseRfc3339("2026-11-20T00:01:00Z")->micros);
  for (size_t c = 0; c < 5; ++c) rows.mutable_column(c).AppendNull();
  result.chunks.push_back(std::move(rows));
  result.command_tag = "SELECT 2";
  EXPECT_EQ(QueryResultJson(result, AnswerMeta{.elapsed_ms = 1.5}),
            R"({"columns":[{"name":"b","type":"BOOLEAN"},{"name":"i","type":"BIGINT"},)"
            R"({"name":"d","type":"DOUBLE"},{"name":"s","type":"STRING"},)"
            R"({"name":"t","type":"TIMESTAMP"}],)"
            R"("rows":[[true,-42,0.1,"é\"\n","2026-11-20T00:01:00.000000Z"],)"
            R"([null,null,null,null,null]],"command":"SELECT 2","message":"",)"
            R"("meta":{"elapsed_ms":1.5,"consistency":"merged","requested":"merged",)"
            R"("routing":null,"staleness_ms":null}})");
}

TEST_F(ApiTest, StatusReportsWhatWasIngested) {
  ASSERT_EQ(client().Post("/v1/streams/telemetry/events", TelemetryBody(0, 700)).status, 200);
  ASSERT_EQ(client()
                .Post("/v1/streams/telemetry/events?on_error=dead_letter",
                      TelemetryBody(700, 5) + "{}\n[]\n")
                .status,
            200);
  ClientResponse response = client().Get("/v1/status");
  ASSERT_EQ(response.status, 200) << response.body;
  Json json(response.body);
  simdjson::dom::element stream = json.At("streams", "telemetry");
  EXPECT_EQ(UintOf(stream["events"]), 705u);
  EXPECT_EQ(UintOf(stream["dead_letters"]), 2u);
  simdjson::dom::array partitions;
  ASSERT_EQ(stream["partitions"].get_array().get(partitions), simdjson::SUCCESS);
  ASSERT_EQ(partitions.size(), 16u);
  std::shared_ptr<log::StreamLog> log = TelemetryLog();
  uint64_t events = 0, bytes = 0;
  int id = 0;
  for (simdjson::dom::element partition : partitions) {
    EXPECT_EQ(IntOf(partition["id"]), id);
    uint64_t read_back = 0;
    for (const log::RecordBatch& batch : ReadAll(log->partition(id))) {
      read_back += batch.events.num_rows();
    }
    EXPECT_EQ(UintOf(partition["end_offset"]) - UintOf(partition["start_offset"]), read_back);
    events += read_back;
    bytes += UintOf(partition["bytes"]);
    ++id;
  }
  EXPECT_EQ(events, 705u);
  EXPECT_EQ(UintOf(stream["bytes"]), bytes);
  EXPECT_GT(bytes, 0u);
  EXPECT_GE(json.At("uptime_s").get_double().value(), 0.0);
  EXPECT_FALSE(StringOf(json.At("version")).empty());
}

TEST_F(ApiTest, HealthzIsOk) {
  ClientResponse response = client().Get("/healthz");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"status":"ok"})");
}

}  // namespace
}  // namespace braid::server::testing
