// ParquetWriter: writes Chunks of one flat schema into a Parquet file (docs/formats/parquet.md),
// streaming: the caller hands chunks in any sizes, the writer cuts them into row groups of
// `row_group_rows` rows and writes each group as soon as it is complete, so memory stays bounded
// by one row group (plus the chunk being written). Close writes the footer and reports the file
// size, row count and per-column statistics (what Delta's `stats` needs). Written by hand because
// no Parquet library ships with the platform. The file is created (or truncated) by Open and is
// not fsynced: durability is the caller's step (the Delta commit); on Linux the writer starts the
// writeback of each flushed part at once, so that the caller's fsync finds little left to do. A
// writer owns its descriptor; it is movable in a unique_ptr, not thread-safe. After an error the
// file is incomplete and the writer refuses further calls.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/chunk.h"
#include "common/file_util.h"
#include "common/status.h"
#include "lake/column_chunk_writer.h"
#include "lake/column_statistics.h"

namespace braid::lake {

struct ParquetWriterOptions {
  CompressionCodec codec = CompressionCodec::kZstd;  // UNCOMPRESSED, SNAPPY, GZIP or ZSTD
  int zstd_level = 3;
  size_t row_group_rows = size_t{1} << 20;
  size_t page_bytes = size_t{1} << 20;
  DictionaryMode dictionary = DictionaryMode::kAuto;
  DictionaryLimits dictionary_limits;
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
  // STRING columns holding opaque bytes: written as BYTE_ARRAY without the UTF8 annotation and
  // without dictionary encoding, with a null count but no min/max in the file's statistics and
  // in the summary (Delta stats are JSON text). Each must name a STRING field (kInvalidArgument
  // otherwise).
  std::vector<std::string> binary_columns;
};

struct ParquetFileSummary {
  uint64_t file_size = 0;
  int64_t num_rows = 0;
  size_t num_row_groups = 0;
  std::vector<ColumnStatistics> columns;  // one per schema field
};

class ParquetWriter {
 public:
  static Result<std::unique_ptr<ParquetWriter>> Open(const std::filesystem::path& path,
                                                     SchemaPtr schema,
                                                     ParquetWriterOptions options);

  ParquetWriter(const ParquetWriter&) = delete;
  ParquetWriter& operator=(const ParquetWriter&) = delete;

  // Queues the rows of `chunk` (whose column types must match the schema; a NULL in a
  // non-nullable field is kDataError) and writes every row group that is now complete. Pass an
  // rvalue to avoid a copy.
  Status Write(Chunk chunk);
  // Writes the last partial row group and the footer, and closes the file.
  Result<ParquetFileSummary> Close();

 private:
  ParquetWriter(std::filesystem::path path, UniqueFd fd, SchemaPtr schema,
                ParquetWriterOptions options);

  Status CheckChunk(const Chunk& chunk) const;
  Status WriteRowGroup(size_t rows);
  // Slices of the next `rows` queued rows of column `column`.
  std::vector<ColumnSlice> SlicesOf(size_t column, size_t rows) const;
  void Consume(size_t rows);
  Status Flush();

  std::filesystem::path path_;
  UniqueFd fd_;
  SchemaPtr schema_;
  ParquetWriterOptions options_;
  std::vector<ColumnChunkWriter> column_writers_;
  std::vector<StatisticsAccumulator> file_statistics_;
  std::deque<Chunk> queued_;
  size_t queued_front_row_ = 0;  // rows of queued_.front() already written
  size_t queued_rows_ = 0;
  std::string buffer_;  // bytes not yet written, starting at file offset flushed_
  uint64_t flushed_ = 0;
  FileMetaData metadata_;
  bool failed_ = false;
  bool closed_ = false;
};

}  // namespace braid::lake
