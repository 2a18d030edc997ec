#include "lake/capture_file_writer.h"

#include <fmt/format.h>

#include "common/chunk_projection.h"
#include "common/time.h"
#include "lake/data_file.h"
#include "lake/row_order.h"

namespace braid::lake {
namespace {

namespace fs = std::filesystem;

// The order of a file's rows: by the sort columns, then by the trailing (_partition, _offset)
// columns, which identify an event and so make the order total.
std::vector<uint32_t> FileOrder(const Chunk& rows, const std::vector<size_t>& sort_columns) {
  std::vector<size_t> keys = sort_columns;
  keys.push_back(rows.num_columns() - 2);  // _partition
  keys.push_back(rows.num_columns() - 1);  // _offset
  return SortedRowOrder(rows, keys);
}

}  // namespace

SchemaPtr CaptureFileSchema(const Schema& stream_schema) {
  std::vector<Field> fields = stream_schema.fields();
  fields.push_back({"_ingested_at", DataType::kTimestamp, false});
  fields.push_back({"_partition", DataType::kBigint, false});
  fields.push_back({"_offset", DataType::kBigint, false});
  return std::make_shared<const Schema>(std::move(fields));
}

CaptureFileWriter::CaptureFileWriter(CaptureFileOptions options, int64_t epoch)
    : options_(std::move(options)),
      epoch_(epoch),
      file_schema_(CaptureFileSchema(*options_.stream_schema)) {}

Chunk& CaptureFileWriter::BufferOf(int64_t day) {
  auto it = buffers_.find(day);
  if (it == buffers_.end()) it = buffers_.emplace(day, Chunk(file_schema_)).first;
  return it->second;
}

Status CaptureFileWriter::Add(const Chunk& given, int partition, uint64_t first_offset,
                              Timestamp ingested_at) {
  // Events stored before a column was added come without it: they hold NULL there.
  Chunk projected;
  const bool current =
      given.schema() == options_.stream_schema || *given.schema() == *options_.stream_schema;
  if (!current) {
    ASSIGN_OR_RETURN(projected, ProjectChunk(given, options_.stream_schema));
  }
  const Chunk& events = current ? given : projected;
  const size_t stream_columns = options_.stream_schema->size();
  const Column* time =
      options_.timestamp_column ? &events.column(*options_.timestamp_column) : nullptr;
  for (size_t row = 0; row < events.num_rows(); ++row) {
    const int64_t micros =
        time != nullptr && time->IsValid(row) ? time->int64s()[row] : ingested_at.micros;
    const int64_t day = DayOf(micros);
    Chunk& buffer = BufferOf(day);
    for (size_t c = 0; c < stream_columns; ++c) {
      buffer.mutable_column(c).AppendFrom(events.column(c), row);
    }
    buffer.mutable_column(stream_columns).AppendInt64(ingested_at.micros);
    buffer.mutable_column(stream_columns + 1).AppendInt64(partition);
    buffer.mutable_column(stream_columns + 2).AppendInt64(static_cast<int64_t>(first_offset + row));
    if (buffer.num_rows() >= options_.max_rows_per_file) RETURN_IF_ERROR(WriteFile(day));
  }
  return Status::Ok();
}

Status CaptureFileWriter::WriteFile(int64_t day) {
  Chunk& buffer = buffers_.at(day);
  const std::string date = FormatDate(Timestamp{day * kMicrosPerDay});
  DeltaAddFile add;
  add.path = fmt::format("{}={}/part-{:08}-{}.parquet", kEventDateColumn, date, epoch_, NewGuid());
  add.partition_values = {{std::string(kEventDateColumn), date}};
  SetEpochRange({.min = epoch_, .max = epoch_}, &add);
  files_.push_back(options_.table_dir / add.path);
  Chunk sorted = buffer.Select(FileOrder(buffer, options_.sort_columns));
  buffer = Chunk(file_schema_);
  ASSIGN_OR_RETURN(DeltaAddFile written, WriteDataFile(options_.table_dir, std::move(add),
                                                       std::move(sorted), options_.parquet));
  adds_.push_back(std::move(written));
  return Status::Ok();
}

Result<std::vector<DeltaAddFile>> CaptureFileWriter::Finish() {
  for (auto& [day, buffer] : buffers_) {
    if (buffer.num_rows() > 0) RETURN_IF_ERROR(WriteFile(day));
  }
  return std::move(adds_);
}

void CaptureFileWriter::DeleteFiles() {
  for (const fs::path& file : files_) {
    std::error_code ignored;  // a file that cannot be deleted is an orphan VACUUM removes later
    fs::remove(file, ignored);
  }
  files_.clear();
}

}  // namespace braid::lake
