// KeptRows: the batch view rows (BatchViewSchema, states empty) that HashAggregator::ReadBeside
// built of one aggregator's cells, kept per group with the version its cell had then, so that a
// later read of an unchanged cell copies the row instead of finalizing its states and evaluating
// the outputs again (AggregatorOptions::read_cache_rows). A row is given only for the version it
// was kept at; the aggregator stamps a new version on every change of a cell, so a kept row is
// never stale when it is given. A row that merged a stored (batch view) row's states in is kept
// with the identity of those stored rows (`stored`, not 0) and given only beside the same ones;
// a cell has one kept row, so reads of it beside other stored rows (or none) replace each other's.
// Holds at most `max_rows` rows: replacing a row appends a new one, and a Keep that would pass the
// bound first drops the replaced rows; when the others would still fill more than half of it, only
// the rows found since the last drop stay (a second chance, so the cells reads keep asking for
// survive a working set larger than the bound), and when even those would, every row goes.
// Thread-safe: concurrent reads of one aggregator find and keep rows under this one's mutex.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "common/chunk.h"
#include "common/schema.h"
#include "sql/view_plan.h"

namespace braid::batch {

class KeptRows {
 public:
  // Rows of `schema` whose columns from `first_empty` on hold empty strings (a read's rows
  // without states): those are not copied, only made.
  KeptRows(SchemaPtr schema, size_t first_empty, size_t max_rows);
  KeptRows(const KeptRows&) = delete;
  KeptRows& operator=(const KeptRows&) = delete;

  // For each cell k (groups[k] at versions[k]): its kept row appended to *found when one was kept
  // at that version beside the stored rows `stored` (0: none), else k appended to *missing.
  // *found has the kept rows' schema.
  void Find(std::span<const uint32_t> groups, std::span<const uint64_t> versions, Chunk* found,
            std::vector<uint32_t>* missing, uint64_t stored = 0);
  // Keeps row rows[k] of `from` (the kept rows' schema) as the row of groups[k] at versions[k]
  // beside the stored rows `stored` (0: none).
  void Keep(const Chunk& from, std::span<const uint32_t> rows, std::span<const uint32_t> groups,
            std::span<const uint64_t> versions, uint64_t stored = 0);

  size_t memory_bytes() const { return memory_bytes_.load(std::memory_order_relaxed); }
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  size_t rows() const;

 private:
  // Makes room for `room` more rows (see the header comment).
  void DropRowsLocked(size_t room);

  // What a kept row is the row of.
  struct RowOf {
    uint32_t group;
    uint64_t version;
    uint64_t stored;        // the stored rows merged in (0: none)
    bool found_since_drop;  // given by Find since the last DropRowsLocked
  };
  static constexpr uint32_t kNoRow = UINT32_MAX;

  // The row of_group_ names for `group` (kNoRow: none).
  uint32_t RowOfGroup(uint32_t group) const {
    return group < of_group_.size() ? of_group_[group] : kNoRow;
  }
  // Whether kept row `row` is its group's (not replaced since).
  bool Named(uint32_t row) const { return RowOfGroup(of_row_[row].group) == row; }

  const size_t first_empty_;
  const size_t max_rows_;
  mutable std::mutex mu_;
  Chunk rows_;
  std::vector<RowOf> of_row_;  // per row of rows_
  // Per group (an aggregator's groups are numbered densely from 0): its row, or kNoRow. Four
  // bytes a cell of the aggregator, and one lookup that seldom misses the cache twice.
  std::vector<uint32_t> of_group_;
  std::atomic<size_t> memory_bytes_{0};
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

// An empty chunk of `schema` with room for one more column (the serving layer adds `_source` to
// a read's rows).
Chunk EmptyRowsWithRoom(const SchemaPtr& schema);

// Puts `kept` (BatchViewSchema(plan) rows a read found kept, with their `kept_with_stored` flags)
// among the rows the read built, `rows` (in the rows' order over the chunks) with their
// `with_stored` flags (HashAggregator::RowsBeside), as one chunk in the order BatchViewRows gives
// (no two rows may share a cell). Mostly the read built no row, or only rows after every kept one
// (the open windows that changed): then the rows are appended, not sorted.
void MergeKeptRows(const sql::ViewPlan& plan, Chunk kept, std::vector<uint8_t> kept_with_stored,
                   std::vector<Chunk>* rows, std::vector<uint8_t>* with_stored);

}  // namespace braid::batch
