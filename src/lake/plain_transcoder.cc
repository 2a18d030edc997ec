#include "lake/plain_transcoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "lake/page_compression.h"

namespace braid::lake {
namespace {

Status CorruptEncoding(std::string_view what) {
  return Status(StatusCode::kCorruption, fmt::format("delta/split encoding: {}", what));
}

class BitStream {
 public:
  explicit BitStream(std::string_view data) : data_(data) {}

  size_t position() const { return pos_; }

  Result<uint64_t> Uleb() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return CorruptEncoding("varint past the end");
      uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    return CorruptEncoding("varint too long");
  }
  Result<int64_t> ZigZag() {
    ASSIGN_OR_RETURN(uint64_t raw, Uleb());
    return static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
  }
  Result<uint8_t> Byte() {
    if (pos_ >= data_.size()) return CorruptEncoding("byte past the end");
    return static_cast<uint8_t>(data_[pos_++]);
  }
  // Unpacks `n` values of `width` bits (LSB first) and advances past `n * width` bits, which
  // must be present.
  Status Unpack(int width, size_t n, uint64_t* out) {
    size_t bytes = (n * static_cast<size_t>(width) + 7) / 8;
    if (bytes > data_.size() - pos_) return CorruptEncoding("miniblock past the end");
    const char* base = data_.data() + pos_;
    for (size_t i = 0; i < n; ++i) {
      size_t bit = i * static_cast<size_t>(width);
      unsigned __int128 word = 0;
      std::memcpy(&word, base + bit / 8, std::min<size_t>(16, bytes - bit / 8));
      word >>= bit % 8;
      out[i] = width == 64 ? static_cast<uint64_t>(word)
                           : static_cast<uint64_t>(word) & ((uint64_t{1} << width) - 1);
    }
    pos_ += bytes;
    return Status::Ok();
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Decodes DELTA_BINARY_PACKED values (wrapping 64-bit arithmetic); *consumed gets the bytes used.
// The header's value count may not exceed `max_values`, the non-null rows of the page (a few
// bytes of zero-width miniblocks could otherwise claim billions of values).
Status DecodeDeltaBinaryPacked(std::string_view data, size_t max_values,
                               std::vector<int64_t>* values, size_t* consumed) {
  BitStream in(data);
  ASSIGN_OR_RETURN(uint64_t block_size, in.Uleb());
  ASSIGN_OR_RETURN(uint64_t miniblocks, in.Uleb());
  ASSIGN_OR_RETURN(uint64_t total, in.Uleb());
  ASSIGN_OR_RETURN(int64_t first, in.ZigZag());
  if (block_size == 0 || block_size % 128 != 0 || block_size > (1 << 20) || miniblocks == 0 ||
      block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return CorruptEncoding("bad block header");
  }
  // Each block takes at least 1 + miniblocks bytes (its min delta and bit widths).
  if (total > (data.size() / (1 + miniblocks) + 1) * block_size + 1) {
    return CorruptEncoding("value count exceeds the page");
  }
  if (total > max_values) {
    return CorruptEncoding(fmt::format("{} values for {} non-null rows", total, max_values));
  }
  const size_t per_miniblock = block_size / miniblocks;
  values->assign(1, first);
  values->reserve(total);
  std::vector<uint64_t> deltas(per_miniblock);
  uint64_t last = static_cast<uint64_t>(first);
  std::vector<uint8_t> widths(miniblocks);
  while (values->size() < total) {
    ASSIGN_OR_RETURN(int64_t min_delta, in.ZigZag());
    for (auto& w : widths) {
      ASSIGN_OR_RETURN(w, in.Byte());
      if (w > 64) return CorruptEncoding("miniblock bit width above 64");
    }
    for (size_t m = 0; m < miniblocks && values->size() < total; ++m) {
      RETURN_IF_ERROR(in.Unpack(widths[m], per_miniblock, deltas.data()));
      size_t take = std::min<size_t>(per_miniblock, total - values->size());
      for (size_t i = 0; i < take; ++i) {
        last += static_cast<uint64_t>(min_delta) + deltas[i];
        values->push_back(static_cast<int64_t>(last));
      }
    }
  }
  if (total == 0) values->clear();
  *consumed = in.position();
  return Status::Ok();
}

Status DeltaIntegersToPlain(std::string_view data, PhysicalType physical, size_t count,
                            std::string* plain) {
  std::vector<int64_t> values;
  size_t consumed = 0;
  RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, count, &values, &consumed));
  if (values.size() < count) return CorruptEncoding("fewer values than the page's non-null rows");
  plain->clear();
  for (size_t i = 0; i < count; ++i) {
    if (physical == PhysicalType::kInt32) {
      int32_t v = static_cast<int32_t>(values[i]);
      plain->append(reinterpret_cast<const char*>(&v), 4);
    } else {
      plain->append(reinterpret_cast<const char*>(&values[i]), 8);
    }
  }
  return Status::Ok();
}

// DELTA_LENGTH_BYTE_ARRAY, and DELTA_BYTE_ARRAY (prefix lengths, then suffixes as DLBA).
Status DeltaStringsToPlain(Encoding encoding, std::string_view data, size_t count,
                           std::string* plain) {
  std::vector<int64_t> prefixes, lengths;
  size_t consumed = 0;
  if (encoding == Encoding::kDeltaByteArray) {
    RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, count, &prefixes, &consumed));
    data.remove_prefix(consumed);
    if (prefixes.size() < count) return CorruptEncoding("fewer prefix lengths than values");
  }
  RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, count, &lengths, &consumed));
  if (lengths.size() < count) return CorruptEncoding("fewer lengths than values");
  data.remove_prefix(consumed);
  plain->clear();
  std::string previous, value;
  size_t pos = 0;
  for (size_t i = 0; i < count; ++i) {
    if (lengths[i] < 0 || static_cast<uint64_t>(lengths[i]) > data.size() - pos) {
      return CorruptEncoding("string length past the end of the page");
    }
    std::string_view suffix = data.substr(pos, static_cast<size_t>(lengths[i]));
    pos += suffix.size();
    if (!prefixes.empty()) {
      if (prefixes[i] < 0 || static_cast<uint64_t>(prefixes[i]) > previous.size()) {
        return CorruptEncoding("prefix longer than the previous value");
      }
      value.assign(previous, 0, static_cast<size_t>(prefixes[i]));
      value.append(suffix);
      previous = value;
      suffix = value;
    }
    // Prefixes repeat earlier bytes, so the output is bounded like an uncompressed page.
    if (plain->size() + 4 + suffix.size() > kMaxPageBytes) {
      return Status(StatusCode::kTooLarge,
                    fmt::format("delta strings decode to more than {} bytes", kMaxPageBytes));
    }
    uint32_t n = static_cast<uint32_t>(suffix.size());
    plain->append(reinterpret_cast<const char*>(&n), 4);
    plain->append(suffix);
  }
  return Status::Ok();
}

