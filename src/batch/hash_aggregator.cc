#include "batch/hash_aggregator.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "agg/owned_state.h"
#include "batch/batch_view_rows.h"
#include "batch/group_merge.h"
#include "batch/group_table.h"
#include "batch/kept_rows.h"
#include "batch/key_normalizer.h"
#include "batch/session_buffer.h"
#include "common/hash.h"
#include "fmt/format.h"
#include "sql/expression_evaluator.h"
#include "sql/window_assignment.h"

namespace braid::batch {

namespace {

std::vector<const Column*> Pointers(const std::vector<sql::ColumnValues>& columns) {
  std::vector<const Column*> pointers;
  for (const sql::ColumnValues& column : columns) pointers.push_back(&*column);
  return pointers;
}

// Reusable per-chunk buffers: sized by the largest chunk, then no allocation per chunk.
struct Scratch {
  KeyNormalizer normalizer;
  std::vector<uint32_t> pair_rows;  // per (row, window) pair: the row
  std::vector<int64_t> pair_ends;   // per pair: the window end
  std::vector<uint64_t> hashes;     // per pair: Hash64 of its cell key
  std::vector<uint32_t> groups;     // per pair: the group
  std::vector<Timestamp> ends;
  std::vector<agg::StatePtr> group_states;  // per pair: its group's states (GroupTable::states)
  std::vector<uint32_t> selection;
  std::vector<agg::StatePtr> states;
};

// The group of every normalized cell key of `source`, created when new.
void FindGroups(const CellKeySource& source, GroupTable* table, Scratch* scratch) {
  scratch->normalizer.Normalize(source);
  scratch->hashes.resize(source.num_cells);
  for (size_t k = 0; k < source.num_cells; ++k) {
    scratch->hashes[k] = Hash64(scratch->normalizer.key(k));
  }
  scratch->groups.resize(source.num_cells);
  table->FindOrCreateAll(scratch->normalizer, scratch->hashes, scratch->groups);
}

// One scatter update per aggregate: pair k adds row pair_rows[k] to group groups[k], unless the
// aggregate's FILTER rejects the row. COUNT(*) counts the rows of `any_column`.
void UpdateStates(const EvaluatedRows& rows, const Column& any_column,
                  std::span<const uint32_t> pair_rows, GroupTable* table, Scratch* scratch) {
  const sql::reference::StateLayout& layout = table->layout();
  const size_t num_pairs = pair_rows.size();
  scratch->group_states.resize(num_pairs);
  for (size_t k = 0; k < num_pairs; ++k) {
    scratch->group_states[k] = table->states(scratch->groups[k]);
  }
  for (size_t i = 0; i < layout.functions.size(); ++i) {
    const std::vector<uint8_t>& passes = rows.passes[i];
    const size_t offset = layout.offsets[i];
    std::span<const uint32_t> selection = pair_rows;
    if (passes.empty()) {
      scratch->states.resize(num_pairs);
      for (size_t k = 0; k < num_pairs; ++k) {
        scratch->states[k] = scratch->group_states[k] + offset;
      }
    } else {
      scratch->states.clear();
      scratch->selection.clear();
      for (size_t k = 0; k < num_pairs; ++k) {
        if (passes[pair_rows[k]] == 0) continue;
        scratch->selection.push_back(pair_rows[k]);
        scratch->states.push_back(scratch->group_states[k] + offset);
      }
      selection = scratch->selection;
    }
    if (selection.empty()) continue;
    const Column& input = rows.inputs[i] ? **rows.inputs[i] : any_column;
    layout.functions[i]->update(input, selection, scratch->states.data());
  }
}

// Windowed views: every (row, window end) pair, skipping ends below the row's entry of
// `min_window_ends` when it is not empty; unwindowed: one pair per row.
void AssignPairs(const sql::ViewPlan& plan, const EvaluatedRows& rows, size_t num_rows,
                 std::span<const int64_t> min_window_ends, Scratch* scratch) {
  scratch->pair_rows.clear();
  scratch->pair_ends.clear();
  if (!plan.window) {
    for (uint32_t row = 0; row < num_rows; ++row) scratch->pair_rows.push_back(row);
    return;
  }
  std::span<const int64_t> times = rows.times.int64s();
  if (plan.window->kind == sql::WindowKind::kTumbling) {  // one window per row: no list of ends
    const sql::WindowDefinition& window = *plan.window;
    for (uint32_t row = 0; row < num_rows; ++row) {
      const Timestamp end =
          sql::TumblingWindowEnd(Timestamp{times[row]}, window.size, window.offset);
      if (!min_window_ends.empty() && end.micros < min_window_ends[row]) continue;
      scratch->pair_rows.push_back(row);
      scratch->pair_ends.push_back(end.micros);
    }
    return;
  }
  for (uint32_t row = 0; row < num_rows; ++row) {
    scratch->ends.clear();
    sql::WindowEnds(*plan.window, Timestamp{times[row]}, &scratch->ends);
    const int64_t min_end = min_window_ends.empty() ? INT64_MIN : min_window_ends[row];
    for (Timestamp end : scratch->ends) {
      if (end.micros < min_end) continue;
      scratch->pair_rows.push_back(row);
      scratch->pair_ends.push_back(end.micros);
    }
  }
}

}  // namespace

struct HashAggregator::Impl {
  Impl(const sql::ViewPlan& plan, TableSize size) : table(plan.aggregates, size) {
    if (plan.has_session_window()) sessions.emplace(plan);
  }

