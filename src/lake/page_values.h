// Decoding of the values section of Parquet data pages and of dictionary pages into Braid's
// representation: PLAIN for every physical type Braid reads, RLE_DICTIONARY/PLAIN_DICTIONARY
// indices (bulk-decoded, then gathered), RLE booleans. Each decoder fills rows
// [row, row + rows) of a ColumnBuilder whose validity for those rows is already set; `present` is
// the number of non-null rows among them. Every length and index is checked against the page:
// short or inconsistent data is kCorruption naming what is wrong. Tight loops over spans: no
// per-value virtual call or allocation. Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "lake/column_builder.h"
#include "lake/parquet_schema.h"

namespace braid::lake {

struct PageRows {
  size_t row = 0;      // first row of the page in the column chunk
  size_t rows = 0;     // rows in the page
  size_t present = 0;  // non-null rows among them
};

Status DecodePlainPage(std::string_view data, const LeafColumn& leaf, PageRows page,
                       ColumnBuilder* out);

// `indices` is scratch space reused between pages.
Status DecodeDictionaryPage(std::string_view data, const LeafColumn& leaf, PageRows page,
                            const PageDictionary& dictionary, std::vector<uint32_t>* indices,
                            ColumnBuilder* out);

// RLE-encoded booleans (data page encoding RLE): a 4-byte length, then the hybrid at width 1.
Status DecodeRleBooleanPage(std::string_view data, PageRows page, ColumnBuilder* out);

// Decodes a PLAIN dictionary page of `count` values.
Status DecodeDictionary(std::string_view data, const LeafColumn& leaf, size_t count,
                        PageDictionary* dictionary);

}  // namespace braid::lake
