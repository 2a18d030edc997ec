// The cells of one view as a query sees them (SEMANTICS.md "Epochs, generations and the merge"):
// per (keys, window), the served batch version's state (epochs <= B) merged with the speed
// layer's generations > B of the same cell, finalized, post-aggregate expressions and HAVING
// evaluated on the merged values. `_source` says where a row's events came from: BATCH (the batch
// view alone), SPEED (speed generations alone) or MERGED (both). Consistency `exact` reads the
// batch version only, `speed` the generations > B only, `merged` both.
//
// The batch part and the speed part are read at one epoch B: the batch snapshot is read first,
// then the speed generations > B; if the speed layer has meanwhile dropped generations a newer
// batch version absorbed, the read starts over with that version. After CREATE OR REPLACE VIEW
// the served batch version may follow the previous definition while the speed layer runs the new
// one; until the new version commits, `merged` answers from the batch version alone and says so
// in coverage.routing.
//
// Batch rows come from the BatchViewCache (point and window-range lookups); only the speed cells
// and the batch rows of the same cells are merged (the speed cells copied, the batch states
// deserialized into them), every other batch row is used as stored, and every other speed cell
// one generation holds is finalized where it lies, under the speed view's lock, without a copy.
// Session windows: a speed session that overlaps or touches a batch session of the same key
// merges with it (the union of the intervals, states merged), like any overlapping sessions of
// one key. Thread-safe (reads immutable batch snapshots, and the speed cells under their lock).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "serving/batch_view_cache.h"
#include "serving/query_result.h"
#include "serving/session.h"
#include "serving/speed_service.h"
#include "serving/view_versions.h"
#include "sql/view_plan.h"

namespace braid::serving {

using sql::kSourceColumn;
// Where a row's events came from: `_source` BATCH, SPEED or MERGED.
inline constexpr uint8_t kFromBatch = 0;
inline constexpr uint8_t kFromSpeed = 1;
inline constexpr uint8_t kFromBoth = 2;

struct ViewCells {
  sql::ViewPlanPtr plan;  // the definition the rows follow
  // plan->cell_schema: BatchViewSchema(*plan) columns, then `_source` STRING. Only rows whose
  // `_having` is TRUE are rows of the view: FALSE is a cell whose HAVING failed, or a batch row a
  // MERGED row of the same cell replaces.
  std::vector<Chunk> rows;
  QueryCoverage coverage;
  // The rows are exactly the cells the read's lookup admits (no cell outside it), so a WHERE the
  // lookup holds (CellLookup::holds_where) keeps every row and need not be evaluated.
  bool lookup_held = false;
};

struct ViewCellsReader {
  ViewVersions& versions;
  SpeedService& speed;
  BatchViewCache& cache;
  std::filesystem::path data_dir;
  const QueryControl& control;
};

// `rows` (BatchViewSchema) with `_source` appended (schema: theirs plus `_source`): the name of
// sources[r] (kFrom*) per row, or of one source for every row.
Chunk WithSourceColumn(Chunk rows, const SchemaPtr& schema, std::span<const uint8_t> sources);
Chunk WithSourceColumn(Chunk rows, const SchemaPtr& schema, uint8_t source);

// The cells of `plan`'s view for `consistency`, at least those `lookup` asks for. With
// `with_states` the rows keep serialized states (roll-ups re-aggregate them); otherwise the state
// columns are empty strings (batch rows' states are copied out of the cache only for the cells
// the speed layer holds too, to merge them; session windows keep them).
Result<ViewCells> ReadViewCells(const sql::ViewPlanPtr& plan, Consistency consistency,
                                const CellLookup& lookup, bool with_states,
                                const ViewCellsReader& reader);

}  // namespace braid::serving
