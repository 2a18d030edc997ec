#include "batch/view_refresh.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "batch/batch_executor.h"
#include "batch/batch_view_table.h"
#include "batch/lake_scan.h"
#include "batch/parallel_indices.h"
#include "common/hash.h"
#include "lake/capture.h"
#include "lake/delta_table.h"

namespace braid::batch {
namespace {

constexpr size_t kRowsPerChunk = 65536;

// Seconds on a steady clock since `start`.
double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

size_t ThreadsOf(const RefreshOptions& options) { return std::max<size_t>(1, options.threads); }

// Rows per chunk of Finish: files hold whole chunks, so never more than a file's rows.
size_t ChunkRows(const RefreshOptions& options) {
  return std::clamp<size_t>(options.rows_per_file, 1, kRowsPerChunk);
}

uint64_t CountRows(const std::vector<Chunk>& chunks) {
  uint64_t rows = 0;
  for (const Chunk& chunk : chunks) rows += chunk.num_rows();
  return rows;
}

// Aggregates the events of `range` on options.threads threads (batch_executor.h) into one
// aggregator per thread, unmerged.
using AggregatorParts = std::vector<std::unique_ptr<HashAggregator>>;
Result<AggregatorParts> AggregateParts(const std::filesystem::path& lake_dir,
                                       const lake::DeltaSnapshot& snapshot,
                                       const sql::ViewPlanPtr& plan, const ScanRange& range,
                                       const RefreshOptions& options, RefreshStats* stats) {
  ASSIGN_OR_RETURN(LakeScan scan, LakeScan::Plan(lake_dir, snapshot, plan, range));
  const size_t total = scan.tasks().size();
  std::vector<ScanStats> task_stats(total);  // one slot per task: no sharing between threads
  std::atomic<size_t> done{0};
  std::vector<AggregationTask> tasks;
  tasks.reserve(total);
  for (size_t i = 0; i < total; ++i) {
    tasks.push_back([&, i](HashAggregator& aggregator) -> Status {
      RETURN_IF_ERROR(scan.ReadTask(
          scan.tasks()[i], [&](Chunk rows) { return aggregator.Consume(rows); }, &task_stats[i]));
      const size_t finished = done.fetch_add(1) + 1;
      if (options.progress) options.progress(finished, total);
      return Status::Ok();
    });
  }
  BatchExecutorOptions executor;
  executor.threads = std::max<size_t>(1, options.threads);
  executor.aggregator = options.aggregator;
  ASSIGN_OR_RETURN(AggregatorParts parts, RunAggregationParts(plan, std::move(tasks), executor));
  for (const ScanStats& task : task_stats) {
    stats->rows_read += task.rows_read;
    stats->bytes_read += task.bytes_read;
  }
  return parts;
}

// The same merged into one aggregator.
Result<std::unique_ptr<HashAggregator>> Aggregate(const std::filesystem::path& lake_dir,
                                                  const lake::DeltaSnapshot& snapshot,
                                                  const sql::ViewPlanPtr& plan,
                                                  const ScanRange& range,
                                                  const RefreshOptions& options,
                                                  RefreshStats* stats) {
  ASSIGN_OR_RETURN(AggregatorParts parts,
                   AggregateParts(lake_dir, snapshot, plan, range, options, stats));
  return MergeAggregators(std::move(parts));
}

// The lake's latest snapshot and its last sealed epoch.
struct LakeState {
  lake::DeltaSnapshot snapshot;
  lake::CapturedEpoch sealed;
};

Result<LakeState> LoadLake(const RefreshSource& source) {
  LakeState state;
  ASSIGN_OR_RETURN(state.snapshot, lake::DeltaTable(source.lake_dir).LoadSnapshot());
  ASSIGN_OR_RETURN(state.sealed, lake::LastCapturedEpoch(state.snapshot, source.partitions));
  return state;
}

BatchHorizon NewHorizon(const sql::ViewPlan& plan, const lake::CapturedEpoch& sealed) {
  BatchHorizon horizon;
  horizon.epoch = sealed.epoch;
  horizon.end_offsets = sealed.end_offsets;
  horizon.definition_hash = Hash64(plan.sql);
  return horizon;
}

Status Commit(BatchViewTable& table, const StoredCells& replaced, std::vector<Chunk> rows,
              const BatchHorizon& horizon, const RefreshOptions& options, RefreshStats* stats) {
  const uint64_t row_count = CountRows(rows);
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(bool committed,
                   table.Rewrite(replaced, std::move(rows), horizon, ThreadsOf(options),
                                 options.rows_per_file));
  stats->write_seconds = SecondsSince(start);
  stats->committed = committed;
  if (committed) {
    stats->to_epoch = horizon.epoch;
    stats->files_replaced = replaced.files.size();
    stats->rows_written = row_count;
  }
  return Status::Ok();
}

// Rebuilds every row of `table` from epochs (0, K]: every stored file is replaced.
Status RunFull(const sql::ViewPlanPtr& plan, BatchViewTable& table, const RefreshSource& source,
               const LakeState& lake, const RefreshOptions& options, RefreshStats* stats) {
  stats->full = true;
  ASSIGN_OR_RETURN(StoredCells stored, table.ListFiles());
  ScanRange range;
  range.through_epoch = lake.sealed.epoch;
  range.end_offsets = lake.sealed.end_offsets;
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(AggregatorParts parts,
                   AggregateParts(source.lake_dir, lake.snapshot, plan, range, options, stats));
  stats->aggregate_seconds = SecondsSince(start);
  start = std::chrono::steady_clock::now();
  // The threads' cells are read where they are: only cells several threads hold are merged.
  ASSIGN_OR_RETURN(std::vector<Chunk> rows,
                   HashAggregator::FinishParts(parts, ChunkRows(options), ThreadsOf(options)));
  // Each part's states are freed on a thread of its own, in parallel.
  RETURN_IF_ERROR(ForEachIndexOnThreads(parts.size(), ThreadsOf(options), [&](size_t k) {
    parts[k].reset();
    return Status::Ok();
  }));
  stats->finish_seconds = SecondsSince(start);
  return Commit(table, stored, std::move(rows), NewHorizon(*plan, lake.sealed), options, stats);
}

// Folds epochs (B, K] into the stored states of the cells they touch: only the files holding
// those cells are read and rewritten.
Status RunIncremental(const sql::ViewPlanPtr& plan, BatchViewTable& table,
                      const BatchHorizon& stored_horizon, const RefreshSource& source,
                      const LakeState& lake, const RefreshOptions& options, RefreshStats* stats) {
  ScanRange range;
  range.after_epoch = stored_horizon.epoch;
  range.through_epoch = lake.sealed.epoch;
  range.begin_offsets = stored_horizon.end_offsets;
  range.end_offsets = lake.sealed.end_offsets;
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::unique_ptr<HashAggregator> merged,
                   Aggregate(source.lake_dir, lake.snapshot, plan, range, options, stats));
  // The new cells' windows locate the stored files to merge with, whose states fold into the
  // same aggregator (new events in no window still advance the horizon, e.g. all filtered out:
  // then nothing is read or rewritten).
  ASSIGN_OR_RETURN(StoredCells stored, table.ReadCellsOf(merged->groups(), merged->WindowEnds()));
  for (const Chunk& chunk : stored.rows) RETURN_IF_ERROR(merged->ConsumeStates(chunk));
  stored.rows.clear();
  stats->aggregate_seconds = SecondsSince(start);
  start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::vector<Chunk> rows,
                   merged->Finish(ChunkRows(options), ThreadsOf(options)));
  merged.reset();
  stats->finish_seconds = SecondsSince(start);
  return Commit(table, stored, std::move(rows), NewHorizon(*plan, lake.sealed), options, stats);
}

