// The RLE / bit-packed hybrid encoding of Parquet (Encodings.md), used for definition levels,
// dictionary indices and RLE booleans. Written by hand because no Parquet library ships with the
// platform. The encoder appends to a caller-owned string. The decoder reads a caller-owned view
// that must outlive it, never reads past its end, and reports a short or malformed stream as
// kCorruption; it keeps its position across calls so a page can be decoded in batches. Neither
// is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace braid::lake {

// The number of bits needed for values up to max_value (0 for 0).
int BitWidthFor(uint64_t max_value);

// Appends `values` (each < 2^bit_width, bit_width <= 32) in the hybrid encoding, without a
// length prefix. Runs of 8 or more equal values become RLE runs, the rest bit-packed runs.
void EncodeRleHybrid(std::span<const uint32_t> values, int bit_width, std::string* out);
// The same for 0/1 bytes (definition levels, booleans) at bit width 1.
void EncodeRleHybridBits(std::span<const uint8_t> values, std::string* out);

class RleHybridDecoder {
 public:
  // bit_width must be in [0, 32] (checked by the caller against the stream's metadata).
  RleHybridDecoder(std::string_view data, int bit_width) : data_(data), bit_width_(bit_width) {}

  // Decodes exactly out.size() values.
  Status Decode(std::span<uint32_t> out);
  // Decodes exactly out.size() values that must be 0 or 1 (definition levels, booleans).
  Status DecodeBits(std::span<uint8_t> out);

 private:
  Status NextRun();
  template <typename T>
  Status DecodeInto(std::span<T> out);
  template <typename T>
  void UnpackLiterals(T* out, size_t n);

  std::string_view data_;
  size_t pos_ = 0;
  int bit_width_;
  // The current run: either `repeat_count_` copies of `repeat_value_`, or `literal_count_`
  // bit-packed values starting at bit `literal_bit_` of data_.
  size_t repeat_count_ = 0;
  uint32_t repeat_value_ = 0;
  size_t literal_count_ = 0;
  size_t literal_bit_ = 0;
};

}  // namespace braid::lake
