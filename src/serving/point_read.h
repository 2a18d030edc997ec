// Which SQL statements are point reads: a SELECT over a view whose WHERE binds every key column
// of the view to at most kMaxPointReadCells combinations of values, as the view's index lookup
// reads them (serving/query_pushdown.h LookupOf, the function the engine itself uses), so the
// statement reads the cells of those keys and nothing else. The HTTP server runs point reads
// whose rows are in memory (Database::IsInMemoryRead) on the io thread that received them
// instead of its blocking pool (server/api_sql.h), which saves two thread hand-offs per request;
// everything else (DDL, which fsyncs the catalog; scans; queries over streams, which read the
// log; SET, SHOW) is not a point read.
// Pure function of the statement and the catalog; thread-safe.
#pragma once

#include <cstddef>

#include "sql/ast.h"
#include "sql/catalog.h"

namespace braid::serving {

// A point read may ask for up to this many key combinations (`device_id IN ('a', 'b')` is 2).
inline constexpr size_t kMaxPointReadCells = 16;

// The view `statement` reads when it is a point read; null when it is not.
sql::ViewPlanPtr PointReadView(const sql::ParsedStatement& statement, const sql::Catalog& catalog);

}  // namespace braid::serving
