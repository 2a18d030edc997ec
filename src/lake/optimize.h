// OPTIMIZE: compacts the small data files of each partition (event date) of a lake table into one
// file, sorted like capture's files (by the given columns, then _partition and _offset when the
// table has them), and commits `remove` + `add` actions with dataChange = false in ONE Delta
// version (docs/formats/delta.md): readers see the same rows before and after, files are never
// rewritten in place, and the removed files stay on disk for older snapshots until VACUUM. A
// concurrent commit that removed one of the same files makes the commit conflict: the new files
// are deleted and kDuplicateObject is returned (run again). Appends (capture) do not conflict.
// Memory: one partition's small files are held at once. Safe to run concurrently with readers
// and with capture.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/delta_table.h"
#include "lake/parquet_writer.h"

namespace braid::lake {

struct OptimizeOptions {
  int64_t small_file_bytes = int64_t{32} << 20;  // files below this size are compacted
  size_t min_files = 2;  // a partition is compacted when it has at least this many small files
  std::vector<std::string> sort_columns;  // column names, e.g. the partition key and event time
  ParquetWriterOptions parquet;
  CommitOptions commit;
};

struct OptimizeResult {
  int64_t table_version = -1;  // the version committed; -1 when there was nothing to compact
  size_t files_removed = 0;
  size_t files_added = 0;
};

Result<OptimizeResult> Optimize(const DeltaTable& table, const OptimizeOptions& options = {});

}  // namespace braid::lake
