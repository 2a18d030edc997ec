// The cells of the reference executor (reference_executor.h): one cell per (window, keys) holding
// one aggregate state per ViewAggregate, in an ordered map whose key is a byte encoding that sorts
// exactly as a view's rows are ordered (window_end, then the keys with NULLs first, then the
// window start), so walking the map gives the rows in order. States live in one aligned block per
// cell, are initialized when the cell is created and always destroyed with it. Internal to the
// reference executor; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "agg/aggregate_function.h"
#include "common/chunk.h"
#include "common/status.h"
#include "common/time.h"
#include "sql/bound_expression.h"
#include "sql/view_plan.h"

namespace braid::sql::reference {

// Appends an encoding of row `row` of `column` to *out whose bytewise order is SQL's order of the
// values: NULL first, then by value (doubles in the aggregates' total order: -0.0 < +0.0, NaN
// last; strings bytewise). Encodings of consecutive values never run into each other.
void EncodeKeyValue(const Column& column, size_t row, std::string* out);
// Appends an order-preserving encoding of a time (always 8 bytes).
void EncodeTime(Timestamp t, std::string* out);

// Appends `value` (of the column's type, or NULL) to *column.
void AppendValue(const Value& value, Column* column);

// Where each aggregate's state lies in a cell's block.
struct StateLayout {
  std::vector<const agg::AggregateFunction*> functions;
  std::vector<agg::AggregateParams> params;
  std::vector<size_t> offsets;
  size_t size = 0;
  size_t alignment = 1;

  explicit StateLayout(const std::vector<ViewAggregate>& aggregates);
};

// The states of one cell: constructed by each aggregate's initialize, released by its destroy.
class CellStates {
 public:
  explicit CellStates(const StateLayout& layout);
  ~CellStates();
  CellStates(const CellStates&) = delete;
  CellStates& operator=(const CellStates&) = delete;

  agg::StatePtr state(size_t i) const { return block_ + layout_.offsets[i]; }

 private:
  const StateLayout& layout_;
  agg::StatePtr block_;
};

struct Cell {
  explicit Cell(const StateLayout& layout) : states(layout) {}

  std::vector<Value> keys;
  Timestamp window_start;  // session: the first event's time or the cut
  Timestamp window_end;
  CellStates states;
};

// A row of a chunk and the cell it updates.
struct CellRow {
  uint32_t row;
  Cell* cell;
};

// The evaluated aggregate inputs over some rows: per aggregate, the argument column (for
// COUNT(*) any column of those rows) and, with a FILTER, one byte per row (1: FILTER is TRUE).
struct AggregateInputs {
  std::vector<const Column*> values;
  std::vector<std::vector<uint8_t>> passes;  // empty vector: no FILTER
};

class CellTable {
 public:
  explicit CellTable(const std::vector<ViewAggregate>& aggregates) : layout_(aggregates) {}
  CellTable(const CellTable&) = delete;
  CellTable& operator=(const CellTable&) = delete;

  // The cell stored under `encoded`, and whether it was just created (its keys and window are
  // then for the caller to set).
  std::pair<Cell*, bool> FindOrCreate(const std::string& encoded);

  // Each row's input into its cell's states, skipping rows an aggregate's FILTER rejects. One
  // scatter update per aggregate for all `rows`.
  void Update(const AggregateInputs& inputs, std::span<const CellRow> rows) const;

  // Merges every cell of `other` (same aggregates) into this table, creating missing cells.
  Status MergeFrom(const CellTable& other);

  // One grouped row per cell, in cell order: keys, [window_start, window_end,] finalized
  // aggregates, as plan.grouped_schema says.
  Result<Chunk> ToGroupedChunk(const ViewPlan& plan) const;

 private:
  StateLayout layout_;  // declared first: cells' states refer to it until they are destroyed
  std::map<std::string, Cell> cells_;
};

}  // namespace braid::sql::reference
