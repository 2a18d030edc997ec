// The serving layer's query tests over examples/iot.sql (merged_query_test.cc,
// rollup_query_test.cc): a Database over a scratch directory with the IoT definitions, where
// nothing runs on its own (capture, refresh and the DuckDB comparisons happen when a test asks),
// fed with generated telemetry (cli/iot_generator.h) through the real log, partitioned by
// device_id. Every appended event is also kept, so DuckDB (tests/duckdb_oracle.h) can compute any
// answer from exactly the events ingested so far: the independent oracle of these tests.
// Helpers read answers by column name, so a test does not depend on where `_source` lands.
// Test-only.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/iot_generator.h"
#include "database_test_fixture.h"
#include "duckdb_oracle.h"
#include "scoped_temp_dir.h"
#include "serving/database.h"

namespace braid::serving::testing {

// The generated workload: 200 devices, 2000 users, `rate` events per second of event time from
// 2026-11-23T00:00Z (at 20, 200k events span about 2 h 47 min), 5% jittered back by up to 5 s and
// `late_fraction` pushed back by 1 to 10 minutes.
cli::IotGeneratorOptions IotWorkload(double late_fraction, uint64_t seed, double rate = 20.0);

// One answer's columns, picked by name (case-insensitive) from every chunk of `result`, in the
// order given. A missing column fails the calling test and gives an empty Chunk.
Chunk ColumnsOf(const QueryResult& result, const std::vector<std::string>& names);

// 1e-9 relative agreement (both NULL-free).
bool NearlyEqual(double a, double b);

class IotDatabaseTest : public DatabaseTest {
 protected:
  static constexpr Duration kWait = Duration::Seconds(120);

  // Opens a database whose capture and batch jobs run only on request, with examples/iot.sql
  // applied after replacing the stream's `out_of_order = '10s'` by `out_of_order` (as is when
  // equal), and a generator with `workload`.
  void OpenIot(std::string_view out_of_order, const cli::IotGeneratorOptions& workload);

  // Generates `events` more events and appends them to the telemetry log in batches.
  void Ingest(size_t events);
  // Waits until the speed layer has read everything appended so far.
  void CatchUp();
  // Seals the next capture epoch of telemetry; returns it.
  int64_t Capture();
  // Runs a refresh of device_metrics (it seals an epoch first) to completion; returns the epoch
  // it absorbed up to.
  int64_t Refresh();
  // Executes `sql` with `consistency`; a failure fails the calling test (an empty answer).
  QueryResult Run(std::string_view sql, Consistency consistency = Consistency::kMerged);
  // Executes `sql` and returns what it answered, OK or not.
  Result<QueryResult> Try(std::string_view sql, Consistency consistency = Consistency::kMerged);

  // DuckDB's rows of `query`, run over a relation `events` (device_id, event_us BIGINT, then
  // the other telemetry columns) holding exactly the first `events` events ingested (all when
  // nullopt; otherwise a multiple of 5000, the events of one append).
  std::vector<braid::testing::OracleRow> Oracle(const std::string& query,
                                                std::optional<uint64_t> events = std::nullopt);

  uint64_t ingested() const { return ingested_; }

 private:
  braid::testing::ScopedTempDir scratch_{"serving-query"};
  std::unique_ptr<cli::IotGenerator> generator_;
  std::vector<Chunk> events_;  // every appended event, in stream rows
  uint64_t ingested_ = 0;
};

}  // namespace braid::serving::testing
