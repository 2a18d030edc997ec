// The alerts file, DATA/alerts/alerts.jsonl: append-only, one alert per line, each line the alert's
// JSON object with "sequence": N (the line number, from 1) inserted as its first member, ended by
// '\n'. A line without its '\n' can only be the torn tail of an append cut short by a crash; the
// hub truncates it away at open. These helpers read the file in blocks by byte range, so readers
// (subscriber replay, webhook threads) never see more than the range the writer has committed.
// Pure functions over file descriptors; thread-safe as pread is.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "speed/alert_hub.h"

namespace simdjson::dom {
class parser;
}  // namespace simdjson::dom

namespace braid::speed {

// The stored form of an alert (without the '\n'): `json` with "sequence" inserted first.
// kInvalidArgument when `json` is not an object.
Result<std::string> StoredAlertLine(std::string_view json, uint64_t sequence);

// Reads a stored line back: sequence, id, rule, view and window_end from the JSON, json = the line.
// "sequence", "id" and "window_end" are required; a line missing them is kCorruption.
Result<Alert> ParseStoredAlert(std::string_view line, simdjson::dom::parser& parser);

// Calls visit(line) (without its '\n') for each complete line of the file's bytes [offset, end), in
// order, reading blocks of about 1 MiB; stops at the first line for which visit returns false.
// Returns the offset just after the last line visit accepted (bytes after the last '\n' before
// `end`, a torn tail, are never visited).
Result<uint64_t> ForEachStoredLine(int fd, const std::filesystem::path& path, uint64_t offset,
                                   uint64_t end,
                                   const std::function<bool(std::string_view line)>& visit);

}  // namespace braid::speed
