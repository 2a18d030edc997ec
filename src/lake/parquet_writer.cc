#include "lake/parquet_writer.h"

#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>

#include "common/version.h"
#include "lake/page_compression.h"
#include "lake/parquet_schema.h"

namespace braid::lake {
namespace {

constexpr size_t kFlushBytes = size_t{8} << 20;

}  // namespace

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::Open(const std::filesystem::path& path,
                                                           SchemaPtr schema,
                                                           ParquetWriterOptions options) {
  if (!schema || schema->size() == 0) {
    return Status(StatusCode::kInvalidArgument, "a parquet file needs at least one column");
  }
  if (!IsSupportedCodec(options.codec)) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("cannot write {} parquet pages", CodecName(options.codec)));
  }
  if (options.row_group_rows == 0 || options.row_group_rows > (size_t{1} << 31) - 1) {
    return Status(StatusCode::kInvalidArgument, "row_group_rows must be in [1, 2^31)");
  }
  for (const std::string& name : options.binary_columns) {
    std::optional<size_t> index = schema->FindField(name);
    if (!index || schema->field(*index).type != DataType::kString) {
      return Status(StatusCode::kInvalidArgument,
                    fmt::format("binary column '{}' is not a STRING column", name));
    }
  }
  ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC));
  return std::unique_ptr<ParquetWriter>(
      new ParquetWriter(path, std::move(fd), std::move(schema), std::move(options)));
}

ParquetWriter::ParquetWriter(std::filesystem::path path, UniqueFd fd, SchemaPtr schema,
                             ParquetWriterOptions options)
    : path_(std::move(path)), fd_(std::move(fd)), schema_(std::move(schema)),
      options_(std::move(options)) {
  ColumnEncodingOptions encoding{.codec = options_.codec,
                                 .zstd_level = options_.zstd_level,
                                 .page_bytes = options_.page_bytes,
                                 .dictionary = options_.dictionary,
                                 .dictionary_limits = options_.dictionary_limits};
  for (const Field& field : schema_->fields()) {
    ColumnEncodingOptions column = encoding;
    // Opaque bytes (serialized states, hashes) almost never repeat: no dictionary attempt.
    const std::vector<std::string>& binary = options_.binary_columns;
    if (std::find(binary.begin(), binary.end(), field.name) != binary.end()) {
      column.dictionary = DictionaryMode::kDisabled;
      column.statistics = StatisticsMode::kNullCountOnly;
    }
    column_writers_.emplace_back(field, column);
  }
  file_statistics_.resize(schema_->size());
  // Flushed once past kFlushBytes, after a column chunk: room for that and a large chunk at once,
  // rather than growing (and copying) the buffer by doubling.
  buffer_.reserve(2 * kFlushBytes);
  buffer_.append(kParquetMagic);
  metadata_.schema = ToParquetSchema(*schema_, options_.binary_columns);
  metadata_.created_by = fmt::format("braid version {}", VersionString());
  metadata_.column_orders = schema_->size();
  for (const auto& [key, value] : options_.key_value_metadata) {
    metadata_.key_value_metadata.push_back({key, value});
  }
}

Status ParquetWriter::CheckChunk(const Chunk& chunk) const {
  if (chunk.num_columns() != schema_->size()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("chunk has {} columns, the parquet schema {}", chunk.num_columns(),
                              schema_->size()));
  }
  for (size_t i = 0; i < schema_->size(); ++i) {
    const Field& field = schema_->field(i);
    const Column& column = chunk.column(i);
    if (column.type() != field.type) {
      return Status(StatusCode::kTypeMismatch,
                    fmt::format("column '{}' is {}, the parquet schema says {}", field.name,
                                DataTypeName(column.type()), DataTypeName(field.type)));
    }
    if (!field.nullable && column.HasNulls()) {
      return Status(StatusCode::kDataError,
                    fmt::format("column '{}' is not nullable but holds NULLs", field.name));
    }
  }
  return Status::Ok();
}

Status ParquetWriter::Write(Chunk chunk) {
  if (failed_ || closed_) {
    return Status(StatusCode::kInvalidArgument, "parquet writer already failed or closed");
  }
  RETURN_IF_ERROR(CheckChunk(chunk));
  if (chunk.num_rows() == 0) return Status::Ok();
  queued_rows_ += chunk.num_rows();
  queued_.push_back(std::move(chunk));
  while (queued_rows_ >= options_.row_group_rows) {
    Status status = WriteRowGroup(options_.row_group_rows);
    if (!status.ok()) {
      failed_ = true;
      return status;
    }
  }
  return Status::Ok();
}

