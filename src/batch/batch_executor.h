// The batch layer's multi-threaded aggregation driver: independent tasks (typically one per lake
// file or row group: read, then HashAggregator::Consume) run on a fixed number of std::jthreads,
// each thread feeding its own HashAggregator; when every task is done the per-thread aggregators
// are merged (MergeFrom) into the one returned, or returned unmerged (RunAggregationParts). The
// first error wins: the remaining tasks are not started, tasks already running finish, and that
// error is returned. The memory limit is shared: each thread's aggregator gets an equal part of
// it, the merged (or first) aggregator all of it. A task may be called on any thread, never
// concurrently with itself; tasks must not share mutable state unless they synchronize it.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "batch/hash_aggregator.h"
#include "common/status.h"
#include "sql/view_plan.h"

namespace braid::batch {

struct BatchExecutorOptions {
  size_t threads = 1;  // at least 1; never more threads than tasks are started
  AggregatorOptions aggregator = {};
};

using AggregationTask = std::function<Status(HashAggregator&)>;

// Runs every task and returns the merged aggregator, ready for Finish.
Result<std::unique_ptr<HashAggregator>> RunAggregation(sql::ViewPlanPtr plan,
                                                       std::vector<AggregationTask> tasks,
                                                       const BatchExecutorOptions& options);

// Runs every task and returns the per-thread aggregators unmerged (one per thread started; the
// first one's memory limit is the whole limit), for HashAggregator::FinishParts, which merges
// only the cells several of them hold instead of moving every cell into one table.
Result<std::vector<std::unique_ptr<HashAggregator>>> RunAggregationParts(
    sql::ViewPlanPtr plan, std::vector<AggregationTask> tasks, const BatchExecutorOptions& options);
// Merges the aggregators of RunAggregationParts (at least one) into the first, which is returned.
Result<std::unique_ptr<HashAggregator>> MergeAggregators(
    std::vector<std::unique_ptr<HashAggregator>> parts);

}  // namespace braid::batch