  // The version of a group's cell (read_cache_rows): it changes whenever the cell does.
  uint64_t Version(uint32_t group) const {
    return std::max(group < stamps.size() ? stamps[group] : 0, all_changed);
  }

  GroupTable table;                       // tumbling, hopping and unwindowed views
  std::optional<SessionBuffer> sessions;  // session windows
  Scratch scratch;
  // With read_cache_rows: the rows ReadBeside kept, and the cells' versions. A change counts up
  // `revision`; ConsumeEvaluated stamps it on the groups it updated, other changes on all.
  std::unique_ptr<KeptRows> kept;
  std::vector<uint64_t> stamps;  // per group
  uint64_t revision = 0;
  uint64_t all_changed = 0;
};

HashAggregator::HashAggregator(sql::ViewPlanPtr plan, AggregatorOptions options)
    : plan_(std::move(plan)),
      options_(options),
      impl_(std::make_unique<Impl>(*plan_, options_.table_size)) {
  if (options_.track_window_ends && plan_->window) impl_->table.TrackWindowEnds();
  if (options_.read_cache_rows > 0 && !impl_->sessions) {
    impl_->kept = std::make_unique<KeptRows>(BatchViewSchema(*plan_), FirstStateColumn(*plan_),
                                             options_.read_cache_rows);
  }
}

void HashAggregator::ChangedAll() { impl_->all_changed = ++impl_->revision; }

ReadCacheStats HashAggregator::read_cache_stats() const {
  if (!impl_->kept) return ReadCacheStats{};
  return ReadCacheStats{.hits = impl_->kept->hits(),
                        .misses = impl_->kept->misses(),
                        .rows = impl_->kept->rows(),
                        .bytes = impl_->kept->memory_bytes()};
}

HashAggregator::~HashAggregator() = default;

size_t HashAggregator::groups() const { return impl_->table.size(); }

std::set<int64_t> HashAggregator::WindowEnds() const {
  std::set<int64_t> ends;
  if (!plan_->window || impl_->sessions) return ends;
  const GroupTable& table = impl_->table;
  if (table.tracks_window_ends()) return table.window_ends();
  for (uint32_t group = 0; group < table.size(); ++group) {
    int64_t end;  // the first 8 bytes of a windowed cell key (key_normalizer.h)
    std::memcpy(&end, table.key(group).data(), sizeof(end));
    ends.insert(end);
  }
  return ends;
}

size_t HashAggregator::memory_bytes() const {
  return impl_->table.MemoryBytes() + (impl_->sessions ? impl_->sessions->MemoryBytes() : 0) +
         impl_->stamps.size() * sizeof(uint64_t);
}

Status HashAggregator::CheckMemory() const {
  size_t held = memory_bytes();
  if (held <= options_.memory_limit) return Status::Ok();
  return Status(StatusCode::kOutOfMemory,
                fmt::format("view {}: batch aggregation holds {} bytes in {} groups, beyond the "
                            "memory limit of {} bytes ([batch] memory_limit)",
                            plan_->name, held, groups(), options_.memory_limit));
}

Status HashAggregator::Consume(const Chunk& rows) {
  Chunk filtered;
  ASSIGN_OR_RETURN(const Chunk* kept, sql::KeptRows(*plan_, rows, &filtered));
  if (kept->num_rows() == 0) return Status::Ok();
  ASSIGN_OR_RETURN(EvaluatedRows evaluated, sql::EvaluateRows(*plan_, *kept));
  return ConsumeEvaluated(evaluated, *kept);
}

Status HashAggregator::ConsumeEvaluated(const EvaluatedRows& evaluated, const Chunk& kept,
                                        std::span<const int64_t> min_window_ends) {
  if (kept.num_rows() == 0) return Status::Ok();
  if (impl_->sessions) {
    impl_->sessions->Append(evaluated, kept);
    return CheckMemory();
  }
  Scratch& scratch = impl_->scratch;
  AssignPairs(*plan_, evaluated, kept.num_rows(), min_window_ends, &scratch);
  std::vector<const Column*> keys = Pointers(evaluated.keys);
  FindGroups(CellKeySource{.keys = keys,
                           .rows = scratch.pair_rows,
                           .window_ends = scratch.pair_ends,
                           .num_cells = scratch.pair_rows.size()},
             &impl_->table, &scratch);
  UpdateStates(evaluated, kept.column(0), scratch.pair_rows, &impl_->table, &scratch);
  if (impl_->kept) {
    const uint64_t revision = ++impl_->revision;
    impl_->stamps.resize(impl_->table.size(), 0);
    for (const uint32_t group : scratch.groups) impl_->stamps[group] = revision;
  }
  return CheckMemory();
}

namespace {}  // namespace

Status HashAggregator::ConsumeStates(const Chunk& stored_rows) {
  if (impl_->sessions) {
    return Status(StatusCode::kUnsupported,
                  fmt::format("view {}: session windows cannot merge stored states; sessions "
                              "depend on all events of a key",
                              plan_->name));
  }
  SchemaPtr schema = BatchViewSchema(*plan_);
  if (stored_rows.num_columns() != schema->size()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("view {}: stored rows have {} columns, the batch view has {}",
                              plan_->name, stored_rows.num_columns(), schema->size()));
  }
  if (stored_rows.num_rows() == 0) return Status::Ok();
  size_t num_keys = plan_->keys.size();
  std::vector<const Column*> keys;
  for (size_t k = 0; k < num_keys; ++k) keys.push_back(&stored_rows.column(k));
  std::span<const int64_t> ends;
  if (plan_->window) {
    const Column& window_end = stored_rows.column(num_keys + 1);
    if (window_end.HasNulls()) {
      return Status(StatusCode::kCorruption,
                    fmt::format("view {}: a stored row without window_end", plan_->name));
    }
    ends = window_end.int64s();
  }
  Scratch& scratch = impl_->scratch;
  FindGroups(CellKeySource{.keys = keys, .window_ends = ends, .num_cells = stored_rows.num_rows()},
             &impl_->table, &scratch);
  ChangedAll();  // before merging: a failed merge may have changed some cells
  RETURN_IF_ERROR(MergeStoredStates(stored_rows));
  return CheckMemory();
}

