// The order in which the lake writes rows into a data file: ascending by a list of key columns,
// NULL first, strings by bytes, doubles by value. Capture sorts each file by (partition key,
// event time, _partition, _offset) and OPTIMIZE keeps that order when it merges files, so readers
// get tight min/max statistics per row group. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/chunk.h"

namespace braid::lake {

// The permutation of `rows` that sorts it by `keys` (column indices). Rows equal on every key
// keep their relative order.
std::vector<uint32_t> SortedRowOrder(const Chunk& rows, std::span<const size_t> keys);

}  // namespace braid::lake
