// BatchViewTable: the stored batch view of one view version, a Delta table under
// DATA/views/{view}/v{N}/ (lower-cased view name) whose data files hold BatchViewSchema rows
// (hash_aggregator.h), partitioned by `window_date` = the UTC date of window_end (a view without a
// window has one partition, no partition column). Each commit records, in commitInfo.braidBatch,
// the last capture epoch absorbed B, its end offsets E(B), and the hash of the view definition
// (XXH3 of plan.sql), plus a txn {appId "braid-batch", version B}, so a rerun of an absorbed epoch
// range is detected and changes nothing (exactly once).
//
// Rows are stored ordered by window_end then keys, in files of about kRowsPerFile rows within
// a date; each file's tags braid.windowEndMin/Max record the window_end range it holds, and
// every cell (keys, window) is in exactly one file. A write removes files and adds files in ONE
// commit (remove + add, dataChange=true): Replace(dates, rows) rewrites whole dates (a full
// recompute), Rewrite rewrites only the files holding the cells an incremental refresh touches
// (ReadCellsOf), so its cost follows the new events, not the view's size. A crash before the
// commit leaves unreferenced files (vacuumed later), after it the new state: readers see the old
// or the new files, never a mix.
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
// Rows per data file of a date (whole chunks, so a file may hold a little more or less).
inline constexpr size_t kRowsPerFile = size_t{1} << 17;

// What a batch view version has absorbed.
struct BatchHorizon {
  int64_t epoch = 0;                 // B: every event of epochs <= B is counted; 0 = none
  std::vector<uint64_t> end_offsets;  // E(B)
  uint64_t definition_hash = 0;       // XXH3 of the view's canonical SQL
  int64_t table_version = -1;         // the Delta version holding it
};

// Stored rows that new cells may merge with (BatchViewTable::ReadCellsOf): every row of the
// active files that may hold one of those cells, and which files these are, in the snapshot
// `table_version`.
struct StoredCells {
  int64_t table_version = -1;
  std::vector<std::string> files;  // Delta paths of the active files read
  std::vector<Chunk> rows;         // BatchViewSchema rows of those files
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
  // Chunks of BatchViewSchema(plan): files by date, then by the first window_end they hold, rows
  // within a file in view order (after refreshes, files of one date may overlap in window_end).
  Result<std::vector<Chunk>> Read(const std::optional<std::set<std::string>>& dates) const;

  // The stored files that may hold one of `new_cells` cells whose window ends are
  // `window_ends` (e.g. the cells of new epochs): in a windowed view those whose window_end range
  // (the file's tags braid.windowEndMin/Max, or its whole date for files without them) contains
  // one of `window_ends`; in a view without a window every file. Nothing when new_cells is 0.
  Result<StoredCells> ReadCellsOf(size_t new_cells, const std::set<int64_t>& window_ends) const;
  // The stored rows of the windows ending in [low, high) (windowed views), with the horizon of
  // the same snapshot: reads only the files whose window_end range meets [low, high) (files
  // without tags: those of the dates it spans). For the speed layer's emission of closing windows.
  struct WindowRange {
    BatchHorizon horizon;
    std::vector<Chunk> rows;  // BatchViewSchema rows, each with low <= window_end < high
  };
  Result<WindowRange> ReadWindowRange(int64_t low, int64_t high) const;
  // Every active file, without reading rows (a full rebuild replaces them all).
  Result<StoredCells> ListFiles() const;

  // Replaces the files `replaced` (read by ReadCellsOf) with `rows` and records the new horizon,
  // in one commit: every cell must then be in exactly one file, so `rows` must hold every cell
  // of the replaced files. kDuplicateObject when the table changed since `replaced` was read
  // (another writer); returns false, writing nothing, if the horizon was already absorbed.
  Result<bool> Rewrite(const StoredCells& replaced, std::vector<Chunk> rows,
                       const BatchHorizon& horizon, size_t threads = 1,
                       size_t rows_per_file = kRowsPerFile);

  // Replaces the rows of `dates` by `rows` (which must all fall in those dates, in the order to
  // store) and records the new horizon, in one commit. Each date gets files of about
  // `rows_per_file` rows (whole chunks), written on `threads` threads. kAlreadyCommitted-style
  // outcome: if the table's horizon is already >= horizon.epoch, nothing is written and the call
  // returns false.
  Result<bool> Replace(const std::set<std::string>& dates, std::vector<Chunk> rows,
                       const BatchHorizon& horizon, size_t threads = 1,
                       size_t rows_per_file = kRowsPerFile);

 private:
  BatchViewTable() = default;
  Result<bool> CommitFiles(const lake::DeltaSnapshot& snapshot,
                           const std::vector<std::string>& removed, std::vector<Chunk> rows,
                           const std::set<std::string>* dates, const BatchHorizon& horizon,
                           size_t threads, size_t rows_per_file);
  Result<std::vector<Chunk>> ReadFiles(const std::vector<std::string>& files) const;

  std::filesystem::path dir_;
  sql::ViewPlanPtr plan_;
};

// "2024-01-03": the window_date partition of a row with this window_end.
std::string WindowDate(Timestamp window_end);

}  // namespace braid::batch
