// Exact 128-bit integer sums (SUM and AVG of BIGINT) in serialized states: the low 64 bits as u64,
// then the high 64 bits as i64, little-endian (docs/formats/aggregate_states.md).
#pragma once

#include <cstdint>
#include <string>

#include "common/byte_io.h"

namespace braid::agg {

inline void PutInt128(std::string* out, __int128 v) {
  PutU64(out, static_cast<uint64_t>(static_cast<unsigned __int128>(v)));
  PutI64(out, static_cast<int64_t>(v >> 64));
}

inline __int128 ReadInt128(ByteReader& in) {
  uint64_t low = in.U64();
  uint64_t high = static_cast<uint64_t>(in.I64());
  return static_cast<__int128>((static_cast<unsigned __int128>(high) << 64) | low);
}

}  // namespace braid::agg
