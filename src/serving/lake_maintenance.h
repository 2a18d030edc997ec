// Maintenance of a stream's lake table (DATA/lake/{stream}): OPTIMIZE compacts each event date's
// small files into one file sorted like capture's (partition key, event time); VACUUM deletes
// files no snapshot within the retention can need; ListLakeFiles lists the active files of the
// latest snapshot. Thin: the table work is lake/optimize.h and lake/vacuum.h, this only derives
// the table directory and sort order from the stream's definition. Safe alongside capture (Delta
// conflict detection, see those headers). Thread-safe.
#pragma once

#include <filesystem>
#include <vector>

#include "lake/delta_actions.h"
#include "lake/optimize.h"
#include "lake/vacuum.h"
#include "sql/stream_definition.h"

namespace braid::serving {

std::filesystem::path LakeTableDir(const sql::StreamDefinition& stream,
                                   const std::filesystem::path& data_dir);

Result<lake::OptimizeResult> OptimizeLake(const sql::StreamDefinition& stream,
                                          const std::filesystem::path& data_dir);
Result<lake::VacuumResult> VacuumLake(const sql::StreamDefinition& stream,
                                      const std::filesystem::path& data_dir,
                                      const lake::VacuumOptions& options);
// The active data files (path, partition values, size, stats) and the snapshot's version.
struct LakeFiles {
  int64_t version = -1;
  std::vector<lake::DeltaAddFile> files;
};
Result<LakeFiles> ListLakeFiles(const sql::StreamDefinition& stream,
                                const std::filesystem::path& data_dir);

}  // namespace braid::serving
