#include "log/record_batch.h"

#include <fmt/format.h>
#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>

#include "common/byte_io.h"
#include "common/chunk_codec.h"
#include "common/crc32c.h"

namespace braid::log {
namespace {

// Byte positions of the header fields (docs/formats/log_segment.md).
constexpr size_t kMagicAt = 0;
constexpr size_t kVersionAt = 4;
constexpr size_t kCompressionAt = 5;
constexpr size_t kFlagsAt = 6;
constexpr size_t kBaseOffsetAt = 8;
constexpr size_t kRecordCountAt = 16;
constexpr size_t kPayloadBytesAt = 20;
constexpr size_t kUncompressedBytesAt = 24;
constexpr size_t kPartIndexAt = 28;
constexpr size_t kPartCountAt = 30;
constexpr size_t kMinEventTimeAt = 32;
constexpr size_t kMaxEventTimeAt = 40;
constexpr size_t kAppendTimeAt = 48;
constexpr size_t kKeyHashAt = 56;
constexpr size_t kCrcAt = 76;  // bytes 64..75 are reserved, written as zero

struct ZstdCompressContextDeleter {
  void operator()(ZSTD_CCtx* ctx) const { ZSTD_freeCCtx(ctx); }
};
struct ZstdDecompressContextDeleter {
  void operator()(ZSTD_DCtx* ctx) const { ZSTD_freeDCtx(ctx); }
};

template <typename T>
void Store(std::string* out, size_t at, T value) {
  std::memcpy(out->data() + at, &value, sizeof(T));
}

template <typename T>
T Load(std::string_view bytes, size_t at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof(T));
  return value;
}

// Appends `raw` compressed to *out when that saves at least 1/8 and returns true; otherwise
// leaves *out as it was and returns false (the payload is better stored raw).
bool AppendCompressed(std::string_view raw, const LogOptions& options, std::string* out) {
  const size_t budget = raw.size() - raw.size() / 8;
  if (budget == 0 || raw.size() > kMaxBatchPayloadBytes) return false;
  const size_t at = out->size();
  out->resize(at + budget);
  char* dst = out->data() + at;
  size_t stored = 0;
  if (options.compression == Compression::kLz4) {
    const int n = LZ4_compress_default(raw.data(), dst, static_cast<int>(raw.size()),
                                       static_cast<int>(budget));
    stored = n > 0 ? static_cast<size_t>(n) : 0;
  } else {
    thread_local std::unique_ptr<ZSTD_CCtx, ZstdCompressContextDeleter> ctx(ZSTD_createCCtx());
    const size_t n =
        ZSTD_compressCCtx(ctx.get(), dst, budget, raw.data(), raw.size(), options.zstd_level);
    stored = ZSTD_isError(n) ? 0 : n;
  }
  out->resize(at + stored);
  return stored > 0;
}

// Serializes the selected rows of `events` (all when `rows` is null) to *out.
void SerializeEvents(const Chunk& events, const std::span<const uint32_t>* rows, std::string* out) {
  if (rows != nullptr) {
    SerializeChunkRows(events, *rows, out);
  } else {
    SerializeChunk(events, out);
  }
}

// A size for a u32 header field; a size beyond the batch limit stays beyond it (and is refused).
uint32_t SizeField(size_t bytes) {
  return static_cast<uint32_t>(std::min<size_t>(bytes, std::numeric_limits<uint32_t>::max()));
}

// Writes the header fields into out[at, at + kBatchHeaderSize), which the caller zero-filled (the
// reserved bytes stay zero). The CRC is written last, by the caller.
void WriteHeader(const BatchHeader& h, std::string* out, size_t at) {
  Store<uint32_t>(out, at + kMagicAt, kBatchMagic);
  Store<uint8_t>(out, at + kVersionAt, h.version);
  Store<uint8_t>(out, at + kCompressionAt, static_cast<uint8_t>(h.compression));
  Store<uint64_t>(out, at + kBaseOffsetAt, h.base_offset);
  Store<uint32_t>(out, at + kRecordCountAt, h.record_count);
  Store<uint32_t>(out, at + kPayloadBytesAt, h.payload_bytes);
  Store<uint32_t>(out, at + kUncompressedBytesAt, h.uncompressed_bytes);
  Store<uint16_t>(out, at + kPartIndexAt, h.idempotency.part_index);
  Store<uint16_t>(out, at + kPartCountAt, h.idempotency.part_count);
  Store<int64_t>(out, at + kMinEventTimeAt, h.min_event_time.micros);
  Store<int64_t>(out, at + kMaxEventTimeAt, h.max_event_time.micros);
  Store<int64_t>(out, at + kAppendTimeAt, h.append_time.micros);
  Store<uint64_t>(out, at + kKeyHashAt, h.idempotency.key_hash);
}

uint32_t ComputeCrc(std::string_view header_bytes, std::string_view payload) {
  const uint32_t crc = Crc32cExtend(0, header_bytes.data(), kCrcAt);
  return Crc32cExtend(crc, payload.data(), payload.size());
}

// Serializes the selected rows (all when `rows` is null) behind room for the header, compresses,
// and writes the header with its CRC.
BatchHeader Encode(BatchHeader header, const Chunk& events, const std::span<const uint32_t>* rows,
                   const LogOptions& options, std::string* out) {
  const size_t at = out->size();
  out->resize(at + kBatchHeaderSize);
  header.version = kBatchFormatVersion;
  header.record_count = SizeField(rows ? rows->size() : events.num_rows());
  header.compression = Compression::kNone;
  if (options.compression == Compression::kNone) {
    SerializeEvents(events, rows, out);
    header.uncompressed_bytes = SizeField(out->size() - at - kBatchHeaderSize);
  } else {
    thread_local std::string scratch;
    scratch.clear();
    SerializeEvents(events, rows, &scratch);
    header.uncompressed_bytes = SizeField(scratch.size());
    if (AppendCompressed(scratch, options, out)) {
      header.compression = options.compression;
    } else {
      out->append(scratch);
    }
    if (scratch.capacity() > kMaxRetainedBufferBytes) std::string().swap(scratch);
  }
  header.payload_bytes = SizeField(out->size() - at - kBatchHeaderSize);
  WriteHeader(header, out, at);
  const std::string_view batch = std::string_view{*out}.substr(at);
  header.crc = ComputeCrc(batch.substr(0, kBatchHeaderSize), batch.substr(kBatchHeaderSize));
  Store<uint32_t>(out, at + kCrcAt, header.crc);
  return header;
}

Status CorruptBatch(std::string_view what) {
  return Status(StatusCode::kCorruption, fmt::format("log record batch: {}", what));
}

Status CheckSizes(const BatchHeader& h) {
  if (h.record_count == 0) return CorruptBatch("record count is zero");
  if (h.payload_bytes > kMaxBatchPayloadBytes || h.uncompressed_bytes > kMaxBatchPayloadBytes) {
    return CorruptBatch(fmt::format("payload of {} bytes ({} uncompressed) exceeds the limit",
                                    h.payload_bytes, h.uncompressed_bytes));
  }
  if (h.compression == Compression::kNone && h.payload_bytes != h.uncompressed_bytes) {
    return CorruptBatch("uncompressed payload with two different sizes");
  }
  if (h.min_event_time > h.max_event_time) {
    return CorruptBatch("min event time after max event time");
  }
  const IdempotencyTag& tag = h.idempotency;
  if (tag.key_hash == 0 ? (tag.part_index != 0 || tag.part_count != 0)
                        : tag.part_index >= tag.part_count) {
    return CorruptBatch("idempotency part index out of range");
  }
  return Status::Ok();
}

Result<std::string_view> Decompress(const BatchHeader& header, std::string_view payload,
                                    std::string* buffer) {
  if (header.compression == Compression::kNone) return payload;
  buffer->resize(header.uncompressed_bytes);
  if (header.compression == Compression::kLz4) {
    const int n =
        LZ4_decompress_safe(payload.data(), buffer->data(), static_cast<int>(payload.size()),
                            static_cast<int>(buffer->size()));
    if (n < 0 || static_cast<size_t>(n) != buffer->size()) return CorruptBatch("bad lz4 payload");
    return std::string_view{*buffer};
  }
  thread_local std::unique_ptr<ZSTD_DCtx, ZstdDecompressContextDeleter> ctx(ZSTD_createDCtx());
  const size_t n = ZSTD_decompressDCtx(ctx.get(), buffer->data(), buffer->size(), payload.data(),
                                       payload.size());
  if (ZSTD_isError(n) || n != buffer->size()) return CorruptBatch("bad zstd payload");
  return std::string_view{*buffer};
}

}  // namespace

