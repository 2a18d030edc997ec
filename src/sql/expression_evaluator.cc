#include "sql/expression_evaluator.h"

#include <fmt/format.h>

#include <type_traits>
#include <utility>

#include "sql/evaluator_kernels.h"
#include "sql/evaluator_tree.h"

namespace braid::sql {
namespace evaluator {
namespace {

Status Internal(std::string message, SourcePosition position) {
  return Status(StatusCode::kInternal, std::move(message), position);
}

// Whether a constant's alternative is the storage of `type` (a binder bug otherwise).
bool ValueFits(const Value& value, DataType type) {
  return std::visit(
      [type](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, bool>) return type == DataType::kBoolean;
        if constexpr (std::is_same_v<V, int64_t>) return IsInt64Backed(type);
        if constexpr (std::is_same_v<V, double>) return type == DataType::kDouble;
        if constexpr (std::is_same_v<V, std::string>) return type == DataType::kString;
        return true;  // NULL fits every type
      },
      value);
}

// A constant repeated on every row.
Result<Column> Broadcast(const Value& value, DataType type, size_t rows, SourcePosition position) {
  if (!ValueFits(value, type)) {
    return Internal(fmt::format("constant does not hold a {}", DataTypeName(type)), position);
  }
  Column out(type);
  out.Reserve(rows);
  AppendConstant(out, value, rows);
  return out;
}

Column Not(const Column& operand) {
  return GenerateTotal<bool>(DataType::kBoolean, operand.size(), [&](size_t row, bool& out) {
    out = operand.bools()[row] == 0;
    return operand.IsValid(row);
  });
}

Column IsNull(const Column& operand, bool negated) {
  return GenerateTotal<bool>(DataType::kBoolean, operand.size(), [&](size_t row, bool& out) {
    out = operand.IsValid(row) == negated;
    return true;
  });
}

bool IsComparison(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEqual:
    case BinaryOp::kNotEqual:
    case BinaryOp::kLess:
    case BinaryOp::kLessEqual:
    case BinaryOp::kGreater:
    case BinaryOp::kGreaterEqual:
      return true;
    default:
      return false;
  }
}

// Evaluates one node; children are evaluated first into whole columns.
struct NodeEvaluator {
  const BoundExpr& expr;
  const Batch& batch;

  Result<Values> operator()(const BoundColumn& node) const {
    if (node.index >= batch.chunk.num_columns() ||
        batch.chunk.column(node.index).type() != expr.type) {
      return Internal(fmt::format("column {} (#{}) is not a {} column of the input", node.name,
                                  node.index, DataTypeName(expr.type)),
                      expr.position);
    }
    return Values::Borrow(batch.chunk.column(node.index));
  }
  Result<Values> operator()(const BoundConstant& node) const {
    return Own(Broadcast(node.value, expr.type, batch.rows, expr.position));
  }
  Result<Values> operator()(const BoundUnary& node) const {
    ASSIGN_OR_RETURN(Values operand, Eval(*node.operand, batch));
    if (node.op == UnaryOp::kNot) return Values(Not(*operand));
    return Own(EvaluateNegate(*operand, expr.position));
  }
  Result<Values> operator()(const BoundBinary& node) const {
    if (node.op == BinaryOp::kAnd || node.op == BinaryOp::kOr) return EvalLogic(node, batch);
    if (IsComparison(node.op)) {
      // A column compared with a constant (`device_id = 'a'`) reads the constant once.
      const bool constant_first = ConstantOf(*node.right) == nullptr;
      const BoundExpr& operand = constant_first ? *node.right : *node.left;
      const BoundExpr& other = constant_first ? *node.left : *node.right;
      const Value* constant = ConstantOf(other);
      if (constant != nullptr && !std::holds_alternative<std::monostate>(*constant) &&
          operand.type == other.type) {
        ASSIGN_OR_RETURN(Values values, Eval(operand, batch));
        return Values(EvaluateComparisonWith(node.op, *values, *constant, constant_first));
      }
    }
    ASSIGN_OR_RETURN(Values left, Eval(*node.left, batch));
    ASSIGN_OR_RETURN(Values right, Eval(*node.right, batch));
    if (left->type() != right->type()) {
      return Internal(fmt::format("{} of {} and {}", BinaryOpText(node.op),
                                  DataTypeName(left->type()), DataTypeName(right->type())),
                      expr.position);
    }
    if (IsComparison(node.op)) return Values(EvaluateComparison(node.op, *left, *right));
    return Own(EvaluateArithmetic(node.op, expr.type, *left, *right, expr.position));
  }
  Result<Values> operator()(const BoundIsNull& node) const {
    ASSIGN_OR_RETURN(Values operand, Eval(*node.operand, batch));
    return Values(IsNull(*operand, node.negated));
  }
  Result<Values> operator()(const BoundInList& node) const { return EvalInList(node, batch); }
  Result<Values> operator()(const BoundLike& node) const {
    ASSIGN_OR_RETURN(Values operand, Eval(*node.operand, batch));
    ASSIGN_OR_RETURN(Values pattern, Eval(*node.pattern, batch));
    return Values(EvaluateLike(*operand, *pattern, node.negated));
  }
  Result<Values> operator()(const BoundCase& node) const {
    return EvalCase(node, expr.type, batch);
  }
  Result<Values> operator()(const BoundCast& node) const {
    ASSIGN_OR_RETURN(Values operand, Eval(*node.operand, batch));
    return Own(EvaluateCast(*operand, expr.type, expr.position));
  }
  Result<Values> operator()(const BoundFunction& node) const {
    if (node.function == ScalarFunction::kCoalesce) return EvalCoalesce(node, expr.type, batch);
    std::vector<Values> arguments;
    std::vector<const Column*> columns;
    arguments.reserve(node.arguments.size());
    columns.reserve(node.arguments.size());
    for (const BoundExprPtr& argument : node.arguments) {
      ASSIGN_OR_RETURN(Values values, Eval(*argument, batch));
      arguments.push_back(std::move(values));
    }
    for (const Values& values : arguments) columns.push_back(&*values);
    return Own(EvaluateFunction(node, expr.type, columns, batch.rows, expr.position));
  }
};

}  // namespace

