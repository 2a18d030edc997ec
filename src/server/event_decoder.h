// EventDecoder: turns the body of an ingest request into a Chunk of the stream's schema, with
// simdjson (On Demand) parsing the body in place (it must be a PaddedText). Two framings:
//   - NDJSON: one event per line; blank lines are skipped and not counted. A line that is not
//     well-formed JSON is a bad event like any other, so one broken line never costs the others.
//   - A JSON array of events. The array's structure must be sound: a body that cannot be split
//     into elements fails as a whole (kDataError with the line:column of the damage). An element
//     that is itself malformed is a bad event.
//
// An event is a JSON object whose members are the stream's columns, matched case-insensitively.
// Value rules, by column type:
//   BIGINT     a JSON integer in int64 range; a number with a fraction part of zero (3.0, 1e3) is
//              that integer, any other fraction is an error
//   DOUBLE     any JSON number
//   BOOLEAN    true or false
//   STRING     a JSON string (numbers are not converted)
//   TIMESTAMP  an RFC 3339 string, or an integer of epoch milliseconds (same rule as BIGINT)
// `null` or an absent member is NULL; that is an error for a NOT NULL column and for the
// stream's timestamp column (SEMANTICS.md: an event without event time is a data error). An
// unknown or repeated member is an error. Each bad event is reported with its 0-based index in
// the request, the field (as declared, or as sent when unknown; empty when the event as a whole
// is bad), a message and its raw text, and only the valid events go into the Chunk, in order.
//
// Hot path: no allocation per event beyond the Chunk's own growth (values are staged in a
// per-decoder row and appended once the event is known to be valid). One decoder serves one
// request at a time; it is not thread-safe, and cheap to create per request.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/chunk.h"
#include "server/padded_body.h"

namespace braid::server {

enum class EventFormat : uint8_t { kNdjson, kJsonArray };

// NDJSON when the content type says so (application/x-ndjson, application/jsonl), otherwise a
// JSON array exactly when the first non-whitespace byte is '['.
EventFormat DetectEventFormat(std::string_view content_type, std::string_view body);

struct EventError {
  uint64_t index = 0;  // position of the event in the request, from 0
  std::string field;   // empty when the event as a whole is bad
  std::string message;
  std::string raw;  // the event's text as received

  bool operator==(const EventError&) const = default;
};

struct DecodedEvents {
  Chunk events;                    // the valid events, in request order
  std::vector<EventError> errors;  // the bad events, in request order
  uint64_t total = 0;              // events in the request, valid and bad
};

class EventDecoder {
 public:
  // `timestamp_column` is the stream's event-time column (never NULL), if it has one.
  EventDecoder(SchemaPtr schema, std::optional<size_t> timestamp_column);
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // Decodes every event of `body`. Fails only when a JSON array body is malformed as a whole.
  Result<DecodedEvents> Decode(const PaddedText& body, EventFormat format);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace braid::server
