#include "lake/row_order.h"

#include <algorithm>
#include <numeric>

namespace braid::lake {
namespace {

// Three-way comparison of two rows of one column; NULL sorts first.
int CompareCells(const Column& column, uint32_t a, uint32_t b) {
  const bool valid_a = column.IsValid(a);
  const bool valid_b = column.IsValid(b);
  if (!valid_a || !valid_b) return static_cast<int>(valid_a) - static_cast<int>(valid_b);
  auto three_way = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (column.type()) {
    case DataType::kBoolean:
      return three_way(column.bools()[a], column.bools()[b]);
    case DataType::kBigint:
    case DataType::kTimestamp:
      return three_way(column.int64s()[a], column.int64s()[b]);
    case DataType::kDouble:
      return three_way(column.doubles()[a], column.doubles()[b]);
    case DataType::kString:
      return three_way(column.StringAt(a), column.StringAt(b));
  }
  return 0;
}

}  // namespace

std::vector<uint32_t> SortedRowOrder(const Chunk& rows, std::span<const size_t> keys) {
  std::vector<uint32_t> order(rows.num_rows());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    for (size_t key : keys) {
      const int compared = CompareCells(rows.column(key), a, b);
      if (compared != 0) return compared < 0;
    }
    return false;
  });
  return order;
}

}  // namespace braid::lake
