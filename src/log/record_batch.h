// A record batch: the unit the log appends, checksums and reads (docs/formats/log_segment.md).
// One batch holds the events of one append to one partition as a serialized Chunk, optionally
// compressed, behind a fixed 80-byte header carrying its base offset, record count, event-time
// range, append time, the producer's idempotency key hash and a CRC32C over header and payload.
// EncodeRecordBatch/DecodeRecordBatchHeader are pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/chunk.h"
#include "common/time.h"
#include "log/log_options.h"

namespace braid::log {

inline constexpr uint32_t kBatchMagic = 0x424C5242;  // "BRLB" little-endian
inline constexpr uint8_t kBatchFormatVersion = 1;
inline constexpr size_t kBatchHeaderSize = 80;

// Identifies a multi-partition append for idempotent retries: the same request split the same
// way produces parts 0..part_count-1, one batch per partition it touches.
struct IdempotencyTag {
  uint64_t key_hash = 0;  // 0 = none
  uint16_t part_index = 0;
  uint16_t part_count = 0;
};

struct BatchHeader {
  uint8_t version = kBatchFormatVersion;
  Compression compression = Compression::kNone;
  uint64_t base_offset = 0;
  uint32_t record_count = 0;
  uint32_t payload_bytes = 0;       // as stored (compressed)
  uint32_t uncompressed_bytes = 0;  // serialized Chunk size
  uint32_t crc = 0;
  Timestamp min_event_time;
  Timestamp max_event_time;
  Timestamp append_time;
  IdempotencyTag idempotency;

  uint64_t end_offset() const { return base_offset + record_count; }
  uint64_t total_bytes() const { return kBatchHeaderSize + payload_bytes; }
};

// A batch read back from the log: header fields and the decoded events.
struct RecordBatch {
  BatchHeader header;
  Chunk events;
};

// Serializes `events`, compresses per options, fills the header's sizes and CRC and appends
// header + payload to *out. header.base_offset, event times, append_time and idempotency must be
// set by the caller.
void EncodeRecordBatch(BatchHeader header, const Chunk& events, const LogOptions& options,
                       std::string* out);

// Parses the first kBatchHeaderSize bytes. Checks magic, version and sizes, not the CRC.
Result<BatchHeader> DecodeRecordBatchHeader(std::string_view bytes);
// Verifies the CRC over header and payload and decodes the events.
Result<RecordBatch> DecodeRecordBatch(const BatchHeader& header, std::string_view header_bytes,
                                      std::string_view payload);

}  // namespace braid::log
