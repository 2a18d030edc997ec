// Chunk: the one columnar in-memory batch that flows through every layer (DESIGN.md). A Chunk is
// a Schema plus one Column per field, all of the same length. A Column is a typed vector with a
// validity byte per row (1 = value present, 0 = NULL; the value slot of a NULL row holds a zero
// default so kernels may read it without branching), kept only once the column has a NULL: most
// columns have none, and their validity would double the allocations of every column built. BIGINT
// and TIMESTAMP share int64 storage, DOUBLE is double, BOOLEAN is one byte per row, STRING is an
// offsets array into one per-column arena (no per-string allocation). A Chunk owns its memory, is
// movable and copyable (an explicit deep copy), and is not thread-safe to mutate; share read-only
// chunks freely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/schema.h"
#include "common/status.h"

namespace braid {

class Column {
 public:
  explicit Column(DataType type);
  Column(const Column&) = default;
  Column& operator=(const Column&) = default;
  // A column moved from is left empty (no rows), as its vectors are. Inline: chunks move their
  // columns often (a point read moves a few hundred).
  Column(Column&& other) noexcept
      : type_(other.type_),
        size_(std::exchange(other.size_, 0)),
        null_count_(std::exchange(other.null_count_, 0)),
        valid_(std::move(other.valid_)),
        i64_(std::move(other.i64_)),
        f64_(std::move(other.f64_)),
        b8_(std::move(other.b8_)),
        offsets_(std::move(other.offsets_)),
        arena_(std::move(other.arena_)) {}
  Column& operator=(Column&& other) noexcept {
    if (this != &other) {
      type_ = other.type_;
      size_ = std::exchange(other.size_, 0);
      null_count_ = std::exchange(other.null_count_, 0);
      valid_ = std::move(other.valid_);
      i64_ = std::move(other.i64_);
      f64_ = std::move(other.f64_);
      b8_ = std::move(other.b8_);
      offsets_ = std::move(other.offsets_);
      arena_ = std::move(other.arena_);
      other.arena_.clear();  // a moved-from string is unspecified; the vectors are empty
    }
    return *this;
  }

  DataType type() const { return type_; }
  size_t size() const { return size_; }
  void Reserve(size_t rows);
  // Appends one string value that `write(std::string* out)` appends to *out, without a copy
  // through a temporary (STRING columns).
  template <typename Write>
  void AppendStringWith(Write&& write) {
    StartOffsets();
    AddValid(1);
    write(&arena_);
    offsets_.push_back(static_cast<uint32_t>(arena_.size()));
  }
  // Reserves room for `bytes` more string bytes (STRING columns).
  void ReserveBytes(size_t bytes) { arena_.reserve(arena_.size() + bytes); }

  // Appending. The typed appends must match type() (checked in debug builds). The one-value
  // appends are inline: queries call them per row, and a call cost as much as the append.
  void AppendNull();
  void AppendBool(bool v) {
    BRAID_DCHECK(type_ == DataType::kBoolean);
    AddValid(1);
    b8_.push_back(v ? 1 : 0);
  }
  void AppendInt64(int64_t v) {  // BIGINT and TIMESTAMP
    BRAID_DCHECK(IsInt64Backed(type_));
    AddValid(1);
    i64_.push_back(v);
  }
  void AppendDouble(double v) {
    BRAID_DCHECK(type_ == DataType::kDouble);
    AddValid(1);
    f64_.push_back(v);
  }
  void AppendString(std::string_view v) {
    BRAID_DCHECK(type_ == DataType::kString);
    // Offsets are 32-bit: a chunk column holds at most 4 GiB of string bytes. Producers cut
    // chunks far below that (ingest bodies are limited, capture and scans use bounded chunks).
    BRAID_DCHECK(arena_.size() + v.size() <= std::numeric_limits<uint32_t>::max());
    StartOffsets();
    AddValid(1);
    arena_.append(v);
    offsets_.push_back(static_cast<uint32_t>(arena_.size()));
  }
  // Appends `count` empty strings (STRING columns).
  void AppendEmptyStrings(size_t count);
  // Appends row `row` of `other`, which must have the same type.
  void AppendFrom(const Column& other, size_t row);
  // Appends every row of `other` (same type), copying its storage in bulk.
  void AppendColumn(const Column& other);
  // Appends rows [begin, begin + count) of `other` (same type), copying their storage in bulk.
  void AppendRange(const Column& other, size_t begin, size_t count);
  // Appends rows `rows` of `other` (same type), in that order, with room reserved once; runs of
  // consecutive rows are copied in bulk, as AppendRange does.
  void AppendRows(const Column& other, std::span<const uint32_t> rows);
  // Asks for the cache lines that copying rows [begin, begin + count) reads (a hint, as
  // common/prefetch.h's): a copy of cold rows from several columns then waits for their misses
  // together instead of one column's after another's.
  void PrefetchRows(size_t begin, size_t count) const;

