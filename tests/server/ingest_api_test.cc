// POST /v1/streams/{stream}/events and GET .../dead_letters against a real Database: what is
// acknowledged is in the log with exact values, atomic rejection, dead-letter mode, idempotent
// retries (also across a restart), concurrent producers, and the error answers.
#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "api_test_fixture.h"
#include "common/time.h"

namespace braid::server::testing {
namespace {

constexpr std::string_view kEvents = "/v1/streams/telemetry/events";

// Renders row `row` of a telemetry chunk as the NDJSON TelemetryEvent would have produced, so a
// log read-back can be compared with what was sent.
std::string RenderTelemetryRow(const Chunk& chunk, size_t row) {
  auto text = [&](size_t c) { return std::string(chunk.column(c).StringAt(row)); };
  auto real = [&](size_t c) { return fmt::format("{}", chunk.column(c).doubles()[row]); };
  const std::string ts = FormatRfc3339(Timestamp{chunk.column(1).int64s()[row]});
  return fmt::format(R"({{"device_id":"{}","event_ts":"{}Z","temperature":{},"energy_consumed":{},)"
                     R"("user_id":"{}","event_type":"{}","session_duration":{},"revenue":{}}})",
                     text(0), ts.substr(0, 23), real(2), real(3), text(4), text(5), real(6),
                     real(7));
}

TEST_F(ApiTest, AcceptedEventsAreInTheLogWithExactValues) {
  ClientResponse response =
      client().Post(kEvents, TelemetryBody(0, 500), {{"Content-Type", "application/x-ndjson"}});
  ASSERT_EQ(response.status, 200) << response.body;
  Json json(response.body);
  EXPECT_EQ(UintOf(json.At("accepted")), 500u);
  EXPECT_EQ(UintOf(json.At("rejected")), 0u);
  std::shared_ptr<log::StreamLog> log = TelemetryLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->TotalEvents(), 500u);
  std::multiset<std::string> sent, stored;
  for (int i = 0; i < 500; ++i) sent.insert(TelemetryEvent(i));
  std::map<std::string, int> partition_of_device;
  for (int p = 0; p < log->num_partitions(); ++p) {
    for (const log::RecordBatch& batch : ReadAll(log->partition(p))) {
      for (size_t row = 0; row < batch.events.num_rows(); ++row) {
        stored.insert(RenderTelemetryRow(batch.events, row));
        auto [it, inserted] =
            partition_of_device.emplace(std::string(batch.events.column(0).StringAt(row)), p);
        EXPECT_EQ(it->second, p) << "a device's events are in one partition";
      }
    }
  }
  EXPECT_EQ(stored, sent);
}

TEST_F(ApiTest, JsonArrayBodiesAreAccepted) {
  std::string body = "[" + TelemetryEvent(1) + ",\n" + TelemetryEvent(2) + "]";
  ClientResponse response = client().Post(kEvents, body, {{"Content-Type", "application/json"}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(UintOf(Json(response.body).At("accepted")), 2u);
  EXPECT_EQ(TelemetryLog()->TotalEvents(), 2u);
}

TEST_F(ApiTest, AnyBadEventRejectsTheWholeRequestListingEveryBadEvent) {
  std::string body = TelemetryBody(0, 3);
  body += R"({"device_id":"d","event_ts":"2026-11-23T10:00:00Z","temperature":"hot"})"
          "\n";
  body += TelemetryEvent(4) + "\n";
  body += R"({"device_id":"d","temperature":1})"
          "\n";
  body += "{not json\n";
  body += R"({"device_id":"d","event_ts":"2026-11-23T10:00:00Z","colour":"red"})"
          "\n";
  ClientResponse response = client().Post(kEvents, body);
  ASSERT_EQ(response.status, 400) << response.body;
  Json json(response.body);
  EXPECT_EQ(StringOf(json.At("error", "code")), "data_error");
  EXPECT_EQ(StringOf(json.At("error", "message")),
            "4 of 8 events are invalid and nothing was appended; first: event 3, field "
            "'temperature': expected DOUBLE (a number), got a string");
  simdjson::dom::array events;
  ASSERT_EQ(json.At("error", "events").get_array().get(events), simdjson::SUCCESS);
  std::vector<std::tuple<int64_t, std::string, std::string>> listed;
  for (simdjson::dom::element e : events) {
    listed.emplace_back(IntOf(e["index"]), StringOf(e["field"]), StringOf(e["error"]));
  }
  ASSERT_EQ(listed.size(), 4u);
  EXPECT_EQ(listed[0], std::make_tuple(int64_t{3}, std::string("temperature"),
                                       std::string("expected DOUBLE (a number), got a string")));
  EXPECT_EQ(listed[1], std::make_tuple(int64_t{5}, std::string("event_ts"),
                                       std::string("missing event time (the stream's timestamp)")));
  EXPECT_EQ(std::get<0>(listed[2]), 6);
  EXPECT_EQ(std::get<1>(listed[2]), "");
  EXPECT_TRUE(std::get<2>(listed[2]).starts_with("malformed JSON: "));
  EXPECT_EQ(listed[3], std::make_tuple(int64_t{7}, std::string("colour"),
                                       std::string("unknown field 'colour': the stream has no "
                                                   "such column")));
  EXPECT_EQ(TelemetryLog()->TotalEvents(), 0u);
  EXPECT_EQ(TelemetryLog()->dead_letters().end_offset(), 0u);
}

TEST_F(ApiTest, TheListOfBadEventsIsCapped) {
  std::string body;
  for (int i = 0; i < 1500; ++i) body += "{\"device_id\":\"d\"}\n";
  ClientResponse response = client().Post(kEvents, body);
  ASSERT_EQ(response.status, 400);
  Json json(response.body);
  simdjson::dom::array events;
  ASSERT_EQ(json.At("error", "events").get_array().get(events), simdjson::SUCCESS);
  EXPECT_EQ(events.size(), 1000u);
  EXPECT_EQ(UintOf(json.At("error", "omitted")), 500u);
}

TEST_F(ApiTest, DeadLetterModeAppendsTheValidAndKeepsTheInvalid) {
  const std::string bad_type =
      R"({"device_id":"d","event_ts":"2026-11-23T10:00:00Z","revenue":true})";
  const std::string bad_json = R"({"device_id": "é", oops})";
  std::string body = TelemetryBody(0, 2) + bad_type + "\n" + TelemetryEvent(2) + "\n" + bad_json;
  ClientResponse response = client().Post(std::string(kEvents) + "?on_error=dead_letter", body);
  ASSERT_EQ(response.status, 200) << response.body;
  Json json(response.body);
  EXPECT_EQ(UintOf(json.At("accepted")), 3u);
  EXPECT_EQ(UintOf(json.At("rejected")), 2u);
  EXPECT_EQ(TelemetryLog()->TotalEvents(), 3u);
  EXPECT_EQ(TelemetryLog()->dead_letters().end_offset(), 2u);

  ClientResponse letters = client().Get("/v1/streams/telemetry/dead_letters?limit=10");
  ASSERT_EQ(letters.status, 200) << letters.body;
  Json listed(letters.body);
  simdjson::dom::array rows;
  ASSERT_EQ(listed.At("dead_letters").get_array().get(rows), simdjson::SUCCESS);
  ASSERT_EQ(rows.size(), 2u);
  simdjson::dom::element first = rows.at(0).value();
  EXPECT_EQ(UintOf(first["offset"]), 0u);
  EXPECT_EQ(IntOf(first["index"]), 2);
  EXPECT_EQ(StringOf(first["field"]), "revenue");
  EXPECT_EQ(StringOf(first["reason"]), "expected DOUBLE (a number), got a boolean");
  EXPECT_EQ(StringOf(first["raw"]), bad_type);
  EXPECT_TRUE(ParseRfc3339(StringOf(first["received_at"])).ok());
  simdjson::dom::element second = rows.at(1).value();
  EXPECT_EQ(IntOf(second["index"]), 4);
  EXPECT_EQ(StringOf(second["field"]), "");
  EXPECT_EQ(StringOf(second["raw"]), bad_json);
  ClientResponse from_one = client().Get("/v1/streams/telemetry/dead_letters?from=1");
  Json later(from_one.body);
  ASSERT_EQ(later.At("dead_letters").get_array().get(rows), simdjson::SUCCESS);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(UintOf(rows.at(0).value()["offset"]), 1u);
}

TEST_F(ApiTest, RequestErrorsAreJson) {
  ClientResponse unknown = client().Post("/v1/streams/nope/events", TelemetryBody(0, 1));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(StringOf(Json(unknown.body).At("error", "code")), "undefined_object");
  EXPECT_EQ(client().Get("/v1/streams/nope/dead_letters").status, 404);
  ClientResponse mode = client().Post(std::string(kEvents) + "?on_error=ignore", "{}");
  EXPECT_EQ(mode.status, 400);
  EXPECT_EQ(StringOf(Json(mode.body).At("error", "code")), "invalid_argument");
  ClientResponse method = client().Get(kEvents);
  EXPECT_EQ(method.status, 405);
  ClientResponse array =
      client().Post(kEvents, "[\n" + TelemetryEvent(0) + "\n " + TelemetryEvent(1) + "]");
  ASSERT_EQ(array.status, 400) << array.body;
  Json json(array.body);
  EXPECT_EQ(StringOf(json.At("error", "code")), "data_error");
  EXPECT_EQ(IntOf(json.At("error", "line")), 3);
  EXPECT_EQ(IntOf(json.At("error", "column")), 2);
  ClientResponse empty = client().Post(kEvents, "");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(UintOf(Json(empty.body).At("accepted")), 0u);
  EXPECT_EQ(TelemetryLog()->TotalEvents(), 0u);
}

TEST_F(ApiTest, BodiesOverTheLimitAre413) {
  Close();
  server_options_.max_body_bytes = 4096;
  Open();
  ClientResponse response = client().Post(kEvents, TelemetryBody(0, 100));
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(StringOf(Json(response.body).At("error", "code")), "too_large");
  EXPECT_EQ(TelemetryLog()->TotalEvents(), 0u);
}

TEST_F(ApiTest, AnIdempotencyKeyRetryAppendsNothingAlsoAfterARestart) {
  const std::string body = TelemetryBody(0, 300);
  const std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "batch-42"}};
  ClientResponse first = client().Post(kEvents, body, key);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_FALSE(Json(first.body).root()["duplicate"].error() == simdjson::SUCCESS);
  ClientResponse retry = client().Post(kEvents, body, key);
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(UintOf(Json(retry.body).At("accepted")), 300u);
  EXPECT_TRUE(Json(retry.body).At("duplicate").get_bool().value());
  EXPECT_EQ(TelemetryLog()->TotalEvents(), 300u);

  Reopen();
  ClientResponse after_restart = client().Post(kEvents, body, key);
  ASSERT_EQ(after_restart.status, 200) << after_restart.body;
  EXPECT_TRUE(Json(after_restart.body).At("duplicate").get_bool().value());
  EXPECT_EQ(TelemetryLog()->TotalEvents(), 300u);
  ClientResponse other_key = client().Post(kEvents, body, {{"Idempotency-Key", "batch-43"}});
  EXPECT_EQ(UintOf(Json(other_key.body).At("accepted")), 300u);
  EXPECT_EQ(TelemetryLog()->TotalEvents(), 600u);
  ClientResponse bad_key =
      client().Post(kEvents, body, {{"Idempotency-Key", std::string(300, 'k')}});
  EXPECT_EQ(bad_key.status, 400);
}

TEST_F(ApiTest, ARetryWhileTheFirstRequestIsInFlightIs409) {
  Close();
  log_options_.group_commit_delay = Duration::Seconds(3);  // holds the first request in flight
  Open();
  const std::string body = TelemetryBody(0, 10);
  const std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "slow"}};
  // Two copies of one request race; whichever the log sees second is refused while the other is
  // in flight, and the one that goes through is appended once.
  std::atomic<int> first_status{0};
  std::thread first([&] {
    TestClient own(server_->port());
    first_status = own.Post(kEvents, body, key).status;
  });
  std::vector<int> statuses;
  while (first_status.load() == 0 &&
         std::find(statuses.begin(), statuses.end(), 409) == statuses.end()) {
    ClientResponse retry = client().Post(kEvents, body, key);
    statuses.push_back(retry.status);
    if (retry.status == 409) {
      EXPECT_EQ(StringOf(Json(retry.body).At("error", "code")), "duplicate_object");
    }
  }
  first.join();
  statuses.push_back(first_status.load());
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), statuses.size() - 1);
  EXPECT_EQ(TelemetryLog()->TotalEvents(), 10u);
}

