#include "serving/view_cells.h"

#include <fmt/format.h>

#include <optional>
#include <set>
#include <unordered_set>
#include <utility>

#include "batch/hash_aggregator.h"
#include "serving/session_merge.h"

namespace braid::serving {
namespace {

constexpr int kReadAttempts = 5;

SchemaPtr CellSchema(const sql::ViewPlan& plan) {
  std::vector<Field> fields = batch::BatchViewSchema(plan)->fields();
  fields.push_back(Field{std::string(kSourceColumn), DataType::kString, false});
  return std::make_shared<const Schema>(std::move(fields));
}

// The key columns and window_end of a BatchViewSchema chunk: a cell's identity.
std::vector<const Column*> IdentityColumns(const sql::ViewPlan& plan, const Chunk& rows) {
  std::vector<const Column*> columns;
  for (size_t k = 0; k < plan.keys.size(); ++k) columns.push_back(&rows.column(k));
  if (plan.window) columns.push_back(&rows.column(plan.keys.size() + 1));
  return columns;
}

// Per batch row (BatchViewSchema, states not read): 1 when the speed aggregator `speed`, whose
// window ends are `speed_ends`, holds the row's cell too.
std::vector<uint8_t> SharedWithSpeed(const sql::ViewPlan& plan, const Chunk& rows,
                                     const batch::HashAggregator& speed,
                                     const std::set<int64_t>& speed_ends) {
  bool any = !plan.window;
  if (plan.window) {
    const std::span<const int64_t> ends = rows.column(plan.keys.size() + 1).int64s();
    for (size_t r = 0; r < rows.num_rows() && !any; ++r) any = speed_ends.count(ends[r]) > 0;
  }
  return any ? speed.HasCells(rows) : std::vector<uint8_t>(rows.num_rows(), 0);
}

// The batch rows' states a read needs: all of them for `with_states` and for session windows
// (whose merge joins sessions of either layer), else those of the cells the speed aggregator
// `speed` (null: none read) holds too, which are merged.
StatesFilter BatchStatesNeeded(const sql::ViewPlan& plan, const batch::HashAggregator* speed,
                               const std::set<int64_t>& speed_ends, bool with_states) {
  if (with_states || plan.has_session_window()) return {};
  if (speed == nullptr || speed->groups() == 0) {
    return [](const Chunk& rows) { return std::vector<uint8_t>(rows.num_rows(), 0); };
  }
  return [&plan, speed, &speed_ends](const Chunk& rows) {
    return SharedWithSpeed(plan, rows, *speed, speed_ends);
  };
}

// Merges the speed aggregator `speed` (cells of generations > B, window ends `speed_ends`) with
// the batch rows: batch rows of cells speed also holds have their states merged into `speed`;
// the rest stay as stored.
Result<std::vector<Chunk>> MergeTumbling(const sql::ViewPlan& plan,
                                         std::vector<Chunk>& batch_rows,
                                         batch::HashAggregator& speed,
                                         const std::set<int64_t>& speed_ends, bool with_states,
                                         const SchemaPtr& schema) {
  std::vector<Chunk> out;
  std::unordered_set<uint64_t> merged_cells;  // identities of the cells both layers hold
  for (Chunk& rows : batch_rows) {
    const std::vector<const Column*> columns = IdentityColumns(plan, rows);
    const std::vector<uint8_t> shared_cell = SharedWithSpeed(plan, rows, speed, speed_ends);
    std::vector<uint32_t> alone, shared;
    for (size_t r = 0; r < rows.num_rows(); ++r) {
      (shared_cell[r] ? shared : alone).push_back(static_cast<uint32_t>(r));
      if (shared_cell[r]) merged_cells.insert(HashKeyCells(columns, r));
    }
    if (alone.size() == rows.num_rows()) {
      out.push_back(WithSourceColumn(std::move(rows), schema, kFromBatch));
      continue;
    }
    RETURN_IF_ERROR(speed.ConsumeStates(rows.Select(shared)));
    if (!alone.empty()) out.push_back(WithSourceColumn(rows.Select(alone), schema, kFromBatch));
  }
  ASSIGN_OR_RETURN(std::vector<Chunk> speed_rows, speed.Finish(65536, 1, with_states));
  for (Chunk& rows : speed_rows) {
    std::vector<uint8_t> sources(rows.num_rows(), kFromSpeed);
    const std::vector<const Column*> columns = IdentityColumns(plan, rows);
    for (size_t r = 0; r < rows.num_rows(); ++r) {
      if (merged_cells.count(HashKeyCells(columns, r)) > 0) sources[r] = kFromBoth;
    }
    out.push_back(WithSourceColumn(std::move(rows), schema, sources));
  }
  return out;
}

struct LayerReads {
  std::optional<ServedVersion> served;
  BatchSnapshot snapshot;
  std::shared_ptr<speed::SpeedView> speed_view;
  std::unique_ptr<batch::HashAggregator> speed_cells;  // generations > B (null: none read)
  speed::SpeedRows speed;
};

// The speed cells a lookup needs: its window_end range, and its keys when every key is
// constrained to a few values (the combinations, normalized as the aggregator's cells are).
batch::CellFilter SpeedFilter(const CellLookup& lookup, size_t num_keys) {
  batch::CellFilter filter;
  if (lookup.min_window_end) filter.min_end = *lookup.min_window_end;
  if (lookup.max_window_end && *lookup.max_window_end < INT64_MAX) {
    filter.max_end = *lookup.max_window_end + 1;
  }
  size_t combinations = 1;
  for (const std::optional<Column>& values : lookup.key_values) {
    if (!values || values->size() == 0) return filter;
    combinations *= values->size();
  }
  if (num_keys == 0 || lookup.key_values.size() != num_keys || combinations > 4096) return filter;
  std::vector<Column> columns;
  for (const std::optional<Column>& values : lookup.key_values) columns.emplace_back(values->type());
  std::vector<size_t> pick(num_keys, 0);
  for (size_t n = 0; n < combinations; ++n) {
    for (size_t k = 0; k < num_keys; ++k) columns[k].AppendFrom(*lookup.key_values[k], pick[k]);
    for (size_t k = 0; k < num_keys && ++pick[k] == lookup.key_values[k]->size(); ++k) pick[k] = 0;
  }
  std::vector<const Column*> pointers;
  for (const Column& column : columns) pointers.push_back(&column);
  filter.keys = batch::CellKeysOf(pointers, combinations);
  return filter;
}

// One attempt at reading both layers at one B; false when the speed layer moved past it.
Result<bool> ReadLayers(const sql::ViewPlanPtr& plan, Consistency consistency,
                        const CellLookup& lookup, const ViewCellsReader& reader,
                        LayerReads& reads, QueryCoverage& coverage) {
  ASSIGN_OR_RETURN(reads.served, reader.versions.Served(plan));
  reads.snapshot = BatchSnapshot{};
  if (reads.served) {
    ASSIGN_OR_RETURN(reads.snapshot, reader.cache.Snapshot(reader.data_dir, reads.served->plan,
                                                           reads.served->version));
  }
  const int64_t epoch = reads.snapshot.horizon.epoch;
  reads.speed_view = reader.speed.FindView(plan->name);
  reads.speed_cells.reset();
  if (consistency == Consistency::kExact || !reads.speed_view) return true;
  if (consistency == Consistency::kMerged && reads.served &&
      reads.served->plan->sql != reads.speed_view->plan().sql) {
    coverage.routing = fmt::format(
        "view {} was redefined: until its new batch version commits, merged answers from the "
        "batch version of the previous definition only",
        plan->name);
    return true;
  }
  reads.speed_cells = std::make_unique<batch::HashAggregator>(
      reads.speed_view->plan_ptr(),
      batch::AggregatorOptions{.memory_limit = SIZE_MAX, .track_window_ends = true});
  ASSIGN_OR_RETURN(reads.speed,
                   reads.speed_view->MergeInto(*reads.speed_cells, epoch,
                                               SpeedFilter(lookup, plan->keys.size())));
  return reads.speed.absorbed_epoch <= epoch;
}

}  // namespace

Chunk WithSourceColumn(Chunk rows, const SchemaPtr& schema, std::span<const uint8_t> sources) {
  static constexpr std::string_view kNames[] = {"BATCH", "SPEED", "MERGED"};
  std::vector<Column> columns;
  for (size_t c = 0; c < rows.num_columns(); ++c) {
    columns.push_back(std::move(rows.mutable_column(c)));
  }
  Column names(DataType::kString);
  names.Reserve(sources.size());
  names.ReserveBytes(6 * sources.size());  // the longest name
  for (uint8_t source : sources) names.AppendString(kNames[source]);
  columns.push_back(std::move(names));
  return *Chunk::Make(schema, std::move(columns));
}

Chunk WithSourceColumn(Chunk rows, const SchemaPtr& schema, uint8_t source) {
  const std::vector<uint8_t> sources(rows.num_rows(), source);
  return WithSourceColumn(std::move(rows), schema, sources);
}

Result<ViewCells> ReadViewCells(const sql::ViewPlanPtr& plan, Consistency consistency,
                                const CellLookup& lookup, bool with_states,
                                const ViewCellsReader& reader) {
  ViewCells cells;
  cells.coverage.consistency = consistency;
  LayerReads reads;
  bool consistent = false;
  for (int attempt = 0; attempt < kReadAttempts && !consistent; ++attempt) {
    cells.coverage.routing.clear();
    ASSIGN_OR_RETURN(consistent,
                     ReadLayers(plan, consistency, lookup, reader, reads, cells.coverage));
  }
  if (!consistent) {
    return Status(StatusCode::kUnavailable,
                  fmt::format("view {}: batch versions were published faster than the query "
                              "could read a consistent pair of layers; retry",
                              plan->name));
  }
  RETURN_IF_ERROR(reader.control.Check());
  cells.plan = reads.speed_cells ? reads.speed_view->plan_ptr()
                                 : (reads.served ? reads.served->plan : plan);
  const SchemaPtr schema = CellSchema(*cells.plan);
  if (reads.served) {
    cells.coverage.batch_epoch = reads.snapshot.horizon.epoch;
    cells.coverage.batch_version = reads.served->version;
    ASSIGN_OR_RETURN(cells.coverage.batch_horizon,
                     reader.versions.HorizonOf(*reads.served, reads.snapshot.horizon));
  }
  if (reads.speed_view && reads.speed_view->watermark() != speed::kNoWatermark) {
    cells.coverage.speed_watermark = Timestamp{reads.speed_view->watermark()};
  }
  const std::set<int64_t> speed_ends =
      reads.speed_cells ? reads.speed_cells->WindowEnds() : std::set<int64_t>();
  std::vector<Chunk> batch_rows;
  if (reads.served && consistency != Consistency::kSpeed) {
    ASSIGN_OR_RETURN(
        batch_rows,
        reader.cache.Find(*reads.snapshot.table, *reads.served->plan, reads.served->version,
                          reads.snapshot.horizon.table_version, lookup,
                          BatchStatesNeeded(*cells.plan, reads.speed_cells.get(), speed_ends,
                                            with_states)));
  }
  RETURN_IF_ERROR(reader.control.Check());
  // (A session aggregator buffers rows: it has no groups before Finish.)
  if (!reads.speed_cells ||
      (reads.speed_cells->groups() == 0 && !cells.plan->has_session_window())) {
    for (Chunk& rows : batch_rows) {
      cells.rows.push_back(WithSourceColumn(std::move(rows), schema, kFromBatch));
    }
    return cells;
  }
  if (cells.plan->has_session_window()) {
    ASSIGN_OR_RETURN(std::vector<Chunk> speed_rows,
                     reads.speed_cells->Finish(65536, 1, /*with_states=*/true));
    ASSIGN_OR_RETURN(cells.rows, MergeSessions(*cells.plan, batch_rows, speed_rows, schema));
    return cells;
  }
  ASSIGN_OR_RETURN(cells.rows, MergeTumbling(*cells.plan, batch_rows, *reads.speed_cells,
                                             speed_ends, with_states, schema));
  return cells;
}

}  // namespace braid::serving
