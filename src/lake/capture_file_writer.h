// CaptureFileWriter: turns the events of one capture epoch into Parquet data files of the lake
// table (docs/formats/delta.md): one directory per event date, `event_date=YYYY-MM-DD/`, holding
// files `part-{epoch:08}-{guid}.parquet` whose columns are the stream's plus `_ingested_at`
// TIMESTAMP, `_partition` BIGINT and `_offset` BIGINT (the event_date partition column lives in
// the path only, as Delta wants). The date is that of the event time column, or of the ingestion
// time when the event has none. Rows of a date are buffered and written, sorted by the sort
// columns then (_partition, _offset), once `max_rows_per_file` rows are buffered or at Finish, so
// memory stays bounded by about one file per date. Finish makes every file durable (fsync of the
// files and their directories) and returns their Delta add actions. Not thread-safe; owned by one
// capture run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <vector>

#include "common/chunk.h"
#include "common/time.h"
#include "lake/delta_actions.h"
#include "lake/parquet_writer.h"

namespace braid::lake {

// The name of the lake's partition column.
inline constexpr std::string_view kEventDateColumn = "event_date";

struct CaptureFileOptions {
  std::filesystem::path table_dir;
  SchemaPtr stream_schema;
  std::optional<size_t> timestamp_column;  // a TIMESTAMP column of stream_schema
  std::vector<size_t> sort_columns;        // columns of stream_schema, e.g. key then event time
  size_t max_rows_per_file = size_t{1} << 20;
  ParquetWriterOptions parquet;
};

// The data files' schema: the stream's columns then _ingested_at, _partition, _offset.
SchemaPtr CaptureFileSchema(const Schema& stream_schema);

class CaptureFileWriter {
 public:
  CaptureFileWriter(CaptureFileOptions options, int64_t epoch);
  CaptureFileWriter(const CaptureFileWriter&) = delete;
  CaptureFileWriter& operator=(const CaptureFileWriter&) = delete;

  // Adds events of `partition`; row i has offset first_offset + i. Events of an older schema that
  // stream_schema extends are projected onto it (NULL in the columns they lack).
  Status Add(const Chunk& events, int partition, uint64_t first_offset, Timestamp ingested_at);
  // Writes what is buffered, syncs every file and directory, and returns the add actions.
  Result<std::vector<DeltaAddFile>> Finish();
  // Deletes every file this writer created (its epoch was not committed).
  void DeleteFiles();

 private:
  Chunk& BufferOf(int64_t day);
  Status WriteFile(int64_t day);

  CaptureFileOptions options_;
  int64_t epoch_;
  SchemaPtr file_schema_;
  std::map<int64_t, Chunk> buffers_;  // by day since 1970-01-01
  std::vector<DeltaAddFile> adds_;
  std::vector<std::filesystem::path> files_;
};

}  // namespace braid::lake
