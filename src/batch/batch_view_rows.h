// The stored rows of a batch view (BatchViewSchema, hash_aggregator.h) from the cells of a
// GroupTable (or of several, e.g. one per aggregation thread): the cells' keys and window decoded
// from their normalized key bytes, each state finalized into the grouped chunk
// (plan.grouped_schema) over which the plan's outputs and HAVING are evaluated exactly as the
// reference executor does, and serialized into `_state_<i>`. Rows come ordered by window_end,
// then the keys (NULLs first, doubles in the aggregates' comparison order, strings bytewise),
// then window_start, which is the reference executor's order. Within a chunk the states are
// finalized and serialized in the order they lie in memory, then put in row order. Reads the
// tables only (finalize and serialize may normalize states in place, without changing values).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "batch/group_table.h"
#include "common/chunk.h"
#include "common/status.h"
#include "sql/view_plan.h"

namespace braid::batch {

// The batch view rows of every cell of `table`, in chunks of at most `rows_per_chunk` rows that
// never span two window dates (UTC days of window_end), built on `threads` threads, holding at
// most `memory_budget` bytes (Chunk::MemoryBytes) in all. Without `with_states` the `_state_<i>`
// columns hold empty strings (rows for reading values only: the speed layer's emitted windows and
// queries), which saves serializing every state.
// Errors: a state whose value its result type cannot hold (kDataError), an output expression's
// runtime error, rows beyond the budget (kOutOfMemory).
Result<std::vector<Chunk>> BatchViewRows(const sql::ViewPlan& plan, const GroupTable& table,
                                         size_t rows_per_chunk, size_t threads = 1,
                                         size_t memory_budget = SIZE_MAX, bool with_states = true);
// The same for the groups `groups` of `table` only.
Result<std::vector<Chunk>> BatchViewRowsOf(const sql::ViewPlan& plan, const GroupTable& table,
                                           std::span<const uint32_t> groups, size_t rows_per_chunk,
                                           size_t threads = 1, size_t memory_budget = SIZE_MAX,
                                           bool with_states = true);

// One cell among several GroupTables of one plan: its table's index and its group there.
struct CellRef {
  uint32_t table = 0;
  uint32_t group = 0;
};

// The same for the cells `refs` of `tables` (tables of one plan; no cell, i.e. keys and window,
// may be listed twice), without merging or copying any state. Fastest when `refs` lists the
// cells by table, then group (the order their states lie in memory). When `row_refs` is given,
// it receives per row (in order over the chunks) the index in `refs` of its cell.
Result<std::vector<Chunk>> BatchViewRowsOfCells(const sql::ViewPlan& plan,
                                                std::span<const GroupTable* const> tables,
                                                std::span<const CellRef> refs,
                                                size_t rows_per_chunk, size_t threads = 1,
                                                size_t memory_budget = SIZE_MAX,
                                                bool with_states = true,
                                                std::vector<uint32_t>* row_refs = nullptr);

// -1, 0 or 1 as row a of `x` sorts before, with or after row b of `y` (columns of one type) in
// the rows' order: NULLs first, doubles in the aggregates' comparison order, strings bytewise.
int CompareValues(const Column& x, size_t a, const Column& y, size_t b);
// Whether row a of `x` comes before row b of `y` (BatchViewSchema(plan) rows, or any rows that
// begin with the plan's keys and window columns) in the order BatchViewRows gives them.
bool RowBefore(const sql::ViewPlan& plan, const Chunk& x, size_t a, const Chunk& y, size_t b);

// The rows of a grouped chunk (plan.grouped_schema: keys, window, finalized aggregates): outputs
// and `_having` evaluated over it, then `serialized` (one column of serialized states per
// aggregate, or empty strings). The serving layer builds grouped chunks of merged states.
Result<Chunk> BatchViewRowsOfGrouped(const sql::ViewPlan& plan, const Chunk& grouped,
                                     std::vector<Column> serialized);

}  // namespace braid::batch
