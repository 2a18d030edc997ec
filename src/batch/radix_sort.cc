#include "batch/radix_sort.h"

#include <array>
#include <bit>
#include <cstddef>
#include <memory>
#include <utility>

namespace braid::batch {
namespace {

constexpr int kDigitBits = 8;
constexpr size_t kBuckets = size_t{1} << kDigitBits;
constexpr int kMaxDigits = 64 / kDigitBits;

// Up to this many items an insertion sort is cheaper than clearing the 16 KB of histograms (a
// point read orders a few dozen speed cells).
constexpr size_t kInsertionSortItems = 64;

size_t DigitOf(uint64_t key, int digit) {
  return static_cast<size_t>((key >> (digit * kDigitBits)) & (kBuckets - 1));
}

// Stable: an item moves only past items of larger keys.
std::vector<uint32_t> InsertionSorted(std::vector<KeyedIndex>& items) {
  for (size_t i = 1; i < items.size(); ++i) {
    const KeyedIndex item = items[i];
    size_t j = i;
    for (; j > 0 && items[j - 1].key > item.key; --j) items[j] = items[j - 1];
    items[j] = item;
  }
  std::vector<uint32_t> order(items.size());
  for (size_t i = 0; i < items.size(); ++i) order[i] = items[i].index;
  return order;
}

}  // namespace

std::vector<uint32_t> IndicesByKey(std::vector<KeyedIndex> items) {
  const size_t count = items.size();
  if (count <= kInsertionSortItems) return InsertionSorted(items);
  uint64_t used_bits = 0;
  for (const KeyedIndex& item : items) used_bits |= item.key;
  const int digits = (std::bit_width(used_bits) + kDigitBits - 1) / kDigitBits;
  // Every digit's histogram in one pass, turned into each bucket's first position.
  std::array<std::array<size_t, kBuckets>, kMaxDigits> starts{};
  for (const KeyedIndex& item : items) {
    for (int d = 0; d < digits; ++d) ++starts[d][DigitOf(item.key, d)];
  }
  std::vector<int> passes;  // digits on which the keys differ, least significant first
  for (int d = 0; d < digits; ++d) {
    if (count > 0 && starts[d][DigitOf(items[0].key, d)] == count) continue;
    passes.push_back(d);
    size_t position = 0;
    for (size_t& start : starts[d]) position += std::exchange(start, position);
  }
  std::vector<uint32_t> order(count);
  if (passes.empty()) {
    for (size_t i = 0; i < count; ++i) order[i] = items[i].index;
    return order;
  }
  // Stable scatters between `items` and a scratch array; the last writes the indices only.
  std::unique_ptr<KeyedIndex[]> scratch = std::make_unique_for_overwrite<KeyedIndex[]>(count);
  KeyedIndex* from = items.data();
  KeyedIndex* to = scratch.get();
  for (size_t p = 0; p + 1 < passes.size(); ++p) {
    std::array<size_t, kBuckets>& next = starts[passes[p]];
    for (size_t i = 0; i < count; ++i) to[next[DigitOf(from[i].key, passes[p])]++] = from[i];
    std::swap(from, to);
  }
  std::array<size_t, kBuckets>& next = starts[passes.back()];
  for (size_t i = 0; i < count; ++i) {
    order[next[DigitOf(from[i].key, passes.back())]++] = from[i].index;
  }
  return order;
}

}  // namespace braid::batch