std::vector<uint8_t> HashAggregator::HasCells(const Chunk& stored_rows) const {
  const size_t num_keys = plan_->keys.size();
  std::vector<const Column*> keys;
  for (size_t k = 0; k < num_keys; ++k) keys.push_back(&stored_rows.column(k));
  std::span<const int64_t> ends;
  if (plan_->window) ends = stored_rows.column(num_keys + 1).int64s();
  KeyNormalizer normalizer;
  normalizer.Normalize(
      CellKeySource{.keys = keys, .window_ends = ends, .num_cells = stored_rows.num_rows()});
  std::vector<uint8_t> has(stored_rows.num_rows(), 0);
  for (size_t r = 0; r < has.size(); ++r) {
    const std::string_view key = normalizer.key(r);
    has[r] = impl_->table.Find(key, Hash64(key)) != GroupTable::kNoGroup;
  }
  return has;
}

Status HashAggregator::MergeStoredStates(const Chunk& stored_rows) {
  const sql::reference::StateLayout& layout = impl_->table.layout();
  size_t first_state = FirstStateColumn(*plan_);
  for (size_t i = 0; i < layout.functions.size(); ++i) {
    const agg::AggregateFunction& function = *layout.functions[i];
    const Column& states = stored_rows.column(first_state + i);
    if (states.type() != DataType::kString) {
      return Status(StatusCode::kInvalidArgument,
                    fmt::format("view {}: _state_{} is not a binary column", plan_->name, i));
    }
    for (size_t row = 0; row < stored_rows.num_rows(); ++row) {
      if (!states.IsValid(row)) {
        return Status(StatusCode::kCorruption,
                      fmt::format("view {}: a NULL _state_{} in a stored row", plan_->name, i));
      }
      agg::OwnedState decoded(function);
      Status status = function.deserialize(states.StringAt(row), decoded.get());
      if (!status.ok()) {
        return Status(StatusCode::kCorruption, fmt::format("view {}: _state_{} of a stored row: {}",
                                                           plan_->name, i, status.message()));
      }
      function.merge(impl_->table.state(impl_->scratch.groups[row], i), decoded.get());
    }
  }
  return Status::Ok();
}

