// LogManager: the ingestion logs of all streams under DATA/log/, and the one GroupCommitter they
// share. Creating a stream's log is idempotent (open if present); dropping removes its directory.
// Recovery reports of every partition opened are kept for the status page and the start-up log.
// Thread-safety: all methods may be called concurrently; StreamLogs are shared_ptr so a reader
// holding one keeps it alive across a concurrent drop.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "log/group_commit.h"
#include "log/stream_log.h"

namespace braid::log {

class LogManager {
 public:
  static Result<std::unique_ptr<LogManager>> Open(const std::filesystem::path& log_dir,
                                                  const LogOptions& options);
  ~LogManager();

  // Opens (creating if needed) the log of a stream. Opening an existing stream with a different
  // partition count is kInvalidArgument.
  Result<std::shared_ptr<StreamLog>> OpenStream(StreamLogConfig config);
  // The open log of a stream, or nullptr.
  std::shared_ptr<StreamLog> Find(std::string_view name) const;
  // Closes and deletes a stream's log directory.
  Status DropStream(std::string_view name);

  // Applies retention to every stream; returns segments deleted.
  Result<int> ApplyRetention(Timestamp now);

  const LogOptions& options() const { return options_; }
  GroupCommitter& committer() { return *committer_; }
  // Every recovery report with a non-empty reason (data was dropped), "stream/partition: ...".
  std::vector<std::string> RecoveryWarnings() const;

  void Close();

 private:
  LogManager() = default;
  std::filesystem::path dir_;
  LogOptions options_;
  std::unique_ptr<GroupCommitter> committer_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<StreamLog>> streams_;  // key: canonical name
  std::vector<std::string> recovery_warnings_;
};

}  // namespace braid::log
