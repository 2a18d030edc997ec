// The control flow of the expression evaluator: CASE, COALESCE, AND/OR and IN, which decide per
// row which subexpressions matter.
#include <numeric>
#include <utility>

#include "sql/evaluator_kernels.h"
#include "sql/evaluator_tree.h"

namespace braid::sql::evaluator {
namespace {

// A column evaluated for a subset of a batch's rows. Dense: over every row (index by row);
// otherwise over the subset only (index by rank in the subset). A constant (a CASE's 'HIGH') is
// kept as its value, which every row of the subset takes, and `values` is then empty.
struct Subset {
  Values values;
  bool dense;
  const Value* constant = nullptr;
};

bool CastCanFail(DataType from, DataType to) {
  if (from == to || to == DataType::kString) return false;
  return from == DataType::kString || (from == DataType::kDouble && IsInt64Backed(to)) ||
         (from == DataType::kBoolean && to == DataType::kTimestamp) ||
         (from == DataType::kTimestamp && to == DataType::kBoolean);
}

bool FunctionCanFail(const BoundFunction& function, DataType type) {
  switch (function.function) {
    case ScalarFunction::kAbs:
    case ScalarFunction::kRound:
      return type == DataType::kBigint;
    case ScalarFunction::kSubstring:
    case ScalarFunction::kDateAdd:
    case ScalarFunction::kDateDiff:
      return true;
    default:
      return false;
  }
}

// Whether evaluating the node itself (not its children) may return a runtime error.
bool NodeCanFail(const BoundExpr& expr) {
  if (const auto* cast = std::get_if<BoundCast>(&expr.node)) {
    return cast->operand == nullptr || CastCanFail(cast->operand->type, expr.type);
  }
  if (const auto* unary = std::get_if<BoundUnary>(&expr.node)) {
    return unary->op == UnaryOp::kNegate && expr.type == DataType::kBigint;
  }
  if (const auto* binary = std::get_if<BoundBinary>(&expr.node)) {
    return expr.type == DataType::kBigint && binary->op != BinaryOp::kModulo;
  }
  if (const auto* function = std::get_if<BoundFunction>(&expr.node)) {
    return FunctionCanFail(*function, expr.type);
  }
  return false;
}

bool CanFail(const BoundExpr& expr);
bool AnyCanFail(const std::vector<BoundExprPtr>& exprs) {
  for (const BoundExprPtr& e : exprs) {
    if (e != nullptr && CanFail(*e)) return true;
  }
  return false;
}

// Whether evaluating `expr` may return a runtime error. Guarded subexpressions (CASE branches,
// the right side of AND/OR, later COALESCE arguments) that cannot fail run over all rows; those
// that can run only over the rows that need them, so a guard keeps its promise.
bool CanFail(const BoundExpr& expr) {
  if (NodeCanFail(expr)) return true;
  return std::visit(
      [](const auto& node) {
        using Node = std::decay_t<decltype(node)>;
        auto can_fail = [](const BoundExprPtr& e) { return e != nullptr && CanFail(*e); };
        if constexpr (std::is_same_v<Node, BoundUnary> || std::is_same_v<Node, BoundIsNull> ||
                      std::is_same_v<Node, BoundCast>) {
          return can_fail(node.operand);
        } else if constexpr (std::is_same_v<Node, BoundBinary>) {
          return can_fail(node.left) || can_fail(node.right);
        } else if constexpr (std::is_same_v<Node, BoundInList>) {
          return can_fail(node.operand) || AnyCanFail(node.list);
        } else if constexpr (std::is_same_v<Node, BoundLike>) {
          return can_fail(node.operand) || can_fail(node.pattern);
        } else if constexpr (std::is_same_v<Node, BoundCase>) {
          for (const BoundWhen& when : node.whens) {
            if (can_fail(when.condition) || can_fail(when.result)) return true;
          }
          return can_fail(node.else_result);
        } else if constexpr (std::is_same_v<Node, BoundFunction>) {
          return AnyCanFail(node.arguments);
        } else {
          return false;
        }
      },
      expr.node);
}

// `expr` for the given rows (ascending) of the batch.
Result<Subset> EvalOnRows(const BoundExpr& expr, const Batch& batch,
                          std::span<const uint32_t> rows) {
  if (rows.size() == batch.rows || !CanFail(expr)) {
    ASSIGN_OR_RETURN(Values values, Eval(expr, batch));
    return Subset{std::move(values), true};
  }
  if (batch.chunk.num_columns() == 0) {  // nothing to select from (EvaluateConstant)
    ASSIGN_OR_RETURN(Values values, Eval(expr, Batch{batch.chunk, rows.size()}));
    return Subset{std::move(values), false};
  }
  const Chunk selected = batch.chunk.Select(rows);
  ASSIGN_OR_RETURN(Values values, Eval(expr, Batch{selected, rows.size()}));
  return Subset{Values(std::move(values).Release()), false};  // own it: `selected` dies here
}

// A branch's result over `rows`: a constant of `type` as it is, else EvalOnRows.
Result<Subset> ResultOnRows(const BoundExpr& expr, DataType type, const Batch& batch,
                            std::span<const uint32_t> rows) {
  if (const Value* constant = ConstantOf(expr); constant != nullptr && expr.type == type) {
    return Subset{Values(Column(type)), true, constant};
  }
  return EvalOnRows(expr, batch, rows);
}

// Gathers one column from per-branch subsets: row r takes the next value of subset branch[r], or
// NULL when branch[r] is past the subsets.
Column Gather(DataType type, std::span<const uint32_t> branch, std::span<const Subset> subsets) {
  Column out(type);
  out.Reserve(branch.size());
  std::vector<size_t> next(subsets.size(), 0);
  for (size_t row = 0; row < branch.size(); ++row) {
    const uint32_t b = branch[row];
    if (b >= subsets.size()) {
      out.AppendNull();
    } else if (subsets[b].constant != nullptr) {
      AppendConstant(out, *subsets[b].constant);
    } else {
      out.AppendFrom(*subsets[b].values, subsets[b].dense ? row : next[b]++);
    }
  }
  return out;
}

bool IsTrue(const Column& column, size_t row) {
  return column.IsValid(row) && column.bools()[row] != 0;
}

}  // namespace

// Searched CASE: each condition runs over the rows no earlier condition took; NULL is not TRUE.
Result<Values> EvalCase(const BoundCase& node, DataType type, const Batch& batch) {
  const auto no_branch = static_cast<uint32_t>(node.whens.size() + 1);
  std::vector<uint32_t> branch(batch.rows, no_branch);
  std::vector<uint32_t> open(batch.rows);
  std::iota(open.begin(), open.end(), 0);
  std::vector<Subset> results;
  for (size_t i = 0; i < node.whens.size(); ++i) {
    ASSIGN_OR_RETURN(Subset condition, EvalOnRows(*node.whens[i].condition, batch, open));
    std::vector<uint32_t> taken, still_open;
    for (size_t k = 0; k < open.size(); ++k) {
      const uint32_t row = open[k];
      if (IsTrue(*condition.values, condition.dense ? row : k)) {
        taken.push_back(row);
        branch[row] = static_cast<uint32_t>(i);
      } else {
        still_open.push_back(row);
      }
    }
    ASSIGN_OR_RETURN(Subset result, ResultOnRows(*node.whens[i].result, type, batch, taken));
    results.push_back(std::move(result));
    open = std::move(still_open);
  }
  if (node.else_result != nullptr) {
    ASSIGN_OR_RETURN(Subset result, ResultOnRows(*node.else_result, type, batch, open));
    for (uint32_t row : open) branch[row] = static_cast<uint32_t>(results.size());
    results.push_back(std::move(result));
  }
  return Values(Gather(type, branch, results));
}

// COALESCE: each argument runs over the rows still NULL after the earlier ones.
Result<Values> EvalCoalesce(const BoundFunction& node, DataType type, const Batch& batch) {
  const auto no_branch = static_cast<uint32_t>(node.arguments.size());
  std::vector<uint32_t> branch(batch.rows, no_branch);
  std::vector<uint32_t> open(batch.rows);
  std::iota(open.begin(), open.end(), 0);
  std::vector<Subset> values;
  for (size_t i = 0; i < node.arguments.size() && !open.empty(); ++i) {
    ASSIGN_OR_RETURN(Subset argument, EvalOnRows(*node.arguments[i], batch, open));
    std::vector<uint32_t> still_open;
    for (size_t k = 0; k < open.size(); ++k) {
      if (argument.values->IsValid(argument.dense ? open[k] : k)) {
        branch[open[k]] = static_cast<uint32_t>(i);
      } else {
        still_open.push_back(open[k]);
      }
    }
    values.push_back(std::move(argument));
    open = std::move(still_open);
  }
  return Values(Gather(type, branch, values));
}

// AND/OR in three-valued logic. The right side runs over the rows the left does not decide
// (TRUE or NULL for AND, FALSE or NULL for OR).
Result<Values> EvalLogic(const BoundBinary& node, const Batch& batch) {
  const bool is_and = node.op == BinaryOp::kAnd;
  ASSIGN_OR_RETURN(Values left, Eval(*node.left, batch));
  const Column& l = *left;
  std::vector<uint32_t> open;
  for (size_t row = 0; row < batch.rows; ++row) {
    if (!l.IsValid(row) || (l.bools()[row] != 0) == is_and) open.push_back(row);
  }
  ASSIGN_OR_RETURN(Subset right, EvalOnRows(*node.right, batch, open));
  const Column& r = *right.values;
  size_t rank = 0;
  return Values(GenerateTotal<bool>(DataType::kBoolean, batch.rows, [&](size_t row, bool& out) {
    const bool left_decides = l.IsValid(row) && (l.bools()[row] != 0) != is_and;
    if (left_decides) {
      out = !is_and;
      return true;
    }
    const size_t at = right.dense ? row : rank++;
    if (r.IsValid(at) && (r.bools()[at] != 0) != is_and) {  // the right side decides
      out = !is_and;
      return true;
    }
    out = is_and;  // both TRUE for AND, both FALSE for OR; otherwise a NULL leaves it unknown
    return l.IsValid(row) && r.IsValid(at);
  }));
}

// x [NOT] IN (list): TRUE on a match; otherwise NULL if x or any item is NULL, else FALSE.
Result<Values> EvalInList(const BoundInList& node, const Batch& batch) {
  ASSIGN_OR_RETURN(Values operand, Eval(*node.operand, batch));
  std::vector<uint8_t> matched(batch.rows, 0);
  std::vector<uint8_t> saw_null(batch.rows, 0);
  for (const BoundExprPtr& item : node.list) {
    ASSIGN_OR_RETURN(Values values, Eval(*item, batch));
    if (values->type() != operand->type()) {
      return Status(StatusCode::kInternal, "IN list item of another type than its operand",
                    item->position);
    }
    VisitStorage(operand->type(), [&](auto tag) {
      using T = decltype(tag);
      const Reader<T> a(*operand);
      const Reader<T> b(*values);
      for (size_t row = 0; row < batch.rows; ++row) {
        if (!values->IsValid(row)) {
          saw_null[row] = 1;
        } else if (OrderingKey<T>(a[row]) == OrderingKey<T>(b[row])) {
          matched[row] = 1;
        }
      }
    });
  }
  return Values(GenerateTotal<bool>(DataType::kBoolean, batch.rows, [&](size_t row, bool& out) {
    out = (matched[row] != 0) != node.negated;
    return operand->IsValid(row) && (matched[row] != 0 || saw_null[row] == 0);
  }));
}

}  // namespace braid::sql::evaluator
