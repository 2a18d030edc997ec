// Cell keys as normalized bytes: the hash aggregator's (window, keys) identity of a row, written
// column at a time into one buffer per chunk so that hashing and equality are a memcmp. Layout of
// one cell key: the window end (8 bytes, windowed views), the session start (8 bytes, session
// windows), then per group key a tag byte (0 NULL, 1 value) and the value: 8 bytes for BIGINT,
// TIMESTAMP and DOUBLE (the aggregates' ComparisonKey, so -0.0 and +0.0, and every NaN, are one
// key, as in the reference executor), 1 byte for BOOLEAN, a 4-byte length then the bytes for
// STRING. A NULL takes its type's full fixed width (zeros) or a zero length. Integers are native
// endian: the bytes identify a cell, they are not an order (Finish sorts decoded values). The
// buffer is reused across chunks; views into it are valid until the next Normalize. Not
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/chunk.h"

namespace braid::batch {

// The inputs of one batch of cell keys. Cell k takes its key values from row rows[k] of `keys`
// (rows empty: row k), and its window times from window_ends[k] / session_starts[k] when given.
struct CellKeySource {
  std::span<const Column* const> keys = {};
  std::span<const uint32_t> rows = {};
  std::span<const int64_t> window_ends = {};     // empty: no window
  std::span<const int64_t> session_starts = {};  // empty: not a session window
  size_t num_cells = 0;
};

class KeyNormalizer {
 public:
  // Writes the cell keys of `source` into the buffer, replacing the previous batch.
  void Normalize(const CellKeySource& source);

  size_t size() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  std::string_view key(size_t k) const {
    return {buffer_.data() + offsets_[k], offsets_[k + 1] - offsets_[k]};
  }

 private:
  void ComputeOffsets(const CellKeySource& source);
  void WriteKeyColumn(const Column& column, const CellKeySource& source, size_t* cursors);

  std::vector<char> buffer_;
  std::vector<size_t> offsets_;  // size() + 1 entries
  std::vector<size_t> cursors_;  // per cell: where its next field goes
};

// The decoded parts of one cell key.
struct DecodedCellKey {
  int64_t window_end = 0;
  int64_t session_start = 0;
};

// Decodes `key` (as written with the given window layout) appending each key value to
// (*columns)[i]. BRAID_DCHECKs that the bytes are well formed (they are the aggregator's own).
DecodedCellKey DecodeCellKey(std::string_view key, bool windowed, bool session,
                             std::span<Column> columns);

}  // namespace braid::batch
