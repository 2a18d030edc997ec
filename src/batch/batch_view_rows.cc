#include "batch/batch_view_rows.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

#include "agg/column_values.h"
#include "batch/hash_aggregator.h"
#include "batch/key_normalizer.h"
#include "batch/parallel_indices.h"
#include "batch/radix_sort.h"
#include "common/prefetch.h"
#include "common/time.h"
#include "sql/expression_evaluator.h"

namespace braid::batch {

namespace {

// The cells turned into rows, indexed by cell (0..refs.size()): where each one's key and states
// are, and its window. Key values are decoded from the key bytes only for the rows being built.
struct DecodedCells {
  bool windowed = false;
  bool session = false;
  std::vector<int64_t> starts;
  std::vector<int64_t> ends;
  std::span<const GroupTable* const> tables;
  std::span<const CellRef> refs;

  std::string_view key(size_t cell) const {
    return tables[refs[cell].table]->key(refs[cell].group);
  }
  agg::StatePtr state(size_t cell, size_t aggregate) const {
    return tables[refs[cell].table]->state(refs[cell].group, aggregate);
  }
};

// Empty columns of the plan's key types, with room for `rows` rows.
std::vector<Column> KeyColumns(const sql::ViewPlan& plan, size_t rows) {
  std::vector<Column> keys;
  for (const sql::GroupKey& key : plan.keys) {
    keys.emplace_back(key.expr->type);
    keys.back().Reserve(rows);
  }
  return keys;
}

DecodedCells DecodeCells(const sql::ViewPlan& plan, std::span<const GroupTable* const> tables,
                         std::span<const CellRef> refs) {
  DecodedCells cells;
  cells.windowed = plan.window.has_value();
  cells.session = plan.has_session_window();
  cells.tables = tables;
  cells.refs = refs;
  if (!cells.windowed) return cells;
  cells.ends.resize(refs.size());
  cells.starts.resize(refs.size());
  for (size_t cell = 0; cell < refs.size(); ++cell) {
    // The window end (and a session's start) lead the key bytes (key_normalizer.h).
    const std::string_view key = cells.key(cell);
    std::memcpy(&cells.ends[cell], key.data(), sizeof(int64_t));
    if (cells.session) {
      std::memcpy(&cells.starts[cell], key.data() + sizeof(int64_t), sizeof(int64_t));
    } else {
      cells.starts[cell] = cells.ends[cell] - plan.window->size.micros;
    }
  }
  return cells;
}

// Each cell's dense rank among the distinct key tuples in the view's key order (NULLs first):
// distinct tuples are found by their normalized bytes and only those are sorted by value, so
// the row sort compares integers, not strings.
std::vector<uint32_t> KeyRanks(const sql::ViewPlan& plan, const DecodedCells& cells) {
  const size_t num_cells = cells.refs.size();
  std::vector<uint32_t> ranks(num_cells, 0);
  if (plan.keys.empty() || num_cells == 0) return ranks;
  // Equal key bytes after the window prefix (key_normalizer.h) are equal key tuples under
  // CompareValues: doubles are normalized by ComparisonKey in both.
  const size_t window_bytes =
      (plan.window ? sizeof(int64_t) : 0) + (plan.has_session_window() ? sizeof(int64_t) : 0);
  std::unordered_map<std::string_view, uint32_t> tuple_ids;
  std::vector<uint32_t> representative;  // per tuple id: its first cell
  std::string_view previous;
  for (size_t cell = 0; cell < num_cells; ++cell) {
    const std::string_view bytes = cells.key(cell).substr(window_bytes);
    // Cells are created key after key, so a tuple mostly repeats its predecessor's.
    if (cell > 0 && bytes == previous) {
      ranks[cell] = ranks[cell - 1];
      continue;
    }
    previous = bytes;
    auto [it, inserted] =
        tuple_ids.try_emplace(bytes, static_cast<uint32_t>(representative.size()));
    if (inserted) representative.push_back(static_cast<uint32_t>(cell));
    ranks[cell] = it->second;
  }
  std::vector<Column> tuples = KeyColumns(plan, representative.size());  // row: tuple id
  for (uint32_t cell : representative) {
    DecodeCellKey(cells.key(cell), cells.windowed, cells.session, tuples);
  }
  std::vector<uint32_t> by_value(representative.size());
  std::iota(by_value.begin(), by_value.end(), 0u);
  std::sort(by_value.begin(), by_value.end(), [&](uint32_t a, uint32_t b) {
    for (const Column& key : tuples) {
      const int c = CompareValues(key, a, key, b);
      if (c != 0) return c < 0;
    }
    return false;
  });
  std::vector<uint32_t> rank_of_id(representative.size());
  for (size_t r = 0; r < by_value.size(); ++r) rank_of_id[by_value[r]] = static_cast<uint32_t>(r);
  for (uint32_t& rank : ranks) rank = rank_of_id[rank];
  return ranks;
}

// Sorts `values` on `threads` threads: slices sorted in parallel, then merged.
template <typename T, typename Less>
Status SortOnThreads(std::vector<T>& values, size_t threads, Less less) {
  constexpr size_t kMinSlice = size_t{1} << 16;
  const size_t slices =
      std::clamp<size_t>(values.size() / kMinSlice, 1, std::max<size_t>(threads, 1));
  auto bound = [&](size_t slice) {
    return values.begin() + static_cast<ptrdiff_t>(values.size() * slice / slices);
  };
  RETURN_IF_ERROR(ForEachIndexOnThreads(slices, threads, [&](size_t slice) {
    std::sort(bound(slice), bound(slice + 1), less);
    return Status::Ok();
  }));
  for (size_t merged = 1; merged < slices; ++merged) {
    std::inplace_merge(bound(0), bound(merged), bound(merged + 1), less);
  }
  return Status::Ok();
}

// Outside session views a cell's window_start follows from its window_end, and no two cells share
// their window_end and keys: the row order is that of one integer packing the window_end (its
// offset from the first, without the trailing zero bits all offsets share) above the key rank,
// sorted by radix (radix_sort.h). nullopt for session views, or when the two need more than 64
// bits.
std::optional<std::vector<uint32_t>> RowOrderByRadix(const DecodedCells& cells,
                                                     std::span<const uint32_t> ranks) {
  if (cells.session) return std::nullopt;
  const std::span<const int64_t> ends = cells.ends;  // empty without a window
  const int64_t first_end = ends.empty() ? 0 : *std::min_element(ends.begin(), ends.end());
  auto end_offset = [&](size_t cell) {  // in uint64: ends may span more than INT64_MAX
    return static_cast<uint64_t>(ends[cell]) - static_cast<uint64_t>(first_end);
  };
  uint64_t offset_bits = 0;
  for (size_t cell = 0; cell < ends.size(); ++cell) offset_bits |= end_offset(cell);
  const int shift = offset_bits == 0 ? 0 : std::countr_zero(offset_bits);
  const uint32_t max_rank = ranks.empty() ? 0 : *std::max_element(ranks.begin(), ranks.end());
  const int rank_bits = std::bit_width(max_rank);
  if (std::bit_width(offset_bits >> shift) + rank_bits > 64) return std::nullopt;
  std::vector<KeyedIndex> keyed(ranks.size());
  for (uint32_t cell = 0; cell < keyed.size(); ++cell) {
    const uint64_t end = ends.empty() ? 0 : end_offset(cell) >> shift;
    keyed[cell] = KeyedIndex{.key = (end << rank_bits) | ranks[cell], .index = cell};
  }
  return IndicesByKey(std::move(keyed));
}

// The cells in the view's row order: window_end, then keys, then window_start.
Result<std::vector<uint32_t>> RowOrder(const sql::ViewPlan& plan, const DecodedCells& cells,
                                       size_t threads) {
  const std::vector<uint32_t> ranks = KeyRanks(plan, cells);
  if (std::optional<std::vector<uint32_t>> order = RowOrderByRadix(cells, ranks)) {
    return std::move(*order);
  }
  struct SortKey {
    int64_t end;
    uint32_t rank;
    uint32_t cell;
    int64_t start;
  };
  const bool windowed = !cells.ends.empty();
  std::vector<SortKey> keys(ranks.size());
  for (uint32_t cell = 0; cell < keys.size(); ++cell) {
    keys[cell] = SortKey{.end = windowed ? cells.ends[cell] : 0,
                         .rank = ranks[cell],
                         .cell = cell,
                         .start = windowed ? cells.starts[cell] : 0};
  }
  RETURN_IF_ERROR(SortOnThreads(keys, threads, [](const SortKey& a, const SortKey& b) {
    if (a.end != b.end) return a.end < b.end;
    if (a.rank != b.rank) return a.rank < b.rank;
    return a.start < b.start;
  }));
  std::vector<uint32_t> order(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].cell;
  return order;
}

// The positions of `rows` (cells) in the order their states lie in memory, which is the cells'
// order (callers list cells by table, then group: groups in creation order, a group's states
// adjacent in its block).
std::vector<uint32_t> VisitOrder(std::span<const uint32_t> rows) {
  std::vector<uint64_t> keyed(rows.size());  // cell, then position: one integer sort
  for (size_t r = 0; r < rows.size(); ++r) keyed[r] = (uint64_t{rows[r]} << 32) | r;
  std::sort(keyed.begin(), keyed.end());
  std::vector<uint32_t> visits(rows.size());
  for (size_t v = 0; v < keyed.size(); ++v) visits[v] = static_cast<uint32_t>(keyed[v]);
  return visits;
}

// Each aggregate's finalized values and serialized states of some cells, in visit order.
struct VisitedStates {
  std::vector<Column> finalized;
  std::vector<Column> serialized;  // empty columns without states
};

// Finalizes (and serializes, with `with_states`) the states of cells rows[visits[v]] for v in
// order. Visiting in memory order (VisitOrder) matters: the rows' order (window_end first) is a
// transpose of the cells' creation order (a source file's keys one after another), and following
// it would miss the cache at every state; the states' heap memory is prefetched a few cells
// ahead (AggregateFunction::prefetch_result).
Result<VisitedStates> VisitStates(const DecodedCells& cells, std::span<const uint32_t> rows,
                                  std::span<const uint32_t> visits, bool with_states) {
  const sql::reference::StateLayout& layout = cells.tables[0]->layout();
  VisitedStates visited;
  for (size_t i = 0; i < layout.functions.size(); ++i) {
    visited.finalized.emplace_back(layout.functions[i]->result_type);
    visited.finalized.back().Reserve(visits.size());
    visited.serialized.emplace_back(DataType::kString);
    if (with_states) visited.serialized.back().Reserve(visits.size());
  }
  // The heap objects of states (value lists, distinct sets) lie scattered: the ones kAhead cells
  // ahead are asked for while this cell's states are finished, so their misses overlap.
  constexpr size_t kAhead = 8;
  std::vector<size_t> heap_states;
  for (size_t i = 0; i < layout.functions.size(); ++i) {
    if (layout.functions[i]->prefetch_result != nullptr) heap_states.push_back(i);
  }
  auto prefetch = [&](size_t v) {
    const uint32_t cell = rows[visits[v]];
    for (size_t i : heap_states) layout.functions[i]->prefetch_result(cells.state(cell, i));
  };
  if (!heap_states.empty()) {
    for (size_t v = 0; v < std::min(kAhead, visits.size()); ++v) prefetch(v);
  }
  constexpr size_t kSampleGroups = 256;
  for (size_t v = 0; v < visits.size(); ++v) {
    const uint32_t cell = rows[visits[v]];
    if (!heap_states.empty() && v + kAhead < visits.size()) prefetch(v + kAhead);
    for (size_t i = 0; i < layout.functions.size(); ++i) {
      const agg::AggregateFunction& function = *layout.functions[i];
      RETURN_IF_ERROR(
          function.finalize(cells.state(cell, i), layout.params[i], &visited.finalized[i]));
      if (with_states) {
        visited.serialized[i].AppendStringWith(
            [&](std::string* out) { function.serialize(cells.state(cell, i), out); });
      }
    }
    if (with_states && v + 1 == kSampleGroups && visits.size() > kSampleGroups) {
      // Room for the rest at the sample's average size and a quarter more: the state bytes are
      // most of a batch view, and growing their arenas by doubling copies them again and again.
      for (Column& states : visited.serialized) {
        const size_t average = states.arena().size() / kSampleGroups;
        states.ReserveBytes((visits.size() - kSampleGroups) * average * 5 / 4);
      }
    }
  }
  return visited;
}

// Rows `rows` of the STRING column `from` (no NULLs), in that order. The rows lie scattered over
// `from`'s bytes: each one's bytes are prefetched a few rows ahead, so that the copies do not wait
// for memory one after another. The arena is reserved once and appended to, not sized up front:
// sizing would fill it with zeros only to overwrite them.
Result<Column> GatherStrings(const Column& from, std::span<const uint32_t> rows) {
  constexpr size_t kPrefetchDistance = 8;
  const std::span<const uint32_t> offsets = from.offsets();
  const char* bytes = from.arena().data();
  size_t total = 0;
  for (uint32_t row : rows) total += offsets[row + 1] - offsets[row];
  if (total > UINT32_MAX) {
    return Status(StatusCode::kTooLarge, "serialized states of one chunk beyond 4 GiB");
  }
  std::vector<uint32_t> gathered_offsets(rows.size() + 1, 0);
  std::string arena;
  arena.reserve(total);
  for (size_t r = 0; r < rows.size(); ++r) {
    if (r + kPrefetchDistance < rows.size()) {
      const uint32_t ahead = rows[r + kPrefetchDistance];
      PrefetchLines(bytes + offsets[ahead], offsets[ahead + 1] - offsets[ahead]);
    }
    const uint32_t length = offsets[rows[r] + 1] - offsets[rows[r]];
    arena.append(bytes + offsets[rows[r]], length);
    gathered_offsets[r + 1] = static_cast<uint32_t>(arena.size());
  }
  return Column::FromParts(DataType::kString, std::vector<uint8_t>(rows.size(), 1), {}, {}, {},
                           std::move(gathered_offsets), std::move(arena));
}

// The grouped chunk (plan.grouped_schema) of the cells `rows`, in that order, and each
// aggregate's serialized states.
Result<Chunk> GroupedChunk(const sql::ViewPlan& plan, const DecodedCells& cells,
                           std::span<const uint32_t> rows, bool with_states,
                           std::vector<Column>* serialized) {
  // Keys are decoded in memory order too (a key's bytes sit in its group's record), then put in
  // row order with the states: row r of the run was visited as visit_of_row[r].
  const std::vector<uint32_t> visits = VisitOrder(rows);
  std::vector<uint32_t> visit_of_row(rows.size());
  for (size_t v = 0; v < visits.size(); ++v) visit_of_row[visits[v]] = static_cast<uint32_t>(v);
  std::vector<Column> visited_keys = KeyColumns(plan, rows.size());
  for (uint32_t visit : visits) {
    DecodeCellKey(cells.key(rows[visit]), cells.windowed, cells.session, visited_keys);
  }
  // Rows in memory order already (one source's cells, found in row order, as a point read's
  // speed cells are) were visited in row order: what was visited is then the column itself.
  const bool in_order = std::is_sorted(rows.begin(), rows.end());
  auto in_row_order = [&](Column& visited) {
    if (in_order) return std::move(visited);
    Column column(visited.type());
    column.AppendRows(visited, visit_of_row);
    return column;
  };
  std::vector<Column> columns;
  columns.reserve(plan.grouped_schema->size());
  for (Column& keys : visited_keys) columns.push_back(in_row_order(keys));
  if (plan.window) {
    columns.emplace_back(DataType::kTimestamp);
    columns.emplace_back(DataType::kTimestamp);
    columns[plan.keys.size()].Reserve(rows.size());
    columns[plan.keys.size() + 1].Reserve(rows.size());
    for (uint32_t cell : rows) {
      columns[plan.keys.size()].AppendInt64(cells.starts[cell]);
      columns[plan.keys.size() + 1].AppendInt64(cells.ends[cell]);
    }
  }
  ASSIGN_OR_RETURN(VisitedStates visited, VisitStates(cells, rows, visits, with_states));
  for (size_t i = 0; i < visited.finalized.size(); ++i) {
    columns.push_back(in_row_order(visited.finalized[i]));
    if (with_states) {
      ASSIGN_OR_RETURN(Column states, GatherStrings(visited.serialized[i], visit_of_row));
      serialized->push_back(std::move(states));
      visited.serialized[i] = Column(DataType::kString);  // frees its bytes now
    } else {
      serialized->emplace_back(DataType::kString);
      serialized->back().AppendEmptyStrings(rows.size());
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

// The batch view rows of a grouped chunk that is used up: its grouping columns, and the columns
// outputs merely reference (`event_count` for COUNT(*)), move into the rows; a column used twice
// is copied for all but its last use.
Result<Chunk> RowsOfGrouped(const sql::ViewPlan& plan, Chunk grouped,
                            std::vector<Column> serialized) {
  const size_t grouping_columns = plan.aggregate_index(0);
  std::vector<sql::ColumnValues> outputs;
  outputs.reserve(plan.outputs.size());
  for (const sql::ViewOutput& output : plan.outputs) {
    ASSIGN_OR_RETURN(sql::ColumnValues values, sql::EvaluateBorrowing(*output.expr, grouped));
    outputs.push_back(std::move(values));
  }
  ASSIGN_OR_RETURN(Column having, HavingColumn(plan, grouped));
  // The grouping columns, then each output: computed, or the column of `grouped` it borrows.
  std::vector<Column> columns;
  std::vector<size_t> sources;
  // One more: the serving layer adds `_source` to the speed layer's rows (Chunk::AddColumn).
  columns.reserve(grouping_columns + outputs.size() + 1 + serialized.size() + 1);
  sources.reserve(grouping_columns + outputs.size());
  for (size_t i = 0; i < grouping_columns; ++i) {
    columns.emplace_back(grouped.column(i).type());
    sources.push_back(i);
  }
  for (sql::ColumnValues& values : outputs) {
    size_t source = kNoColumn;
    for (size_t c = 0; c < grouped.num_columns() && source == kNoColumn; ++c) {
      if (&*values == &grouped.column(c)) source = c;
    }
    columns.push_back(source == kNoColumn ? std::move(values).Release() : Column(values->type()));
    sources.push_back(source);
  }
  TakeColumns(grouped, sources, columns);
  columns.push_back(std::move(having));
  for (Column& states : serialized) columns.push_back(std::move(states));
  return Chunk::Make(BatchViewSchema(plan), std::move(columns));
}

// The stored rows of the groups `rows`, in that order.
Result<Chunk> StoredRows(const sql::ViewPlan& plan, const DecodedCells& cells,
                         std::span<const uint32_t> rows, bool with_states) {
  std::vector<Column> serialized;
  ASSIGN_OR_RETURN(Chunk grouped, GroupedChunk(plan, cells, rows, with_states, &serialized));
  return RowsOfGrouped(plan, std::move(grouped), std::move(serialized));
}

}  // namespace

int CompareValues(const Column& x, size_t a, const Column& y, size_t b) {
  const bool valid_a = x.IsValid(a);
  const bool valid_b = y.IsValid(b);
  if (!valid_a || !valid_b) return static_cast<int>(valid_a) - static_cast<int>(valid_b);
  auto three_way = [](auto p, auto q) { return p < q ? -1 : (q < p ? 1 : 0); };
  switch (x.type()) {
    case DataType::kBoolean:
      return three_way(x.bools()[a] != 0, y.bools()[b] != 0);
    case DataType::kBigint:
    case DataType::kTimestamp:
      return three_way(x.int64s()[a], y.int64s()[b]);
    case DataType::kDouble:
      return three_way(agg::ComparisonKey(x.doubles()[a]), agg::ComparisonKey(y.doubles()[b]));
    case DataType::kString:
      return x.StringAt(a).compare(y.StringAt(b));
  }
  return 0;
}

bool RowBefore(const sql::ViewPlan& plan, const Chunk& x, size_t a, const Chunk& y, size_t b) {
  const size_t num_keys = plan.keys.size();
  if (plan.window) {
    const int64_t end_a = x.column(num_keys + 1).int64s()[a];
    const int64_t end_b = y.column(num_keys + 1).int64s()[b];
    if (end_a != end_b) return end_a < end_b;
  }
  for (size_t k = 0; k < num_keys; ++k) {
    const int c = CompareValues(x.column(k), a, y.column(k), b);
    if (c != 0) return c < 0;
  }
  if (plan.window) return x.column(num_keys).int64s()[a] < y.column(num_keys).int64s()[b];
  return false;
}

Result<Chunk> BatchViewRowsOfGrouped(const sql::ViewPlan& plan, const Chunk& grouped,
                                     std::vector<Column> serialized) {
  return RowsOfGrouped(plan, grouped, std::move(serialized));
}

namespace {

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
                                           std::span<const uint32_t> groups, size_t rows_per_chunk,
                                           size_t threads, size_t memory_budget, bool with_states) {
  const GroupTable* const tables[] = {&table};
  std::vector<CellRef> refs(groups.size());
  for (size_t i = 0; i < groups.size(); ++i) refs[i] = CellRef{.table = 0, .group = groups[i]};
  return BatchViewRowsOfCells(plan, tables, refs, rows_per_chunk, threads, memory_budget,
                              with_states);
}

Result<std::vector<Chunk>> BatchViewRowsOfCells(const sql::ViewPlan& plan,
                                                std::span<const GroupTable* const> tables,
                                                std::span<const CellRef> refs,
                                                size_t rows_per_chunk, size_t threads,
                                                size_t memory_budget, bool with_states,
                                                std::vector<uint32_t>* row_refs) {
  if (row_refs != nullptr) row_refs->clear();
  if (refs.empty()) return std::vector<Chunk>();
  const DecodedCells cells = DecodeCells(plan, tables, refs);
  ASSIGN_OR_RETURN(const std::vector<uint32_t> order, RowOrder(plan, cells, threads));
  if (row_refs != nullptr) *row_refs = order;  // the chunks' runs cover `order` in sequence
  const std::vector<std::span<const uint32_t>> runs = ChunkRuns(cells, order, rows_per_chunk);
  std::vector<Chunk> chunks(runs.size());
  // Each run reads its own cells' states only (finalize and serialize may normalize a state in
  // place), so runs are independent.
  std::atomic<size_t> held{0};
  RETURN_IF_ERROR(ForEachIndexOnThreads(runs.size(), threads, [&](size_t run) -> Status {
    // A run past the budget stops the rest before they allocate.
    if (held.load(std::memory_order_relaxed) > memory_budget) return Status::Ok();
    ASSIGN_OR_RETURN(chunks[run], StoredRows(plan, cells, runs[run], with_states));
    held.fetch_add(chunks[run].MemoryBytes(), std::memory_order_relaxed);
    return Status::Ok();
  }));
  if (held.load() > memory_budget) {
    return Status(StatusCode::kOutOfMemory,
                  fmt::format("view {}: the rows of its {} cells need more than the {} bytes "
                              "left under the memory limit ([batch] memory_limit)",
                              plan.name, refs.size(), memory_budget));
  }
  return chunks;
}

}  // namespace braid::batch