Status ByteStreamSplitToPlain(std::string_view data, PhysicalType physical, size_t count,
                              std::string* plain) {
  size_t width = physical == PhysicalType::kFloat || physical == PhysicalType::kInt32 ? 4 : 8;
  if (data.size() % width != 0 || data.size() / width < count) {
    return CorruptEncoding("byte stream split page of the wrong size");
  }
  size_t stride = data.size() / width;  // values in the page (streams are this long)
  plain->resize(count * width);
  for (size_t i = 0; i < count; ++i) {
    for (size_t b = 0; b < width; ++b) (*plain)[i * width + b] = data[b * stride + i];
  }
  return Status::Ok();
}

}  // namespace

bool IsTranscodable(Encoding encoding, PhysicalType physical) {
  switch (encoding) {
    case Encoding::kDeltaBinaryPacked:
      return physical == PhysicalType::kInt32 || physical == PhysicalType::kInt64;
    case Encoding::kDeltaLengthByteArray:
    case Encoding::kDeltaByteArray:
      return physical == PhysicalType::kByteArray;
    case Encoding::kByteStreamSplit:
      return physical == PhysicalType::kFloat || physical == PhysicalType::kDouble ||
             physical == PhysicalType::kInt32 || physical == PhysicalType::kInt64;
    default:
      return false;
  }
}

Status TranscodeToPlain(Encoding encoding, std::string_view data, PhysicalType physical,
                        size_t count, std::string* plain) {
  switch (encoding) {
    case Encoding::kDeltaBinaryPacked: return DeltaIntegersToPlain(data, physical, count, plain);
    case Encoding::kDeltaLengthByteArray:
    case Encoding::kDeltaByteArray: return DeltaStringsToPlain(encoding, data, count, plain);
    case Encoding::kByteStreamSplit: return ByteStreamSplitToPlain(data, physical, count, plain);
    default: return Status(StatusCode::kInternal, "encoding is not transcodable");
  }
}

}  // namespace braid::lake
