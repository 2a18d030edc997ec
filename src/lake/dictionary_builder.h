// DictionaryBuilder: the dictionary of one column chunk for Parquet's dictionary encoding. It
// assigns each distinct non-null value an index in order of first appearance and records the
// index of every non-null row, giving up (Build returns false) as soon as the dictionary would
// exceed its byte or entry limit, so the writer falls back to PLAIN for that chunk. Fixed-width
// values are keyed by their bit pattern; strings by their bytes, kept as views into the borrowed
// columns. Open addressing with linear probing: no allocation per value. One chunk at a time;
// not thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lake/column_slice.h"

namespace braid::lake {

struct DictionaryLimits {
  size_t max_bytes = size_t{1} << 20;  // PLAIN size of the dictionary page
  size_t max_entries = 1 << 16;
};

class DictionaryBuilder {
 public:
  DictionaryBuilder(DataType type, DictionaryLimits limits) : type_(type), limits_(limits) {}

  // Builds the dictionary of the non-null values of the slices (BIGINT, TIMESTAMP, DOUBLE or
  // STRING columns). False when a limit was exceeded; the builder is then unusable.
  bool Build(std::span<const ColumnSlice> slices);

  size_t size() const { return entry_count_; }
  // The index of each non-null value, in row order.
  std::span<const uint32_t> indices() const { return indices_; }
  // Appends the PLAIN encoding of the entries (the dictionary page body).
  void EncodePlain(std::string* out) const;

 private:
  bool AddFixed(uint64_t bits);
  bool AddString(std::string_view value);
  void Grow();
  size_t Probe(uint64_t hash, auto&& equals) const;

  DataType type_;
  DictionaryLimits limits_;
  size_t entry_count_ = 0;
  size_t plain_bytes_ = 0;
  std::vector<uint64_t> fixed_entries_;           // bit patterns, fixed-width types
  std::vector<std::string_view> string_entries_;  // views into the borrowed columns
  std::vector<uint64_t> entry_hashes_;
  std::vector<uint32_t> slots_;  // entry index + 1; 0 = empty
  std::vector<uint32_t> indices_;
};

}  // namespace braid::lake