Status HashAggregator::CheckMergeable(const HashAggregator& other) const {
  if (&other == this) {
    return Status(StatusCode::kInvalidArgument, "an aggregator cannot merge its own cells");
  }
  if (other.plan_->sql != plan_->sql ||
      (impl_->sessions.has_value() != other.impl_->sessions.has_value())) {
    return Status(StatusCode::kInvalidArgument, "cannot merge the cells of different views");
  }
  return Status::Ok();
}

Status HashAggregator::MergeFrom(HashAggregator& other) {
  RETURN_IF_ERROR(CheckMergeable(other));
  if (impl_->sessions) {
    impl_->sessions->TakeFrom(*other.impl_->sessions);
  } else {
    MergeGroups(other.impl_->table, impl_->table, /*windowed=*/false, CellFilter{});
    other.impl_->table.Clear();
  }
  ChangedAll();
  other.ChangedAll();
  return CheckMemory();
}

Status HashAggregator::MergeCopiesInto(HashAggregator& target, int64_t min_end,
                                       int64_t max_end) const {
  RETURN_IF_ERROR(target.CheckMergeable(*this));
  if (impl_->sessions) {
    target.impl_->sessions->AppendFrom(*impl_->sessions);
  } else {
    MergeGroups(impl_->table, target.impl_->table, plan_->window.has_value(),
                CellFilter{.min_end = min_end, .max_end = max_end, .keys = {}});
  }
  target.ChangedAll();
  return target.CheckMemory();
}

Status HashAggregator::MergeCopiesInto(HashAggregator& target, const CellFilter& filter) const {
  RETURN_IF_ERROR(target.CheckMergeable(*this));
  if (impl_->sessions) {
    target.impl_->sessions->AppendFrom(*impl_->sessions);
  } else {
    MergeGroups(impl_->table, target.impl_->table, plan_->window.has_value(), filter);
  }
  target.ChangedAll();
  return target.CheckMemory();
}

std::vector<uint32_t> HashAggregator::FindKeptRows(std::span<const HashAggregator* const> sources,
                                                   std::span<const CellRef> cells, uint64_t stored,
                                                   Chunk* kept, std::vector<uint64_t>* versions) {
  std::vector<uint32_t> missing_cells, groups, missing;
  std::vector<uint64_t> source_versions;
  versions->assign(cells.size(), 0);
  // One Find per run of one source's cells (ReadCellsBeside lists the cells held alone by source).
  for (size_t begin = 0, end = 0; begin < cells.size(); begin = end) {
    const uint32_t source = cells[begin].table;
    for (end = begin; end < cells.size() && cells[end].table == source; ++end) {
    }
    const Impl& impl = *sources[source]->impl_;
    groups.clear();
    source_versions.clear();
    missing.clear();
    for (size_t k = begin; k < end; ++k) {
      groups.push_back(cells[k].group);
      source_versions.push_back(impl.kept ? impl.Version(cells[k].group) : 0);
      (*versions)[k] = source_versions.back();
    }
    if (impl.kept) {
      impl.kept->Find(groups, source_versions, kept, &missing, stored);
    } else {
      for (uint32_t k = 0; k < groups.size(); ++k) missing.push_back(k);
    }
    for (const uint32_t k : missing) missing_cells.push_back(static_cast<uint32_t>(begin + k));
  }
  return missing_cells;
}

