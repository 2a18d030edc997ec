// Which SQL statements are point reads: a SELECT over a view whose WHERE binds every key column
// of the view to at most kMaxPointReadCells combinations of values, as the view's index lookup
// reads them (serving/query_pushdown.h LookupOf, the function the engine itself uses), so the
// statement reads the cells of those keys and nothing else. The HTTP server runs point reads on
// an io thread instead of its blocking pool (server/api_sql.h), which saves two thread hand-offs
// per request; everything else (DDL, which fsyncs the catalog; scans; queries over streams, which read
// the log; SET, SHOW; text that does not parse) is not a point read. The test parses the
// statement once more (the engine parses it again to execute it): a few microseconds.
// Pure function of the text and the catalog; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "sql/catalog.h"

namespace braid::serving {

// A point read may ask for up to this many key combinations (`device_id IN ('a', 'b')` is 2).
inline constexpr size_t kMaxPointReadCells = 16;

bool IsPointRead(std::string_view sql, const sql::Catalog& catalog);

}  // namespace braid::serving
