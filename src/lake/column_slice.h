// ColumnSlice: rows [begin, end) of a borrowed Column. The Parquet writer encodes a row group
// as a list of slices of the chunks it was given, so rows are never copied; the columns must
// stay alive and unchanged while the slices are in use.
#pragma once

#include <cstddef>

#include "common/chunk.h"

namespace braid::lake {

struct ColumnSlice {
  const Column* column = nullptr;
  size_t begin = 0;
  size_t end = 0;

  size_t size() const { return end - begin; }
};

}  // namespace braid::lake
