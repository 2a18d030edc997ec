#include "sql/view_input.h"

#include <utility>

#include "sql/expression_evaluator.h"

namespace braid::sql {
namespace {

// 1 where `filter` is TRUE; empty without a filter.
Result<std::vector<uint8_t>> FilterPasses(const BoundExpr* filter, const Chunk& rows) {
  std::vector<uint8_t> passes;
  if (filter == nullptr) return passes;
  ASSIGN_OR_RETURN(std::vector<uint32_t> selected, SelectTrue(*filter, rows));
  passes.assign(rows.num_rows(), 0);
  for (uint32_t row : selected) passes[row] = 1;
  return passes;
}

}  // namespace

Result<const Chunk*> KeptRows(const ViewPlan& plan, const Chunk& rows, Chunk* storage) {
  if (plan.window && !plan.event_time) {
    return Status(StatusCode::kInternal, "a windowed view without an event time");
  }
  if (!plan.filter) return &rows;
  ASSIGN_OR_RETURN(std::vector<uint32_t> selected, SelectTrue(*plan.filter, rows));
  if (selected.size() == rows.num_rows()) return &rows;
  *storage = rows.Select(selected);
  return storage;
}

Result<EvaluatedRows> EvaluateRows(const ViewPlan& plan, const Chunk& rows) {
  EvaluatedRows evaluated;
  if (plan.event_time) {
    ASSIGN_OR_RETURN(evaluated.times, Evaluate(*plan.event_time, rows));
    if (evaluated.times.HasNulls()) {
      return Status(StatusCode::kDataError, "NULL event time", plan.event_time->position);
    }
  }
  for (const GroupKey& key : plan.keys) {
    ASSIGN_OR_RETURN(ColumnValues column, EvaluateBorrowing(*key.expr, rows));
    evaluated.keys.push_back(std::move(column));
  }
  if (plan.has_session_window()) {
    for (const BoundExprPtr& expr : plan.window->partition_by) {
      ASSIGN_OR_RETURN(ColumnValues column, EvaluateBorrowing(*expr, rows));
      evaluated.partition_by.push_back(std::move(column));
    }
  }
  for (const ViewAggregate& aggregate : plan.aggregates) {
    std::optional<ColumnValues> input;
    if (aggregate.input) {
      ASSIGN_OR_RETURN(input, EvaluateBorrowing(*aggregate.input, rows));
    }
    evaluated.inputs.push_back(std::move(input));
    ASSIGN_OR_RETURN(std::vector<uint8_t> passes, FilterPasses(aggregate.filter.get(), rows));
    evaluated.passes.push_back(std::move(passes));
  }
  return evaluated;
}

}  // namespace braid::sql
