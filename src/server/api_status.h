// GET /v1/status: what the engine holds, per API.md. Today that is every stream's log:
// `{"streams": {"telemetry": {"events": N, "bytes": B, "partitions": [{"id", "start_offset",
// "end_offset", "bytes"}], "dead_letters": n}}, "uptime_s": s, "version": "0.1.0 (build …)"}`.
// Figures are read without blocking appends (the log's counters), so they are a consistent view
// per partition, not across partitions.
#pragma once

#include "server/api.h"

namespace braid::server {

void HandleGetStatus(ApiContext& context, const Request& request, Responder responder);

}  // namespace braid::server
