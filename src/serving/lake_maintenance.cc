#include "serving/lake_maintenance.h"

#include "lake/delta_table.h"
#include "serving/stream_capture.h"

namespace braid::serving {

std::filesystem::path LakeTableDir(const sql::StreamDefinition& stream,
                                   const std::filesystem::path& data_dir) {
  return CaptureOptionsFor(stream, data_dir).files.table_dir;
}

Result<lake::OptimizeResult> OptimizeLake(const sql::StreamDefinition& stream,
                                          const std::filesystem::path& data_dir) {
  lake::OptimizeOptions options;
  // The same order capture sorts its files in, so compaction keeps statistics tight.
  for (size_t column : CaptureOptionsFor(stream, data_dir).files.sort_columns) {
    options.sort_columns.push_back(stream.schema->field(column).name);
  }
  return lake::Optimize(lake::DeltaTable(LakeTableDir(stream, data_dir)), options);
}

Result<lake::VacuumResult> VacuumLake(const sql::StreamDefinition& stream,
                                      const std::filesystem::path& data_dir,
                                      const lake::VacuumOptions& options) {
  return lake::Vacuum(lake::DeltaTable(LakeTableDir(stream, data_dir)), options);
}

Result<LakeFiles> ListLakeFiles(const sql::StreamDefinition& stream,
                                const std::filesystem::path& data_dir) {
  ASSIGN_OR_RETURN(lake::DeltaSnapshot snapshot,
                   lake::DeltaTable(LakeTableDir(stream, data_dir)).LoadSnapshot());
  LakeFiles listing;
  listing.version = snapshot.version();
  for (const auto& [path, file] : snapshot.files()) listing.files.push_back(file);
  return listing;
}

}  // namespace braid::serving
