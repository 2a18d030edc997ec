// The small metadata files of a stream's log directory (docs/formats/log_segment.md):
//   DATA/log/{stream}/meta       the partition count, fixed when the stream is created;
//   DATA/log/{stream}/consumers  every registered consumer's committed offset per partition.
// Both are versioned, CRC-protected, and replaced atomically (WriteFileAtomically), so a crash
// leaves the old or the new contents. Pure functions plus file reads/writes; thread-safe as long
// as callers serialize writes of one file (StreamLog does).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace braid::log {

inline constexpr uint32_t kConsumersMagic = 0x434C5242;   // "BRLC" little-endian
inline constexpr uint32_t kStreamMetaMagic = 0x534C5242;  // "BRLS" little-endian
inline constexpr uint8_t kStreamFilesVersion = 1;

// Committed offsets by consumer name, one per partition.
using ConsumerOffsets = std::map<std::string, std::vector<uint64_t>, std::less<>>;

std::string EncodeConsumerOffsets(const ConsumerOffsets& consumers, uint32_t partitions);
Result<ConsumerOffsets> DecodeConsumerOffsets(std::string_view bytes, uint32_t partitions);
// A missing file means no consumer is registered.
Result<ConsumerOffsets> LoadConsumerOffsets(const std::filesystem::path& path, uint32_t partitions);
Status SaveConsumerOffsets(const std::filesystem::path& path, const ConsumerOffsets& consumers,
                           uint32_t partitions);

std::string EncodeStreamMeta(uint32_t partitions);
Result<uint32_t> DecodeStreamMeta(std::string_view bytes);
// The partition count recorded for a stream, or nullopt when the stream has no meta file yet.
Result<std::optional<uint32_t>> LoadStreamMeta(const std::filesystem::path& path);

}  // namespace braid::log
