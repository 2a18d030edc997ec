#include "log/group_commit.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace braid::log {
namespace {

// Helpers besides the committer's own thread: up to 8 fdatasyncs in flight at once.
constexpr int kSyncHelpers = 7;

Status SyncFile(int fd) {
  if (::fdatasync(fd) == 0) return Status::Ok();
  return Status(StatusCode::kIoError,
                fmt::format("fdatasync of log segment (fd {}): {}", fd, std::strerror(errno)));
}

}  // namespace

GroupCommitter::GroupCommitter(Duration max_delay) : max_delay_(std::max(max_delay, Duration{})) {
  // Threads start once every member exists.
  for (int i = 0; i < kSyncHelpers; ++i) sync_helpers_.emplace_back([this] { RunSyncHelper(); });
  thread_ = std::thread([this] { Run(); });
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();  // drains pending work, with the helpers' help
  {
    std::lock_guard lock(sync_mu_);
    sync_stopping_ = true;
  }
  sync_work_cv_.notify_all();
  for (std::thread& helper : sync_helpers_) helper.join();
}

void GroupCommitter::Submit(int fd, std::function<void(Status)> on_durable) {
  {
    std::lock_guard lock(mu_);
    if (pending_.empty()) first_pending_at_ = std::chrono::steady_clock::now();
    pending_.push_back({fd, std::move(on_durable)});
  }
  cv_.notify_all();
}

uint64_t GroupCommitter::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

uint64_t GroupCommitter::groups() const {
  std::lock_guard lock(mu_);
  return groups_;
}

void GroupCommitter::Run() {
  std::vector<Pending> round;
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, and everything drained
    // Let more appends join the round, up to max_delay after the first one arrived.
    const auto deadline = first_pending_at_ + std::chrono::microseconds(max_delay_.micros);
    cv_.wait_until(lock, deadline, [this] { return stopping_; });
    round.swap(pending_);
    lock.unlock();
    CommitRound(round);
    round.clear();
    lock.lock();
  }
}

void GroupCommitter::CommitRound(std::vector<Pending>& round) {
  // The distinct fds of the round (few: a linear search beats hashing).
  SyncJob job;
  auto find = [&job](int fd) {
    return std::find_if(job.begin(), job.end(), [fd](const auto& s) { return s.first == fd; });
  };
  for (const Pending& p : round) {
    if (find(p.fd) == job.end()) job.emplace_back(p.fd, Status::Ok());
  }
  SyncAll(job);
  {
    std::lock_guard lock(mu_);
    syncs_ += job.size();
    ++groups_;
  }
  for (Pending& p : round) p.on_durable(find(p.fd)->second);
}

void GroupCommitter::SyncAll(SyncJob& job) {
  if (job.size() == 1) {
    job[0].second = SyncFile(job[0].first);
    return;
  }
  std::unique_lock lock(sync_mu_);
  sync_job_ = &job;
  sync_next_ = 0;
  sync_remaining_ = job.size();
  sync_work_cv_.notify_all();
  while (sync_next_ < job.size()) SyncOne(lock);
  sync_done_cv_.wait(lock, [this] { return sync_remaining_ == 0; });
  sync_job_ = nullptr;
}

void GroupCommitter::RunSyncHelper() {
  std::unique_lock lock(sync_mu_);
  while (true) {
    sync_work_cv_.wait(lock, [this] {
      return sync_stopping_ || (sync_job_ != nullptr && sync_next_ < sync_job_->size());
    });
    if (sync_stopping_) return;
    SyncOne(lock);
  }
}

void GroupCommitter::SyncOne(std::unique_lock<std::mutex>& lock) {
  SyncJob& job = *sync_job_;
  const size_t i = sync_next_++;
  lock.unlock();
  Status status = SyncFile(job[i].first);
  lock.lock();
  job[i].second = std::move(status);
  if (--sync_remaining_ == 0) sync_done_cv_.notify_all();
}

}  // namespace braid::log
