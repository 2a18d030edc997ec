// IndicesByKey against std::stable_sort: random keys of every width, few distinct keys (ties keep
// their order), few items (the insertion sort) and just past them, keys sharing every digit, high
// bits only, and the empty and one-item inputs.
#include "batch/radix_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace braid::batch {
namespace {

std::vector<uint32_t> StableOrder(const std::vector<KeyedIndex>& items) {
  std::vector<KeyedIndex> sorted = items;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const KeyedIndex& a, const KeyedIndex& b) { return a.key < b.key; });
  std::vector<uint32_t> order;
  for (const KeyedIndex& item : sorted) order.push_back(item.index);
  return order;
}

std::vector<KeyedIndex> Items(size_t count, auto&& key_of) {
  std::vector<KeyedIndex> items(count);
  for (size_t i = 0; i < count; ++i) {
    // Indices are not the positions, so a sort that lost them would show.
    items[i] = KeyedIndex{.key = key_of(i), .index = static_cast<uint32_t>(count - i) * 3};
  }
  return items;
}

TEST(RadixSort, EqualsStableSort) {
  std::mt19937_64 rng(5);
  for (int bits : {1, 7, 8, 9, 16, 33, 47, 63, 64}) {
    const uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    std::vector<KeyedIndex> items = Items(20000, [&](size_t) { return rng() & mask; });
    EXPECT_EQ(IndicesByKey(items), StableOrder(items)) << bits << " bits";
  }
}

TEST(RadixSort, FewItemsEqualStableSort) {
  // Up to 64 items take the insertion sort; 65 and more the radix passes.
  std::mt19937_64 rng(7);
  for (size_t count : {2, 3, 19, 63, 64, 65, 66, 200}) {
    for (uint64_t distinct : {uint64_t{3}, ~uint64_t{0}}) {
      std::vector<KeyedIndex> items = Items(count, [&](size_t) { return rng() % distinct; });
      EXPECT_EQ(IndicesByKey(items), StableOrder(items)) << count << " items";
    }
  }
}

TEST(RadixSort, TiesKeepTheirOrder) {
  std::mt19937_64 rng(6);
  std::vector<KeyedIndex> items = Items(5000, [&](size_t) { return (rng() % 5) << 40; });
  EXPECT_EQ(IndicesByKey(items), StableOrder(items));
}

TEST(RadixSort, SharedDigitsAndEdgeCases) {
  // Window ends a minute apart above a key rank: most digits vary, the lowest do not.
  std::vector<KeyedIndex> windows =
      Items(3000, [](size_t i) { return ((2999 - i) % 60) * 60'000'000ull << 10 | (i % 7); });
  EXPECT_EQ(IndicesByKey(windows), StableOrder(windows));
  std::vector<KeyedIndex> same = Items(100, [](size_t) { return 0xABCDull << 32; });
  EXPECT_EQ(IndicesByKey(same), StableOrder(same));
  std::vector<KeyedIndex> zeros = Items(10, [](size_t) { return 0ull; });
  EXPECT_EQ(IndicesByKey(zeros), StableOrder(zeros));
  EXPECT_TRUE(IndicesByKey({}).empty());
  EXPECT_EQ(IndicesByKey({KeyedIndex{.key = 9, .index = 4}}), std::vector<uint32_t>{4});
}

}  // namespace
}  // namespace braid::batch
