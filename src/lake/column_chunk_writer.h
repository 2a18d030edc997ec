// ColumnChunkWriter: encodes one column of one row group as a Parquet column chunk: an optional
// dictionary page (PLAIN) and data pages v1 of about `page_bytes` each (definition levels in the
// RLE/bit-packed hybrid for OPTIONAL columns, then PLAIN or RLE_DICTIONARY values), each page
// compressed on its own. Dictionary encoding is tried for BIGINT, TIMESTAMP, DOUBLE and STRING
// columns (never booleans) and abandoned for PLAIN when the dictionary exceeds its limits. The
// writer keeps its scratch buffers between row groups; it borrows the slices for one call.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/schema.h"
#include "common/status.h"
#include "lake/column_slice.h"
#include "lake/column_statistics.h"
#include "lake/dictionary_builder.h"
#include "lake/parquet_metadata.h"

namespace braid::lake {

enum class DictionaryMode : uint8_t {
  kAuto,      // dictionary-encode when the dictionary stays within its limits
  kDisabled,  // always PLAIN
};

enum class StatisticsMode : uint8_t {
  kMinMax,         // null count, minimum and maximum
  kNullCountOnly,  // opaque bytes (serialized states), whose minimum and maximum mean nothing
};

struct ColumnEncodingOptions {
  CompressionCodec codec = CompressionCodec::kZstd;
  int zstd_level = 3;
  size_t page_bytes = size_t{1} << 20;  // target uncompressed size of a data page
  DictionaryMode dictionary = DictionaryMode::kAuto;
  DictionaryLimits dictionary_limits;
  StatisticsMode statistics = StatisticsMode::kMinMax;
};

class ColumnChunkWriter {
 public:
  ColumnChunkWriter(Field field, ColumnEncodingOptions options)
      : field_(std::move(field)), options_(options) {}

  // Encodes the rows of `slices` (all of field's type) and appends the chunk's pages to *out;
  // `chunk_offset` is the file offset at which *out's current end will be written. Returns the
  // chunk's metadata, with statistics.
  Result<ColumnMetaData> Write(std::span<const ColumnSlice> slices, int64_t chunk_offset,
                               std::string* out);

  // Statistics of the last chunk written.
  const ColumnStatistics& last_statistics() const { return last_statistics_; }

 private:
  struct Page {
    std::vector<ColumnSlice> slices;
    size_t rows = 0;
  };

  std::vector<Page> PlanPages(std::span<const ColumnSlice> slices, int index_bit_width) const;
  size_t EncodeLevels(const Page& page);
  void EncodePlainValues(const Page& page);
  Status AppendPage(const PageHeader& header_template, std::string* out, ColumnMetaData* meta);

  Field field_;
  ColumnEncodingOptions options_;
  ColumnStatistics last_statistics_;
  std::string body_;        // uncompressed page body
  std::string compressed_;  // compressed page body at its front (CompressPageInto)
  std::vector<uint8_t> levels_;
};

}  // namespace braid::lake
