// Internal to the expression evaluator (expression_evaluator.h): the recursive evaluation of a
// BoundExpr node into a whole Column, shared by the node dispatch (expression_evaluator.cc) and
// the control-flow nodes that evaluate children over subsets of rows (evaluator_control.cc).
#pragma once

#include <utility>
#include <variant>

#include "common/chunk.h"
#include "common/status.h"
#include "sql/bound_expression.h"
#include "sql/expression_evaluator.h"

namespace braid::sql::evaluator {

// A node's values: borrowed from the input chunk (a column reference costs no copy) or owned.
using Values = ColumnValues;

inline Result<Values> Own(Result<Column> column) {
  if (!column.ok()) return column.status();
  return Values(std::move(column).value());
}

// The rows being evaluated: every row of `chunk`, or `rows` rows of no column (EvaluateConstant).
struct Batch {
  const Chunk& chunk;
  size_t rows;
};

// `expr` over every row of the batch: a column of expr.type with batch.rows rows.
Result<Values> Eval(const BoundExpr& expr, const Batch& batch);

// The value of `expr` when it is a constant held in its type's storage (NULL included), for the
// nodes that use a constant as it is instead of repeating it on every row; else nullptr.
const Value* ConstantOf(const BoundExpr& expr);

Result<Values> EvalCase(const BoundCase& node, DataType type, const Batch& batch);
Result<Values> EvalCoalesce(const BoundFunction& node, DataType type, const Batch& batch);
Result<Values> EvalLogic(const BoundBinary& node, const Batch& batch);  // AND, OR
Result<Values> EvalInList(const BoundInList& node, const Batch& batch);

}  // namespace braid::sql::evaluator
