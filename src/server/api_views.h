// The batch job endpoints (API.md, serving/batch_jobs.h):
//   POST /v1/views/{view}/refresh    queue an incremental refresh: `202 {"job": id}`
//   POST /v1/views/{view}/recompute  queue a full recompute into a new version: `202 {"job": id}`
//   GET  /v1/jobs/{id}               one job: {"id", "kind", "view", "state", "progress",
//                                    "submitted", "started", "finished", "duration_ms", "version",
//                                    "from_epoch", "to_epoch", "rows_read", "bytes_read",
//                                    "rows_written", "attempt", "retry_of", "retried_by", "error"}
//   GET  /v1/jobs                    {"jobs": [...]}, newest first
// An unknown view or job is 404 (42P01). Submitting only queues, so the handlers answer on the io
// thread; the work runs on the job runner's thread.
#pragma once

#include <string>

#include "server/api.h"
#include "serving/batch_jobs.h"

namespace braid::server {

void HandlePostRefresh(ApiContext& context, const Request& request, Responder responder);
void HandlePostRecompute(ApiContext& context, const Request& request, Responder responder);
void HandleGetJob(ApiContext& context, const Request& request, Responder responder);
void HandleGetJobs(ApiContext& context, const Request& request, Responder responder);

// The JSON object of one job (exposed for tests).
std::string JobJson(const serving::JobInfo& job);

}  // namespace braid::server
