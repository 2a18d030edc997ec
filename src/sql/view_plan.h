// ViewPlan: a bound CREATE VIEW, the one plan that both the batch and the speed layer execute
// (DESIGN.md, sql/). Three steps, each over Chunks with the one evaluator:
//   1. over source rows (input_schema: the stream's columns, then _ingested_at TIMESTAMP,
//      _partition BIGINT and _offset BIGINT, exactly the lake's data file columns, so a lake file
//      is a valid input and the speed layer builds the same from log batches): `filter` keeps
//      rows, `event_time` gives t, `keys` give the group, the window assigns (keys, window) cells,
//      and each aggregate's `input` (after its FILTER) updates that cell's state;
//   2. a grouped chunk (grouped_schema): the keys, window_start, window_end, then one column per
//      aggregate with its finalized value;
//   3. over grouped rows: `having` keeps rows and `outputs` compute the view's columns.
// output_schema = the keys (named as selected), window_start, window_end (when windowed), then
// the outputs, in select-list order among themselves. Window rules are SEMANTICS.md's. A plan is
// immutable once bound; share it as std::shared_ptr<const ViewPlan>.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agg/aggregate_function.h"
#include "common/schema.h"
#include "common/time.h"
#include "sql/bound_expression.h"
#include "sql/expression.h"

namespace braid::sql {

// The column every row a query reads of a view ends with: BATCH, SPEED or MERGED (API.md).
inline constexpr std::string_view kSourceColumn = "_source";

// The ingestion metadata columns every view input ends with (and lake files hold).
inline constexpr std::string_view kIngestedAtColumn = "_ingested_at";
inline constexpr std::string_view kPartitionColumn = "_partition";
inline constexpr std::string_view kOffsetColumn = "_offset";
// The stream's columns then _ingested_at, _partition, _offset.
SchemaPtr ViewInputSchema(const Schema& stream_schema);

// A window in microseconds, validated: size > 0; hopping: 0 < hop <= size; session: 0 < timeout
// <= max_duration. offset is normalized to [0, hop) (tumbling: hop == size; session: [0, max)).
struct WindowDefinition {
  WindowKind kind = WindowKind::kTumbling;
  Duration size;          // tumbling and hopping: the window length; session: the timeout
  Duration hop;           // hopping: the hop; tumbling: == size; session: unused (0)
  Duration max_duration;  // session only
  Duration offset;
  std::vector<BoundExprPtr> partition_by;  // session only, over input_schema; empty: one session
                                           // sequence for the whole stream (Stream Analytics)
};

struct ViewAggregate {
  agg::BoundAggregate aggregate;
  BoundExprPtr input;   // over input_schema; null for COUNT(*)
  BoundExprPtr filter;  // FILTER (WHERE ...) over input_schema; null without
  std::string sql;      // canonical text of the call, e.g. "AVG(temperature)"
};

struct GroupKey {
  std::string name;   // the output column name
  BoundExprPtr expr;  // over input_schema
};

struct ViewOutput {
  std::string name;
  BoundExprPtr expr;  // over grouped_schema
};

struct ViewPlan {
  std::string name;
  std::string source;  // the stream, as declared
  SchemaPtr input_schema;
  BoundExprPtr event_time;  // TIMESTAMP, over input_schema: TIMESTAMP BY, else the stream's
                            // timestamp column, else _ingested_at
  BoundExprPtr filter;      // BOOLEAN over input_schema; null without WHERE
  std::vector<GroupKey> keys;
  std::optional<WindowDefinition> window;  // none: one row per key set, no window columns
  std::vector<ViewAggregate> aggregates;
  SchemaPtr grouped_schema;  // keys, [window_start, window_end], then "_agg0", "_agg1", ...
  BoundExprPtr having;       // BOOLEAN over grouped_schema; null without HAVING
  std::vector<ViewOutput> outputs;
  SchemaPtr output_schema;
  std::string sql;  // canonical CREATE VIEW text (ToSql of the statement, without OR REPLACE)
  // Derived from the above when the plan is bound (DeriveRowSchemas), so that reads share them:
  SchemaPtr stored_schema;  // output_schema, `_having` BOOLEAN, then `_state_<i>` STRING per
                            // aggregate: a batch view's stored rows (batch::BatchViewSchema)
  SchemaPtr cell_schema;    // stored_schema, then kSourceColumn STRING: the cells a query reads
  SchemaPtr row_schema;     // output_schema, then kSourceColumn STRING: the view's rows queried

  // Index in grouped_schema of window_start (keys.size()) and of aggregate i.
  size_t window_start_index() const { return keys.size(); }
  bool has_session_window() const { return window && window->kind == WindowKind::kSession; }
  size_t aggregate_index(size_t i) const { return keys.size() + (window ? 2 : 0) + i; }
};
using ViewPlanPtr = std::shared_ptr<const ViewPlan>;

// Sets plan.stored_schema, cell_schema and row_schema from output_schema and aggregates.
void DeriveRowSchemas(ViewPlan& plan);

// A bound CREATE ALERT: a BOOLEAN condition over the view's output rows.
struct AlertPlan {
  std::string name;
  std::string view;
  BoundExprPtr condition;  // over the view's output_schema
  std::string sql;  // canonical CREATE ALERT text, without OR REPLACE
};
using AlertPlanPtr = std::shared_ptr<const AlertPlan>;

}  // namespace braid::sql
