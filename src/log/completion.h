// Completion<T>: a one-shot slot that one thread fills and another waits for; it turns the log's
// callback-style appends into their blocking forms. The waiter owns the Completion (usually on
// its stack); Set must be called exactly once, and the Completion may be destroyed as soon as
// Wait returns. Thread-safe.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <utility>

namespace braid::log {

template <typename T>
class Completion {
 public:
  void Set(T value) {
    std::lock_guard lock(mu_);
    value_.emplace(std::move(value));
    // Notified under the lock: the waiter cannot return (and destroy *this) before we unlock.
    cv_.notify_one();
  }

  T Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return value_.has_value(); });
    return std::move(*value_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<T> value_;
};

}  // namespace braid::log
