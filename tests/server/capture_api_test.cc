// POST /v1/capture and the capture figures of GET /v1/status, through HTTP, checked against the
// lake table itself (every logged event in the Delta snapshot's files exactly once).
#include <set>

#include "api_test_fixture.h"
#include "lake/delta_table.h"
#include "lake/parquet_reader.h"

namespace braid::server::testing {
namespace {

// (_partition, _offset) of every row of the lake table's active files.
std::multiset<std::pair<int64_t, int64_t>> LakeEventIds(const std::filesystem::path& table_dir) {
  std::multiset<std::pair<int64_t, int64_t>> ids;
  Result<lake::DeltaSnapshot> snapshot = lake::DeltaTable(table_dir).LoadSnapshot();
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  if (!snapshot.ok()) return ids;
  for (const auto& [path, file] : snapshot->files()) {
    auto reader = lake::ParquetReader::Open(table_dir / path);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) continue;
    for (size_t g = 0; g < (*reader)->num_row_groups(); ++g) {
      Result<Chunk> rows = (*reader)->ReadRowGroup(g);
      EXPECT_TRUE(rows.ok()) << rows.status().ToString();
      if (!rows.ok()) continue;
      const Column& partition = rows->column(*rows->schema()->FindField("_partition"));
      const Column& offset = rows->column(*rows->schema()->FindField("_offset"));
      for (size_t i = 0; i < rows->num_rows(); ++i) {
        ids.emplace(partition.int64s()[i], offset.int64s()[i]);
      }
    }
  }
  return ids;
}

// streams.telemetry.capture.<field> of a status answer.
simdjson::dom::element CaptureField(const Json& status, const char* field) {
  simdjson::dom::element value;
  EXPECT_EQ(status.At("streams", "telemetry")["capture"][field].get(value), simdjson::SUCCESS)
      << field;
  return value;
}

TEST_F(ApiTest, CaptureSealsEpochsExactlyOnceAndStatusReportsLag) {
  ASSERT_EQ(client().Post("/v1/streams/telemetry/events", TelemetryBody(0, 1000)).status, 200);
  ClientResponse first = client().Post("/v1/capture", "");
  ASSERT_EQ(first.status, 200) << first.body;
  Json sealed(first.body);
  EXPECT_EQ(StringOf(sealed.At("outcome")), "committed");
  EXPECT_EQ(sealed.At("epoch").get_int64().value(), 1);
  EXPECT_EQ(sealed.At("events").get_int64().value(), 1000);
  EXPECT_EQ(IntOf(sealed.At("streams", "telemetry")["epoch"].value()), 1);

  Json status(client().Get("/v1/status").body);
  EXPECT_EQ(IntOf(CaptureField(status, "epoch")), 1);
  EXPECT_EQ(IntOf(CaptureField(status, "lag_events")), 0);
  EXPECT_GE(IntOf(CaptureField(status, "files")), 1);

  ASSERT_EQ(client().Post("/v1/streams/telemetry/events", TelemetryBody(1000, 500)).status, 200);
  Json lagging(client().Get("/v1/status").body);
  EXPECT_EQ(IntOf(CaptureField(lagging, "lag_events")), 500);
  EXPECT_GE(CaptureField(lagging, "lag_seconds").get_double().value(), 0.0);

  Json second(client().Post("/v1/capture?stream=telemetry", "").body);
  EXPECT_EQ(second.At("epoch").get_int64().value(), 2);
  EXPECT_EQ(second.At("events").get_int64().value(), 500);
  Json again(client().Post("/v1/capture?stream=telemetry", "").body);
  EXPECT_EQ(StringOf(again.At("outcome")), "no_new_events");
  EXPECT_EQ(again.At("epoch").get_int64().value(), 2);
  EXPECT_EQ(again.At("events").get_int64().value(), 0);

  Reopen();  // a restart reads the last epoch back from the Delta log
  Json restarted(client().Get("/v1/status").body);
  EXPECT_EQ(IntOf(CaptureField(restarted, "epoch")), 2);
  EXPECT_EQ(IntOf(CaptureField(restarted, "lag_events")), 0);
  EXPECT_EQ(StringOf(Json(client().Post("/v1/capture", "").body).At("outcome")), "no_new_events");

  std::multiset<std::pair<int64_t, int64_t>> ids = LakeEventIds(dir_.path() / "lake" / "telemetry");
  EXPECT_EQ(ids.size(), 1500u);
  const std::set<std::pair<int64_t, int64_t>> distinct(ids.begin(), ids.end());
  EXPECT_EQ(distinct.size(), 1500u);
  std::shared_ptr<log::StreamLog> log = TelemetryLog();
  for (int p = 0; p < log->num_partitions(); ++p) {
    for (uint64_t o = 0; o < log->partition(p).end_offset(); ++o) {
      ASSERT_EQ(ids.count({p, static_cast<int64_t>(o)}), 1u) << p << ":" << o;
    }
  }
}

TEST_F(ApiTest, CaptureOfAnUnknownStreamIs404) {
  ClientResponse missing = client().Post("/v1/capture?stream=nosuch", "");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(StringOf(Json(missing.body).At("error", "code")), "undefined_object");
}

}  // namespace
}  // namespace braid::server::testing