void HashAggregator::KeepRows(std::span<const HashAggregator* const> sources,
                              std::span<const KeepAs> keep_as, const std::vector<Chunk>& rows,
                              std::span<const uint32_t> row_refs) {
  // Per source, and per stored rows (none, or the ones read beside): the rows of one chunk to
  // keep, their groups and versions.
  struct ToKeep {
    std::vector<uint32_t> rows, groups;
    std::vector<uint64_t> versions;
    uint64_t stored = 0;
  };
  std::vector<ToKeep> to_keep(2 * sources.size());
  size_t position = 0;
  for (const Chunk& chunk : rows) {
    for (uint32_t r = 0; r < chunk.num_rows(); ++r, ++position) {
      const uint32_t ref = row_refs[position];
      if (ref >= keep_as.size() || !keep_as[ref].keep) continue;
      const KeepAs& as = keep_as[ref];
      if (!sources[as.cell.table]->impl_->kept) continue;
      ToKeep& keep = to_keep[2 * as.cell.table + (as.stored != 0 ? 1 : 0)];
      keep.rows.push_back(r);
      keep.groups.push_back(as.cell.group);
      keep.versions.push_back(as.version);
      keep.stored = as.stored;
    }
    for (size_t k = 0; k < to_keep.size(); ++k) {
      ToKeep& keep = to_keep[k];
      if (keep.rows.empty()) continue;
      sources[k / 2]->impl_->kept->Keep(chunk, keep.rows, keep.groups, keep.versions, keep.stored);
      keep = ToKeep{};
    }
  }
}

