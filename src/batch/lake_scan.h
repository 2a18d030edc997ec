// LakeScan: reads the rows a ViewPlan needs from a stream's lake table (a Delta snapshot,
// lake/delta_snapshot.h) as Chunks of plan.input_schema (stream columns, then _ingested_at,
// _partition, _offset), with NULL for columns an older file lacks (ALTER STREAM).
//
// Selection, each a sound over-approximation followed by an exact row filter:
//  - epochs: only events of capture epochs in (after_epoch, through_epoch], i.e. with
//    begin_offsets[p] <= _offset < end_offsets[p] for their partition p, where the caller passes
//    E(after_epoch) and E(through_epoch) (SEMANTICS.md epochs; a partition beyond the vectors'
//    size has begin 0 and end 0, i.e. no rows). Files
//    whose epoch range (the add action's tags braid.epochMin / braid.epochMax, set by capture and
//    widened by OPTIMIZE; a file without tags is read and filtered by rows) lies entirely at or
//    below after_epoch are skipped;
//  - event time: an optional [min, max] range prunes date partitions (event_date) and row groups
//    by the statistics of the time column;
// Projection: only the columns the plan's expressions read are decoded; the others are present
// but all NULL, so the plan's column indexes stay valid.
//
// Files are split into tasks so that N threads can scan in parallel; each task is independent.
// Thread-safe: Tasks() is const; ReadTask may run concurrently for different tasks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "common/time.h"
#include "lake/delta_snapshot.h"
#include "sql/view_plan.h"

namespace braid::batch {

struct ScanRange {
  int64_t after_epoch = 0;    // exclusive; 0 = from the first epoch
  int64_t through_epoch = 0;  // inclusive; the snapshot's last sealed epoch for "everything"
  std::vector<uint64_t> begin_offsets;  // E(after_epoch)[p]; empty = zeros
  std::vector<uint64_t> end_offsets;    // E(through_epoch)[p]
  std::optional<Timestamp> min_time;  // inclusive bounds on the event time, for pruning
  std::optional<Timestamp> max_time;
  // The column the lake's event_date partition was derived from (capture's timestamp column).
  // Date partitions are pruned only when the plan's event time is exactly this column; row groups
  // are pruned whenever the event time is a plain column. Empty: no date pruning.
  std::string date_partition_column;
};

struct ScanTask {
  std::string path;  // data file, relative to the table directory (decoded)
  std::vector<size_t> row_groups;
  bool filter_rows = false;  // the file may hold rows outside the epoch range
};

struct ScanStats {
  size_t files_total = 0;
  size_t files_skipped = 0;  // files with no task: pruned by tags, date, or all their row groups
  size_t row_groups_skipped = 0;
  uint64_t rows_read = 0;
  uint64_t bytes_read = 0;
};

class LakeScan {
 public:
  // Plans the scan over the snapshot's active files.
  static Result<LakeScan> Plan(const std::filesystem::path& table_dir,
                               const lake::DeltaSnapshot& snapshot, sql::ViewPlanPtr plan,
                               const ScanRange& range);

  const std::vector<ScanTask>& tasks() const { return tasks_; }

  // Reads one task, calling `sink` with each Chunk of plan.input_schema (after the epoch filter).
  // Adds to *stats. Errors: the reader's (kCorruption naming the file), kIoError.
  Status ReadTask(const ScanTask& task, const std::function<Status(Chunk)>& sink,
                  ScanStats* stats) const;

  const ScanStats& plan_stats() const { return plan_stats_; }

 private:
  LakeScan() = default;
  std::filesystem::path table_dir_;
  sql::ViewPlanPtr plan_;
  ScanRange range_;
  std::vector<ScanTask> tasks_;
  ScanStats plan_stats_;
};

}  // namespace braid::batch
