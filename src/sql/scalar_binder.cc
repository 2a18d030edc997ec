// BindExpr: literals, columns, operators, IS NULL, IN, BETWEEN, LIKE, CASE and CAST
// (scalar_binder.h). Scalar functions are in function_binder.cc.
#include "sql/scalar_binder.h"

#include <fmt/format.h>

#include <limits>

namespace braid::sql {
namespace {

const Duration* IntervalLiteral(const Expr& expr) {
  const auto* literal = std::get_if<Literal>(&expr.node);
  return literal == nullptr ? nullptr : std::get_if<Duration>(&literal->value);
}

std::string OperatorContext(BinaryOp op) { return fmt::format("operator {}", BinaryOpText(op)); }

Result<Operand> BindOperand(const Expr& expr, BindScope& scope) {
  ASSIGN_OR_RETURN(BoundExprPtr bound, BindExpr(expr, scope));
  return Operand{&expr, std::move(bound)};
}

Result<BoundExprPtr> BindLiteral(const Literal& literal, SourcePosition position) {
  struct Visitor {
    SourcePosition position;
    Result<BoundExprPtr> operator()(std::monostate) const {
      return MakeBound(BoundConstant{Value()}, DataType::kBoolean, position);
    }
    Result<BoundExprPtr> operator()(bool v) const {
      return MakeBound(BoundConstant{Value(v)}, DataType::kBoolean, position);
    }
    Result<BoundExprPtr> operator()(int64_t v) const {
      return MakeBound(BoundConstant{Value(v)}, DataType::kBigint, position);
    }
    Result<BoundExprPtr> operator()(double v) const {
      return MakeBound(BoundConstant{Value(v)}, DataType::kDouble, position);
    }
    Result<BoundExprPtr> operator()(const std::string& v) const {
      return MakeBound(BoundConstant{Value(v)}, DataType::kString, position);
    }
    Result<BoundExprPtr> operator()(Timestamp v) const {
      return MakeBound(BoundConstant{Value(v.micros)}, DataType::kTimestamp, position);
    }
    Result<BoundExprPtr> operator()(Duration) const {
      return Status(StatusCode::kTypeMismatch,
                    "an INTERVAL can only be added to or subtracted from a TIMESTAMP", position);
    }
  };
  return std::visit(Visitor{position}, literal.value);
}

Result<BoundExprPtr> BindUnary(const UnaryExpr& node, SourcePosition position, BindScope& scope) {
  if (node.op == UnaryOp::kNot) {
    ASSIGN_OR_RETURN(BoundExprPtr operand,
                     BindExprAs(*node.operand, DataType::kBoolean, "operator NOT", scope));
    return MakeBound(BoundUnary{UnaryOp::kNot, std::move(operand)}, DataType::kBoolean, position);
  }
  ASSIGN_OR_RETURN(Operand operand, BindOperand(*node.operand, scope));
  DataType type = IsNullLiteral(*node.operand) ? DataType::kBigint : operand.bound->type;
  if (!IsNumeric(type)) {
    return Status(StatusCode::kTypeMismatch,
                  fmt::format("operator -: expected BIGINT or DOUBLE, got {}", DataTypeName(type)),
                  node.operand->position);
  }
  ASSIGN_OR_RETURN(BoundExprPtr bound, Coerce(std::move(operand), type, "operator -"));
  return MakeBound(BoundUnary{UnaryOp::kNegate, std::move(bound)}, type, position);
}

Result<BoundExprPtr> BindComparison(BinaryOp op, const Expr& left, const Expr& right,
                                    SourcePosition position, BindScope& scope) {
  Operand operands[2];
  ASSIGN_OR_RETURN(operands[0], BindOperand(left, scope));
  ASSIGN_OR_RETURN(operands[1], BindOperand(right, scope));
  std::string context = OperatorContext(op);
  ASSIGN_OR_RETURN(DataType type, CommonType(operands, context));
  BoundBinary binary;
  binary.op = op;
  ASSIGN_OR_RETURN(binary.left, Coerce(std::move(operands[0]), type, context));
  ASSIGN_OR_RETURN(binary.right, Coerce(std::move(operands[1]), type, context));
  return MakeBound(std::move(binary), DataType::kBoolean, position);
}

// timestamp ± INTERVAL (or INTERVAL + timestamp): DATEADD(microsecond, ±n, timestamp).
Result<BoundExprPtr> BindIntervalArithmetic(const BinaryExpr& node, SourcePosition position,
                                            BindScope& scope) {
  const Duration* interval = IntervalLiteral(*node.right);
  const Expr* time = node.left.get();
  if (interval == nullptr && node.op == BinaryOp::kAdd) {
    interval = IntervalLiteral(*node.left);
    time = node.right.get();
  }
  if (interval == nullptr || IntervalLiteral(*time) != nullptr) {
    return Status(StatusCode::kTypeMismatch,
                  "an INTERVAL can only be added to or subtracted from a TIMESTAMP", position);
  }
  std::string context = OperatorContext(node.op);
  ASSIGN_OR_RETURN(Operand operand, BindOperand(*time, scope));
  ASSIGN_OR_RETURN(BoundExprPtr timestamp,
                   Coerce(std::move(operand), DataType::kTimestamp, context));
  if (interval->micros == std::numeric_limits<int64_t>::min()) {
    return Status(StatusCode::kInvalidArgument, "INTERVAL out of range", position);
  }
  int64_t micros = node.op == BinaryOp::kSubtract ? -interval->micros : interval->micros;
  BoundFunction function;
  function.function = ScalarFunction::kDateAdd;
  function.part = DatePart::kMicrosecond;
  function.arguments.push_back(
      MakeBound(BoundConstant{Value(micros)}, DataType::kBigint, position));
  function.arguments.push_back(std::move(timestamp));
  return MakeBound(std::move(function), DataType::kTimestamp, position);
}

Result<BoundExprPtr> BindArithmetic(const BinaryExpr& node, SourcePosition position,
                                    BindScope& scope) {
  bool additive = node.op == BinaryOp::kAdd || node.op == BinaryOp::kSubtract;
  if (additive && (IntervalLiteral(*node.left) || IntervalLiteral(*node.right))) {
    return BindIntervalArithmetic(node, position, scope);
  }
  std::string context = OperatorContext(node.op);
  Operand operands[2];
  ASSIGN_OR_RETURN(operands[0], BindOperand(*node.left, scope));
  ASSIGN_OR_RETURN(operands[1], BindOperand(*node.right, scope));
  DataType type = DataType::kBigint;
  for (const Operand& operand : operands) {
    if (IsNullLiteral(*operand.source)) continue;
    if (!IsNumeric(operand.bound->type)) {
      return Status(StatusCode::kTypeMismatch,
                    fmt::format("{}: expected BIGINT or DOUBLE, got {}", context,
                                DataTypeName(operand.bound->type)),
                    operand.source->position);
    }
    if (operand.bound->type == DataType::kDouble) type = DataType::kDouble;
  }
  BoundBinary binary;
  binary.op = node.op;
  ASSIGN_OR_RETURN(binary.left, Coerce(std::move(operands[0]), type, context));
  ASSIGN_OR_RETURN(binary.right, Coerce(std::move(operands[1]), type, context));
  return MakeBound(std::move(binary), type, position);
}

Result<BoundExprPtr> BindBinary(const BinaryExpr& node, SourcePosition position, BindScope& scope) {
  switch (node.op) {
    case BinaryOp::kOr:
    case BinaryOp::kAnd: {
      std::string context = OperatorContext(node.op);
      BoundBinary binary;
      binary.op = node.op;
      ASSIGN_OR_RETURN(binary.left, BindExprAs(*node.left, DataType::kBoolean, context, scope));
      ASSIGN_OR_RETURN(binary.right, BindExprAs(*node.right, DataType::kBoolean, context, scope));
      return MakeBound(std::move(binary), DataType::kBoolean, position);
    }
    case BinaryOp::kEqual:
    case BinaryOp::kNotEqual:
    case BinaryOp::kLess:
    case BinaryOp::kLessEqual:
    case BinaryOp::kGreater:
    case BinaryOp::kGreaterEqual:
      return BindComparison(node.op, *node.left, *node.right, position, scope);
    default:
      return BindArithmetic(node, position, scope);
  }
}

Result<BoundExprPtr> BindIsNull(const IsNullExpr& node, SourcePosition position, BindScope& scope) {
  ASSIGN_OR_RETURN(BoundExprPtr operand, BindExpr(*node.operand, scope));
  return MakeBound(BoundIsNull{std::move(operand), node.negated}, DataType::kBoolean, position);
}

Result<BoundExprPtr> BindInList(const InListExpr& node, SourcePosition position, BindScope& scope) {
  std::vector<Operand> operands;
  ASSIGN_OR_RETURN(operands.emplace_back(), BindOperand(*node.operand, scope));
  for (const ExprPtr& item : node.list) {
    ASSIGN_OR_RETURN(operands.emplace_back(), BindOperand(*item, scope));
  }
  ASSIGN_OR_RETURN(DataType type, CommonType(operands, "IN"));
  BoundInList in;
  in.negated = node.negated;
  ASSIGN_OR_RETURN(in.operand, Coerce(std::move(operands[0]), type, "IN"));
  for (size_t i = 1; i < operands.size(); ++i) {
    ASSIGN_OR_RETURN(in.list.emplace_back(), Coerce(std::move(operands[i]), type, "IN"));
  }
  return MakeBound(std::move(in), DataType::kBoolean, position);
}

// x BETWEEN lo AND hi is x >= lo AND x <= hi; NOT BETWEEN is NOT (...).
Result<BoundExprPtr> BindBetween(const BetweenExpr& node, SourcePosition position,
                                 BindScope& scope) {
  BoundBinary both;
  both.op = BinaryOp::kAnd;
  ASSIGN_OR_RETURN(both.left, BindComparison(BinaryOp::kGreaterEqual, *node.operand, *node.low,
                                             position, scope));
  ASSIGN_OR_RETURN(
      both.right, BindComparison(BinaryOp::kLessEqual, *node.operand, *node.high, position, scope));
  BoundExprPtr bound = MakeBound(std::move(both), DataType::kBoolean, position);
  if (!node.negated) return bound;
  return MakeBound(BoundUnary{UnaryOp::kNot, std::move(bound)}, DataType::kBoolean, position);
}

Result<BoundExprPtr> BindLike(const LikeExpr& node, SourcePosition position, BindScope& scope) {
  BoundLike like;
  like.negated = node.negated;
  ASSIGN_OR_RETURN(like.operand, BindExprAs(*node.operand, DataType::kString, "LIKE", scope));
  ASSIGN_OR_RETURN(like.pattern, BindExprAs(*node.pattern, DataType::kString, "LIKE", scope));
  return MakeBound(std::move(like), DataType::kBoolean, position);
}

Result<BoundExprPtr> BindCase(const CaseExpr& node, SourcePosition position, BindScope& scope) {
  BoundCase bound_case;
  std::vector<Operand> results;
  for (const WhenClause& when : node.whens) {
    BoundWhen bound_when;
    if (node.operand != nullptr) {  // simple CASE: operand = value
      ASSIGN_OR_RETURN(bound_when.condition, BindComparison(BinaryOp::kEqual, *node.operand,
                                                            *when.condition, when.position, scope));
    } else {
      ASSIGN_OR_RETURN(bound_when.condition,
                       BindExprAs(*when.condition, DataType::kBoolean, "WHEN", scope));
    }
    bound_case.whens.push_back(std::move(bound_when));
    ASSIGN_OR_RETURN(results.emplace_back(), BindOperand(*when.result, scope));
  }
  if (node.else_result != nullptr) {
    ASSIGN_OR_RETURN(results.emplace_back(), BindOperand(*node.else_result, scope));
  }
  ASSIGN_OR_RETURN(DataType type, CommonType(results, "CASE results"));
  for (size_t i = 0; i < results.size(); ++i) {
    ASSIGN_OR_RETURN(BoundExprPtr result, Coerce(std::move(results[i]), type, "CASE results"));
    if (i < bound_case.whens.size()) {
      bound_case.whens[i].result = std::move(result);
    } else {
      bound_case.else_result = std::move(result);
    }
  }
  return MakeBound(std::move(bound_case), type, position);
}

// Casts between BOOLEAN and DOUBLE or TIMESTAMP, and between DOUBLE and TIMESTAMP, mean nothing.
bool CastAllowed(DataType from, DataType to) {
  auto pair_is = [&](DataType a, DataType b) {
    return (from == a && to == b) || (from == b && to == a);
  };
  return !pair_is(DataType::kBoolean, DataType::kDouble) &&
         !pair_is(DataType::kBoolean, DataType::kTimestamp) &&
         !pair_is(DataType::kDouble, DataType::kTimestamp);
}

Result<BoundExprPtr> BindCast(const CastExpr& node, SourcePosition position, BindScope& scope) {
  ASSIGN_OR_RETURN(BoundExprPtr operand, BindExpr(*node.operand, scope));
  if (IsNullLiteral(*node.operand)) {
    return MakeBound(BoundConstant{Value()}, node.type, position);
  }
  if (operand->type == node.type) return operand;
  if (!CastAllowed(operand->type, node.type)) {
    return Status(
        StatusCode::kTypeMismatch,
        fmt::format("cannot CAST {} AS {}", DataTypeName(operand->type), DataTypeName(node.type)),
        position);
  }
  return MakeBound(BoundCast{std::move(operand)}, node.type, position);
}

Result<BoundExprPtr> BindCall(const FunctionCall& call, const Expr& expr, BindScope& scope) {
  if (IsSystemTimestamp(call)) {
    if (!call.arguments.empty() || call.distinct || call.filter || call.over) {
      return Status(StatusCode::kTypeMismatch, "System.Timestamp() takes no arguments",
                    expr.position);
    }
    return scope.BindSystemTimestamp(expr.position);
  }
  if (IsAggregateCall(call)) return scope.BindAggregate(call, expr);
  return BindScalarFunction(call, expr.position, scope);
}

struct NodeBinder {
  const Expr& expr;
  BindScope& scope;