BatchHeader EncodeRecordBatch(BatchHeader header, const Chunk& events, const LogOptions& options,
                              std::string* out) {
  return Encode(header, events, nullptr, options, out);
}

BatchHeader EncodeRecordBatch(BatchHeader header, const Chunk& events,
                              std::span<const uint32_t> rows, const LogOptions& options,
                              std::string* out) {
  return Encode(header, events, &rows, options, out);
}

void StampRecordBatchBaseOffset(uint64_t base_offset, std::string* encoded) {
  Store<uint64_t>(encoded, kBaseOffsetAt, base_offset);
  const std::string_view batch(*encoded);
  Store<uint32_t>(encoded, kCrcAt,
                  ComputeCrc(batch.substr(0, kBatchHeaderSize), batch.substr(kBatchHeaderSize)));
}

Result<BatchHeader> DecodeRecordBatchHeader(std::string_view bytes) {
  if (bytes.size() < kBatchHeaderSize) return CorruptBatch("truncated header");
  if (Load<uint32_t>(bytes, kMagicAt) != kBatchMagic) return CorruptBatch("bad magic");
  BatchHeader h;
  h.version = Load<uint8_t>(bytes, kVersionAt);
  if (h.version != kBatchFormatVersion) {
    return CorruptBatch(fmt::format("unknown format version {} (this build reads {})", h.version,
                                    kBatchFormatVersion));
  }
  const uint8_t compression = Load<uint8_t>(bytes, kCompressionAt);
  if (compression > static_cast<uint8_t>(Compression::kZstd)) {
    return CorruptBatch(fmt::format("unknown compression {}", compression));
  }
  if (Load<uint16_t>(bytes, kFlagsAt) != 0) return CorruptBatch("unknown flags");
  h.compression = static_cast<Compression>(compression);
  h.base_offset = Load<uint64_t>(bytes, kBaseOffsetAt);
  h.record_count = Load<uint32_t>(bytes, kRecordCountAt);
  h.payload_bytes = Load<uint32_t>(bytes, kPayloadBytesAt);
  h.uncompressed_bytes = Load<uint32_t>(bytes, kUncompressedBytesAt);
  h.idempotency.part_index = Load<uint16_t>(bytes, kPartIndexAt);
  h.idempotency.part_count = Load<uint16_t>(bytes, kPartCountAt);
  h.min_event_time.micros = Load<int64_t>(bytes, kMinEventTimeAt);
  h.max_event_time.micros = Load<int64_t>(bytes, kMaxEventTimeAt);
  h.append_time.micros = Load<int64_t>(bytes, kAppendTimeAt);
  h.idempotency.key_hash = Load<uint64_t>(bytes, kKeyHashAt);
  h.crc = Load<uint32_t>(bytes, kCrcAt);
  RETURN_IF_ERROR(CheckSizes(h));
  return h;
}

