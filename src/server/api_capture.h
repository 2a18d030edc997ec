// POST /v1/capture[?stream=NAME]: seal a capture epoch now (log -> lake) for one stream or every
// stream. Answer: `{"streams": {"telemetry": {"outcome": "committed"|"no_new_events"|
// "already_committed", "epoch": k, "events": n, "files": f, "table_version": v,
// "end_offsets": [...]}}}`, plus the stream's fields at the top level (`"epoch": k`, ...) when a
// single stream was captured. Capture writes and fsyncs files, so it runs on a blocking thread.
#pragma once

#include "server/api.h"

namespace braid::server {

void HandlePostCapture(ApiContext& context, const Request& request, Responder responder);

}  // namespace braid::server
