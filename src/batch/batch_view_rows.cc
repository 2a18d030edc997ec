#include "batch/batch_view_rows.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <numeric>
#include <span>
#include <string>
#include <utility>

#include "agg/column_values.h"
#include "batch/hash_aggregator.h"
#include "batch/key_normalizer.h"
#include "batch/parallel_indices.h"
#include "sql/expression_evaluator.h"

namespace braid::batch {

namespace {

// The grouping values of the cells turned into rows, indexed by cell (0..groups.size()), and
// each cell's group in the table.
struct DecodedCells {
  std::vector<Column> keys;
  std::vector<int64_t> starts;
  std::vector<int64_t> ends;
  std::vector<uint32_t> groups;
};

DecodedCells DecodeCells(const sql::ViewPlan& plan, const GroupTable& table,
                         std::span<const uint32_t> groups) {
  DecodedCells cells;
  for (const sql::GroupKey& key : plan.keys) {
    cells.keys.emplace_back(key.expr->type);
    cells.keys.back().Reserve(groups.size());
  }
  bool windowed = plan.window.has_value();
  bool session = plan.has_session_window();
  cells.groups.assign(groups.begin(), groups.end());
  for (uint32_t group : groups) {
    DecodedCellKey decoded = DecodeCellKey(table.key(group), windowed, session, cells.keys);
    if (!windowed) continue;
    cells.ends.push_back(decoded.window_end);
    cells.starts.push_back(session ? decoded.session_start
                                   : decoded.window_end - plan.window->size.micros);
  }
  return cells;
}

// -1, 0 or 1 as row a of `column` sorts before, with or after row b: NULL first.
int CompareValues(const Column& column, uint32_t a, uint32_t b) {
  bool valid_a = column.IsValid(a);
  bool valid_b = column.IsValid(b);
  if (!valid_a || !valid_b) return static_cast<int>(valid_a) - static_cast<int>(valid_b);
  auto three_way = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (column.type()) {
    case DataType::kBoolean:
      return three_way(column.bools()[a] != 0, column.bools()[b] != 0);
    case DataType::kBigint:
    case DataType::kTimestamp:
      return three_way(column.int64s()[a], column.int64s()[b]);
    case DataType::kDouble:
      return three_way(agg::ComparisonKey(column.doubles()[a]),
                       agg::ComparisonKey(column.doubles()[b]));
    case DataType::kString:
      return column.StringAt(a).compare(column.StringAt(b));
  }
  return 0;
}

// The groups in the view's row order.
std::vector<uint32_t> RowOrder(const DecodedCells& cells, size_t num_groups) {
  std::vector<uint32_t> order(num_groups);
  std::iota(order.begin(), order.end(), 0);
  bool windowed = !cells.ends.empty();
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (windowed && cells.ends[a] != cells.ends[b]) return cells.ends[a] < cells.ends[b];
    for (const Column& key : cells.keys) {
      int c = CompareValues(key, a, b);
      if (c != 0) return c < 0;
    }
    return windowed && cells.starts[a] < cells.starts[b];
  });
  return order;
}

// The grouped chunk (plan.grouped_schema) of the cells `rows`, in that order, and each
// aggregate's serialized states.
Result<Chunk> GroupedChunk(const sql::ViewPlan& plan, const GroupTable& table,
                           const DecodedCells& cells, std::span<const uint32_t> rows,
                           bool with_states, std::vector<Column>* serialized) {
  std::vector<Column> columns;
  for (const Column& key : cells.keys) {
    columns.emplace_back(key.type());
    columns.back().Reserve(rows.size());
    for (uint32_t cell : rows) columns.back().AppendFrom(key, cell);
  }
  if (plan.window) {
    columns.emplace_back(DataType::kTimestamp);
    columns.emplace_back(DataType::kTimestamp);
    for (uint32_t cell : rows) {
      columns[plan.keys.size()].AppendInt64(cells.starts[cell]);
      columns[plan.keys.size() + 1].AppendInt64(cells.ends[cell]);
    }
  }
  // Group by group (a group's states are adjacent in its block), every aggregate in turn.
  const sql::reference::StateLayout& layout = table.layout();
  const size_t first = columns.size();
  for (size_t i = 0; i < layout.functions.size(); ++i) {
    columns.emplace_back(layout.functions[i]->result_type);
    columns.back().Reserve(rows.size());
    serialized->emplace_back(DataType::kString);
    serialized->back().Reserve(rows.size());
  }
  constexpr size_t kSampleGroups = 256;
  for (size_t r = 0; r < rows.size(); ++r) {
    const uint32_t group = cells.groups[rows[r]];
    for (size_t i = 0; i < layout.functions.size(); ++i) {
      const agg::AggregateFunction& function = *layout.functions[i];
      RETURN_IF_ERROR(
          function.finalize(table.state(group, i), layout.params[i], &columns[first + i]));
      if (with_states) {
        (*serialized)[i].AppendStringWith(
            [&](std::string* out) { function.serialize(table.state(group, i), out); });
      } else {
        (*serialized)[i].AppendString({});
      }
    }
    if (with_states && r + 1 == kSampleGroups && rows.size() > kSampleGroups) {
      // Room for the rest at the sample's average size and a quarter more: the state bytes are
      // most of a batch view, and growing their arenas by doubling copies them again and again.
      for (Column& states : *serialized) {
        const size_t average = states.arena().size() / kSampleGroups;
        states.ReserveBytes((rows.size() - kSampleGroups) * average * 5 / 4);
      }
    }
  }
  return Chunk::Make(plan.grouped_schema, std::move(columns));
}

