// GET /v1/status reports the speed layer: per view its watermark, generations, state size and
// event figures and kept rows, per stream the tailer's events and per-partition positions and
// backlog, checked against what was ingested, what the log holds and what queries read.
#include <algorithm>

#include "api_test_fixture.h"

namespace braid::server::testing {
namespace {

constexpr int kSpeedStatusEvents = 600;

// A per-minute view `temps` over telemetry, then kSpeedStatusEvents events, counted by the speed
// layer.
class SpeedStatusTest : public ApiTest {
 protected:
  void CreateViewAndIngest() {
    ClientResponse view = client().Post(
        "/v1/sql",
        "CREATE VIEW temps AS SELECT device_id, AVG(temperature) AS avg_temp FROM telemetry "
        "GROUP BY device_id, TumblingWindow(minute, 1)");
    ASSERT_EQ(view.status, 200) << view.body;
    ASSERT_EQ(
        client().Post("/v1/streams/telemetry/events", TelemetryBody(0, kSpeedStatusEvents)).status,
        200);
    ASSERT_TRUE(db_->speed().WaitUntilCaughtUp("telemetry", Duration::Seconds(20)));
  }
};

TEST_F(SpeedStatusTest, StatusReportsTheSpeedLayerOfAViewAndItsStream) {
  CreateViewAndIngest();
  ASSERT_FALSE(HasFatalFailure());

  // The oracle: per partition, the end offset and the newest event time in the log. Every
  // partition received, events arrive in time order, so Wc = min over partitions - out_of_order.
  std::shared_ptr<log::StreamLog> log = TelemetryLog();
  const size_t ts = *log->schema()->FindField("event_ts");
  std::vector<uint64_t> ends;
  int64_t watermark = INT64_MAX;
  for (int p = 0; p < log->num_partitions(); ++p) {
    int64_t newest = INT64_MIN;
    for (const log::RecordBatch& batch : ReadAll(log->partition(p))) {
      for (int64_t t : batch.events.column(ts).int64s()) newest = std::max(newest, t);
    }
    ASSERT_NE(newest, INT64_MIN) << "partition " << p << " received nothing";
    ends.push_back(log->partition(p).end_offset());
    watermark = std::min(watermark, newest - Duration::Seconds(10).micros);
  }

  ClientResponse response = client().Get("/v1/status");
  ASSERT_EQ(response.status, 200) << response.body;
  Json json(response.body);
  simdjson::dom::element temps = json.At("views", "temps");
  EXPECT_EQ(StringOf(temps["speed_watermark"]), FormatRfc3339(Timestamp{watermark}));
  EXPECT_EQ(simdjson::minify(temps["generations"]), "[1]");  // nothing sealed: the open epoch
  simdjson::dom::element speed = temps["speed"];
  EXPECT_EQ(IntOf(speed["absorbed_epoch"]), 0);
  EXPECT_GT(UintOf(speed["state_bytes"]), 0u);
  // 50 devices in each of the 10 minutes, and event 0 at exactly 10:00:00 ends (09:59, 10:00].
  EXPECT_EQ(UintOf(speed["groups"]), 50u * 10u + 1u);
  EXPECT_EQ(UintOf(speed["events"]), static_cast<uint64_t>(kSpeedStatusEvents));
  EXPECT_EQ(UintOf(speed["counted"]), static_cast<uint64_t>(kSpeedStatusEvents));
  EXPECT_EQ(UintOf(speed["late"]), 0u);
  EXPECT_EQ(simdjson::minify(speed["kept_rows"]), R"({"rows":0,"bytes":0,"hits":0,"misses":0})");

  simdjson::dom::element stream = json.At("streams", "telemetry")["speed"];
  EXPECT_EQ(UintOf(stream["events"]), static_cast<uint64_t>(kSpeedStatusEvents));
  EXPECT_EQ(IntOf(stream["open_generation"]), 1);
  simdjson::dom::array partitions;
  ASSERT_EQ(stream["partitions"].get_array().get(partitions), simdjson::SUCCESS);
  ASSERT_EQ(partitions.size(), ends.size());
  size_t p = 0;
  for (simdjson::dom::element partition : partitions) {
    EXPECT_EQ(UintOf(partition["id"]), p);
    EXPECT_EQ(UintOf(partition["position"]), ends[p]) << "partition " << p;
    EXPECT_EQ(UintOf(partition["backlog"]), 0u) << "partition " << p;
    ++p;
  }
}

// The speed rows a point read builds are kept (speed generations keep what reads build), and the
// same read again copies them: status counts both.
TEST_F(SpeedStatusTest, StatusCountsTheSpeedRowsKeptForReads) {
  CreateViewAndIngest();
  ASSERT_FALSE(HasFatalFailure());

  auto kept_rows = [this] {
    ClientResponse status = client().Get("/v1/status");
    EXPECT_EQ(status.status, 200) << status.body;
    Json json(status.body);
    return simdjson::minify(json.At("views", "temps")["speed"]["kept_rows"]);
  };
  // device-007 has events in each of the 10 minutes: 10 rows, every one of speed cells.
  const std::string query = "SELECT * FROM temps WHERE device_id = 'device-007'";
  for (int read = 1; read <= 2; ++read) {
    ClientResponse answer = client().Post("/v1/sql", query);
    ASSERT_EQ(answer.status, 200) << answer.body;
    Json json(answer.body);
    simdjson::dom::array rows;
    ASSERT_EQ(json.root()["rows"].get_array().get(rows), simdjson::SUCCESS) << answer.body;
    EXPECT_EQ(rows.size(), 10u) << answer.body;
  }
  const std::string kept = kept_rows();
  // The first read built and kept the 10 rows, the second copied them.
  EXPECT_NE(kept.find(R"("rows":10,)"), std::string::npos) << kept;
  EXPECT_NE(kept.find(R"("hits":10,"misses":10})"), std::string::npos) << kept;
  EXPECT_EQ(kept.find(R"("bytes":0,)"), std::string::npos) << kept;
}

}  // namespace
}  // namespace braid::server::testing
