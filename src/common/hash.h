// 64-bit hashing (XXH3 from libxxhash) for partition keys and hash tables. Stable across runs and
// machines: the partition of a key never changes for a stream. Thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace braid {

uint64_t Hash64(std::string_view bytes);
uint64_t Hash64(int64_t value);

}  // namespace braid
