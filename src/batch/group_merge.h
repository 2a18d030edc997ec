// Merging cells between GroupTables of one plan: one cell, the cells a CellFilter selects, the
// cells several per-thread tables share (HashAggregator's MergeFrom, MergeCopiesInto and
// FinishParts), and the cells of several tables read beside stored rows (ReadBeside). A merge folds
// the source's states into the target's with each aggregate's merge, creating the target cell when
// it is missing. Not thread-safe except where said.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "batch/batch_view_rows.h"
#include "batch/group_table.h"
#include "batch/hash_aggregator.h"
#include "common/status.h"

namespace braid::batch {

// Merges group `group` of `source` into the cell of the same key in `target`; returns that
// cell's group in `target`.
uint32_t MergeGroup(const GroupTable& source, uint32_t group, GroupTable& target);

// Merges the groups of `source` that `filter` selects (by window_end when `windowed`, and by key
// when it names keys) into `target`. With keys, a source that tracks its window ends is probed
// per (end, key) instead of scanned.
void MergeGroups(const GroupTable& source, GroupTable& target, bool windowed,
                 const CellFilter& filter);

// Merges each cell of `later` that one of `earlier` also holds into the first such table's cell,
// on `threads` threads; returns which groups of `later` were merged so (1) and which remain its
// own (0). Distinct groups of `later` are distinct cells, so no two merges share a target.
Result<std::vector<uint8_t>> AbsorbSharedCells(std::span<GroupTable* const> earlier,
                                               GroupTable& later, size_t threads);

// A cell of one table that a stored row shares, and that row's position (counted over the
// stored chunks in order).
struct SharedCell {
  CellRef cell;
  uint32_t position = 0;
};

// What ReadCellsBeside found.
struct CellsBeside {
  // The admitted cells that exactly one table holds and no stored row shares, by table then
  // group: read in place, never copied.
  std::vector<CellRef> alone;
  // With `list_shared_once`: the cells a stored row shares that exactly one table holds, in
  // stored row order, not merged.
  std::vector<SharedCell> shared_once;
  // Per stored chunk, per row: 1 when one of the tables holds the row's cell.
  std::vector<std::vector<uint8_t>> shared;
};

// The cells of `tables` (of one plan, with `num_keys` keys) beside stored batch view rows
// `stored` (BatchViewSchema): copies of the cells a stored row shares are merged into
// `shared_into` (with `list_shared_once`, only those several tables hold; the others are
// listed), copies of the cells `filter` admits that several tables hold (and no stored row
// shares) into `several_into`; the admitted cells one table holds alone are listed. The tables
// are only read.
CellsBeside ReadCellsBeside(std::span<const GroupTable* const> tables, size_t num_keys,
                            bool windowed, const CellFilter& filter, std::span<const Chunk> stored,
                            bool list_shared_once, GroupTable& shared_into,
                            GroupTable& several_into);

}  // namespace braid::batch
