#include "batch/batch_executor.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <utility>

namespace braid::batch {

namespace {

// What the worker threads share: the next task to start and the first error.
class TaskQueue {
 public:
  explicit TaskQueue(std::vector<AggregationTask> tasks) : tasks_(std::move(tasks)) {}

  // Runs tasks into `aggregator` until none is left or one has failed anywhere.
  void Drain(HashAggregator& aggregator) {
    while (!failed_.load(std::memory_order_acquire)) {
      size_t index = next_.fetch_add(1, std::memory_order_relaxed);
      if (index >= tasks_.size()) return;
      Status status = tasks_[index](aggregator);
      if (!status.ok()) Fail(std::move(status));
    }
  }

  void Fail(Status status) {
    std::lock_guard lock(mutex_);
    if (!failed_.load(std::memory_order_relaxed)) first_error_ = std::move(status);
    failed_.store(true, std::memory_order_release);
  }

  Status first_error() const {
    std::lock_guard lock(mutex_);
    return first_error_;
  }

 private:
  std::vector<AggregationTask> tasks_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> failed_{false};
  mutable std::mutex mutex_;
  Status first_error_ = Status::Ok();
};

}  // namespace

Result<std::vector<std::unique_ptr<HashAggregator>>> RunAggregationParts(
    sql::ViewPlanPtr plan, std::vector<AggregationTask> tasks,
    const BatchExecutorOptions& options) {
  size_t threads = std::clamp<size_t>(options.threads, 1, std::max<size_t>(tasks.size(), 1));
  AggregatorOptions per_thread = options.aggregator;
  per_thread.memory_limit = options.aggregator.memory_limit / threads;
  std::vector<std::unique_ptr<HashAggregator>> aggregators;
  for (size_t i = 0; i < threads; ++i) {
    aggregators.push_back(std::make_unique<HashAggregator>(plan, per_thread));
  }
  TaskQueue queue(std::move(tasks));
  {
    std::vector<std::jthread> workers;
    for (size_t i = 1; i < threads; ++i) {
      workers.emplace_back([&queue, &aggregator = *aggregators[i]] { queue.Drain(aggregator); });
    }
    queue.Drain(*aggregators[0]);
  }  // joins the workers
  RETURN_IF_ERROR(queue.first_error());
  aggregators[0]->set_memory_limit(options.aggregator.memory_limit);
  return aggregators;
}

Result<std::unique_ptr<HashAggregator>> MergeAggregators(
    std::vector<std::unique_ptr<HashAggregator>> parts) {
  // The first aggregator absorbs the others' cells (no copy at one thread).
  std::unique_ptr<HashAggregator> merged = std::move(parts.at(0));
  for (size_t i = 1; i < parts.size(); ++i) {
    RETURN_IF_ERROR(merged->MergeFrom(*parts[i]));
    parts[i].reset();
  }
  return merged;
}

Result<std::unique_ptr<HashAggregator>> RunAggregation(sql::ViewPlanPtr plan,
                                                       std::vector<AggregationTask> tasks,
                                                       const BatchExecutorOptions& options) {
  ASSIGN_OR_RETURN(std::vector<std::unique_ptr<HashAggregator>> parts,
                   RunAggregationParts(std::move(plan), std::move(tasks), options));
  return MergeAggregators(std::move(parts));
}

}  // namespace braid::batch
