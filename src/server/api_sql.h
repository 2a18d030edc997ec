// POST /v1/sql: runs one statement through serving::Database::Execute on a blocking thread.
// The body is the SQL text, or (Content-Type application/json, or a body starting with '{') a
// JSON object `{"sql": "...", "consistency": "merged|exact|speed"}`. The answer is
// `{"columns": [{"name", "type"}], "rows": [[...]], "command": tag, "message": text,
// "meta": {"elapsed_ms", "consistency"}}`: TIMESTAMP values are RFC 3339 strings with
// microseconds, NULL is null, BIGINT a JSON integer, DOUBLE a number (null for NaN/infinity).
// Errors carry the statement's SQLSTATE-mapped code and, for SQL errors, "line" and "column".
#pragma once

#include <string>

#include "server/api.h"
#include "serving/query_result.h"

namespace braid::server {

void HandlePostSql(ApiContext& context, const Request& request, Responder responder);

// The JSON answer for a statement's result (exposed for tests and other JSON protocols).
std::string QueryResultJson(const serving::QueryResult& result, double elapsed_ms,
                            std::string_view consistency);

}  // namespace braid::server