const Value* ConstantOf(const BoundExpr& expr) {
  const auto* constant = std::get_if<BoundConstant>(&expr.node);
  if (constant == nullptr || !ValueFits(constant->value, expr.type)) return nullptr;
  return &constant->value;
}

Result<Values> Eval(const BoundExpr& expr, const Batch& batch) {
  ASSIGN_OR_RETURN(Values values, std::visit(NodeEvaluator{expr, batch}, expr.node));
  BRAID_DCHECK(values->type() == expr.type && values->size() == batch.rows);
  return values;
}

}  // namespace evaluator

Result<Column> Evaluate(const BoundExpr& expr, const Chunk& input) {
  ASSIGN_OR_RETURN(ColumnValues values, EvaluateBorrowing(expr, input));
  return std::move(values).Release();
}

Result<ColumnValues> EvaluateBorrowing(const BoundExpr& expr, const Chunk& input) {
  return evaluator::Eval(expr, {input, input.num_rows()});
}

Result<std::vector<uint32_t>> SelectTrue(const BoundExpr& predicate, const Chunk& input) {
  if (predicate.type != DataType::kBoolean) {
    return Status(StatusCode::kInternal, "predicate is not BOOLEAN", predicate.position);
  }
  ASSIGN_OR_RETURN(evaluator::Values values, evaluator::Eval(predicate, {input, input.num_rows()}));
  const Column& column = *values;
  std::vector<uint32_t> rows;
  for (size_t row = 0; row < column.size(); ++row) {
    if (column.IsValid(row) && column.bools()[row] != 0) rows.push_back(static_cast<uint32_t>(row));
  }
  return rows;
}

Result<Value> EvaluateConstant(const BoundExpr& expr) {
  const Chunk no_columns;
  ASSIGN_OR_RETURN(evaluator::Values values, evaluator::Eval(expr, {no_columns, 1}));
  return ValueAt(*values, 0);
}

Value ValueAt(const Column& column, size_t row) {
  if (!column.IsValid(row)) return std::monostate{};
  switch (column.type()) {
    case DataType::kBoolean:
      return column.bools()[row] != 0;
    case DataType::kBigint:
    case DataType::kTimestamp:
      return column.int64s()[row];
    case DataType::kDouble:
      return column.doubles()[row];
    case DataType::kString:
      break;
  }
  return std::string(column.StringAt(row));
}

}  // namespace braid::sql
