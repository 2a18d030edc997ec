// GET /v1/status: what the engine holds, per API.md: every stream's log and its capture into the lake:
// `{"streams": {"telemetry": {"events": N, "bytes": B, "partitions": [{"id", "start_offset",
// "end_offset", "bytes"}], "dead_letters": n, "capture": {"epoch", "end_offsets", "table_version",
// "lag_events", "lag_seconds", "files", "bytes", "small_files"}}}, "uptime_s": s,
// "version": "0.1.0 (build …)"}`.
// Figures are read without blocking appends (the log's counters), so they are a consistent view
// per partition, not across partitions.
#pragma once

#include "server/api.h"

namespace braid::server {

void HandleGetStatus(ApiContext& context, const Request& request, Responder responder);

}  // namespace braid::server
