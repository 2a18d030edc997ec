#include "lake/rle_hybrid.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace braid::lake {
namespace {

void PutVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

size_t RunLength(const auto* values, size_t begin, size_t end) {
  size_t i = begin + 1;
  while (i < end && values[i] == values[begin]) ++i;
  return i - begin;
}

// Appends values[begin, begin + 8 * groups) bit-packed (values past `end` are packed as 0).
template <typename T>
void AppendBitPacked(const T* values, size_t begin, size_t end, size_t groups, int bit_width,
                     std::string* out) {
  PutVarint((groups << 1) | 1, out);
  uint64_t buffer = 0;
  int bits = 0;
  for (size_t i = begin; i < begin + groups * 8; ++i) {
    uint64_t v = i < end ? static_cast<uint64_t>(values[i]) : 0;
    buffer |= v << bits;
    bits += bit_width;
    while (bits >= 8) {
      out->push_back(static_cast<char>(buffer & 0xFF));
      buffer >>= 8;
      bits -= 8;
    }
  }
}

template <typename T>
void Encode(const T* values, size_t n, int bit_width, std::string* out) {
  const int value_bytes = (bit_width + 7) / 8;
  size_t i = 0;
  while (i < n) {
    size_t run = RunLength(values, i, n);
    if (run >= 8) {
      PutVarint(static_cast<uint64_t>(run) << 1, out);
      uint32_t v = static_cast<uint32_t>(values[i]);
      out->append(reinterpret_cast<const char*>(&v), value_bytes);
      i += run;
      continue;
    }
    // A literal stretch: groups of 8 until a run of 8 equal values starts at a group boundary.
    size_t j = i;
    do {
      j += 8;
    } while (j < n && RunLength(values, j, std::min(n, j + 8)) < 8);
    size_t groups = (std::min(j, n) - i + 7) / 8;
    AppendBitPacked(values, i, n, groups, bit_width, out);
    i = std::min(j, n);
  }
}

}  // namespace

int BitWidthFor(uint64_t max_value) { return max_value == 0 ? 0 : std::bit_width(max_value); }

void EncodeRleHybrid(std::span<const uint32_t> values, int bit_width, std::string* out) {
  Encode(values.data(), values.size(), bit_width, out);
}

void EncodeRleHybridBits(std::span<const uint8_t> values, std::string* out) {
  Encode(values.data(), values.size(), 1, out);
}

Status RleHybridDecoder::NextRun() {
  uint64_t header = 0;
  for (int shift = 0;; shift += 7) {
    if (pos_ >= data_.size() || shift > 35) {
      return Status(StatusCode::kCorruption, "rle/bit-packed stream ends early");
    }
    uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
    header |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) break;
  }
  if (header & 1) {
    // Bit-packed: a last run may be cut short; keep only the values whose bits are present.
    size_t groups = header >> 1;
    size_t bytes = std::min<size_t>(groups * bit_width_, data_.size() - pos_);
    literal_count_ = bit_width_ == 0 ? groups * 8 : std::min(groups * 8, bytes * 8 / bit_width_);
    literal_bit_ = pos_ * 8;
    pos_ += bytes;
  } else {
    repeat_count_ = header >> 1;
    size_t value_bytes = (bit_width_ + 7) / 8;
    if (data_.size() - pos_ < value_bytes) {
      return Status(StatusCode::kCorruption, "rle run value past the end of the stream");
    }
    uint32_t v = 0;
    std::memcpy(&v, data_.data() + pos_, value_bytes);
    pos_ += value_bytes;
    repeat_value_ = v;
  }
  if (repeat_count_ == 0 && literal_count_ == 0) {
    return Status(StatusCode::kCorruption, "empty run in rle/bit-packed stream");
  }
  return Status::Ok();
}

template <typename T>
void RleHybridDecoder::UnpackLiterals(T* out, size_t n) {
  const uint64_t mask = bit_width_ == 0 ? 0 : (~uint64_t{0} >> (64 - bit_width_));
  const char* base = data_.data();
  const size_t safe_end_bit = data_.size() >= 8 ? (data_.size() - 8) * 8 : 0;
  size_t bit = literal_bit_;
  for (size_t i = 0; i < n; ++i, bit += bit_width_) {
    uint64_t word = 0;
    if (bit < safe_end_bit) {
      std::memcpy(&word, base + bit / 8, 8);
    } else {
      std::memcpy(&word, base + bit / 8, std::min<size_t>(8, data_.size() - bit / 8));
    }
    out[i] = static_cast<T>((word >> (bit % 8)) & mask);
  }
  literal_bit_ = bit;
  literal_count_ -= n;
}

template <typename T>
Status RleHybridDecoder::DecodeInto(std::span<T> out) {
  size_t done = 0;
  while (done < out.size()) {
    if (repeat_count_ == 0 && literal_count_ == 0) RETURN_IF_ERROR(NextRun());
    size_t want = out.size() - done;
    if (repeat_count_ > 0) {
      size_t n = std::min(want, repeat_count_);
      std::fill_n(out.data() + done, n, static_cast<T>(repeat_value_));
      repeat_count_ -= n;
      done += n;
    } else {
      size_t n = std::min(want, literal_count_);
      UnpackLiterals(out.data() + done, n);
      done += n;
    }
  }
  return Status::Ok();
}

Status RleHybridDecoder::Decode(std::span<uint32_t> out) { return DecodeInto(out); }

Status RleHybridDecoder::DecodeBits(std::span<uint8_t> out) {
  if (bit_width_ != 1) {
    return Status(StatusCode::kCorruption, fmt::format("bit stream of width {}", bit_width_));
  }
  RETURN_IF_ERROR(DecodeInto(out));
  // With width 1 literals are 0/1 already; only an RLE run value can be out of range.
  for (uint8_t v : out) {
    if (v > 1) return Status(StatusCode::kCorruption, "level or boolean value above 1");
  }
  return Status::Ok();
}

}  // namespace braid::lake
