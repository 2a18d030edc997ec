// Grouped queries over a view (API.md: "Grouping a view by fewer keys or a coarser window
// re-aggregates from the stored aggregate states, so AVG, STDEV, COUNT(DISTINCT) and percentiles
// stay correct"). Two forms, told apart by whether the query calls aggregate functions:
//
//  - Roll-up (GROUP BY without aggregate calls): GROUP BY names view key columns (or
//    expressions of them) and optionally a window over the view's window_end, e.g.
//      SELECT device_id, System.Timestamp() AS window_end, event_count, avg_temperature
//      FROM device_metrics GROUP BY device_id, TumblingWindow(hour, 1)
//    A select item naming one of the view's aggregate columns is that column's definition
//    evaluated over the coarser group: the view's own aggregate states of every row in the
//    group are merged (agg/ merge), finalized, and the view's expression (CASE over AVG, ...) is
//    evaluated on them. A view row counts in the window containing its window_end (windows
//    (start, end] as everywhere; for a coarser aligned grid this is exact). `_source` of a group
//    is BATCH or SPEED when all its rows came from that layer, else MERGED. HAVING is evaluated
//    on the rolled-up values. Internally the query becomes a view over the base view's stream
//    (the base definition with the query's keys and window) whose aggregates are matched to the
//    base aggregates by their SQL text; the base states are fed to it with HashAggregator's
//    ConsumeStates. Session windows cannot be a roll-up's window.
//  - Aggregation over rows (aggregate calls such as COUNT(*), SUM(event_count)): standard SQL
//    over the view's rows, as if the rows were a stream whose event time is window_end: the
//    query is bound and run as a view over those rows with the batch layer's HashAggregator.
//    Without GROUP BY it answers one row even over no rows (COUNT(*) = 0). Bare aggregate
//    columns cannot be mixed in (kGroupingError with a hint).
//
// The query's WHERE has already filtered the view's rows; ORDER BY, OFFSET and LIMIT are left to
// row_answer.h. Both return the select items' columns in order (roll-up: then `_source`).
// Thread-safe (pure functions of their inputs).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "sql/ast.h"
#include "sql/view_binder.h"
#include "sql/view_plan.h"

namespace braid::serving {

// Whether the query groups (GROUP BY, or an aggregate call in its items or HAVING), and whether
// it is a roll-up (GROUP BY without aggregate calls).
bool IsGroupedQuery(const sql::SelectStatement& select);
bool IsRollUp(const sql::SelectStatement& select);

// `cells`: BatchViewSchema(*base) rows of the view's rows (HAVING held, WHERE applied) with
// states, then `_source`. `environment` finds the base view's stream.
Result<Chunk> RollUpView(const sql::SelectStatement& select, const sql::ViewPlanPtr& base,
                         const std::vector<Chunk>& cells,
                         const sql::BindEnvironment& environment);

// `rows`: the view's rows (its output columns, then `_source`), or a stream's events (its columns,
// then _ingested_at, _partition, _offset). Event time: `time_column` (a TIMESTAMP column of the
// rows), else _ingested_at.
Result<Chunk> AggregateViewRows(const sql::SelectStatement& select, const std::string& view,
                                const Chunk& rows, const std::optional<std::string>& time_column);

}  // namespace braid::serving
