// GET /v1/views/{view}?{key}=v&from=&to=&consistency=&max_staleness=&limit=&offset=: the rows of
// a view, answered exactly like POST /v1/sql (api_sql.h), streamed when long.
//
// Parameters: a key column of the view (an output column that is a GROUP BY key, matched
// case-insensitively) keeps the rows whose key equals the value, parsed as the column's type (a
// TIMESTAMP as RFC 3339 or epoch milliseconds); repeating it keeps any of the values (IN).
// `from` and `to` (RFC 3339 or epoch milliseconds) keep the rows with from <= window_end <= to,
// for windowed views only. `consistency` (merged, exact, speed) and `max_staleness` ("10s") are
// the routing hints of POST /v1/sql; `limit` and `offset` are SQL's LIMIT and OFFSET. Rows come
// ordered by window_end, then the keys. The handler translates the parameters into a
// sql::SelectStatement over the view and runs its canonical text (sql/printer.h, which quotes
// names and literals) through the engine in a session with the server's query limits.
//
// Errors: an unknown view is the engine's 404 (42P01); a parameter naming no column is 400
// undefined_column, a column that is not a key, a value that does not parse, a repeated or
// unwindowed from/to, a bad consistency, limit or offset are 400 invalid_argument. Error answers
// carry no line and column (the statement text is not the client's).
#pragma once

#include "server/api.h"

namespace braid::server {

void HandleGetViewRows(ApiContext& context, const Request& request, Responder responder);

}  // namespace braid::server
