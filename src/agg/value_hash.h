// The 64-bit hash of a SQL value for distinct counting (exact sets and HyperLogLog): Hash64 of the
// value's bytes, with values SQL considers equal hashed equally (-0.0 as +0.0, every NaN as one
// NaN; BOOLEAN as the BIGINT 0 or 1). Stable across runs and machines, so serialized states
// built by different processes merge.
#pragma once

#include <bit>
#include <cmath>
#include <limits>
#include <string_view>

#include "agg/aggregate_kernel.h"
#include "common/hash.h"

namespace braid::agg {

inline uint64_t HashValue(bool v) { return Hash64(static_cast<int64_t>(v ? 1 : 0)); }
inline uint64_t HashValue(int64_t v) { return Hash64(v); }
inline uint64_t HashValue(double v) {
  if (v == 0.0) v = 0.0;
  if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();
  uint64_t bits = std::bit_cast<uint64_t>(v);
  return Hash64(std::string_view(reinterpret_cast<const char*>(&bits), sizeof(bits)));
}
inline uint64_t HashValue(std::string_view v) { return Hash64(v); }

}  // namespace braid::agg