Result<HashAggregator::RowsBeside> HashAggregator::ReadBeside(
    std::span<const HashAggregator* const> sources, const CellFilter& filter,
    std::span<const Chunk> stored, const StoredStates& states_of, bool with_states,
    uint64_t stored_identity) {
  RowsBeside read;
  if (sources.empty()) {
    for (const Chunk& rows : stored) read.shared.emplace_back(rows.num_rows(), 0);
    return read;
  }
  const HashAggregator& first = *sources.front();
  const sql::ViewPlan& plan = *first.plan_;
  if (plan.has_session_window()) {
    return Status(StatusCode::kUnsupported,
                  fmt::format("view {}: cells read in place need tumbling, hopping or no windows",
                              plan.name));
  }
  std::vector<const GroupTable*> tables;
  for (const HashAggregator* source : sources) {
    if (source != &first) RETURN_IF_ERROR(first.CheckMergeable(*source));
    tables.push_back(&source->impl_->table);
  }
  const size_t stored_columns = FirstStateColumn(plan) + plan.aggregates.size();
  for (const Chunk& rows : stored) {
    if (rows.num_columns() != stored_columns) {
      return Status(
          StatusCode::kInvalidArgument,
          fmt::format("view {}: stored rows have {} columns", plan.name, rows.num_columns()));
    }
  }
  const AggregatorOptions scratch{.memory_limit = SIZE_MAX, .table_size = TableSize::kSmall};
  HashAggregator shared(first.plan_, scratch), several(first.plan_, scratch);
  // Rows without states are kept, those of shared cells beside stored rows with an identity.
  const bool keep_merged = !with_states && stored_identity != 0;
  CellsBeside cells =
      ReadCellsBeside(tables, plan.keys.size(), plan.window.has_value(), filter, stored,
                      keep_merged, shared.impl_->table, several.impl_->table);
  Chunk kept;
  std::vector<uint8_t> kept_with_stored;
  if (!with_states) kept = EmptyRowsWithRoom(BatchViewSchema(plan));
  // Per stored row (counted over the chunks): 1 when its states are merged into a cell read.
  std::vector<uint8_t> states_needed;
  for (const std::vector<uint8_t>& flags : cells.shared) {
    states_needed.insert(states_needed.end(), flags.begin(), flags.end());
  }
  // The shared cells one source holds: their kept rows, or copies merged with the stored states
  // (a group of `shared` made of one source's cell is kept as that cell's row: shared_keep).
  std::vector<KeepAs> shared_keep;
  if (!cells.shared_once.empty()) {
    std::vector<CellRef> once;
    for (const SharedCell& cell : cells.shared_once) once.push_back(cell.cell);
    std::vector<uint64_t> once_versions;
    const std::vector<uint32_t> missing =
        FindKeptRows(sources, once, stored_identity, &kept, &once_versions);
    std::vector<uint8_t> found(once.size(), 1);
    for (const uint32_t k : missing) found[k] = 0;
    for (size_t k = 0; k < once.size(); ++k) {
      if (found[k]) states_needed[cells.shared_once[k].position] = 0;
    }
    kept_with_stored.assign(kept.num_rows(), 1);
    for (const uint32_t k : missing) {
      const uint32_t into = MergeGroup(*tables[once[k].table], once[k].group, shared.impl_->table);
      if (shared_keep.size() <= into) shared_keep.resize(into + 1);
      shared_keep[into] = KeepAs{
          .keep = true, .cell = once[k], .version = once_versions[k], .stored = stored_identity};
    }
  }
  std::vector<uint32_t> positions;
  for (uint32_t position = 0; position < states_needed.size(); ++position) {
    if (states_needed[position]) positions.push_back(position);
  }
  if (!positions.empty()) {
    ASSIGN_OR_RETURN(const Chunk stored_states, states_of(positions));
    RETURN_IF_ERROR(shared.ConsumeStates(stored_states));
  }
  // The rows kept of cells held alone (rows without states only), then one pass over every
  // other cell read: the sources' own, then the copies.
  std::vector<CellRef> refs;
  std::vector<KeepAs> keep_as;  // per ref
  if (with_states) {
    refs = std::move(cells.alone);
  } else {
    std::vector<uint64_t> versions;
    const std::vector<uint32_t> missing = FindKeptRows(sources, cells.alone, 0, &kept, &versions);
    kept_with_stored.resize(kept.num_rows(), 0);
    for (const uint32_t k : missing) {
      refs.push_back(cells.alone[k]);
      keep_as.push_back(KeepAs{.keep = true, .cell = cells.alone[k], .version = versions[k]});
    }
  }
  const size_t first_shared = refs.size();
  const auto shared_table = static_cast<uint32_t>(tables.size());
  for (uint32_t group = 0; group < shared.groups(); ++group) {
    refs.push_back(CellRef{shared_table, group});
    if (!with_states) {
      keep_as.push_back(group < shared_keep.size() ? shared_keep[group] : KeepAs{});
    }
  }
  const size_t past_shared = refs.size();
  for (uint32_t group = 0; group < several.groups(); ++group) {
    refs.push_back(CellRef{shared_table + 1, group});
  }
  tables.push_back(&shared.impl_->table);
  tables.push_back(&several.impl_->table);
  std::vector<uint32_t> row_refs;
  ASSIGN_OR_RETURN(read.rows, BatchViewRowsOfCells(plan, tables, refs, 65536, 1, SIZE_MAX,
                                                   with_states, &row_refs));
  read.with_stored.reserve(row_refs.size());
  for (const uint32_t ref : row_refs) {
    read.with_stored.push_back(ref >= first_shared && ref < past_shared ? 1 : 0);
  }
  read.shared = std::move(cells.shared);
  if (with_states) return read;
  KeepRows(sources, keep_as, read.rows, row_refs);
  if (kept.num_rows() > 0) {
    MergeKeptRows(plan, std::move(kept), std::move(kept_with_stored), &read.rows,
                  &read.with_stored);
  }
  return read;
}

std::vector<std::string> CellKeysOf(std::span<const Column* const> keys, size_t rows) {
  KeyNormalizer normalizer;
  normalizer.Normalize(CellKeySource{.keys = keys, .num_cells = rows});
  std::vector<std::string> bytes;
  for (size_t k = 0; k < normalizer.size(); ++k) bytes.emplace_back(normalizer.key(k));
  return bytes;
}

