// DictionaryBuilder: the dictionary of one column chunk for Parquet's dictionary encoding. It
// assigns each distinct non-null value an index in order of first appearance and records the
// index of every non-null row, giving up (Build returns false) as soon as the dictionary would
// exceed its byte or entry limit, or as soon as it is a quarter full and nearly every recent row
// brought a new value, at a rate that would exceed a limit before the chunk ends (a column of
// distinct values, e.g. aggregated doubles or timestamps, is then not hashed to the limit), so
// the writer falls back to PLAIN for that chunk. Fixed-width
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
  // STRING columns). False when a limit was exceeded, or would be at the recent rate of new
  // values (see above); the builder is then unusable.
  bool Build(std::span<const ColumnSlice> slices);

  size_t size() const { return entry_count_; }
  // The index of each non-null value, in row order.
  std::span<const uint32_t> indices() const { return indices_; }
  // Appends the PLAIN encoding of the entries (the dictionary page body).
  void EncodePlain(std::string* out) const;

 private:
  // Rows between two looks at the rate of new values.
  static constexpr size_t kSampleRows = 4096;

  // Whether, after `rows_seen` of the chunk's `rows` rows, the dictionary is on course to exceed
  // a limit (looked at every kSampleRows rows only; see above).
  bool WillExceedLimits(size_t rows_seen, size_t rows);
  bool AddFixed(uint64_t bits);
  bool AddString(std::string_view value);
  void Grow();
  size_t Probe(uint64_t hash, auto&& equals) const;

  DataType type_;
  DictionaryLimits limits_;
  size_t entry_count_ = 0;
  size_t plain_bytes_ = 0;
  size_t entries_at_sample_ = 0;  // entry_count_ and plain_bytes_ at the last look
  size_t bytes_at_sample_ = 0;
  std::vector<uint64_t> fixed_entries_;           // bit patterns, fixed-width types
  std::vector<std::string_view> string_entries_;  // views into the borrowed columns
  std::vector<uint64_t> entry_hashes_;
  std::vector<uint32_t> slots_;  // entry index + 1; 0 = empty
  std::vector<uint32_t> indices_;
};

}  // namespace braid::lake
