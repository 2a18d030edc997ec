// A record batch: the unit the log appends, checksums and reads (docs/formats/log_segment.md).
// One batch holds the events of one append to one partition as a serialized Chunk, optionally
// compressed, behind a fixed 80-byte header carrying its base offset, record count, event-time
// range, append time, the producer's idempotency key hash and a CRC32C over header and payload.
// Encoding runs on the appending thread (thread-local scratch buffers, so no allocation per call
// once warm); the base offset is stamped afterwards, under the partition's lock, by
// StampRecordBatchBaseOffset. All functions are pure apart from that scratch; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/chunk.h"
#include "common/time.h"
#include "log/log_options.h"

namespace braid::log {

inline constexpr uint32_t kBatchMagic = 0x424C5242;  // "BRLB" little-endian
inline constexpr uint8_t kBatchFormatVersion = 1;
inline constexpr size_t kBatchHeaderSize = 80;
// Largest payload (stored or uncompressed) a batch may have; larger appends are kTooLarge and a
// header claiming more is corrupt.
inline constexpr uint32_t kMaxBatchPayloadBytes = 1u << 30;
// Scratch buffers for encoding and decoding batches are kept between calls unless a huge batch
// grew them past this.
inline constexpr size_t kMaxRetainedBufferBytes = 16 << 20;

// Identifies a multi-partition append for idempotent retries: the same request split the same
// way produces parts 0..part_count-1, one batch per partition it touches.
struct IdempotencyTag {
  uint64_t key_hash = 0;  // 0 = none
  uint16_t part_index = 0;
  uint16_t part_count = 0;

  bool operator==(const IdempotencyTag&) const = default;
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

// A batch appended under an idempotency key, as the key table needs it (recovered from segment
// indexes and batch headers at Open).
struct KeyedBatch {
  uint64_t base_offset = 0;
  uint32_t record_count = 0;
  IdempotencyTag tag;

  bool operator==(const KeyedBatch&) const = default;
};

// A batch read back from the log: header fields and the decoded events.
struct RecordBatch {
  BatchHeader header;
  Chunk events;
};

// Serializes `events`, compresses per options, fills the header's sizes and CRC and appends
// header + payload to *out. header.base_offset, event times, append_time and idempotency must be
// set by the caller; header.record_count is set from the rows written. Returns the header as
// written.
BatchHeader EncodeRecordBatch(BatchHeader header, const Chunk& events, const LogOptions& options,
                              std::string* out);
// The same for the sub-chunk made of `rows` of `events` (in that order), without building it.
BatchHeader EncodeRecordBatch(BatchHeader header, const Chunk& events,
                              std::span<const uint32_t> rows, const LogOptions& options,
                              std::string* out);

// Rewrites the base offset of the encoded batch that `encoded` starts with, and its CRC.
void StampRecordBatchBaseOffset(uint64_t base_offset, std::string* encoded);

// Parses the first kBatchHeaderSize bytes. Checks magic, version and sizes, not the CRC.
Result<BatchHeader> DecodeRecordBatchHeader(std::string_view bytes);
// Verifies the CRC over header and payload (recovery checks batches without decoding them).
Status VerifyRecordBatch(const BatchHeader& header, std::string_view header_bytes,
                         std::string_view payload);
// Verifies the CRC over header and payload and decodes the events.
Result<RecordBatch> DecodeRecordBatch(const BatchHeader& header, std::string_view header_bytes,
                                      std::string_view payload);

}  // namespace braid::log
