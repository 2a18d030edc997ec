// A fixture for the API tests: a Database on a fresh temporary directory with the telemetry
// stream of API.md, served by an in-process HttpServer on an ephemeral port, and a client.
// Reopen() closes server and database and opens them again on the same directory (a restart).
// Helpers read a stream's log back directly, as the independent oracle for what was ingested.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "log/stream_log.h"
#include "server/api.h"
#include "server/http_server.h"
#include "serving/database.h"
#include "scoped_temp_dir.h"
#include "test_client.h"

namespace braid::server::testing {

inline constexpr std::string_view kTelemetryDdl = R"(CREATE STREAM telemetry (
  device_id STRING NOT NULL, event_ts TIMESTAMP NOT NULL, temperature DOUBLE,
  energy_consumed DOUBLE, user_id STRING, event_type STRING, session_duration DOUBLE, revenue DOUBLE
) WITH (partitions = 16, partition_key = 'device_id', timestamp = 'event_ts',
        out_of_order = '10s', allowed_lateness = '5s', out_of_order_policy = 'adjust',
        retention = '7d'))";

// One telemetry event as NDJSON, a deterministic function of `i`.
inline std::string TelemetryEvent(int i) {
  return fmt::format(
      R"({{"device_id":"device-{:03}","event_ts":"2026-11-23T10:{:02}:{:02}.{:03}Z",)"
      R"("temperature":{},"energy_consumed":{},"user_id":"user-{}","event_type":"reading",)"
      R"("session_duration":{},"revenue":{}}})",
      i % 50, (i / 60) % 60, i % 60, i % 1000, 20.0 + (i % 40) * 0.5, i * 0.25, i % 7, i % 13,
      i * 0.01);
}

inline std::string TelemetryBody(int first, int count) {
  std::string body;
  for (int i = first; i < first + count; ++i) body += TelemetryEvent(i) + "\n";
  return body;
}

using braid::testing::ScopedTempDir;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open();
    ClientResponse created = client().Post("/v1/sql", kTelemetryDdl);
    ASSERT_EQ(created.status, 200) << created.body;
  }
  void TearDown() override { Close(); }

  void Open() {
    serving::DatabaseOptions db_options;
    db_options.data_dir = dir_.path();
    db_options.log = log_options_;
    Result<std::unique_ptr<serving::Database>> db = serving::Database::Open(db_options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    Result<std::unique_ptr<HttpServer>> server =
        HttpServer::Start(server_options_, MakeApiRouter(*db_, api_options_));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    client_ = std::make_unique<TestClient>(server_->port());
  }
  void Close() {
    client_.reset();
    server_.reset();
    if (db_) db_->Close();
    db_.reset();
  }
  void Reopen() {
    Close();
    Open();
  }

  TestClient& client() { return *client_; }

  // Submits an incremental refresh of `view` over HTTP and waits (up to 20 s) for its job to
  // succeed.
  void RefreshAndWait(std::string_view view) {
    ClientResponse submitted = client().Post(fmt::format("/v1/views/{}/refresh", view), "");
    ASSERT_EQ(submitted.status, 202) << submitted.body;
    const int64_t job = IntOf(Json(submitted.body).At("job"));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string state =
          StringOf(Json(client().Get(fmt::format("/v1/jobs/{}", job)).body).At("state"));
      ASSERT_NE(state, "failed");
      if (state == "succeeded") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "the refresh of " << view << " did not finish";
  }
  std::shared_ptr<log::StreamLog> TelemetryLog() {
    Result<serving::StreamHandle> stream = db_->FindStream("telemetry");
    EXPECT_TRUE(stream.ok()) << stream.status().ToString();
    return stream.ok() ? stream->log : nullptr;
  }

  // Every batch of a partition, checking that offsets are dense from start to end.
  static std::vector<log::RecordBatch> ReadAll(const log::Partition& partition) {
    std::vector<log::RecordBatch> all;
    uint64_t offset = partition.start_offset();
    while (offset < partition.end_offset()) {
      Result<std::vector<log::RecordBatch>> batches = partition.Read(offset, 1 << 20);
      EXPECT_TRUE(batches.ok()) << batches.status().ToString();
      if (!batches.ok() || batches->empty()) break;
      for (log::RecordBatch& batch : *batches) {
        EXPECT_EQ(batch.header.base_offset, offset) << "partition " << partition.id();
        EXPECT_EQ(batch.header.record_count, batch.events.num_rows());
        offset += batch.events.num_rows();
        all.push_back(std::move(batch));
      }
    }
    EXPECT_EQ(offset, partition.end_offset()) << "partition " << partition.id();
    return all;
  }

  ScopedTempDir dir_;
  log::LogOptions log_options_;
  HttpServerOptions server_options_{.port = 0};
  ApiOptions api_options_;  // e.g. query limits, the streamed-answer size
  std::unique_ptr<serving::Database> db_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<TestClient> client_;
};

}  // namespace braid::server::testing