// Refresh and recompute differ only in their target: an empty table (a new version, or one never
// refreshed) is built from every epoch, one with a horizon is completed incrementally.
Result<RefreshStats> Run(const std::filesystem::path& data_dir, const sql::ViewPlanPtr& plan,
                         int64_t version, const RefreshSource& source,
                         const RefreshOptions& options) {
  ASSIGN_OR_RETURN(BatchViewTable table, BatchViewTable::Open(data_dir, plan, version));
  ASSIGN_OR_RETURN(BatchHorizon stored, table.Horizon());
  if (stored.epoch > 0 && stored.definition_hash != Hash64(plan->sql)) {
    // Folding epochs with another definition would mix two views in one table.
    return Status(StatusCode::kInvalidArgument,
                  "batch view " + plan->name + " v" + std::to_string(version) +
                      " was computed from another definition of the view; recompute it into a "
                      "new version");
  }
  RefreshStats stats;
  stats.from_epoch = stored.epoch;
  stats.to_epoch = stored.epoch;
  ASSIGN_OR_RETURN(LakeState lake, LoadLake(source));
  if (lake.sealed.epoch < stored.epoch) {
    return Status(StatusCode::kCorruption,
                  "batch view " + plan->name + " v" + std::to_string(version) + " absorbed epoch " +
                      std::to_string(stored.epoch) + " but the lake of " + plan->source +
                      " has sealed only " + std::to_string(lake.sealed.epoch));
  }
  if (lake.sealed.epoch == stored.epoch) return stats;
  if (stored.epoch == 0 || plan->has_session_window()) {
    RETURN_IF_ERROR(RunFull(plan, table, source, lake, options, &stats));
    return stats;
  }
  RETURN_IF_ERROR(RunIncremental(plan, table, stored, source, lake, options, &stats));
  return stats;
}

}  // namespace

Result<RefreshStats> RefreshView(const std::filesystem::path& data_dir, sql::ViewPlanPtr plan,
                                 int64_t version, const RefreshSource& source,
                                 const RefreshOptions& options) {
  return Run(data_dir, plan, version, source, options);
}

Result<RefreshStats> RecomputeView(const std::filesystem::path& data_dir, sql::ViewPlanPtr plan,
                                   int64_t version, const RefreshSource& source,
                                   const RefreshOptions& options) {
  return Run(data_dir, plan, version, source, options);
}

}  // namespace braid::batch
