// BatchStates: what the speed layer reads of the batch layer when it emits closing windows to
// alert rules. An alert must see the whole window: the events of epochs <= B that the batch view
// holds and the speed layer's generations > B. Live, the speed layer also still holds the
// generations <= B of windows not yet emitted, but after a restart it replays only what the batch
// view has not absorbed, so the batch part must come from the batch view itself. Implemented by
// the serving layer over the served batch version (serving/speed_service.h). Thread-safe.
#pragma once

#include <cstdint>

#include "batch/hash_aggregator.h"
#include "common/status.h"
#include "sql/view_plan.h"

namespace braid::speed {

class BatchStates {
 public:
  virtual ~BatchStates() = default;
  // Merges into `into` the states of `plan`'s windows ending in [low, high) that the served
  // batch version computed with this plan holds, and returns the epoch B it holds (0, merging
  // nothing, when no such version is served).
  virtual Result<int64_t> MergeWindows(const sql::ViewPlanPtr& plan, int64_t low, int64_t high,
                                       batch::HashAggregator& into) = 0;
};

}  // namespace braid::speed
