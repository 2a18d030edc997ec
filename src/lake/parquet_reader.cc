#include "lake/parquet_reader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include "common/chunk_projection.h"
#include "lake/column_chunk_reader.h"

namespace braid::lake {
namespace {

constexpr std::string_view kEncryptedMagic = "PARE";
constexpr uint64_t kMaxFooterBytes = uint64_t{64} << 20;
// A row group is decoded whole, at least 9 bytes a row per fixed-width column, and a few bytes
// of RLE can claim billions of rows: refuse groups above 64 Mi rows (pyarrow's old default).
constexpr int64_t kMaxRowGroupRows = int64_t{1} << 26;

}  // namespace

Status ParquetReader::Error(StatusCode code, std::string_view what) const {
  return Status(code, fmt::format("parquet file {}: {}", path_.string(), what));
}

Result<std::unique_ptr<ParquetReader>> ParquetReader::Open(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return IoError("fstat", path, errno);
  std::unique_ptr<ParquetReader> reader(new ParquetReader(path, std::move(fd)));
  RETURN_IF_ERROR(reader->ReadFooter(static_cast<uint64_t>(st.st_size)));
  return reader;
}

Status ParquetReader::ReadFooter(uint64_t file_size) {
  if (file_size < 12) return Error(StatusCode::kCorruption, "shorter than 12 bytes");
  std::string tail;
  RETURN_IF_ERROR(PReadExact(fd_.get(), file_size - 8, 8, &tail, path_));
  std::string_view tail_magic = std::string_view(tail).substr(4);
  if (tail_magic == kEncryptedMagic) {
    return Error(StatusCode::kUnsupported, "encrypted footers are not supported");
  }
  if (tail_magic != kParquetMagic) {
    return Error(StatusCode::kCorruption, "no PAR1 magic at the end");
  }
  uint32_t footer_size;
  std::memcpy(&footer_size, tail.data(), 4);
  if (footer_size > file_size - 12 || footer_size > kMaxFooterBytes) {
    return Error(StatusCode::kCorruption, fmt::format("footer length {} does not fit the {} byte "
                                                      "file", footer_size, file_size));
  }
  std::string head;
  RETURN_IF_ERROR(PReadExact(fd_.get(), 0, 4, &head, path_));
  if (head != kParquetMagic) return Error(StatusCode::kCorruption, "no PAR1 magic at the start");
  std::string footer;
  uint64_t data_end = file_size - 8 - footer_size;
  RETURN_IF_ERROR(PReadExact(fd_.get(), data_end, footer_size, &footer, path_));
  Result<FileMetaData> metadata = DecodeFileMetaData(footer);
  if (!metadata.ok()) return Error(metadata.status().code(), metadata.status().message());
  metadata_ = std::move(metadata).value();
  Result<std::vector<LeafColumn>> leaves = MapParquetSchema(metadata_.schema);
  if (!leaves.ok()) return Error(leaves.status().code(), leaves.status().message());
  leaves_ = std::move(leaves).value();
  std::vector<Field> fields;
  for (const LeafColumn& leaf : leaves_) fields.push_back({leaf.name, leaf.type, leaf.optional});
  schema_ = std::make_shared<const Schema>(std::move(fields));
  int64_t rows = 0;
  for (size_t i = 0; i < metadata_.row_groups.size(); ++i) {
    RETURN_IF_ERROR(ValidateRowGroup(i, data_end));
    rows += metadata_.row_groups[i].num_rows;  // each bounded by 2^26 by ValidateRowGroup
  }
  if (rows != metadata_.num_rows) {
    return Error(StatusCode::kCorruption, fmt::format("footer says {} rows, its row groups hold "
                                                      "{}", metadata_.num_rows, rows));
  }
  return Status::Ok();
}

Status ParquetReader::ValidateRowGroup(size_t index, uint64_t data_end) {
  const RowGroup& group = metadata_.row_groups[index];
  auto bad = [&](std::string_view column, std::string_view what) {
    return Error(StatusCode::kCorruption,
                 fmt::format("row group {}, column '{}': {}", index, column, what));
  };
  if (group.num_rows < 0) return bad("*", "negative row count");
  if (group.num_rows > kMaxRowGroupRows) {
    return Error(StatusCode::kTooLarge, fmt::format("row group {} has {} rows, more than the {} "
                                                    "Braid reads at once", index, group.num_rows,
                                                    kMaxRowGroupRows));
  }
  if (group.columns.size() != leaves_.size()) {
    return bad("*", fmt::format("{} column chunks for {} columns", group.columns.size(),
                                leaves_.size()));
  }
  RowGroupInfo info;
  info.num_rows = group.num_rows;
  auto& ranges = chunk_ranges_.emplace_back();
  for (size_t c = 0; c < leaves_.size(); ++c) {
    const ColumnChunk& chunk = group.columns[c];
    const std::string& name = leaves_[c].name;
    if (chunk.file_path) {
      return Error(StatusCode::kUnsupported, fmt::format("column '{}' stored in another file",
                                                         name));
    }
    if (!chunk.meta_data) return bad(name, "column chunk without metadata");
    const ColumnMetaData& meta = *chunk.meta_data;
    if (meta.type != leaves_[c].physical) return bad(name, "physical type differs from schema");
    int64_t first = meta.data_page_offset;
    if (meta.dictionary_page_offset && *meta.dictionary_page_offset > 0 &&
        *meta.dictionary_page_offset < first) {
      first = *meta.dictionary_page_offset;
    }
    int64_t size = meta.total_compressed_size;
    if (first < 4 || size < 0 || static_cast<uint64_t>(first) > data_end ||
        static_cast<uint64_t>(size) > data_end - static_cast<uint64_t>(first)) {
      return bad(name, fmt::format("byte range [{}, +{}) outside the data area", first, size));
    }
    ranges.emplace_back(first, size);
    info.compressed_bytes += size;
    info.columns.push_back(meta.statistics ? FromParquetStatistics(*meta.statistics, leaves_[c])
                                           : ColumnStatistics{});
  }
  row_groups_.push_back(std::move(info));
  return Status::Ok();
}

Result<std::vector<size_t>> ParquetReader::SelectRowGroups(
    std::span<const ColumnPredicate> predicates) const {
  std::vector<size_t> columns;
  for (const ColumnPredicate& predicate : predicates) {
    std::optional<size_t> column = schema_->FindField(predicate.column);
    if (!column) {
      return Status(StatusCode::kUndefinedColumn,
                    fmt::format("no column '{}' in {}", predicate.column, path_.string()));
    }
    RETURN_IF_ERROR(CheckPredicate(predicate, schema_->field(*column).type));
    columns.push_back(*column);
  }
  std::vector<size_t> selected;
  for (size_t g = 0; g < row_groups_.size(); ++g) {
    bool may_match = true;
    for (size_t p = 0; p < predicates.size() && may_match; ++p) {
      may_match = MayMatch(predicates[p], row_groups_[g].columns[columns[p]],
                           row_groups_[g].num_rows);
    }
    if (may_match) selected.push_back(g);
  }
  return selected;
}

Result<Chunk> ParquetReader::ReadRowGroup(size_t index) const {
  std::vector<size_t> all(leaves_.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  return ReadRowGroup(index, all);
}

Result<Chunk> ParquetReader::ReadRowGroupAs(size_t index, const SchemaPtr& requested) const {
  std::vector<size_t> columns;
  for (const Field& field : requested->fields()) {
    if (std::optional<size_t> column = schema_->FindField(field.name)) columns.push_back(*column);
  }
  if (columns.empty() && requested->size() > 0) {
    return Error(StatusCode::kTypeMismatch, "holds none of the requested columns");
  }
  ASSIGN_OR_RETURN(Chunk chunk, ReadRowGroup(index, columns));
  Result<Chunk> projected = ProjectChunk(std::move(chunk), requested);
  if (!projected.ok()) {
    return Error(projected.status().code(),
                 fmt::format("row group {}: {}", index, projected.status().message()));
  }
  return projected;
}

Result<Chunk> ParquetReader::ReadRowGroup(size_t index, std::span<const size_t> columns) const {
  if (index >= row_groups_.size()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("row group {} of {} in {}", index, row_groups_.size(),
                              path_.string()));
  }
  const RowGroup& group = metadata_.row_groups[index];
  std::vector<Field> fields;
  std::vector<Column> out;
  ColumnChunkReader decoder;
  std::string bytes;
  for (size_t c : columns) {
    if (c >= leaves_.size()) {
      return Status(StatusCode::kInvalidArgument, fmt::format("no column {} in {}", c,
                                                              path_.string()));
    }
    auto [first, size] = chunk_ranges_[index][c];
    RETURN_IF_ERROR(PReadExact(fd_.get(), first, size, &bytes, path_));
    Result<Column> column = decoder.Read(bytes, *group.columns[c].meta_data, leaves_[c],
                                         group.num_rows);
    if (!column.ok()) {
      return Error(column.status().code(),
                   fmt::format("row group {}, column '{}': {}", index, leaves_[c].name,
                               column.status().message()));
    }
    fields.push_back(schema_->field(c));
    out.push_back(std::move(column).value());
  }
  auto schema = std::make_shared<const Schema>(std::move(fields));
  if (out.empty()) return Chunk(std::move(schema));
  return Chunk::Make(std::move(schema), std::move(out));
}

}  // namespace braid::lake
