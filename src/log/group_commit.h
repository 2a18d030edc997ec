// GroupCommitter: one background thread that makes appends durable in groups. A partition that
// wrote a batch under the kGroup policy hands the committer its file and a completion; the
// committer waits at most LogOptions::group_commit_delay for more, fdatasyncs every dirty file
// once, publishes the new durable ends to the partitions and runs the completions. One committer
// serves every partition of every stream, so a request spanning 16 partitions costs one round of
// fdatasyncs shared with every concurrent request. Thread-safe; owns its thread; destruction
// drains pending work.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace braid::log {

class GroupCommitter {
 public:
  explicit GroupCommitter(Duration max_delay);
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues an fdatasync of `fd` followed by `on_durable(status)`. Completions run on the
  // committer's thread in submission order per fd.
  void Submit(int fd, std::function<void(Status)> on_durable);

  // Counters for status and benchmarks.
  uint64_t syncs() const;
  uint64_t groups() const;

 private:
  void Run();

  struct Pending {
    int fd;
    std::function<void(Status)> on_durable;
  };
  Duration max_delay_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending> pending_;
  bool stopping_ = false;
  uint64_t syncs_ = 0;
  uint64_t groups_ = 0;
  std::thread thread_;
};

}  // namespace braid::log
