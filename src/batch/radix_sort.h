// IndicesByKey: a stable sort of items by a 64-bit unsigned key, returning the items' indices in
// key order, for the row order of a batch view (batch_view_rows.cc: a million cells and more,
// whose keys are a window end and a key rank packed into one integer). A least-significant-digit
// radix sort over 8-bit digits: one pass to count every digit, then one scatter per digit that
// the keys do not all share (keys using few bits, e.g. window ends a minute apart, take few
// passes); linear in the items where a comparison sort is n log n. A few dozen items are sorted
// by insertion instead. Written by hand: the standard library has no radix sort. Stateless;
// thread-safe.
#pragma once

#include <cstdint>
#include <vector>

namespace braid::batch {

struct KeyedIndex {
  uint64_t key = 0;
  uint32_t index = 0;
};

// The `index` of every item, ordered by `key` (ascending; items of equal keys in their order in
// `items`).
std::vector<uint32_t> IndicesByKey(std::vector<KeyedIndex> items);

}  // namespace braid::batch
