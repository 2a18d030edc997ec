// BatchViewTable: the stored batch view of one view version, a Delta table under
// DATA/views/{view}/v{N}/ (lower-cased view name) whose data files hold BatchViewSchema rows
// (hash_aggregator.h), partitioned by `window_date` = the UTC date of window_end (a view without a
// window has one partition, no partition column). Each commit records, in commitInfo.braidBatch,
// the last capture epoch absorbed B, its end offsets E(B), and the hash of the view definition
// (XXH3 of plan.sql), plus a txn {appId "braid-batch", version B}, so a rerun of an absorbed epoch
// range is detected and changes nothing (exactly once).
//
// Writes replace whole date partitions: Replace(partitions, rows) removes every active file of
// those dates and adds the new files in ONE commit (remove + add, dataChange=true). A crash before
// the commit leaves unreferenced files (vacuumed later), after it the new state: readers see the
// old or the new partition, never a mix.
//
// Versions: Create(N) starts an empty table for version N; the serving layer decides which
// version is current (view_versions.h, not here). Thread-safety: one writer per table (the
// refresh job); readers may read any snapshot concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "lake/delta_snapshot.h"
#include "sql/view_plan.h"

namespace braid::batch {

inline constexpr std::string_view kBatchAppId = "braid-batch";

// What a batch view version has absorbed.
struct BatchHorizon {
  int64_t epoch = 0;                 // B: every event of epochs <= B is counted; 0 = none
  std::vector<uint64_t> end_offsets;  // E(B)
  uint64_t definition_hash = 0;       // XXH3 of the view's canonical SQL
  int64_t table_version = -1;         // the Delta version holding it
};

class BatchViewTable {
 public:
  // Opens (creating if missing, with the Delta protocol and metaData of BatchViewSchema(plan))
  // the table of `plan`'s version `version` under data_dir/views/{name}/v{version}.
  static Result<BatchViewTable> Open(const std::filesystem::path& data_dir, sql::ViewPlanPtr plan,
                                     int64_t version);

  const std::filesystem::path& dir() const { return dir_; }

  // The absorbed horizon of the latest snapshot (epoch 0 for a new table).
  Result<BatchHorizon> Horizon() const;

  // Reads every stored row of the given window dates (all dates when `dates` is nullopt), as
  // Chunks of BatchViewSchema(plan).
  Result<std::vector<Chunk>> Read(const std::optional<std::set<std::string>>& dates) const;

  // Replaces the rows of `dates` by `rows` (which must all fall in those dates) and records the
  // new horizon, in one commit. kAlreadyCommitted-style outcome: if the table's horizon is
  // already >= horizon.epoch, nothing is written and the call returns false.
  Result<bool> Replace(const std::set<std::string>& dates, const std::vector<Chunk>& rows,
                       const BatchHorizon& horizon);

 private:
  BatchViewTable() = default;
  std::filesystem::path dir_;
  sql::ViewPlanPtr plan_;
};

// "2024-01-03": the window_date partition of a row with this window_end.
std::string WindowDate(Timestamp window_end);

}  // namespace braid::batch
