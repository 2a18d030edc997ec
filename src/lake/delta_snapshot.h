// DeltaSnapshot: the state of a Delta table at one version, rebuilt by replaying the commit files
// 0..version in order (docs/formats/delta.md): the protocol and metadata in force, the active data
// files (added and not removed since), the removed ones (tombstones), and each application's
// transaction version together with the commitInfo of the commit that set it (capture keeps its
// epoch's end offsets there). Braid replays JSON commits only; a log that starts after version 0
// (it relies on a checkpoint) is kUnsupported. A snapshot is an immutable value once built; share
// it freely across threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/status.h"
#include "lake/delta_actions.h"

namespace braid::lake {

// What the latest txn action of one application said.
struct AppTransaction {
  int64_t version = 0;         // the txn version
  int64_t commit_version = 0;  // the table version of the commit that carried it
  std::string commit_info;     // that commit's commitInfo JSON (may be empty)
};

class DeltaSnapshot {
 public:
  // The state before version 0: no table yet (version() == -1).
  DeltaSnapshot() = default;

  // Applies the next commit (version() + 1). kCorruption when the first commit lacks protocol or
  // metadata.
  Status Apply(const DeltaCommit& commit);

  int64_t version() const { return version_; }
  bool exists() const { return version_ >= 0; }
  const DeltaProtocol& protocol() const { return protocol_; }
  const DeltaMetadata& metadata() const { return metadata_; }
  // Active data files by path.
  const std::map<std::string, DeltaAddFile>& files() const { return files_; }
  // Files removed and not re-added, with their deletionTimestamp (ms): readers of older versions
  // may still need them until VACUUM's retention has passed.
  const std::map<std::string, int64_t>& tombstones() const { return tombstones_; }
  const std::map<std::string, AppTransaction>& transactions() const { return transactions_; }
  std::optional<AppTransaction> TransactionOf(const std::string& app_id) const;

 private:
  int64_t version_ = -1;
  DeltaProtocol protocol_;
  DeltaMetadata metadata_;
  std::map<std::string, DeltaAddFile> files_;
  std::map<std::string, int64_t> tombstones_;
  std::map<std::string, AppTransaction> transactions_;
};

}  // namespace braid::lake
