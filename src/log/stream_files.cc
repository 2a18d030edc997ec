#include "log/stream_files.h"

#include <fmt/format.h>

#include "common/byte_io.h"
#include "common/crc32c.h"
#include "common/file_util.h"

namespace braid::log {

namespace fs = std::filesystem;

namespace {

Status Corrupt(std::string_view file, std::string_view what) {
  return Status(StatusCode::kCorruption, fmt::format("log {} file: {}", file, what));
}

// Checks the trailing CRC and the magic/version prefix; returns a reader positioned after them.
Result<ByteReader> OpenChecked(std::string_view bytes, uint32_t magic, std::string_view file) {
  if (bytes.size() < 9) return Corrupt(file, "truncated");
  const std::string_view body = bytes.substr(0, bytes.size() - 4);
  if (Crc32c(body) != DecodeU32(bytes.data() + body.size())) return Corrupt(file, "CRC mismatch");
  ByteReader in(body);
  if (in.U32() != magic) return Corrupt(file, "bad magic");
  const uint8_t version = in.U8();
  if (version != kStreamFilesVersion) {
    return Corrupt(file, fmt::format("unknown format version {} (this build reads {})", version,
                                     kStreamFilesVersion));
  }
  return in;
}

Result<std::optional<std::string>> ReadIfExists(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (ec) return IoError("stat", path, ec.value());
    return std::optional<std::string>();
  }
  ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(path));
  return std::optional<std::string>(std::move(bytes));
}

}  // namespace

std::string EncodeConsumerOffsets(const ConsumerOffsets& consumers, uint32_t partitions) {
  std::string out;
  PutU32(&out, kConsumersMagic);
  PutU8(&out, kStreamFilesVersion);
  PutU32(&out, partitions);
  PutU32(&out, static_cast<uint32_t>(consumers.size()));
  for (const auto& [name, offsets] : consumers) {
    PutBytes(&out, name);
    for (uint32_t p = 0; p < partitions; ++p) PutU64(&out, p < offsets.size() ? offsets[p] : 0);
  }
  PutU32(&out, Crc32c(out));
  return out;
}

Result<ConsumerOffsets> DecodeConsumerOffsets(std::string_view bytes, uint32_t partitions) {
  ASSIGN_OR_RETURN(ByteReader in, OpenChecked(bytes, kConsumersMagic, "consumers"));
  const uint32_t stored_partitions = in.U32();
  const uint32_t count = in.U32();
  if (!in.ok()) return Corrupt("consumers", "truncated header");
  if (stored_partitions != partitions) {
    return Corrupt("consumers", fmt::format("written for {} partitions, the stream has {}",
                                            stored_partitions, partitions));
  }
  ConsumerOffsets consumers;
  for (uint32_t i = 0; i < count && in.ok(); ++i) {
    std::string name(in.Bytes());
    std::vector<uint64_t> offsets(partitions);
    for (uint64_t& offset : offsets) offset = in.U64();
    consumers.emplace(std::move(name), std::move(offsets));
  }
  if (!in.ok() || in.remaining() != 0 || consumers.size() != count) {
    return Corrupt("consumers", "entries do not match the file size");
  }
  return consumers;
}

Result<ConsumerOffsets> LoadConsumerOffsets(const fs::path& path, uint32_t partitions) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, ReadIfExists(path));
  if (!bytes) return ConsumerOffsets{};
  Result<ConsumerOffsets> consumers = DecodeConsumerOffsets(*bytes, partitions);
  if (!consumers.ok()) return consumers.status().WithContext(path.string());
  return consumers;
}

Status SaveConsumerOffsets(const fs::path& path, const ConsumerOffsets& consumers,
                           uint32_t partitions) {
  return WriteFileAtomically(path, EncodeConsumerOffsets(consumers, partitions));
}

std::string EncodeStreamMeta(uint32_t partitions) {
  std::string out;
  PutU32(&out, kStreamMetaMagic);
  PutU8(&out, kStreamFilesVersion);
  PutU32(&out, partitions);
  PutU32(&out, Crc32c(out));
  return out;
}

Result<uint32_t> DecodeStreamMeta(std::string_view bytes) {
  ASSIGN_OR_RETURN(ByteReader in, OpenChecked(bytes, kStreamMetaMagic, "meta"));
  const uint32_t partitions = in.U32();
  if (!in.ok() || in.remaining() != 0 || partitions == 0) {
    return Corrupt("meta", "bad partition count");
  }
  return partitions;
}

Result<std::optional<uint32_t>> LoadStreamMeta(const fs::path& path) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, ReadIfExists(path));
  if (!bytes) return std::optional<uint32_t>();
  Result<uint32_t> partitions = DecodeStreamMeta(*bytes);
  if (!partitions.ok()) return partitions.status().WithContext(path.string());
  return std::optional<uint32_t>(*partitions);
}

}  // namespace braid::log
