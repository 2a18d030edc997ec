// Reading a Column's values by row inside aggregate loops (one reader per storage type, built
// once per batch from the column's spans), and the total order of doubles that MIN, MAX and the
// multisets share. Borrowed views: a reader must not outlive its column. Internal to agg/.
#pragma once

#include <type_traits>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>

#include "common/chunk.h"

namespace braid::agg {

// Value readers: a view of one column's values, read by row.
struct NoValueInput {  // COUNT: only validity matters
  using Value = bool;
  explicit NoValueInput(const Column&) {}
  Value operator[](uint32_t) const { return true; }
};
struct BoolInput {
  using Value = bool;
  explicit BoolInput(const Column& c) : values(c.bools()) {}
  Value operator[](uint32_t row) const { return values[row] != 0; }
  std::span<const uint8_t> values;
};
struct Int64Input {
  using Value = int64_t;
  explicit Int64Input(const Column& c) : values(c.int64s()) {}
  Value operator[](uint32_t row) const { return values[row]; }
  std::span<const int64_t> values;
};
struct DoubleInput {
  using Value = double;
  explicit DoubleInput(const Column& c) : values(c.doubles()) {}
  Value operator[](uint32_t row) const { return values[row]; }
  std::span<const double> values;
};
struct StringInput {
  using Value = std::string_view;
  explicit StringInput(const Column& c) : offsets(c.offsets()), arena(c.arena()) {}
  Value operator[](uint32_t row) const {
    return std::string_view(arena.data() + offsets[row], offsets[row + 1] - offsets[row]);
  }
  std::span<const uint32_t> offsets;
  std::string_view arena;
};

// Doubles in a total order, as PostgreSQL and DuckDB sort them: -inf < ... < -0.0 < +0.0 < ... <
// +inf < NaN, all NaNs equal. Keeps MIN/MAX and multisets independent of input and merge order.
inline double CanonicalNaN(double v) {
  return std::isnan(v) ? std::numeric_limits<double>::quiet_NaN() : v;
}
// The same order as an unsigned key, for sorting values already passed through CanonicalNaN:
// flipping the sign bit of non-negatives and every bit of negatives orders the bit patterns.
inline uint64_t OrderKey(double canonical) {
  uint64_t bits = std::bit_cast<uint64_t>(canonical);
  return bits ^ (static_cast<uint64_t>(static_cast<int64_t>(bits) >> 63) | (uint64_t{1} << 63));
}

// The order SQL comparisons and GROUP BY use for doubles, as PostgreSQL: -0.0 equals +0.0 (they
// are one group and `-0.0 = 0.0` is TRUE), NaN equals NaN and is above everything. Any double.
inline uint64_t ComparisonKey(double v) { return OrderKey(CanonicalNaN(v == 0.0 ? 0.0 : v)); }

// The total order of values in sorted states (percentiles, KLL): PostgreSQL's order for doubles
// (-0.0 < +0.0, NaN above everything; values must be canonical, see CanonicalNaN), `<` otherwise.
template <typename T>
bool ValueLess(T a, T b) {
  if constexpr (std::is_same_v<T, double>) {
    return OrderKey(a) < OrderKey(b);
  } else {
    return a < b;
  }
}
inline bool TotalLess(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  if (a < b) return true;
  return a == b && std::signbit(a) && !std::signbit(b);
}

}  // namespace braid::agg
