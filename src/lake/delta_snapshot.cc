#include "lake/delta_snapshot.h"

#include <fmt/format.h>

namespace braid::lake {

Status DeltaSnapshot::Apply(const DeltaCommit& commit) {
  const int64_t version = version_ + 1;
  if (version == 0 && (!commit.protocol || !commit.metadata)) {
    return Status(StatusCode::kCorruption,
                  "Delta commit 0 must hold the table's protocol and metaData");
  }
  if (commit.protocol) protocol_ = *commit.protocol;
  if (commit.metadata) metadata_ = *commit.metadata;
  // Removes first: a commit that re-adds a path it removes (a rewrite) keeps the new file.
  for (const DeltaRemoveFile& remove : commit.removes) {
    files_.erase(remove.path);
    tombstones_[remove.path] = remove.deletion_timestamp_ms;
  }
  for (const DeltaAddFile& add : commit.adds) {
    tombstones_.erase(add.path);
    files_[add.path] = add;
  }
  for (const DeltaTxn& txn : commit.txns) {
    transactions_[txn.app_id] = AppTransaction{txn.version, version, commit.commit_info};
  }
  version_ = version;
  return Status::Ok();
}

std::optional<AppTransaction> DeltaSnapshot::TransactionOf(const std::string& app_id) const {
  auto it = transactions_.find(app_id);
  if (it == transactions_.end()) return std::nullopt;
  return it->second;
}

}  // namespace braid::lake
