#include "lake/delta_table.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <vector>

#include "common/file_util.h"

namespace braid::lake {
namespace {

namespace fs = std::filesystem;

constexpr size_t kVersionDigits = 20;

// The version a commit file name stands for, or -1 for any other name (temporaries, checksums,
// checkpoints).
int64_t VersionOfName(std::string_view name) {
  if (name.size() != kVersionDigits + 5 || !name.ends_with(".json")) return -1;
  int64_t version = 0;
  for (size_t i = 0; i < kVersionDigits; ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    version = version * 10 + (name[i] - '0');
  }
  return version;
}

Status Conflict(int64_t version, std::string_view what) {
  return Status(StatusCode::kDuplicateObject,
                fmt::format("concurrent Delta commit {} conflicts: {}", version, what));
}

// Whether our commit may follow `winner` (committed concurrently at `version`) unchanged.
Status CheckConflict(const DeltaCommit& winner, const DeltaCommit& ours, int64_t version) {
  if (winner.protocol || winner.metadata) return Conflict(version, "the table's metadata changed");
  for (const DeltaTxn& theirs : winner.txns) {
    for (const DeltaTxn& mine : ours.txns) {
      if (theirs.app_id == mine.app_id) {
        return Conflict(version, fmt::format("application '{}' committed its version {}",
                                             theirs.app_id, theirs.version));
      }
    }
  }
  std::set<std::string_view> touched;
  for (const DeltaAddFile& add : winner.adds) touched.insert(add.path);
  for (const DeltaRemoveFile& remove : winner.removes) touched.insert(remove.path);
  for (const DeltaAddFile& add : ours.adds) {
    if (touched.contains(add.path)) return Conflict(version, fmt::format("'{}' changed", add.path));
  }
  for (const DeltaRemoveFile& remove : ours.removes) {
    if (touched.contains(remove.path)) {
      return Conflict(version, fmt::format("'{}' changed", remove.path));
    }
  }
  return Status::Ok();
}

// A durable temporary file in the log directory holding the commit text; unlinked on destruction.
class StagedCommit {
 public:
  StagedCommit() = default;
  ~StagedCommit() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  StagedCommit(const StagedCommit&) = delete;
  StagedCommit& operator=(const StagedCommit&) = delete;

  Status Write(const fs::path& log_dir, std::string_view text) {
    const fs::path path = log_dir / fmt::format(".commit-{}.json.tmp", NewGuid());
    ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_WRONLY | O_CREAT | O_EXCL));
    path_ = path;
    RETURN_IF_ERROR(PWriteAll(fd.get(), text, 0, path));
    if (::fsync(fd.get()) != 0) return IoError("fsync", path, errno);
    return Status::Ok();
  }

  // Links the staged file to `target`: false when the name already exists.
  Result<bool> LinkTo(const fs::path& target) const {
    if (::link(path_.c_str(), target.c_str()) == 0) return true;
    if (errno == EEXIST) return false;
    return IoError("link", target, errno);
  }

 private:
  fs::path path_;
};

}  // namespace

fs::path DeltaTable::CommitPath(int64_t version) const {
  return log_dir() / fmt::format("{:020}.json", version);
}

Result<int64_t> DeltaTable::LatestVersion() const {
  std::error_code error;
  if (!fs::exists(log_dir(), error)) return int64_t{-1};
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(log_dir()));
  std::vector<int64_t> versions;
  for (const std::string& name : names) {
    const int64_t version = VersionOfName(name);
    if (version >= 0) versions.push_back(version);
  }
  if (versions.empty()) return int64_t{-1};
  std::sort(versions.begin(), versions.end());
  if (versions.front() != 0) {
    return Status(StatusCode::kUnsupported,
                  fmt::format("Delta log {} starts at version {}: reading it needs a checkpoint, "
                              "which Braid does not read",
                              log_dir().string(), versions.front()));
  }
  for (size_t i = 0; i < versions.size(); ++i) {
    if (versions[i] != static_cast<int64_t>(i)) {
      return Status(StatusCode::kCorruption,
                    fmt::format("Delta log {} lacks version {}", log_dir().string(), i));
    }
  }
  return versions.back();
}

Result<DeltaCommit> DeltaTable::ReadCommit(int64_t version) const {
  const fs::path path = CommitPath(version);
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  return DecodeCommit(text, path.string());
}

Result<DeltaSnapshot> DeltaTable::Replay(int64_t version) const {
  DeltaSnapshot snapshot;
  for (int64_t v = 0; v <= version; ++v) {
    ASSIGN_OR_RETURN(DeltaCommit commit, ReadCommit(v));
    RETURN_IF_ERROR(snapshot.Apply(commit));
  }
  return snapshot;
}

Result<DeltaSnapshot> DeltaTable::LoadSnapshot() const {
  ASSIGN_OR_RETURN(int64_t latest, LatestVersion());
  return Replay(latest);
}

Result<DeltaSnapshot> DeltaTable::LoadSnapshotAt(int64_t version) const {
  ASSIGN_OR_RETURN(int64_t latest, LatestVersion());
  if (version < 0 || version > latest) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("Delta table {} has no version {} (latest is {})", dir_.string(),
                              version, latest));
  }
  return Replay(version);
}

Result<int64_t> DeltaTable::Commit(const DeltaSnapshot& read, const DeltaCommit& commit,
                                   const CommitOptions& options) const {
  if (!read.exists() && (!commit.protocol || !commit.metadata)) {
    return Status(StatusCode::kInvalidArgument,
                  "the first commit of a Delta table needs protocol and metaData");
  }
  if (read.exists() && read.protocol().min_writer_version > kDeltaWriterVersion) {
    return Status(StatusCode::kUnsupported,
                  fmt::format("the table needs Delta writer version {}; Braid writes version {}",
                              read.protocol().min_writer_version, kDeltaWriterVersion));
  }
  RETURN_IF_ERROR(CreateDirectoriesDurably(log_dir()));
  StagedCommit staged;
  RETURN_IF_ERROR(staged.Write(log_dir(), EncodeCommit(commit)));
  int64_t version = read.version() + 1;
  for (int attempt = 0; attempt < options.max_attempts; ++attempt, ++version) {
    ASSIGN_OR_RETURN(bool won, staged.LinkTo(CommitPath(version)));
    if (won) {
      RETURN_IF_ERROR(SyncDirectory(log_dir()));
      return version;
    }
    ASSIGN_OR_RETURN(DeltaCommit winner, ReadCommit(version));
    RETURN_IF_ERROR(CheckConflict(winner, commit, version));
  }
  return Status(StatusCode::kUnavailable,
                fmt::format("Delta table {}: gave up committing after {} lost races", dir_.string(),
                            options.max_attempts));
}

}  // namespace braid::lake
