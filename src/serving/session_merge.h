// The merge of session windows across the epoch boundary (SEMANTICS.md: "Session windows merge
// across the boundary like any overlapping sessions of one key"). The batch view holds the
// sessions of epochs <= B, the speed layer those of the generations > B; per key, sessions whose
// intervals overlap or touch (a later session starting at or before an earlier one's end: the
// event joined within the timeout) become one session (earliest start, latest end) whose states
// are merged, then finalized, with outputs and HAVING evaluated on the merged values. Pure
// function; thread-safe.
#pragma once

#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "sql/view_plan.h"

namespace braid::serving {

// `batch_rows` and `speed_rows` are BatchViewSchema(plan) rows with serialized states; the
// answer has those columns then `_source` (schema): BATCH, SPEED, or MERGED for merged sessions.
// kCorruption for undecodable states.
Result<std::vector<Chunk>> MergeSessions(const sql::ViewPlan& plan,
                                         const std::vector<Chunk>& batch_rows,
                                         const std::vector<Chunk>& speed_rows,
                                         const SchemaPtr& schema);

}  // namespace braid::serving
