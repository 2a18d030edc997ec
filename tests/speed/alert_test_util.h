// Helpers shared by the AlertHub tests: alerts with a known JSON form and reading the alerts file
// back line by line.
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/time.h"
#include "speed/alert_hub.h"

namespace braid::speed::testing {

inline Timestamp WindowBase() { return *ParseRfc3339("2026-11-20T00:00:00Z"); }

// The alert of rule "hot" on view "temps" for device `id`'s window ending `minutes` after the base.
inline Alert MakeAlert(const std::string& id, int64_t minutes = 1) {
  const Timestamp end = WindowBase() + Duration::Minutes(minutes);
  Alert alert;
  alert.id = id;
  alert.rule = "hot";
  alert.view = "temps";
  alert.window_end = end;
  alert.json = fmt::format(R"({{"id":"{}","rule":"hot","view":"temps","keys":{{"device":"{}"}},)"
                           R"("window_start":"{}","window_end":"{}","values":{{"max_temp":91.5}},)"
                           R"("fired_at":"2026-11-20T01:00:00.000000Z"}})",
                           id, id, FormatRfc3339(end - Duration::Minutes(1)), FormatRfc3339(end));
  return alert;
}

// What the file must hold for `alert` stored with `sequence` (without the newline).
inline std::string StoredLine(const Alert& alert, uint64_t sequence) {
  return fmt::format(R"({{"sequence":{},{})", sequence, alert.json.substr(1));
}

inline std::vector<std::string> FileLines(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline std::string FileText(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace braid::speed::testing
