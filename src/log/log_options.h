// Settings of the ingestion log, from braid.toml ([log] section) or defaults. Plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/time.h"

namespace braid::log {

// When an append counts as durable (and is acknowledged).
enum class FsyncPolicy : uint8_t {
  kGroup,   // concurrent appends share one fdatasync, issued within group_commit_delay
  kAlways,  // every append is followed by its own fdatasync before it is acknowledged
  kNever,   // acknowledged once written to the OS page cache (survives a process crash only)
};

enum class Compression : uint8_t {
  kNone = 0,
  kLz4 = 1,
  kZstd = 2,
};

struct LogOptions {
  FsyncPolicy fsync = FsyncPolicy::kGroup;
  // Longest an append waits for others to share its fdatasync (group policy). 0 still groups:
  // appends that arrive while one fdatasync runs share the next one. Measured (BENCHMARKS.md):
  // waiting adds latency and rarely throughput, so the default does not wait.
  Duration group_commit_delay = Duration::Millis(0);
  // A segment is rolled once it reaches this size.
  uint64_t segment_bytes = 128ull << 20;
  // One sparse index entry per this many bytes of segment.
  uint32_t index_interval_bytes = 64u << 10;
  // Codec tried for batch payloads; the payload is stored raw when compression saves < 1/8.
  Compression compression = Compression::kLz4;
  int zstd_level = 1;
};

// Retention of one stream. A segment is deleted only when it is wholly older than max_age or the
// partition exceeds max_bytes, it is not the active segment, and every registered consumer has
// committed past its last offset.
struct RetentionPolicy {
  std::optional<Duration> max_age;
  std::optional<uint64_t> max_bytes;  // per partition
};

std::string_view FsyncPolicyName(FsyncPolicy policy);
std::optional<FsyncPolicy> FsyncPolicyFromName(std::string_view name);

}  // namespace braid::log
