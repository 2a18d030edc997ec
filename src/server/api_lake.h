// The lake of a stream over HTTP (the master dataset's maintenance, DESIGN.md lake/):
//   GET  /v1/lake/{stream}/files                 {"version", "files": [{"path", "partition_values",
//                                                 "size", "stats"}], "bytes"}
//   POST /v1/lake/{stream}/optimize              {"table_version", "files_removed", "files_added"}
//   POST /v1/lake/{stream}/vacuum[?retention=7d&dry_run=true]
//                                                {"dry_run", "deleted": [paths]}
// All of them touch files, so they run on blocking threads. Unknown stream: 404; a bad retention:
// 400; an OPTIMIZE that lost a race to another commit: 409 (run it again).
#pragma once

#include "server/api.h"

namespace braid::server {

void HandleGetLakeFiles(ApiContext& context, const Request& request, Responder responder);
void HandlePostOptimize(ApiContext& context, const Request& request, Responder responder);
void HandlePostVacuum(ApiContext& context, const Request& request, Responder responder);

}  // namespace braid::server