  bool IsValid(size_t row) const { return valid_.empty() || valid_[row] != 0; }
  bool HasNulls() const { return null_count_ > 0; }
  size_t null_count() const { return null_count_; }
  // One byte per row when the column has a NULL (HasNulls()), else empty: a column keeps no
  // validity bytes until its first NULL.
  std::span<const uint8_t> validity() const { return valid_; }

  std::span<const int64_t> int64s() const { return i64_; }
  std::span<const double> doubles() const { return f64_; }
  std::span<const uint8_t> bools() const { return b8_; }
  std::string_view StringAt(size_t row) const {
    return std::string_view(arena_).substr(offsets_[row], offsets_[row + 1] - offsets_[row]);
  }
  // Raw string storage: offsets() has size()+1 entries into arena().
  std::span<const uint32_t> offsets() const {
    static constexpr uint32_t kNoRows[] = {0};
    return offsets_.empty() ? std::span<const uint32_t>(kNoRows) : std::span(offsets_);
  }
  std::string_view arena() const { return arena_; }

  // Bytes of memory held (approximate, for budgets and metrics).
  size_t MemoryBytes() const;

  // Builds a column from raw parts, validating lengths and offsets (used by decoders).
  static Result<Column> FromParts(DataType type, std::vector<uint8_t> validity,
                                  std::vector<int64_t> i64, std::vector<double> f64,
                                  std::vector<uint8_t> b8, std::vector<uint32_t> offsets,
                                  std::string arena);

  bool operator==(const Column& other) const;

 private:
  // A STRING column allocates no offsets until it has a row (or room is reserved): offsets_ is
  // empty or holds size()+1 entries.
  void StartOffsets() {
    if (offsets_.empty()) offsets_.push_back(0);
  }
  // AppendRows without looking for runs: row by row, room already reserved.
  void AppendEach(const Column& other, std::span<const uint32_t> rows);
  // Counts `count` new valid rows (their values are appended by the caller).
  void AddValid(size_t count) {
    if (!valid_.empty()) valid_.insert(valid_.end(), count, 1);
    size_ += count;
  }
  // Gives every row so far its validity byte (1), before the first NULL.
  void MaterializeValidity();

  DataType type_;
  size_t size_ = 0;
  size_t null_count_ = 0;
  std::vector<uint8_t> valid_;  // empty while null_count_ == 0, else size_ bytes
  std::vector<int64_t> i64_;
  std::vector<double> f64_;
  std::vector<uint8_t> b8_;
  std::vector<uint32_t> offsets_;
  std::string arena_;
};

class Chunk {
 public:
  Chunk() = default;
  // An empty chunk with one empty column per field.
  explicit Chunk(SchemaPtr schema);
  // Takes columns that must match the schema in number, types and length (checked).
  static Result<Chunk> Make(SchemaPtr schema, std::vector<Column> columns);

  const SchemaPtr& schema() const { return schema_; }
  size_t num_rows() const { return columns_.empty() ? 0 : columns_[0].size(); }
  size_t num_columns() const { return columns_.size(); }
  const Column& column(size_t i) const { return columns_[i]; }
  Column& mutable_column(size_t i) { return columns_[i]; }

  // Adds `column` after the last one, under `schema`: this chunk's fields and then the column's
  // (checked, as Make checks), without moving the other columns out.
  Status AddColumn(SchemaPtr schema, Column column);
  // Appends row `row` of `other` (same schema) to every column.
  void AppendRow(const Chunk& other, size_t row);
  // A new chunk holding the given rows of this one, in the given order.
  Chunk Select(std::span<const uint32_t> rows) const;
  // Appends rows `rows` of `other` (same schema), in that order, with the values of the first
  // `copied` columns only: every later column (STRING, e.g. a batch view's serialized states a
  // read does not need) gets empty strings. Rows that lie close together (within twice their
  // number) are usually cold and copied in bulk: every copied column's lines are asked for
  // first, so their cache misses overlap.
  void AppendRowsOf(const Chunk& other, std::span<const uint32_t> rows, size_t copied);

  size_t MemoryBytes() const;
  bool operator==(const Chunk& other) const;

 private:
  SchemaPtr schema_;
  std::vector<Column> columns_;
};

inline constexpr size_t kNoColumn = SIZE_MAX;

// Takes columns of a chunk that is being used up: out[i] becomes column sources[i] of `from` for
// every i with sources[i] != kNoColumn (the other out[i] are left alone). A column named once is
// moved out; one named several times is copied for all but its last use.
void TakeColumns(Chunk& from, std::span<const size_t> sources, std::span<Column> out);

}  // namespace braid