TEST_F(ApiTest, ConcurrentProducersLoseNothingAndOffsetsStayDense) {
  constexpr int kProducers = 8;
  constexpr int kRequests = 25;
  constexpr int kEventsPerRequest = 200;
  std::atomic<uint64_t> acknowledged{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> producers;
  producers.reserve(kProducers);
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      TestClient own(server_->port());
      for (int r = 0; r < kRequests; ++r) {
        const int first = (p * kRequests + r) * kEventsPerRequest;
        Result<ClientResponse> response =
            own.Send("POST", kEvents, TelemetryBody(first, kEventsPerRequest));
        if (!response.ok() || response->status != 200) {
          ++failures;
          continue;
        }
        acknowledged += Json(response->body).At("accepted").get_uint64().value();
      }
      EXPECT_EQ(own.connections_opened(), 1);
    });
  }
  for (std::thread& producer : producers) producer.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(acknowledged.load(), uint64_t{kProducers} * kRequests * kEventsPerRequest);
  std::shared_ptr<log::StreamLog> log = TelemetryLog();
  EXPECT_EQ(log->TotalEvents(), acknowledged.load());
  uint64_t read_back = 0;
  for (int p = 0; p < log->num_partitions(); ++p) {
    for (const log::RecordBatch& batch : ReadAll(log->partition(p))) {
      read_back += batch.events.num_rows();
    }
  }
  EXPECT_EQ(read_back, acknowledged.load());
}

}  // namespace
}  // namespace braid::server::testing
