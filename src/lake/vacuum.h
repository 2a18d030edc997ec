// VACUUM: deletes the files of a lake table that no reader can need any more (Delta's VACUUM,
// docs/formats/delta.md): files under the table directory that the latest snapshot does not
// reference, whose last modification is older than the retention, and that are not tombstones
// removed more recently than the retention (readers of older versions, time travel). Never
// touches `_delta_log` or other hidden entries (names starting with '_' or '.'). The retention
// also protects files a writer is still producing for a commit to come (capture's data files
// before its commit), so it must exceed the longest capture or OPTIMIZE run; the default is
// Delta's 7 days. Safe to run concurrently with readers and writers under that condition.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "lake/delta_table.h"

namespace braid::lake {

struct VacuumOptions {
  Duration retention = Duration::Days(7);
  Timestamp now = Now();
  // Lists what would be deleted without deleting it.
  enum class Mode : uint8_t { kDelete, kDryRun } mode = Mode::kDelete;
};

struct VacuumResult {
  std::vector<std::string> deleted;  // paths relative to the table, sorted
};

Result<VacuumResult> Vacuum(const DeltaTable& table, const VacuumOptions& options = {});

}  // namespace braid::lake
