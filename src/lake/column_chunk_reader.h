// ColumnChunkReader: decodes one Parquet column chunk (its bytes already read from the file)
// into a Column: walks the page headers, decompresses each page, decodes the dictionary page,
// definition levels (RLE hybrid at width 1) and values of data pages v1 and v2, skips index
// pages, and checks that the pages hold exactly the chunk's rows. Every header size, offset and
// count is checked against the bytes present; the error names the page and what is wrong (the
// caller adds file, row group and column). Scratch buffers are reused across pages; a reader
// decodes one chunk per call and is not thread-safe (use one per thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "lake/column_builder.h"
#include "lake/parquet_metadata.h"
#include "lake/parquet_schema.h"

namespace braid::lake {

class ColumnChunkReader {
 public:
  // Decodes `num_rows` rows of `leaf` from `bytes`, the chunk described by `meta`.
  Result<Column> Read(std::string_view bytes, const ColumnMetaData& meta, const LeafColumn& leaf,
                      int64_t num_rows);

 private:
  struct PageContext;

  Status ReadPage(const PageHeader& header, std::string_view body, PageContext* context);
  Status ReadDictionaryPage(const PageHeader& header, std::string_view body, PageContext* ctx);
  Status ReadDataPageV1(const PageHeader& header, std::string_view body, PageContext* ctx);
  Status ReadDataPageV2(const PageHeader& header, std::string_view body, PageContext* ctx);
  // Sets the validity of the page's rows from `levels` and counts the present ones.
  Status DecodeLevels(std::string_view levels, size_t rows, PageContext* ctx, size_t* present);
  Status DecodeValues(Encoding encoding, std::string_view values, size_t rows, size_t present,
                      PageContext* ctx);

  std::string decompressed_;
  std::string transcoded_;
  std::vector<uint32_t> indices_;
  PageDictionary dictionary_;
};

}  // namespace braid::lake
