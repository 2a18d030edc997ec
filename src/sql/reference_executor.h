// The reference executor: runs a ViewPlan over Chunks of source rows into (keys, window) ->
// aggregate states, and those into the view's final rows. Simple and obviously right rather than
// fast (an ordered map of cells, sessions by sorting each key's events); it is the definition of
// correctness the batch and speed layers are tested against. Event time is taken as is ("truth
// mode": no watermark, no lateness policy; SEMANTICS.md). Not thread-safe; one executor per thread.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "sql/view_plan.h"

namespace braid::sql {

class ReferenceExecutor {
 public:
  explicit ReferenceExecutor(ViewPlanPtr plan);
  ~ReferenceExecutor();
  ReferenceExecutor(const ReferenceExecutor&) = delete;
  ReferenceExecutor& operator=(const ReferenceExecutor&) = delete;

  // Adds source rows (plan().input_schema). Errors: an expression's runtime error, a NULL event
  // time (kDataError).
  Status Consume(const Chunk& rows);

  // Merges another executor's states for the same plan into this one (for split-input tests and
  // as the model of the batch/speed merge). Not for session windows, whose cells depend on all
  // events of a key: kUnsupported.
  Status MergeFrom(const ReferenceExecutor& other);

  // The grouped chunk (plan().grouped_schema) of every (keys, window) with at least one event.
  Result<Chunk> GroupedRows() const;

  // The view's rows (plan().output_schema) after HAVING, ordered by window_end, then keys
  // (NULLs first), so equal inputs give identical chunks.
  Result<Chunk> Finish() const;

  const ViewPlan& plan() const { return *plan_; }

 private:
  struct Impl;
  ViewPlanPtr plan_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace braid::sql
