// GET /v1/status: what the engine holds, per API.md: every stream's log and its capture into the lake:
// `{"streams": {"telemetry": {"events": N, "bytes": B, "partitions": [{"id", "start_offset",
// "end_offset", "bytes"}], "dead_letters": n, "capture": {"epoch", "end_offsets", "table_version",
// "lag_events", "lag_seconds", "files", "bytes", "small_files"}}}, "uptime_s": s,
// "views": {"per_minute": {"version", "batch_epoch", "batch_horizon", "last_refresh",
// "building"}}, "version": "0.1.0 (build …)"}`.
// Figures are read without blocking appends (the log's counters), so they are a consistent view
// per partition, not across partitions.
//
// Per view (every view of the catalog): `version` is the served batch version (null when none is
// served), `batch_epoch` its last absorbed capture epoch B (0 when none), `batch_horizon` the
// instant up to which that version is complete in ingestion time, RFC 3339 (null when B is 0):
// the instant at which capture read the end offsets E(B) of epoch B, so every event acknowledged
// before it is in an epoch <= B and counted (lake/capture.h sealedAt; not the time of the capture
// commit, which is later, nor of the latest epoch, which the version may not have absorbed).
// `last_refresh` is {"job", "kind", "state", "finished"} of the view's newest job (refresh or
// recompute; finished null while it runs), or null; `building` the version a recompute is
// writing, or null. A view whose figures cannot be read has {"error": message} instead. Coverage
// is cached per view table version (serving/view_versions.h), so a status costs a few stats.
#pragma once

#include "server/api.h"

namespace braid::server {

void HandleGetStatus(ApiContext& context, const Request& request, Responder responder);

}  // namespace braid::server
