// View refresh: the two batch runs of a view version (DESIGN.md batch/, issue 5 items 3-4).
//
// RefreshView is the incremental run. It reads the version's horizon B (batch_view_table.h) and
// the lake's last sealed epoch K (lake::LastCapturedEpoch over the stream's latest snapshot);
// when K == B there is nothing to do. Otherwise it scans only the events of epochs (B, K]
// (lake_scan.h, bounded by the offsets E(B) and E(K)), aggregates them into states
// (hash_aggregator.h), finds the stored files that may hold the new cells (by their window_end
// ranges, batch_view_table.h), folds those files' states into the same aggregator and replaces
// exactly those files by the merged cells, recording horizon K, in one commit. Exactly once: the
// table refuses a horizon it already absorbed, so a rerun after a crash before the commit redoes
// the same work, and a rerun after it changes nothing. Files no new cell falls in are never read
// or rewritten, so a refresh costs what its new events touch, not the size of the view.
//
// Session windows fall back to a full recompute of the version in place: a session's cells
// depend on every event of its key (an epoch's events can extend, bridge or split the sessions
// stored so far), so stored session rows cannot be merged with new ones cell by cell.
//
// RecomputeView is the full run: every epoch (0, K] into the table of a new version, which the
// caller then makes current (serving/view_versions.h). A target that already absorbed some epochs
// (a rerun after a crash past its commit) is completed incrementally, which gives the same rows.
//
// Both rely on the caller for mutual exclusion: at most one run per view version at a time (the
// job runner's per-view lock); a racing run would be caught by the horizon check at commit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>

#include "batch/batch_view_table.h"
#include "batch/hash_aggregator.h"
#include "common/status.h"
#include "sql/view_plan.h"

namespace braid::batch {

// Where a view's source events are: the stream's lake table.
struct RefreshSource {
  std::filesystem::path lake_dir;  // DATA/lake/{stream}
  size_t partitions = 0;           // the stream's partition count
};

// What a run did, for jobs and status.
struct RefreshStats {
  int64_t from_epoch = 0;  // B before the run
  int64_t to_epoch = 0;    // the horizon after the run (== from_epoch when nothing to do)
  bool committed = false;  // a new horizon was committed by this run
  bool full = false;       // the run scanned every epoch (recompute or session fallback)
  uint64_t rows_read = 0;  // source rows read from the lake
  uint64_t bytes_read = 0;
  size_t files_replaced = 0;  // stored files rewritten (removed and replaced)
  uint64_t rows_written = 0;  // batch view rows written
  // Wall time of the phases: scanning and aggregating the new events (and folding the stored
  // states they merge with), building the view's rows (finalize, serialize), writing and
  // committing the files.
  double aggregate_seconds = 0;
  double finish_seconds = 0;
  double write_seconds = 0;
};

// Progress of the scan: tasks (file slices) done out of the total.
using RefreshProgressFn = std::function<void(size_t tasks_done, size_t tasks_total)>;

struct RefreshOptions {
  AggregatorOptions aggregator;  // the memory limit of the whole run
  size_t threads = 1;            // scan, aggregation and writing threads (batch_executor.h)
  size_t rows_per_file = kRowsPerFile;  // batch view data files (batch_view_table.h)
  RefreshProgressFn progress;    // optional; called from the scan threads, one call at a time
                                 // per task, possibly concurrently
};

// The incremental run over version `version` of `plan` under data_dir/views/.
Result<RefreshStats> RefreshView(const std::filesystem::path& data_dir, sql::ViewPlanPtr plan,
                                 int64_t version, const RefreshSource& source,
                                 const RefreshOptions& options = {});

// The full run into version `version` (normally a new one); see above.
Result<RefreshStats> RecomputeView(const std::filesystem::path& data_dir, sql::ViewPlanPtr plan,
                                   int64_t version, const RefreshSource& source,
                                   const RefreshOptions& options = {});

}  // namespace braid::batch