std::vector<ColumnSlice> ParquetWriter::SlicesOf(size_t column, size_t rows) const {
  std::vector<ColumnSlice> slices;
  size_t begin = queued_front_row_;
  for (const Chunk& chunk : queued_) {
    if (rows == 0) break;
    size_t take = std::min(rows, chunk.num_rows() - begin);
    slices.push_back({&chunk.column(column), begin, begin + take});
    rows -= take;
    begin = 0;
  }
  return slices;
}

void ParquetWriter::Consume(size_t rows) {
  queued_rows_ -= rows;
  while (rows > 0) {
    size_t left = queued_.front().num_rows() - queued_front_row_;
    if (rows < left) {
      queued_front_row_ += rows;
      return;
    }
    rows -= left;
    queued_.pop_front();
    queued_front_row_ = 0;
  }
}

Status ParquetWriter::WriteRowGroup(size_t rows) {
  RowGroup group;
  group.num_rows = static_cast<int64_t>(rows);
  group.file_offset = static_cast<int64_t>(flushed_ + buffer_.size());
  group.ordinal = static_cast<int16_t>(metadata_.row_groups.size());
  for (size_t c = 0; c < column_writers_.size(); ++c) {
    std::vector<ColumnSlice> slices = SlicesOf(c, rows);
    int64_t offset = static_cast<int64_t>(flushed_ + buffer_.size());
    ASSIGN_OR_RETURN(ColumnMetaData meta, column_writers_[c].Write(slices, offset, &buffer_));
    file_statistics_[c].Merge(column_writers_[c].last_statistics());
    group.total_byte_size += meta.total_uncompressed_size;
    group.total_compressed_size += meta.total_compressed_size;
    ColumnChunk& chunk = group.columns.emplace_back();
    chunk.meta_data = std::move(meta);
    if (buffer_.size() >= kFlushBytes) RETURN_IF_ERROR(Flush());
  }
  metadata_.num_rows += group.num_rows;
  metadata_.row_groups.push_back(std::move(group));
  Consume(rows);
  return Status::Ok();
}

Status ParquetWriter::Flush() {
  RETURN_IF_ERROR(PWriteAll(fd_.get(), buffer_, flushed_, path_));
#ifdef __linux__
  // Starts writing these bytes back now (without waiting), so that the caller's fsync at the end
  // waits for the file's tail only, not for all of it. A hint: its failure changes nothing.
  (void)::sync_file_range(fd_.get(), static_cast<off_t>(flushed_),
                          static_cast<off_t>(buffer_.size()), SYNC_FILE_RANGE_WRITE);
#endif
  flushed_ += buffer_.size();
  buffer_.clear();
  return Status::Ok();
}

Result<ParquetFileSummary> ParquetWriter::Close() {
  if (failed_ || closed_) {
    return Status(StatusCode::kInvalidArgument, "parquet writer already failed or closed");
  }
  failed_ = true;  // until the footer is written
  if (queued_rows_ > 0) RETURN_IF_ERROR(WriteRowGroup(queued_rows_));
  size_t footer_start = buffer_.size();
  EncodeFileMetaData(metadata_, &buffer_);
  uint32_t footer_size = static_cast<uint32_t>(buffer_.size() - footer_start);
  buffer_.append(reinterpret_cast<const char*>(&footer_size), 4);
  buffer_.append(kParquetMagic);
  RETURN_IF_ERROR(Flush());
  fd_.Reset();
  failed_ = false;
  closed_ = true;
  ParquetFileSummary summary;
  summary.file_size = flushed_;
  summary.num_rows = metadata_.num_rows;
  summary.num_row_groups = metadata_.row_groups.size();
  for (size_t i = 0; i < file_statistics_.size(); ++i) {
    ColumnStatistics& stats = summary.columns.emplace_back(file_statistics_[i].statistics());
    const std::vector<std::string>& binary = options_.binary_columns;
    if (std::find(binary.begin(), binary.end(), schema_->field(i).name) == binary.end()) continue;
    stats.min.reset();  // opaque bytes have no text form for Delta's JSON stats
    stats.max.reset();
  }
  return summary;
}

}  // namespace braid::lake