  Result<BoundExprPtr> operator()(const Literal& n) { return BindLiteral(n, expr.position); }
  Result<BoundExprPtr> operator()(const ColumnRef& n) { return scope.BindColumn(n, expr.position); }
  Result<BoundExprPtr> operator()(const Star&) {
    return Status(StatusCode::kUnsupported, "* is allowed only in COUNT(*)", expr.position);
  }
  Result<BoundExprPtr> operator()(const UnaryExpr& n) { return BindUnary(n, expr.position, scope); }
  Result<BoundExprPtr> operator()(const BinaryExpr& n) {
    return BindBinary(n, expr.position, scope);
  }
  Result<BoundExprPtr> operator()(const IsNullExpr& n) {
    return BindIsNull(n, expr.position, scope);
  }
  Result<BoundExprPtr> operator()(const InListExpr& n) {
    return BindInList(n, expr.position, scope);
  }
  Result<BoundExprPtr> operator()(const BetweenExpr& n) {
    return BindBetween(n, expr.position, scope);
  }
  Result<BoundExprPtr> operator()(const LikeExpr& n) { return BindLike(n, expr.position, scope); }
  Result<BoundExprPtr> operator()(const CaseExpr& n) { return BindCase(n, expr.position, scope); }
  Result<BoundExprPtr> operator()(const CastExpr& n) { return BindCast(n, expr.position, scope); }
  Result<BoundExprPtr> operator()(const FunctionCall& n) { return BindCall(n, expr, scope); }
  Result<BoundExprPtr> operator()(const WindowSpec& n) {
    return Status(StatusCode::kGroupingError,
                  fmt::format("{} is allowed only as an item of GROUP BY", WindowKindName(n.kind)),
                  expr.position);
  }
};

}  // namespace

Result<BoundExprPtr> BindExpr(const Expr& expr, BindScope& scope) {
  ASSIGN_OR_RETURN(BoundExprPtr replaced, scope.Replace(expr));
  if (replaced != nullptr) return replaced;
  return std::visit(NodeBinder{expr, scope}, expr.node);
}

Result<BoundExprPtr> BindExprAs(const Expr& expr, DataType type, std::string_view what,
                                BindScope& scope) {
  ASSIGN_OR_RETURN(BoundExprPtr bound, BindExpr(expr, scope));
  return Coerce(Operand{&expr, std::move(bound)}, type, what);
}

}  // namespace braid::sql
