#include "common/hash.h"

#include <xxhash.h>

namespace braid {

uint64_t Hash64(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

uint64_t Hash64(int64_t value) { return XXH3_64bits(&value, sizeof(value)); }

}  // namespace braid
