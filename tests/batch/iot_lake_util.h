// Shared by the batch layer's oracle and crash tests (view_refresh_oracle_test.cc,
// view_refresh_crash_test.cc): a lake table of generated IoT events (cli/iot_generator.h) sealed
// epoch by epoch through a small in-memory CaptureSource, and three ways to judge stored batch
// views of examples/iot.sql: DuckDB computing each view from the lake's Parquet files with the
// SQL of tests/sql/view_oracle_test.cc and comparing it with the stored tables' Parquet files
// (tests/duckdb_oracle.h), and a C++ comparison of two stored tables. Comparisons are exact but
// for doubles computed by sums (avg, stddev, percentile_cont, SUM of DOUBLE), which may differ by
// merge order and are compared to 1e-9 relative. Failures are gtest failures of the calling
// test. Test-only; nothing here starts a thread (the crash test forks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "batch/batch_view_table.h"
#include "batch/view_refresh.h"
#include "cli/iot_generator.h"
#include "common/status.h"
#include "sql/view_plan.h"

namespace braid::batch::testing {

// examples/iot.sql's stream: WITH (partitions = 16).
inline constexpr size_t kIotPartitions = 16;

// The lake table of the telemetry stream, filled with the generator's events in order: each
// SealEpoch generates the next events, spreads them over the partitions by a hash of the device
// and captures them as the next epoch (lake/capture.h). _ingested_at is fixed per epoch.
class IotLake {
 public:
  IotLake(std::filesystem::path lake_dir, const cli::IotGeneratorOptions& generator);
  ~IotLake();
  IotLake(const IotLake&) = delete;
  IotLake& operator=(const IotLake&) = delete;

  // Generates `events` more events (at least one) and seals them as one epoch.
  Status SealEpoch(size_t events);

  int64_t epoch() const { return epoch_; }  // the last sealed epoch (0 = none)
  uint64_t events() const { return events_; }
  const std::filesystem::path& dir() const { return dir_; }
  RefreshSource source() const { return RefreshSource{dir_, kIotPartitions}; }

 private:
  class Source;
  std::filesystem::path dir_;
  cli::IotGenerator generator_;
  std::unique_ptr<Source> source_;
  int64_t epoch_ = 0;
  uint64_t events_ = 0;
};

// The absolute paths of the data files of the latest snapshot of the Delta table at `table_dir`
// (none when the table does not exist yet).
Result<std::vector<std::string>> ActiveDataFiles(const std::filesystem::path& table_dir);

// The lake holds exactly `events` events with distinct (_partition, _offset), and every Parquet
// file under it is active (so nothing unreferenced could be read).
void ExpectLakeHolds(const std::filesystem::path& lake_dir, uint64_t events);

// DuckDB computes view `plan` (one of examples/iot.sql) over every event of the lake, and every
// table of `table_dirs` (batch view tables of that view) must hold exactly its rows: same number
// of rows, no row missing on either side (FULL OUTER JOIN on the keys and window), every value
// equal. Each table must also have `_having` true on every row (the views have no HAVING), and
// every table after the first must equal the first the same way. The rows span at least
// `min_dates` UTC dates of window_end. A failure message shows up to five differing rows.
void ExpectTablesMatchDuckDb(const sql::ViewPlan& plan, const std::filesystem::path& lake_dir,
                             const std::vector<std::filesystem::path>& table_dirs,
                             size_t min_dates = 1);

// The rows of two stored tables of one view equal each other, in C++: same cells, every output
// column and `_having` equal (doubles to 1e-9 relative). Reports at most ten differences.
void ExpectSameStoredRows(const std::string& what, const BatchViewTable& actual,
                          const BatchViewTable& expected, const sql::ViewPlan& plan);

}  // namespace braid::batch::testing
