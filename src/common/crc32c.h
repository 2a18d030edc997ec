// CRC32C (Castagnoli), the checksum of every log record batch. Uses the SSE4.2 crc32 instruction
// when the CPU has it (checked once at run time) and a table otherwise; both give identical
// results. Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace braid {

// Extends `crc` (the value returned for the preceding bytes, 0 to start) over data[0, n).
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);
inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data.data(), data.size()); }

// Whether the hardware path is in use (for tests and the status page).
bool Crc32cIsHardwareAccelerated();

}  // namespace braid
