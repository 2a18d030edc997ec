// View queries: `SELECT items FROM view [WHERE ...] [ORDER BY ...] [LIMIT n] [OFFSET n]` answered
// with consistency `exact` from the served batch version of the view (issue 5 item 6): complete
// and final for every event of the epochs <= B the version absorbed, `_source` = 'BATCH'; or with
// consistency `speed` from the speed layer's generations > B (issue 6 item 7), `_source` =
// 'SPEED', meta batch_epoch = that B and speed_watermark. The rows are the view's
// output columns (HAVING applied, state columns dropped); WHERE, the
// select items and ORDER BY are bound with sql::BindScalar over those columns, so every scalar
// function and operator of the dialect works. ORDER BY sorts ascending with NULLs last (DESC:
// NULLs first) as PostgreSQL does; without ORDER BY rows come in the version's stored order.
//
// Until the serving layer merges batch and speed states (issue 7), the `merged` consistency,
// GROUP BY roll-ups, DISTINCT and SELECT over a stream are kUnsupported with the
// statement's position rather than answered wrongly. A view without a served version answers no
// rows (batch_epoch 0). Thread-safe: reads immutable snapshots only.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/status.h"
#include "serving/query_result.h"
#include "serving/session.h"
#include "serving/speed_service.h"
#include "serving/view_versions.h"
#include "sql/ast.h"
#include "sql/catalog.h"

namespace braid::serving {

struct ViewQueryContext {
  const sql::Catalog& catalog;
  ViewVersions& versions;
  SpeedService& speed;
  std::filesystem::path data_dir;
  const Session& session;  // consistency, routing hints, limits
  const QueryControl& control;
};

Result<QueryResult> ExecuteViewQuery(const sql::SelectStatement& select,
                                     const ViewQueryContext& context);

}  // namespace braid::serving
