// The persisted sparse index of a sealed segment ({base_offset:020}.index, format in
// docs/formats/log_segment.md): one (offset, file position) entry per index interval of segment
// bytes, plus the segment's summary (end offset, size, batch count, newest append time, position
// of the last batch) and its idempotency-keyed batches, so that opening a sealed segment reads
// this small file instead of the segment. The index is an accelerator only: it is checked against
// the segment file before use and rebuilt from the segment whenever it is missing or does not
// match. Pure encode/decode functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "log/record_batch.h"

namespace braid::log {

inline constexpr uint32_t kIndexMagic = 0x584C5242;  // "BRLX" little-endian
inline constexpr uint8_t kIndexFormatVersion = 1;

// The first record offset of a batch and where that batch starts in the segment file.
struct IndexEntry {
  uint64_t offset = 0;
  uint64_t position = 0;

  bool operator==(const IndexEntry&) const = default;
};

struct SegmentIndex {
  uint64_t base_offset = 0;
  uint64_t end_offset = 0;     // one past the segment's last record
  uint64_t segment_bytes = 0;  // size of the segment file the index describes
  uint64_t batch_count = 0;
  uint64_t last_batch_position = 0;
  Timestamp max_append_time;
  std::vector<IndexEntry> entries;
  std::vector<KeyedBatch> keyed_batches;

  bool operator==(const SegmentIndex&) const = default;
};

std::string EncodeSegmentIndex(const SegmentIndex& index);
// Validates magic, version, CRC, lengths and the monotonicity of the entries.
Result<SegmentIndex> DecodeSegmentIndex(std::string_view bytes);

}  // namespace braid::log
