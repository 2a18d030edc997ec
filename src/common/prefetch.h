// Cache-line prefetch hints over a byte range. Hints only: nothing is read or written, and a
// range that is not mapped is harmless. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace braid {

inline constexpr uintptr_t kCacheLineBytes = 64;

// Asks for every cache line of [data, data + bytes) to be brought in, for reading or (with
// `for_write`) for writing.
inline void PrefetchLines(const void* data, size_t bytes, bool for_write = false) {
  const auto start = reinterpret_cast<uintptr_t>(data);
  for (uintptr_t line = start & ~(kCacheLineBytes - 1); line < start + bytes;
       line += kCacheLineBytes) {
    if (for_write) {
      __builtin_prefetch(reinterpret_cast<const void*>(line), 1);
    } else {
      __builtin_prefetch(reinterpret_cast<const void*>(line), 0);
    }
  }
}

}  // namespace braid
