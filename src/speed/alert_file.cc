#include "speed/alert_file.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>

#include "common/file_util.h"

namespace braid::speed {

namespace {

constexpr uint64_t kBlockBytes = 1 << 20;

Status Corrupt(std::string_view line, std::string_view what) {
  constexpr size_t kShown = 80;
  return Status(StatusCode::kCorruption,
                fmt::format("alert line {}: {}", line.substr(0, kShown), what));
}

}  // namespace

Result<std::string> StoredAlertLine(std::string_view json, uint64_t sequence) {
  size_t open = json.find_first_not_of(" \t\r\n");
  if (open == std::string_view::npos || json[open] != '{') {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("alert json must be an object: {}", json.substr(0, 80)));
  }
  std::string_view members = json.substr(open + 1);
  size_t first = members.find_first_not_of(" \t\r\n");
  bool empty_object = first != std::string_view::npos && members[first] == '}';
  return fmt::format("{{\"sequence\":{}{}{}", sequence, empty_object ? "" : ",", members);
}

Result<Alert> ParseStoredAlert(std::string_view line, simdjson::dom::parser& parser) {
  simdjson::dom::object object;
  if (parser.parse(line.data(), line.size()).get_object().get(object) != simdjson::SUCCESS) {
    return Corrupt(line, "is not a JSON object");
  }
  Alert alert;
  if (object["sequence"].get_uint64().get(alert.sequence) != simdjson::SUCCESS) {
    return Corrupt(line, "has no unsigned integer \"sequence\"");
  }
  std::string_view text;
  if (object["id"].get_string().get(text) != simdjson::SUCCESS) {
    return Corrupt(line, "has no string \"id\"");
  }
  alert.id = std::string(text);
  if (object["window_end"].get_string().get(text) != simdjson::SUCCESS) {
    return Corrupt(line, "has no string \"window_end\"");
  }
  Result<Timestamp> window_end = ParseRfc3339(text);
  if (!window_end.ok()) return Corrupt(line, window_end.status().message());
  alert.window_end = *window_end;
  if (object["rule"].get_string().get(text) == simdjson::SUCCESS) alert.rule = std::string(text);
  if (object["view"].get_string().get(text) == simdjson::SUCCESS) alert.view = std::string(text);
  alert.json = std::string(line);
  return alert;
}

Result<uint64_t> ForEachStoredLine(int fd, const std::filesystem::path& path, uint64_t offset,
                                   uint64_t end,
                                   const std::function<bool(std::string_view line)>& visit) {
  std::string block;
  uint64_t want = kBlockBytes;
  while (offset < end) {
    const uint64_t size = std::min(want, end - offset);
    block.clear();
    RETURN_IF_ERROR(PReadExact(fd, offset, size, &block, path));
    const size_t last_newline = block.rfind('\n');
    if (last_newline == std::string::npos) {
      if (offset + size == end) return offset;  // only a torn tail is left
      want *= 2;                                // one line longer than a block
      continue;
    }
    std::string_view lines(block.data(), last_newline + 1);
    while (!lines.empty()) {
      const size_t newline = lines.find('\n');
      if (!visit(lines.substr(0, newline))) return offset;
      offset += newline + 1;
      lines.remove_prefix(newline + 1);
    }
    want = kBlockBytes;
  }
  return offset;
}

}  // namespace braid::speed
