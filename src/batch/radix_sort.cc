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

size_t DigitOf(uint64_t key, int digit) {
  return static_cast<size_t>((key >> (digit * kDigitBits)) & (kBuckets - 1));
}

}  // namespace

std::vector<uint32_t> IndicesByKey(std::vector<KeyedIndex> items) {
  const size_t count = items.size();
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