Result<std::vector<Chunk>> HashAggregator::Finish(size_t rows_per_chunk, size_t threads,
                                                  bool with_states) {
  if (!impl_->sessions) {
    const size_t held = memory_bytes();
    const size_t left = held < options_.memory_limit ? options_.memory_limit - held : 0;
    return BatchViewRows(*plan_, impl_->table, rows_per_chunk, threads, left, with_states);
  }
  const SessionBuffer& buffer = *impl_->sessions;
  SessionCells cells = buffer.AssignCells();
  GroupTable sessions(plan_->aggregates);
  std::vector<const Column*> keys = Pointers(buffer.values().keys);
  Scratch& scratch = impl_->scratch;
  FindGroups(CellKeySource{.keys = keys,
                           .rows = cells.rows,
                           .window_ends = cells.ends,
                           .session_starts = cells.starts,
                           .num_cells = cells.rows.size()},
             &sessions, &scratch);
  UpdateStates(buffer.values(), buffer.row_ids(), cells.rows, &sessions, &scratch);
  size_t held = memory_bytes() + sessions.MemoryBytes();
  if (held > options_.memory_limit) {
    return Status(StatusCode::kOutOfMemory,
                  fmt::format("view {}: session assignment holds {} bytes in {} sessions, beyond "
                              "the memory limit of {} bytes ([batch] memory_limit)",
                              plan_->name, held, sessions.size(), options_.memory_limit));
  }
  return BatchViewRows(*plan_, sessions, rows_per_chunk, threads, options_.memory_limit - held,
                       with_states);
}

Result<std::vector<Chunk>> HashAggregator::FinishWindows(int64_t min_end, int64_t max_end,
                                                         bool with_states) {
  if (impl_->sessions || !plan_->window) {
    return Status(
        StatusCode::kUnsupported,
        fmt::format("view {}: rows by window range need tumbling or hopping windows", plan_->name));
  }
  const GroupTable& table = impl_->table;
  std::vector<uint32_t> selected;
  for (uint32_t group = 0; group < table.size(); ++group) {
    int64_t end;  // the first 8 bytes of a windowed cell key (key_normalizer.h)
    std::memcpy(&end, table.key(group).data(), sizeof(end));
    if (end >= min_end && end < max_end) selected.push_back(group);
  }
  return BatchViewRowsOf(*plan_, table, selected, 65536, 1, SIZE_MAX, with_states);
}

Result<std::vector<Chunk>> HashAggregator::FinishParts(
    std::span<const std::unique_ptr<HashAggregator>> parts, size_t rows_per_chunk, size_t threads,
    bool with_states) {
  if (parts.empty()) return Status(StatusCode::kInvalidArgument, "no aggregator to finish");
  HashAggregator& first = *parts[0];
  for (size_t k = 1; k < parts.size(); ++k) RETURN_IF_ERROR(first.CheckMergeable(*parts[k]));
  if (first.impl_->sessions || parts.size() == 1) {
    for (size_t k = 1; k < parts.size(); ++k) RETURN_IF_ERROR(first.MergeFrom(*parts[k]));
    return first.Finish(rows_per_chunk, threads, with_states);
  }
  for (const std::unique_ptr<HashAggregator>& part : parts) part->ChangedAll();
  std::vector<GroupTable*> tables;
  std::vector<CellRef> refs;  // by table, then group: the order the states lie in memory
  size_t held = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    GroupTable& table = parts[k]->impl_->table;
    std::vector<uint8_t> absorbed(table.size(), 0);
    if (k > 0) {
      ASSIGN_OR_RETURN(absorbed, AbsorbSharedCells(tables, table, threads));
    }
    for (uint32_t group = 0; group < table.size(); ++group) {
      if (absorbed[group] == 0) refs.push_back(CellRef{static_cast<uint32_t>(k), group});
    }
    tables.push_back(&table);
  }
  for (const std::unique_ptr<HashAggregator>& part : parts) held += part->memory_bytes();
  const size_t limit = first.options_.memory_limit;
  if (held > limit) {
    return Status(StatusCode::kOutOfMemory,
                  fmt::format("view {}: batch aggregation holds {} bytes in {} groups, beyond the "
                              "memory limit of {} bytes ([batch] memory_limit)",
                              first.plan_->name, held, refs.size(), limit));
  }
  const std::vector<const GroupTable*> readable(tables.begin(), tables.end());
  return BatchViewRowsOfCells(*first.plan_, readable, refs, rows_per_chunk, threads, limit - held,
                              with_states);
}

SchemaPtr BatchViewSchema(const sql::ViewPlan& plan) {
  BRAID_DCHECK(plan.stored_schema != nullptr);  // every bound plan has it
  return plan.stored_schema;
}

size_t FirstStateColumn(const sql::ViewPlan& plan) { return plan.output_schema->size() + 1; }

}  // namespace braid::batch
