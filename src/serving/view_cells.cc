#include "serving/view_cells.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "batch/hash_aggregator.h"
#include "serving/session_merge.h"

namespace braid::serving {
namespace {

constexpr int kReadAttempts = 5;

struct LayerReads {
  std::optional<ServedVersion> served;
  BatchSnapshot snapshot;
  FoundRows batch;                // the batch rows the lookup found (none read: empty)
  std::vector<Chunk> batch_rows;  // batch.Rows(), read with the speed layer's cells
  std::shared_ptr<speed::SpeedView> speed_view;
  bool speed_read = false;  // whether the speed layer's generations > B were read
  bool speed_exact = false;  // the speed cells read are exactly those the lookup admits
  // Session views: copies of every speed cell of generations > B.
  std::unique_ptr<batch::HashAggregator> speed_sessions;
  // Other views: the rows of the speed cells read, merged with the batch rows they share.
  batch::HashAggregator::RowsBeside beside;
  speed::SpeedRows speed;
};

// The speed cells a lookup needs: its window_end range, and its keys when every key is
// constrained to a few values (the combinations, normalized as the aggregator's cells are).
struct SpeedCells {
  batch::CellFilter filter;
  bool exact = true;  // the filter admits only cells the lookup admits (no key left out)
};

SpeedCells SpeedFilter(const CellLookup& lookup, size_t num_keys) {
  SpeedCells cells;
  batch::CellFilter& filter = cells.filter;
  if (lookup.min_window_end) filter.min_end = *lookup.min_window_end;
  if (lookup.max_window_end && *lookup.max_window_end < INT64_MAX) {
    filter.max_end = *lookup.max_window_end + 1;
  }
  size_t combinations = 1;
  size_t constrained = 0;
  for (const std::optional<Column>& values : lookup.key_values) {
    if (!values) continue;
    ++constrained;
    combinations = std::min<size_t>(combinations * values->size(), 4097);  // no overflow
  }
  if (constrained == 0 || constrained != num_keys || lookup.key_values.size() != num_keys ||
      combinations == 0 || combinations > 4096) {
    cells.exact = constrained == 0;  // keys left out unless none was asked for
    return cells;
  }
  std::vector<Column> columns;
  for (const std::optional<Column>& values : lookup.key_values)
    columns.emplace_back(values->type());
  std::vector<size_t> pick(num_keys, 0);
  for (size_t n = 0; n < combinations; ++n) {
    for (size_t k = 0; k < num_keys; ++k) columns[k].AppendFrom(*lookup.key_values[k], pick[k]);
    for (size_t k = 0; k < num_keys && ++pick[k] == lookup.key_values[k]->size(); ++k) pick[k] = 0;
  }
  std::vector<const Column*> pointers;
  for (const Column& column : columns) pointers.push_back(&column);
  filter.keys = batch::CellKeysOf(pointers, combinations);
  return cells;
}

// An empty aggregator of the speed view's plan, to copy its cells into (session views).
std::unique_ptr<batch::HashAggregator> CellsOf(const speed::SpeedView& view) {
  return std::make_unique<batch::HashAggregator>(
      view.plan_ptr(),
      batch::AggregatorOptions{.memory_limit = SIZE_MAX, .track_window_ends = true});
}

// One attempt at reading both layers at one B; false when the speed layer moved past it.
Result<bool> ReadLayers(const sql::ViewPlanPtr& plan, Consistency consistency,
                        const CellLookup& lookup, bool with_states, const ViewCellsReader& reader,
                        LayerReads& reads, QueryCoverage& coverage) {
  ASSIGN_OR_RETURN(reads.served, reader.versions.Served(plan));
  reads.snapshot = BatchSnapshot{};
  reads.batch = FoundRows();
  if (reads.served) {
    ASSIGN_OR_RETURN(reads.snapshot, reader.cache.Snapshot(reader.data_dir, reads.served->plan,
                                                           reads.served->version));
  }
  const int64_t epoch = reads.snapshot.horizon.epoch;
  reads.speed_view = reader.speed.FindView(plan->name);
  reads.speed_read = consistency != Consistency::kExact && reads.speed_view != nullptr;
  if (reads.speed_read && consistency == Consistency::kMerged && reads.served &&
      reads.served->plan->sql != reads.speed_view->plan().sql) {
    coverage.routing = fmt::format(
        "view {} was redefined: until its new batch version commits, merged answers from the "
        "batch version of the previous definition only",
        plan->name);
    reads.speed_read = false;
  }
  if (reads.served && consistency != Consistency::kSpeed) {
    ASSIGN_OR_RETURN(reads.batch, reader.cache.Find(*reads.snapshot.table, *reads.served->plan,
                                                    reads.served->version,
                                                    reads.snapshot.horizon.table_version, lookup));
  }
  // Without the speed layer, or for session windows (whose merge joins sessions of either
  // layer), the batch rows keep the states asked for; otherwise their values only: the states of
  // the rows the speed layer shares are read after it.
  const bool sessions = plan->has_session_window();
  reads.batch_rows = reads.batch.Rows(with_states || (reads.speed_read && sessions));
  if (!reads.speed_read) return true;
  const SpeedCells speed_cells = SpeedFilter(lookup, plan->keys.size());
  const batch::CellFilter& filter = speed_cells.filter;
  reads.speed_exact = speed_cells.exact;
  if (sessions) {
    reads.speed_sessions = CellsOf(*reads.speed_view);
    ASSIGN_OR_RETURN(reads.speed,
                     reads.speed_view->MergeInto(*reads.speed_sessions, epoch, filter));
  } else {
    const FoundRows& batch = reads.batch;
    auto states_of = [&batch](std::span<const uint32_t> positions) -> Result<Chunk> {
      return batch.WithStates(positions);
    };
    ASSIGN_OR_RETURN(reads.speed,
                     reads.speed_view->ReadBeside(epoch, filter, reads.batch_rows, states_of,
                                                  with_states, batch.identity(), &reads.beside));
  }
  return reads.speed.absorbed_epoch <= epoch;
}

// Whether the layers read returned exactly the cells the lookup (built for `plan`) admits: the
// batch index does (CachedBatchView::Find); the speed filter does unless it left keys out; both
// layers must follow `plan`'s definition (after CREATE OR REPLACE VIEW a layer may still follow
// the previous one, whose keys the lookup was not built for); session windows merge sessions of
// either layer into windows the lookup did not see.
bool LookupHeld(const sql::ViewPlan& plan, Consistency consistency, const LayerReads& reads) {
  if (plan.has_session_window()) return false;
  auto follows = [&plan](const sql::ViewPlan& other) {
    return &other == &plan || other.sql == plan.sql;
  };
  if (reads.served && consistency != Consistency::kSpeed && !follows(*reads.served->plan)) {
    return false;
  }
  return !reads.speed_read || (reads.speed_exact && follows(reads.speed_view->plan()));
}

// The rows of a tumbling, hopping or unwindowed view from a consistent read of both layers:
// batch rows no speed cell shares as stored (BATCH; a shared one is hidden, its `_having` made
// FALSE, rather than copied out), then the speed layer's rows: MERGED where the batch states
// were merged in, SPEED elsewhere.
std::vector<Chunk> MergeBeside(LayerReads& reads, const SchemaPtr& schema) {
  std::vector<Chunk> out;
  for (size_t c = 0; c < reads.batch_rows.size(); ++c) {
    Chunk& rows = reads.batch_rows[c];
    const std::vector<uint8_t>& shared = reads.beside.shared[c];
    if (std::find(shared.begin(), shared.end(), 1) != shared.end()) {
      const size_t having = reads.speed_view->plan().output_schema->size();
      const Column& held = rows.column(having);
      Column visible(DataType::kBoolean);
      visible.Reserve(rows.num_rows());
      for (size_t r = 0; r < rows.num_rows(); ++r) {
        visible.AppendBool(!shared[r] && held.IsValid(r) && held.bools()[r] != 0);
      }
      rows.mutable_column(having) = std::move(visible);
    }
    out.push_back(WithSourceColumn(std::move(rows), schema, kFromBatch));
  }
  std::span<const uint8_t> merged = reads.beside.with_stored;
  for (Chunk& rows : reads.beside.rows) {
    std::vector<uint8_t> sources(rows.num_rows());
    for (size_t r = 0; r < sources.size(); ++r) sources[r] = merged[r] ? kFromBoth : kFromSpeed;
    merged = merged.subspan(rows.num_rows());
    out.push_back(WithSourceColumn(std::move(rows), schema, sources));
  }
  return out;
}

}  // namespace

Chunk WithSourceColumn(Chunk rows, const SchemaPtr& schema, std::span<const uint8_t> sources) {
  static constexpr std::string_view kNames[] = {"BATCH", "SPEED", "MERGED"};
  Column names(DataType::kString);
  names.Reserve(sources.size());
  names.ReserveBytes(6 * sources.size());  // the longest name
  for (uint8_t source : sources) names.AppendString(kNames[source]);
  const Status added = rows.AddColumn(schema, std::move(names));
  BRAID_DCHECK(added.ok());
  return rows;
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
    ASSIGN_OR_RETURN(consistent, ReadLayers(plan, consistency, lookup, with_states, reader, reads,
                                            cells.coverage));
  }
  if (!consistent) {
    return Status(StatusCode::kUnavailable,
                  fmt::format("view {}: batch versions were published faster than the query "
                              "could read a consistent pair of layers; retry",
                              plan->name));
  }
  RETURN_IF_ERROR(reader.control.Check());
  cells.plan =
      reads.speed_read ? reads.speed_view->plan_ptr() : (reads.served ? reads.served->plan : plan);
  const SchemaPtr& schema = cells.plan->cell_schema;
  cells.lookup_held = LookupHeld(*plan, consistency, reads);
  if (reads.served) {
    cells.coverage.batch_epoch = reads.snapshot.horizon.epoch;
    cells.coverage.batch_version = reads.served->version;
    ASSIGN_OR_RETURN(cells.coverage.batch_horizon,
                     reader.versions.HorizonOf(*reads.served, reads.snapshot.horizon));
  }
  if (reads.speed_view && reads.speed_view->watermark() != speed::kNoWatermark) {
    cells.coverage.speed_watermark = Timestamp{reads.speed_view->watermark()};
  }
  if (!reads.speed_read) {
    for (Chunk& rows : reads.batch_rows) {
      cells.rows.push_back(WithSourceColumn(std::move(rows), schema, kFromBatch));
    }
    return cells;
  }
  RETURN_IF_ERROR(reader.control.Check());
  if (reads.speed_sessions) {
    ASSIGN_OR_RETURN(std::vector<Chunk> speed_rows,
                     reads.speed_sessions->Finish(65536, 1, /*with_states=*/true));
    ASSIGN_OR_RETURN(cells.rows, MergeSessions(*cells.plan, reads.batch_rows, speed_rows, schema));
    return cells;
  }
  cells.rows = MergeBeside(reads, schema);
  return cells;
}

}  // namespace braid::serving
