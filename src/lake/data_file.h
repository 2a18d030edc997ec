// Writing one data file of a lake table: the rows go to a new Parquet file at `add.path` (relative
// to the table directory, creating its partition directory), the file and its directory are
// fsynced (a Delta commit may only reference durable files), and the add action comes back with
// size, modification time and stats filled in. Capture and OPTIMIZE both write through here.
// Thread-safe for distinct paths.
#pragma once

#include <filesystem>

#include "common/chunk.h"
#include "common/status.h"
#include "lake/delta_actions.h"
#include "lake/parquet_writer.h"

namespace braid::lake {

// `add` supplies path, partition values and dataChange; `rows` must be in the order to write.
Result<DeltaAddFile> WriteDataFile(const std::filesystem::path& table_dir, DeltaAddFile add,
                                   Chunk rows, const ParquetWriterOptions& options);
// The same for rows held in several chunks of one schema, written in order into one file.
Result<DeltaAddFile> WriteDataFile(const std::filesystem::path& table_dir, DeltaAddFile add,
                                   std::vector<Chunk> rows, const ParquetWriterOptions& options);

// The directory of a partition, "event_date=2026-11-23" (NULL as __HIVE_DEFAULT_PARTITION__);
// kUnsupported when a value would need URI escaping, which Braid does not write.
Result<std::string> PartitionDirectory(const std::vector<PartitionColumn>& columns,
                                       const PartitionValues& values);

}  // namespace braid::lake
