// The per-chunk evaluation of a view's source rows, shared by every executor of a ViewPlan (the
// reference executor, the batch layer's hash aggregator, and the speed layer): the plan's WHERE,
// then its event time, group keys, session PARTITION BY values, aggregate inputs and aggregate
// FILTERs, each evaluated once per chunk by the one expression evaluator. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "sql/expression_evaluator.h"
#include "sql/view_plan.h"

namespace braid::sql {

// What a chunk of kept source rows evaluates to. Keys, PARTITION BY values and inputs that are
// plain column references borrow the chunk's columns (ColumnValues), so they are valid while that
// chunk lives; the event times are always owned (the speed layer replaces some of them).
struct EvaluatedRows {
  Column times{DataType::kTimestamp};               // never NULL; empty without an event time
  std::vector<ColumnValues> keys;                   // one per GroupKey
  std::vector<ColumnValues> partition_by;           // session windows only
  std::vector<std::optional<ColumnValues>> inputs;  // one per aggregate; none for COUNT(*)
  std::vector<std::vector<uint8_t>> passes;         // one per aggregate: 1 where FILTER is TRUE;
                                                    // empty without FILTER
};

// The rows of `rows` (plan.input_schema) the plan's WHERE keeps: `rows` itself without a WHERE,
// else the kept rows, copied into *storage. kInternal for a windowed plan without an event time.
Result<const Chunk*> KeptRows(const ViewPlan& plan, const Chunk& rows, Chunk* storage);

// Evaluates the plan's event time (NULL: kDataError at its position), keys, PARTITION BY values,
// aggregate inputs and FILTERs over `rows` (already kept by KeptRows). The result may borrow
// columns of `rows`, which must outlive it.
Result<EvaluatedRows> EvaluateRows(const ViewPlan& plan, const Chunk& rows);

}  // namespace braid::sql
