// Queries over views (issue 7): `SELECT items FROM view [WHERE ...] [GROUP BY ...] [HAVING ...]
// [ORDER BY ...] [LIMIT n] [OFFSET n]`, and SELECT without FROM (one row of expressions).
// The view's rows come from view_cells.h with the session's consistency (merged by default:
// batch states merged with the speed generations > B per cell; exact; speed) and the routing
// hint max_staleness; key equality and window_end ranges in WHERE are looked up in the batch
// view's index (query_pushdown.h). WHERE, ORDER BY, OFFSET, LIMIT and the items are evaluated
// over the rows (row_answer.h); GROUP BY re-aggregates from the view's states or aggregates its
// rows (view_rollup.h). Every answer's coverage says the layers read, the batch epoch, version
// and horizon, the speed watermark, the staleness and any routing. Limits: more rows than the
// session's max_result_rows is kTooLarge; the query stops with kCancelled at its next step once
// cancelled or past statement_timeout. A view without a served version answers the speed rows
// only (merged) or no rows (exact). SELECT over a stream reads its newest events in the log
// (stream_query.h). SELECT DISTINCT is GROUP BY of its items. Thread-safe.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/status.h"
#include "log/log_manager.h"
#include "serving/batch_view_cache.h"
#include "serving/query_result.h"
#include "serving/session.h"
#include "serving/speed_service.h"
#include "serving/view_versions.h"
#include "sql/ast.h"
#include "sql/catalog.h"

namespace braid::serving {

struct ViewQueryContext {
  const sql::Catalog& catalog;
  const log::LogManager& logs;
  ViewVersions& versions;
  SpeedService& speed;
  BatchViewCache& cache;
  std::filesystem::path data_dir;
  const Session& session;  // consistency, routing hints, limits
  const QueryControl& control;
};

Result<QueryResult> ExecuteViewQuery(const sql::SelectStatement& select,
                                     const ViewQueryContext& context);

}  // namespace braid::serving
