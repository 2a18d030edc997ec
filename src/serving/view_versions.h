// ViewVersions: which version of each view's batch table is served (issue 5 item 4, API.md data
// directory). The served version N of a view is recorded in DATA/views/{view}/CURRENT (the decimal
// number and a newline), replaced atomically (temporary file, fsync, rename, fsync the
// directory), so a crash leaves the old or the new version served, never a mix. A recompute
// builds version N+1 beside N and Publish swaps it in only after its table committed: readers
// keep N until then (human fault tolerance: fix the logic, recompute, nothing lost).
//
// A served version also carries the plan its rows were computed with. CREATE OR REPLACE VIEW
// changes the catalog's plan at once, but the old version keeps being served with the plan it
// was published with until the new version commits. After a restart the plan of a served
// version is known only if the catalog's definition still matches the table's recorded
// definition hash; otherwise that version is not served and Served says so (the scheduler's
// next job recomputes it, batch_jobs.h).
//
// Thread-safe: one mutex guards the in-memory map; publishing is serialized with it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sql/view_plan.h"

namespace braid::serving {

// The version of a view that answers `exact` queries, with the plan that computed it.
struct ServedVersion {
  int64_t version = 0;  // >= 1
  sql::ViewPlanPtr plan;
};

class ViewVersions {
 public:
  explicit ViewVersions(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}

  // The served version of `view` for the catalog's `current_plan`: nullopt when no version was
  // ever published, or when the published one was computed from another definition that this
  // process never saw (after a restart). kCorruption for an unreadable CURRENT file.
  Result<std::optional<ServedVersion>> Served(const sql::ViewPlanPtr& current_plan);

  // The version number CURRENT names (0 when none), without any plan check.
  Result<int64_t> CurrentNumber(std::string_view view) const;

  // A version number above every version directory of `view` (v1 for a new view).
  Result<int64_t> NextVersion(std::string_view view) const;

  // Makes `version`, computed with `plan`, the served version of plan->name, durably.
  Status Publish(const sql::ViewPlanPtr& plan, int64_t version);

  // Forgets a view (DROP VIEW): it is no longer served from memory.
  void Forget(std::string_view view);

  std::filesystem::path ViewDir(std::string_view view) const;

 private:
  std::filesystem::path data_dir_;
  std::mutex mu_;
  std::map<std::string, ServedVersion> served_;  // by canonical view name
};

}  // namespace braid::serving
