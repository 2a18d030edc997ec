// A reader/writer lock whose waiting writers go before new readers.
//
// std::shared_mutex is glibc's default pthread_rwlock, which prefers readers: under a steady
// stream of overlapping reads (queries) a writer (the speed layer consuming a batch) could wait
// forever. This one is glibc's rwlock of kind PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP: a
// writer that waits blocks readers that arrive after it, so writes make progress under any read
// load. It meets the standard's SharedMutex requirements, so std::lock_guard,
// std::unique_lock and std::shared_lock work with it. Not recursive: a thread holding it shared
// must not take it shared again while a writer may be waiting.
#pragma once

#include <pthread.h>

namespace braid {

class SharedMutex {
 public:
  SharedMutex();
  ~SharedMutex();
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void lock();
  bool try_lock();
  void unlock();
  void lock_shared();
  bool try_lock_shared();
  void unlock_shared();

 private:
  pthread_rwlock_t lock_;
};

}  // namespace braid