// `_having`: TRUE where HAVING holds (FALSE and NULL give FALSE); TRUE everywhere without it.
Result<Column> HavingColumn(const sql::ViewPlan& plan, const Chunk& grouped) {
  std::vector<uint8_t> holds(grouped.num_rows(), plan.having ? 0 : 1);
  if (plan.having) {
    ASSIGN_OR_RETURN(std::vector<uint32_t> kept, sql::SelectTrue(*plan.having, grouped));
    for (uint32_t row : kept) holds[row] = 1;
  }
  Column having(DataType::kBoolean);
  having.Reserve(holds.size());
  for (uint8_t h : holds) having.AppendBool(h != 0);
  return having;
}

// The stored rows of the groups `rows`, in that order.
Result<Chunk> StoredRows(const sql::ViewPlan& plan, const GroupTable& table,
                         const DecodedCells& cells, std::span<const uint32_t> rows,
                         bool with_states) {
  std::vector<Column> serialized;
  ASSIGN_OR_RETURN(Chunk grouped,
                   GroupedChunk(plan, table, cells, rows, with_states, &serialized));
  return BatchViewRowsOfGrouped(plan, grouped, std::move(serialized));
}

}  // namespace

Result<Chunk> BatchViewRowsOfGrouped(const sql::ViewPlan& plan, const Chunk& grouped,
                                     std::vector<Column> serialized) {
  std::vector<Column> columns;
  size_t grouping_columns = plan.aggregate_index(0);
  for (size_t i = 0; i < grouping_columns; ++i) columns.push_back(grouped.column(i));
  for (const sql::ViewOutput& output : plan.outputs) {
    ASSIGN_OR_RETURN(Column column, sql::Evaluate(*output.expr, grouped));
    columns.push_back(std::move(column));
  }
  ASSIGN_OR_RETURN(Column having, HavingColumn(plan, grouped));
  columns.push_back(std::move(having));
  for (Column& states : serialized) columns.push_back(std::move(states));
  return Chunk::Make(BatchViewSchema(plan), std::move(columns));
}

namespace {

// The UTC day of a window end (floor division).
int64_t DayOf(int64_t window_end) {
  constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000 * 1000;
  return window_end >= 0 ? window_end / kMicrosPerDay : (window_end + 1) / kMicrosPerDay - 1;
}

// `order` cut into runs of at most `rows_per_chunk` groups that never span two window days.
std::vector<std::span<const uint32_t>> ChunkRuns(const DecodedCells& cells,
                                                 std::span<const uint32_t> order,
                                                 size_t rows_per_chunk) {
  std::vector<std::span<const uint32_t>> runs;
  const size_t step = std::max<size_t>(rows_per_chunk, 1);
  const bool windowed = !cells.ends.empty();
  size_t begin = 0;
  while (begin < order.size()) {
    size_t end = std::min(order.size(), begin + step);
    if (windowed) {
      // Rows are ordered by window_end: the day changes at most at one point in the run.
      const int64_t day = DayOf(cells.ends[order[begin]]);
      if (DayOf(cells.ends[order[end - 1]]) != day) {
        end = static_cast<size_t>(
            std::partition_point(order.begin() + static_cast<ptrdiff_t>(begin),
                                 order.begin() + static_cast<ptrdiff_t>(end),
                                 [&](uint32_t group) { return DayOf(cells.ends[group]) == day; }) -
            order.begin());
      }
    }
    runs.push_back(order.subspan(begin, end - begin));
    begin = end;
  }
  return runs;
}

}  // namespace

Result<std::vector<Chunk>> BatchViewRows(const sql::ViewPlan& plan, const GroupTable& table,
                                         size_t rows_per_chunk, size_t threads,
                                         size_t memory_budget, bool with_states) {
  std::vector<uint32_t> all(table.size());
  std::iota(all.begin(), all.end(), 0u);
  return BatchViewRowsOf(plan, table, all, rows_per_chunk, threads, memory_budget, with_states);
}

Result<std::vector<Chunk>> BatchViewRowsOf(const sql::ViewPlan& plan, const GroupTable& table,
                                           std::span<const uint32_t> groups,
                                           size_t rows_per_chunk, size_t threads,
                                           size_t memory_budget, bool with_states) {
  const DecodedCells cells = DecodeCells(plan, table, groups);
  const std::vector<uint32_t> order = RowOrder(cells, groups.size());
  const std::vector<std::span<const uint32_t>> runs = ChunkRuns(cells, order, rows_per_chunk);
  std::vector<Chunk> chunks(runs.size());
  // Each run reads its own groups' states only (finalize and serialize may normalize a state in
  // place), so runs are independent.
  std::atomic<size_t> held{0};
  RETURN_IF_ERROR(ForEachIndexOnThreads(runs.size(), threads, [&](size_t run) -> Status {
    // A run past the budget stops the rest before they allocate.
    if (held.load(std::memory_order_relaxed) > memory_budget) return Status::Ok();
    ASSIGN_OR_RETURN(chunks[run], StoredRows(plan, table, cells, runs[run], with_states));
    held.fetch_add(chunks[run].MemoryBytes(), std::memory_order_relaxed);
    return Status::Ok();
  }));
  if (held.load() > memory_budget) {
    return Status(StatusCode::kOutOfMemory,
                  fmt::format("view {}: the rows of its {} cells need more than the {} bytes "
                              "left under the memory limit ([batch] memory_limit)",
                              plan.name, groups.size(), memory_budget));
  }
  return chunks;
}

}  // namespace braid::batch
