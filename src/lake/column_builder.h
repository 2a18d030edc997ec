// ColumnBuilder and PageDictionary: the decode targets of the Parquet reader. A ColumnBuilder
// holds the raw parts of one Column (validity byte per row, values in Braid's representation,
// string offsets into one arena) that page decoders write into directly, without per-value
// calls; Finish hands them to Column::FromParts, which validates them. A PageDictionary holds a
// column chunk's dictionary already converted to Braid's representation, so dictionary decoding
// is a gather. Plain values; one decoder at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"

namespace braid::lake {

struct ColumnBuilder {
  explicit ColumnBuilder(DataType column_type) : type(column_type) {}

  // Reserves capacity for `rows` rows (validity, fixed-width values, string offsets), so that
  // decoding page after page does not grow and copy the vectors.
  void Reserve(size_t rows);
  // Makes room for rows [0, rows): validity and fixed-width values are sized to `rows`.
  void Resize(size_t rows);
  Result<Column> Finish() &&;

  DataType type;
  std::vector<uint8_t> validity;
  std::vector<int64_t> i64;
  std::vector<double> f64;
  std::vector<uint8_t> b8;
  std::vector<uint32_t> offsets{0};  // strings: rows + 1 entries once a page is decoded
  std::string arena;
};

struct PageDictionary {
  size_t size = 0;
  std::vector<int64_t> i64;
  std::vector<double> f64;
  std::vector<uint32_t> offsets{0};  // strings: size + 1 entries into bytes
  std::string bytes;
};

}  // namespace braid::lake
