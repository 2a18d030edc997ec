#include "lake/data_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>

#include "common/file_util.h"
#include "common/time.h"
#include "lake/delta_stats.h"

namespace braid::lake {
namespace {

namespace fs = std::filesystem;

Status SyncFile(const fs::path& path) {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDONLY));
  if (::fsync(fd.get()) != 0) return IoError("fsync", path, errno);
  return Status::Ok();
}

bool NeedsNoEscaping(std::string_view value) {
  for (char c : value) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == ':';
    if (!safe) return false;
  }
  return !value.empty();
}

}  // namespace

Result<DeltaAddFile> WriteDataFile(const fs::path& table_dir, DeltaAddFile add, Chunk rows,
                                   const ParquetWriterOptions& options) {
  std::vector<Chunk> chunks;
  chunks.push_back(std::move(rows));
  return WriteDataFile(table_dir, std::move(add), std::move(chunks), options);
}

Result<DeltaAddFile> WriteDataFile(const fs::path& table_dir, DeltaAddFile add,
                                   std::vector<Chunk> rows, const ParquetWriterOptions& options) {
  if (rows.empty()) return Status(StatusCode::kInvalidArgument, "a data file needs a schema");
  ASSIGN_OR_RETURN(std::string relative, DecodeDataFilePath(add.path));
  const fs::path path = table_dir / relative;
  RETURN_IF_ERROR(CreateDirectoriesDurably(path.parent_path()));
  const SchemaPtr schema = rows.front().schema();
  ASSIGN_OR_RETURN(std::unique_ptr<ParquetWriter> writer,
                   ParquetWriter::Open(path, schema, options));
  for (Chunk& chunk : rows) RETURN_IF_ERROR(writer->Write(std::move(chunk)));
  ASSIGN_OR_RETURN(ParquetFileSummary summary, writer->Close());
  RETURN_IF_ERROR(SyncFile(path));
  RETURN_IF_ERROR(SyncDirectory(path.parent_path()));
  add.size = static_cast<int64_t>(summary.file_size);
  add.modification_time_ms = Now().micros / 1000;
  add.stats = EncodeFileStats(*schema, summary);
  return add;
}

Result<std::string> PartitionDirectory(const std::vector<PartitionColumn>& columns,
                                       const PartitionValues& values) {
  std::string directory;
  for (const PartitionColumn& column : columns) {
    auto it = values.find(column.name);
    const std::string value =
        it == values.end() || !it->second ? "__HIVE_DEFAULT_PARTITION__" : *it->second;
    if (!NeedsNoEscaping(column.name) || !NeedsNoEscaping(value)) {
      return Status(
          StatusCode::kUnsupported,
          fmt::format("partition value '{}' of '{}' would need escaping", value, column.name));
    }
    directory += fmt::format("{}{}={}", directory.empty() ? "" : "/", column.name, value);
  }
  return directory;
}

}  // namespace braid::lake
