// POST /v1/sql: runs one statement through serving::Database::Execute on a blocking thread (a
// point read whose rows are in memory on the io thread that received it: api.h), in a
// fresh serving::Session that starts from the server's query limits (ApiOptions::query_limits,
// braid.toml [query]). The body is the SQL text, or (Content-Type application/json, or a body
// starting with '{') a JSON object `{"sql": "...", "consistency": "merged|exact|speed",
// "max_staleness": "10s", "max_rows": n, "timeout_ms": n}` where every member but sql is optional
// and an unknown member is an error. The answer is `{"columns": [{"name", "type"}], "rows":
// [[...]], "command": tag, "message": text, "meta": {"elapsed_ms", "consistency", "requested",
// "routing", "staleness_ms"[, "batch_epoch", "batch_version", "batch_horizon",
// "speed_watermark"]}}`: TIMESTAMP values are RFC 3339 strings with microseconds, NULL is null,
// BIGINT a JSON integer, DOUBLE a number (null for NaN/infinity). meta.consistency is the layers
// read, requested what the request asked, routing null or why they differ (a max_staleness the
// asked layers could not meet), staleness_ms null or how old the answer may be.
//
// An answer longer than ApiOptions::streamed_answer_bytes is streamed: chunked transfer, the JSON
// written piece by piece from the result's rows as the client reads, so the whole text is never
// held at once (a blocking thread waits while the client is slow; a point read run on an io
// thread hands its answer over to one, as an io thread must not wait). Shorter answers carry a
// Content-Length. Errors carry the statement's SQLSTATE-mapped code and, for SQL errors, "line"
// and "column": a result over max_rows is 413 (SQLSTATE 54000), a statement past timeout_ms 408
// (57014).
#pragma once

#include <string>

#include "server/api.h"
#include "serving/query_result.h"
#include "serving/session.h"

namespace braid::server {

void HandlePostSql(ApiContext& context, const Request& request, Responder responder);

// What an answer's meta says besides the result's coverage.
struct AnswerMeta {
  double elapsed_ms = 0;
  serving::Consistency requested = serving::Consistency::kMerged;
};

// The whole JSON answer for a statement's result (for tests and other JSON protocols).
std::string QueryResultJson(const serving::QueryResult& result, const AnswerMeta& meta);

// Whether an error answer keeps the statement's line:column: not when the text was generated
// from a request's parameters (GET /v1/views/{view}), whose positions mean nothing to the client.
enum class ErrorPositions : uint8_t { kKeep, kDrop };

// Runs `sql` in `session` (on a blocking thread, or on this io thread when it is a point read
// whose rows are in memory) and answers with its result (streamed when long) or its error.
void AnswerStatement(ApiContext& context, std::string sql, serving::Session session,
                     ErrorPositions positions, Responder responder);

}  // namespace braid::server
