#include "lake/optimize.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "common/time.h"
#include "lake/data_file.h"
#include "lake/parquet_reader.h"
#include "lake/row_order.h"

namespace braid::lake {
namespace {

namespace fs = std::filesystem;

using SmallFiles = std::map<PartitionValues, std::vector<const DeltaAddFile*>>;

// The columns rows are sorted by: the named ones, then _partition and _offset when present.
Result<std::vector<size_t>> SortKeys(const Schema& schema, const std::vector<std::string>& names) {
  std::vector<size_t> keys;
  for (const std::string& name : names) {
    std::optional<size_t> index = schema.FindField(name);
    if (!index) {
      return Status(StatusCode::kUndefinedColumn,
                    fmt::format("OPTIMIZE sort column '{}' is not in the table", name));
    }
    keys.push_back(*index);
  }
  for (std::string_view name : {"_partition", "_offset"}) {
    if (std::optional<size_t> index = schema.FindField(name)) keys.push_back(*index);
  }
  return keys;
}

// Appends every row of the data file `add` to `rows` (whose schema is the table's data schema).
Status AppendFileRows(const fs::path& table_dir, const DeltaAddFile& add, Chunk* rows) {
  ASSIGN_OR_RETURN(std::string relative, DecodeDataFilePath(add.path));
  ASSIGN_OR_RETURN(std::unique_ptr<ParquetReader> reader,
                   ParquetReader::Open(table_dir / relative));
  // A file written before a column was added reads it as NULL.
  for (size_t group = 0; group < reader->num_row_groups(); ++group) {
    ASSIGN_OR_RETURN(Chunk chunk, reader->ReadRowGroupAs(group, rows->schema()));
    for (size_t c = 0; c < chunk.num_columns(); ++c) {
      Column& target = rows->mutable_column(c);
      for (size_t row = 0; row < chunk.num_rows(); ++row) target.AppendFrom(chunk.column(c), row);
    }
  }
  return Status::Ok();
}

// The union of the inputs' epoch ranges; none if any input has none (it may hold any epoch).
std::optional<FileEpochRange> MergedEpochRange(const std::vector<const DeltaAddFile*>& files) {
  std::optional<FileEpochRange> merged;
  for (const DeltaAddFile* file : files) {
    std::optional<FileEpochRange> range = EpochRangeOf(*file);
    if (!range) return std::nullopt;
    merged = merged ? FileEpochRange{std::min(merged->min, range->min),
                                     std::max(merged->max, range->max)}
                    : *range;
  }
  return merged;
}

// Writes the rows of `files` as one sorted file of their partition.
Result<DeltaAddFile> CompactPartition(const DeltaTable& table, const DeltaMetadata& metadata,
                                      const PartitionValues& values,
                                      const std::vector<const DeltaAddFile*>& files,
                                      const std::vector<size_t>& keys,
                                      const OptimizeOptions& options) {
  Chunk rows(metadata.schema.data);
  for (const DeltaAddFile* file : files) RETURN_IF_ERROR(AppendFileRows(table.dir(), *file, &rows));
  ASSIGN_OR_RETURN(std::string directory, PartitionDirectory(metadata.schema.partition, values));
  DeltaAddFile add;
  add.path = fmt::format("{}{}part-optimized-{}.parquet", directory, directory.empty() ? "" : "/",
                         NewGuid());
  add.partition_values = values;
  add.data_change = false;
  if (std::optional<FileEpochRange> range = MergedEpochRange(files)) SetEpochRange(*range, &add);
  return WriteDataFile(table.dir(), std::move(add), rows.Select(SortedRowOrder(rows, keys)),
                       options.parquet);
}

SmallFiles FindSmallFiles(const DeltaSnapshot& snapshot, const OptimizeOptions& options) {
  SmallFiles small;
  for (const auto& [path, add] : snapshot.files()) {
    if (add.size < options.small_file_bytes) small[add.partition_values].push_back(&add);
  }
  std::erase_if(small, [&](const auto& entry) { return entry.second.size() < options.min_files; });
  return small;
}

void DeleteWritten(const fs::path& table_dir, const std::vector<DeltaAddFile>& adds) {
  for (const DeltaAddFile& add : adds) {
    std::error_code ignored;  // an undeletable file is an orphan that VACUUM removes later
    fs::remove(table_dir / add.path, ignored);
  }
}

}  // namespace

Result<OptimizeResult> Optimize(const DeltaTable& table, const OptimizeOptions& options) {
  ASSIGN_OR_RETURN(DeltaSnapshot snapshot, table.LoadSnapshot());
  if (!snapshot.exists()) return OptimizeResult{};
  ASSIGN_OR_RETURN(std::vector<size_t> keys,
                   SortKeys(*snapshot.metadata().schema.data, options.sort_columns));
  DeltaCommit commit;
  const int64_t now_ms = Now().micros / 1000;
  for (const auto& [values, files] : FindSmallFiles(snapshot, options)) {
    Result<DeltaAddFile> add =
        CompactPartition(table, snapshot.metadata(), values, files, keys, options);
    if (!add.ok()) {
      DeleteWritten(table.dir(), commit.adds);
      return add.status();
    }
    commit.adds.push_back(std::move(add).value());
    for (const DeltaAddFile* file : files) commit.removes.push_back({file->path, now_ms, false});
  }
  if (commit.adds.empty()) return OptimizeResult{};
  commit.commit_info = fmt::format(
      R"({{"timestamp":{},"operation":"OPTIMIZE","operationParameters":{{}},"isBlindAppend":false}})",
      now_ms);
  Result<int64_t> version = table.Commit(snapshot, commit, options.commit);
  if (!version.ok()) {
    if (version.status().code() == StatusCode::kDuplicateObject) {
      DeleteWritten(table.dir(), commit.adds);  // the commit surely did not land
    }
    return version.status();
  }
  return OptimizeResult{*version, commit.removes.size(), commit.adds.size()};
}

}  // namespace braid::lake