Status VerifyRecordBatch(const BatchHeader& header, std::string_view header_bytes,
                         std::string_view payload) {
  if (header_bytes.size() < kBatchHeaderSize || payload.size() != header.payload_bytes) {
    return CorruptBatch("truncated batch");
  }
  const uint32_t crc = ComputeCrc(header_bytes, payload);
  if (crc != header.crc) {
    return CorruptBatch(
        fmt::format("CRC mismatch at base offset {} (stored {:08x}, computed {:08x})",
                    header.base_offset, header.crc, crc));
  }
  return Status::Ok();
}

Result<RecordBatch> DecodeRecordBatch(const BatchHeader& header, std::string_view header_bytes,
                                      std::string_view payload) {
  RETURN_IF_ERROR(VerifyRecordBatch(header, header_bytes, payload));
  thread_local std::string buffer;
  ASSIGN_OR_RETURN(std::string_view raw, Decompress(header, payload, &buffer));
  Result<Chunk> decoded = DeserializeChunk(raw);
  if (buffer.capacity() > kMaxRetainedBufferBytes) std::string().swap(buffer);
  ASSIGN_OR_RETURN(Chunk events, std::move(decoded));
  if (events.num_rows() != header.record_count) {
    return CorruptBatch(fmt::format("header says {} records, payload holds {}", header.record_count,
                                    events.num_rows()));
  }
  return RecordBatch{header, std::move(events)};
}

}  // namespace braid::log
