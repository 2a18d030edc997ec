#include "log/segment_index.h"

#include <fmt/format.h>

#include "common/byte_io.h"
#include "common/crc32c.h"

namespace braid::log {
namespace {

constexpr size_t kFixedBytes = 64;  // everything before the entries
constexpr size_t kEntryBytes = 16;  // offset u64, position u64
constexpr size_t kKeyedBytes = 24;  // key hash u64, base offset u64, count u32, part u16 x2
constexpr size_t kChecksumBytes = 4;

Status CorruptIndex(std::string_view what) {
  return Status(StatusCode::kCorruption, fmt::format("segment index: {}", what));
}

Status CheckEntries(const SegmentIndex& index) {
  for (size_t i = 0; i < index.entries.size(); ++i) {
    const IndexEntry& e = index.entries[i];
    if (e.offset < index.base_offset || e.offset >= index.end_offset ||
        e.position >= index.segment_bytes) {
      return CorruptIndex(fmt::format("entry {} lies outside the segment", i));
    }
    if (i > 0 &&
        (e.offset <= index.entries[i - 1].offset || e.position <= index.entries[i - 1].position)) {
      return CorruptIndex(fmt::format("entry {} is not after entry {}", i, i - 1));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeSegmentIndex(const SegmentIndex& index) {
  std::string out;
  out.reserve(kFixedBytes + index.entries.size() * kEntryBytes +
              index.keyed_batches.size() * kKeyedBytes + kChecksumBytes);
  PutU32(&out, kIndexMagic);
  PutU8(&out, kIndexFormatVersion);
  out.append(3, '\0');
  PutU64(&out, index.base_offset);
  PutU64(&out, index.end_offset);
  PutU64(&out, index.segment_bytes);
  PutU64(&out, index.batch_count);
  PutU64(&out, index.last_batch_position);
  PutI64(&out, index.max_append_time.micros);
  PutU32(&out, static_cast<uint32_t>(index.entries.size()));
  PutU32(&out, static_cast<uint32_t>(index.keyed_batches.size()));
  for (const IndexEntry& e : index.entries) {
    PutU64(&out, e.offset);
    PutU64(&out, e.position);
  }
  for (const KeyedBatch& k : index.keyed_batches) {
    PutU64(&out, k.tag.key_hash);
    PutU64(&out, k.base_offset);
    PutU32(&out, k.record_count);
    PutU16(&out, k.tag.part_index);
    PutU16(&out, k.tag.part_count);
  }
  PutU32(&out, Crc32c(out));
  return out;
}

Result<SegmentIndex> DecodeSegmentIndex(std::string_view bytes) {
  if (bytes.size() < kFixedBytes + kChecksumBytes) return CorruptIndex("truncated");
  const std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  if (Crc32c(body) != DecodeU32(bytes.data() + body.size())) return CorruptIndex("CRC mismatch");
  ByteReader in(body);
  if (in.U32() != kIndexMagic) return CorruptIndex("bad magic");
  const uint8_t version = in.U8();
  if (version != kIndexFormatVersion) {
    return CorruptIndex(fmt::format("unknown format version {} (this build reads {})", version,
                                    kIndexFormatVersion));
  }
  in.Raw(3);
  SegmentIndex index;
  index.base_offset = in.U64();
  index.end_offset = in.U64();
  index.segment_bytes = in.U64();
  index.batch_count = in.U64();
  index.last_batch_position = in.U64();
  index.max_append_time.micros = in.I64();
  const uint32_t entries = in.U32();
  const uint32_t keyed = in.U32();
  if (!in.ok() ||
      in.remaining() != uint64_t{entries} * kEntryBytes + uint64_t{keyed} * kKeyedBytes) {
    return CorruptIndex("entry counts do not match the file size");
  }
  index.entries.resize(entries);
  for (IndexEntry& e : index.entries) {
    e.offset = in.U64();
    e.position = in.U64();
  }
  index.keyed_batches.resize(keyed);
  for (KeyedBatch& k : index.keyed_batches) {
    k.tag.key_hash = in.U64();
    k.base_offset = in.U64();
    k.record_count = in.U32();
    k.tag.part_index = in.U16();
    k.tag.part_count = in.U16();
  }
  if (index.end_offset < index.base_offset) return CorruptIndex("end offset before base offset");
  RETURN_IF_ERROR(CheckEntries(index));
  return index;
}

}  // namespace braid::log
