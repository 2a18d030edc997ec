// DeltaTable: a Delta Lake table in a local directory (docs/formats/delta.md): reading snapshots
// by replaying `_delta_log/{version:020}.json` (the latest, or any earlier version: time travel)
// and committing new versions with optimistic concurrency.
//
// A commit is atomic and never overwrites another writer's version: the commit text is written to
// a temporary file and fsynced, then link()ed to the version's name (link fails with EEXIST when
// the name exists; a plain rename would silently replace the winner's commit), then the log
// directory is fsynced. When another writer won the version, Commit reads the winner's commit and
// retries at the next version unless the two conflict: the winner changed protocol or metadata,
// committed a txn for one of our application ids, or added or removed a path we add or remove.
// A conflict is kDuplicateObject; callers re-read the snapshot and decide (capture finds its epoch
// already committed). Data files must be durable before Commit is called.
//
// A DeltaTable is a cheap handle on a path holding no state; any number of handles, threads and
// processes may read and commit concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/status.h"
#include "lake/delta_actions.h"
#include "lake/delta_snapshot.h"

namespace braid::lake {

struct CommitOptions {
  // Versions tried before giving up (kUnavailable) when other writers keep winning.
  int max_attempts = 64;
};

class DeltaTable {
 public:
  explicit DeltaTable(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path log_dir() const { return dir_ / "_delta_log"; }
  // The commit file of a version: _delta_log/00000000000000000007.json.
  std::filesystem::path CommitPath(int64_t version) const;

  // The latest version; a table without any commit gives an empty snapshot (version -1).
  Result<DeltaSnapshot> LoadSnapshot() const;
  // The table as of `version` (time travel); kInvalidArgument when the version does not exist.
  Result<DeltaSnapshot> LoadSnapshotAt(int64_t version) const;
  // The actions of one commit.
  Result<DeltaCommit> ReadCommit(int64_t version) const;

  // Commits `commit` on top of `read` (the snapshot it was planned against) at version
  // read.version() + 1 or, after losing races that do not conflict, a later one. The first
  // commit of a table must carry protocol and metadata. Returns the version committed.
  Result<int64_t> Commit(const DeltaSnapshot& read, const DeltaCommit& commit,
                         const CommitOptions& options = {}) const;

 private:
  // The latest version in the log (-1 when empty); checks that versions run from 0 without gaps.
  Result<int64_t> LatestVersion() const;
  Result<DeltaSnapshot> Replay(int64_t version) const;

  std::filesystem::path dir_;
};

}  // namespace braid::lake
