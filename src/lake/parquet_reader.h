// ParquetReader: reads flat Parquet files, Braid's own and other writers' (DuckDB, Spark,
// Arrow), into Chunks. Open reads and validates the footer (magic, length, metadata, schema,
// every row group's column chunk ranges) and maps the schema to Braid types (parquet_schema.h),
// so a file Braid cannot read fails at Open with a message naming the column. Row groups are
// read one at a time with column projection; statistics let callers skip row groups
// (SelectRowGroups). Every length, offset and count is checked: a truncated or damaged file
// gives kCorruption naming the file, row group, column and page, never a crash. Written by hand
// because no Parquet library ships with the platform. The reader owns its descriptor; after Open
// it is immutable, and ReadRowGroup may run concurrently from several threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "common/chunk.h"
#include "common/file_util.h"
#include "common/status.h"
#include "lake/column_statistics.h"
#include "lake/parquet_metadata.h"
#include "lake/parquet_schema.h"
#include "lake/row_group_filter.h"

namespace braid::lake {

struct RowGroupInfo {
  int64_t num_rows = 0;
  int64_t compressed_bytes = 0;
  std::vector<ColumnStatistics> columns;  // one per schema field
};

class ParquetReader {
 public:
  static Result<std::unique_ptr<ParquetReader>> Open(const std::filesystem::path& path);

  ParquetReader(const ParquetReader&) = delete;
  ParquetReader& operator=(const ParquetReader&) = delete;

  // Fields are nullable exactly when the Parquet column is OPTIONAL.
  const SchemaPtr& schema() const { return schema_; }
  int64_t num_rows() const { return metadata_.num_rows; }
  size_t num_row_groups() const { return row_groups_.size(); }
  const RowGroupInfo& row_group(size_t index) const { return row_groups_[index]; }
  const FileMetaData& metadata() const { return metadata_; }

  // Indices of the row groups that may hold rows satisfying every predicate (statistics prove
  // the others hold none). kUndefinedColumn or kTypeMismatch for a bad predicate.
  Result<std::vector<size_t>> SelectRowGroups(std::span<const ColumnPredicate> predicates) const;

  // Reads row group `index` into a Chunk of the given columns (schema indices, in that order).
  Result<Chunk> ReadRowGroup(size_t index, std::span<const size_t> columns) const;
  // Reads row group `index` with every column.
  Result<Chunk> ReadRowGroup(size_t index) const;
  // Reads row group `index` as a Chunk of `requested` (a table's current schema): its columns by
  // name, and all NULL for the nullable columns the file lacks, because it was written before
  // they were added (common/chunk_projection.h). A requested column of another type, or missing
  // and NOT NULL, is kTypeMismatch; so is a file holding none of the requested columns.
  Result<Chunk> ReadRowGroupAs(size_t index, const SchemaPtr& requested) const;

 private:
  ParquetReader(std::filesystem::path path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}

  Status ReadFooter(uint64_t file_size);
  Status ValidateRowGroup(size_t index, uint64_t data_end);
  Status Error(StatusCode code, std::string_view what) const;

  std::filesystem::path path_;
  UniqueFd fd_;
  FileMetaData metadata_;
  std::vector<LeafColumn> leaves_;
  SchemaPtr schema_;
  std::vector<RowGroupInfo> row_groups_;
  // Per row group and column: the byte range [first, first + size) of the column chunk.
  std::vector<std::vector<std::pair<uint64_t, uint64_t>>> chunk_ranges_;
};

}  // namespace braid::lake
