#include "serving/view_versions.h"

#include <charconv>
#include <string>
#include <system_error>

#include "batch/batch_view_table.h"
#include "common/file_util.h"
#include "common/hash.h"
#include "common/schema.h"

namespace braid::serving {
namespace {

constexpr std::string_view kCurrentFile = "CURRENT";

// "v12" -> 12; anything else -> 0.
int64_t VersionOfDirectory(std::string_view name) {
  if (name.size() < 2 || name[0] != 'v') return 0;
  int64_t version = 0;
  const auto [end, error] = std::from_chars(name.data() + 1, name.data() + name.size(), version);
  if (error != std::errc() || end != name.data() + name.size()) return 0;
  return version;
}

}  // namespace

std::filesystem::path ViewVersions::ViewDir(std::string_view view) const {
  return data_dir_ / "views" / CanonicalIdentifier(view);
}

Result<int64_t> ViewVersions::CurrentNumber(std::string_view view) const {
  const std::filesystem::path path = ViewDir(view) / kCurrentFile;
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return int64_t{0};
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  int64_t version = 0;
  const auto [end, parse_error] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (parse_error != std::errc() || end != text.data() + text.size() || version < 1) {
    return Status(StatusCode::kCorruption,
                  path.string() + ": not a view version number: \"" + text + "\"");
  }
  return version;
}

Result<int64_t> ViewVersions::NextVersion(std::string_view view) const {
  const std::filesystem::path dir = ViewDir(view);
  int64_t highest = 0;
  std::error_code error;
  if (std::filesystem::exists(dir, error)) {
    ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(dir));
    for (const std::string& name : names) highest = std::max(highest, VersionOfDirectory(name));
  }
  ASSIGN_OR_RETURN(int64_t current, CurrentNumber(view));
  return std::max(highest, current) + 1;
}

Result<std::optional<ServedVersion>> ViewVersions::Served(const sql::ViewPlanPtr& current_plan) {
  const std::string key = CanonicalIdentifier(current_plan->name);
  std::lock_guard lock(mu_);
  auto it = served_.find(key);
  if (it != served_.end()) return std::optional<ServedVersion>(it->second);
  ASSIGN_OR_RETURN(int64_t number, CurrentNumber(key));
  if (number == 0) return std::optional<ServedVersion>();
  // Published before this process started: servable only with the definition it was built from.
  Result<batch::BatchViewTable> table =
      batch::BatchViewTable::Open(data_dir_, current_plan, number);
  // Another definition's columns: that version cannot be read with the current plan.
  if (!table.ok() && table.status().code() == StatusCode::kTypeMismatch) {
    return std::optional<ServedVersion>();
  }
  if (!table.ok()) return table.status();
  ASSIGN_OR_RETURN(batch::BatchHorizon horizon, table->Horizon());
  if (horizon.definition_hash != Hash64(current_plan->sql)) return std::optional<ServedVersion>();
  ServedVersion served{number, current_plan};
  served_[key] = served;
  return std::optional<ServedVersion>(served);
}

Status ViewVersions::Publish(const sql::ViewPlanPtr& plan, int64_t version) {
  const std::string key = CanonicalIdentifier(plan->name);
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(CreateDirectoriesDurably(ViewDir(key)));
  RETURN_IF_ERROR(WriteFileAtomically(ViewDir(key) / kCurrentFile, std::to_string(version) + "\n"));
  served_[key] = ServedVersion{version, plan};
  return Status::Ok();
}

void ViewVersions::Forget(std::string_view view) {
  std::lock_guard lock(mu_);
  served_.erase(CanonicalIdentifier(view));
}

}  // namespace braid::serving
