// common/shared_mutex.h: readers share it, a writer excludes readers and writers, and a waiting
// writer goes before readers that come after it (std::shared_mutex, glibc's reader-preferring
// rwlock, lets new readers in ahead of it).
#include "common/shared_mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <thread>

namespace braid {
namespace {

TEST(SharedMutex, ReadersShareWritersExclude) {
  SharedMutex mu;
  {
    std::shared_lock first(mu);
    EXPECT_TRUE(mu.try_lock_shared());  // a second reader
    mu.unlock_shared();
    EXPECT_FALSE(mu.try_lock());
  }
  {
    std::lock_guard writer(mu);
    EXPECT_FALSE(mu.try_lock_shared());
    EXPECT_FALSE(mu.try_lock());
  }
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
}

TEST(SharedMutex, AWaitingWriterGoesBeforeNewReaders) {
  SharedMutex mu;
  mu.lock_shared();  // a reader holds it
  std::atomic<bool> wrote{false};
  std::thread writer([&] {
    std::lock_guard lock(mu);
    wrote.store(true);
  });
  // Once the writer waits, a new reader is refused; with a reader-preferring lock it never is.
  bool refused = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    if (mu.try_lock_shared()) {
      mu.unlock_shared();
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    } else {
      refused = true;
    }
  }
  EXPECT_TRUE(refused);
  EXPECT_FALSE(wrote.load());
  mu.unlock_shared();
  writer.join();
  EXPECT_TRUE(wrote.load());
}

}  // namespace
}  // namespace braid
