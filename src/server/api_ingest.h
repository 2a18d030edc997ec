// Ingest endpoints (API.md, "Ingest").
//
// POST /v1/streams/{stream}/events: the body (NDJSON or a JSON array, see event_decoder.h) is
// decoded on the io thread into one Chunk and appended with StreamLog::AppendAsync; the answer is
// written from the log's completion, so a 200 `{"accepted": n, "rejected": m, "partitions":
// [{"id", "base_offset"}]}` means the events are durable. By default a request is atomic: any bad
// event makes it a 400 data_error listing the bad events (`index`, `field`, `error`; at most
// kMaxListedErrors, with `omitted` counting the rest) and nothing is appended.
// `?on_error=dead_letter` appends the valid events and keeps each bad one (raw text, reason,
// field, index) in the stream's dead-letter partition; the dead letters are written first, so a
// failure never loses a rejected event, though a retried request may keep them twice. An
// `Idempotency-Key` header makes retries safe: a key already in the log answers 200 with
// `"duplicate": true` and appends nothing; a key whose request is still in flight answers 409.
// An unknown stream is 404.
//
// GET /v1/streams/{stream}/dead_letters?limit=N&from=OFFSET: the kept rejected events, oldest
// first, from OFFSET (default: the newest N), N at most kMaxDeadLettersPerRead (default 100):
// `{"stream", "start_offset", "end_offset", "dead_letters": [{"offset", "received_at", "index",
// "field", "reason", "raw"}]}`.
#pragma once

#include <cstddef>

#include "server/api.h"

namespace braid::server {

inline constexpr size_t kMaxListedErrors = 1000;
inline constexpr size_t kMaxIdempotencyKeyBytes = 256;
inline constexpr uint64_t kDefaultDeadLettersPerRead = 100;
inline constexpr uint64_t kMaxDeadLettersPerRead = 10000;

void HandlePostEvents(ApiContext& context, const Request& request, Responder responder);
void HandleGetDeadLetters(ApiContext& context, const Request& request, Responder responder);

}  // namespace braid::server
