#include "lake/vacuum.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "common/file_util.h"

namespace braid::lake {
namespace {

namespace fs = std::filesystem;

bool IsHidden(const fs::path& name) {
  const std::string text = name.string();
  return text.starts_with('_') || text.starts_with('.');
}

Result<Timestamp> ModificationTime(const fs::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return IoError("stat", path, errno);
  return Timestamp{static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000 + st.st_mtim.tv_nsec / 1000};
}

// Paths (decoded, relative to the table) VACUUM must keep.
Result<std::set<std::string>> ProtectedFiles(const DeltaSnapshot& snapshot, Timestamp cutoff) {
  std::set<std::string> keep;
  for (const auto& [path, add] : snapshot.files()) {
    ASSIGN_OR_RETURN(std::string decoded, DecodeDataFilePath(path));
    keep.insert(std::move(decoded));
  }
  for (const auto& [path, deleted_ms] : snapshot.tombstones()) {
    if (deleted_ms * 1000 < cutoff.micros) continue;
    ASSIGN_OR_RETURN(std::string decoded, DecodeDataFilePath(path));
    keep.insert(std::move(decoded));
  }
  return keep;
}

}  // namespace

Result<VacuumResult> Vacuum(const DeltaTable& table, const VacuumOptions& options) {
  ASSIGN_OR_RETURN(DeltaSnapshot snapshot, table.LoadSnapshot());
  if (!snapshot.exists()) return VacuumResult{};
  const Timestamp cutoff = options.now - options.retention;
  ASSIGN_OR_RETURN(std::set<std::string> keep, ProtectedFiles(snapshot, cutoff));
  VacuumResult result;
  std::error_code error;
  fs::recursive_directory_iterator it(table.dir(), error);
  if (error) return IoError("list", table.dir(), error.value());
  for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (error) return IoError("list", table.dir(), error.value());
    if (IsHidden(it->path().filename())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    const std::string relative = fs::relative(it->path(), table.dir()).string();
    if (keep.contains(relative)) continue;
    ASSIGN_OR_RETURN(Timestamp modified, ModificationTime(it->path()));
    if (modified >= cutoff) continue;
    result.deleted.push_back(relative);
  }
  std::sort(result.deleted.begin(), result.deleted.end());
  if (options.mode == VacuumOptions::Mode::kDryRun) return result;
  for (const std::string& relative : result.deleted) {
    if (!fs::remove(table.dir() / relative, error) && error) {
      return IoError("delete", table.dir() / relative, error.value());
    }
  }
  return result;
}

}  // namespace braid::lake
