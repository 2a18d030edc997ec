#include "log/log_manager.h"

#include <fmt/format.h>

#include "common/file_util.h"

namespace braid::log {

namespace fs = std::filesystem;

namespace {

// A stream name becomes a directory name: it must be one plain path component.
Status CheckStreamName(std::string_view name) {
  if (name.empty() || name == "." || name == ".." ||
      name.find_first_of("/\\") != std::string_view::npos ||
      name.find('\0') != std::string_view::npos) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("'{}' cannot name a stream's log directory", name));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<LogManager>> LogManager::Open(const fs::path& log_dir,
                                                     const LogOptions& options) {
  RETURN_IF_ERROR(CreateDirectoriesDurably(log_dir));
  std::unique_ptr<LogManager> manager(new LogManager());
  manager->dir_ = log_dir;
  manager->options_ = options;
  manager->committer_ = std::make_unique<GroupCommitter>(options.group_commit_delay);
  return manager;
}

LogManager::~LogManager() {
  Close();
  // Streams go before the committer (member order), and each partition waits for its pending
  // completions first.
  std::lock_guard lock(mu_);
  streams_.clear();
}

Result<std::shared_ptr<StreamLog>> LogManager::OpenStream(StreamLogConfig config) {
  const std::string key = CanonicalIdentifier(config.name);
  RETURN_IF_ERROR(CheckStreamName(key));
  std::lock_guard lock(mu_);
  if (auto it = streams_.find(key); it != streams_.end()) {
    if (it->second->num_partitions() != config.partitions) {
      return Status(StatusCode::kInvalidArgument,
                    fmt::format("the log of stream '{}' has {} partitions, not {}", config.name,
                                it->second->num_partitions(), config.partitions));
    }
    return it->second;
  }
  std::vector<RecoveryReport> reports;
  ASSIGN_OR_RETURN(
      std::unique_ptr<StreamLog> opened,
      StreamLog::Open(dir_ / key, std::move(config), options_, committer_.get(), &reports));
  for (size_t p = 0; p < reports.size(); ++p) {
    if (reports[p].reason.empty()) continue;
    const std::string partition =
        p + 1 == reports.size() ? std::string("dead_letter") : std::to_string(p);
    recovery_warnings_.push_back(fmt::format("{}/{}: {}", key, partition, reports[p].reason));
  }
  std::shared_ptr<StreamLog> stream = std::move(opened);
  streams_.emplace(key, stream);
  return stream;
}

std::shared_ptr<StreamLog> LogManager::Find(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = streams_.find(CanonicalIdentifier(name));
  return it == streams_.end() ? nullptr : it->second;
}

Status LogManager::DropStream(std::string_view name) {
  const std::string key = CanonicalIdentifier(name);
  RETURN_IF_ERROR(CheckStreamName(key));
  std::shared_ptr<StreamLog> stream;
  {
    std::lock_guard lock(mu_);
    auto it = streams_.find(key);
    if (it != streams_.end()) {
      stream = std::move(it->second);
      streams_.erase(it);
    }
  }
  // Readers holding the StreamLog keep it (and its open files) alive; the files go now.
  if (stream) stream->Close();
  std::error_code ec;
  fs::remove_all(dir_ / key, ec);
  if (ec) return IoError("remove", dir_ / key, ec.value());
  return SyncDirectory(dir_);
}

Result<int> LogManager::ApplyRetention(Timestamp now) {
  std::vector<std::shared_ptr<StreamLog>> streams;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, stream] : streams_) streams.push_back(stream);
  }
  int deleted = 0;
  for (const auto& stream : streams) {
    ASSIGN_OR_RETURN(int n, stream->ApplyRetention(now));
    deleted += n;
  }
  return deleted;
}

std::vector<std::string> LogManager::RecoveryWarnings() const {
  std::lock_guard lock(mu_);
  return recovery_warnings_;
}

void LogManager::Close() {
  std::lock_guard lock(mu_);
  for (const auto& [name, stream] : streams_) stream->Close();
}

}  // namespace braid::log
