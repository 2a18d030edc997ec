// RowScope, column resolution and the implicit type rules of the binder (scalar_binder.h).
#include <fmt/format.h>

#include "agg/aggregate_function.h"
#include "common/time.h"
#include "sql/scalar_binder.h"

namespace braid::sql {
namespace {

const std::string* StringLiteral(const Expr& expr) {
  const auto* literal = std::get_if<Literal>(&expr.node);
  return literal == nullptr ? nullptr : std::get_if<std::string>(&literal->value);
}

Result<BoundExprPtr> TimestampFromString(const std::string& text, SourcePosition position) {
  Result<Timestamp> parsed = ParseRfc3339(text);
  if (!parsed.ok()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("invalid TIMESTAMP '{}': {}", text, parsed.status().message()),
                  position);
  }
  return MakeBound(BoundConstant{Value(parsed->micros)}, DataType::kTimestamp, position);
}

}  // namespace

Result<BoundExprPtr> BindScope::Replace(const Expr& /*expr*/) { return BoundExprPtr(); }

RowScope::RowScope(const Schema& schema, std::string_view relation, std::string_view clause,
                   TimestampBinder system_timestamp)
    : schema_(schema),
      relation_(relation),
      clause_(clause),
      system_timestamp_(std::move(system_timestamp)) {}

Result<BoundExprPtr> RowScope::BindColumn(const ColumnRef& column, SourcePosition position) {
  ASSIGN_OR_RETURN(size_t index, ResolveColumn(schema_, relation_, column, position));
  const Field& field = schema_.field(index);
  return MakeBound(BoundColumn{index, field.name}, field.type, position);
}

Result<BoundExprPtr> RowScope::BindAggregate(const FunctionCall& call, const Expr& expr) {
  return Status(
      StatusCode::kGroupingError,
      fmt::format("aggregate function {} is not allowed in {}", fmt::join(call.name, "."), clause_),
      expr.position);
}

Result<BoundExprPtr> RowScope::BindSystemTimestamp(SourcePosition position) {
  if (system_timestamp_) return system_timestamp_(position);
  return Status(StatusCode::kInvalidArgument,
                fmt::format("System.Timestamp() is not allowed in {}", clause_), position);
}

Result<size_t> ResolveColumn(const Schema& schema, std::string_view relation,
                             const ColumnRef& column, SourcePosition position) {
  if (column.qualifier && (relation.empty() || !IdentifierEquals(*column.qualifier, relation))) {
    return Status(StatusCode::kUndefinedObject,
                  fmt::format("'{}' is not the relation read here{}", *column.qualifier,
                              relation.empty() ? "" : fmt::format(" ({})", relation)),
                  position);
  }
  std::optional<size_t> index = schema.FindField(column.name);
  if (!index) {
    return Status(StatusCode::kUndefinedColumn,
                  fmt::format("column {} does not exist", column.name), position);
  }
  return *index;
}

bool IsNullLiteral(const Expr& expr) {
  const auto* literal = std::get_if<Literal>(&expr.node);
  return literal != nullptr && std::holds_alternative<std::monostate>(literal->value);
}

bool IsSystemTimestamp(const FunctionCall& call) {
  return call.name.size() == 2 && IdentifierEquals(call.name[0], "System") &&
         IdentifierEquals(call.name[1], "Timestamp");
}

bool IsAggregateCall(const FunctionCall& call) {
  if (call.name.size() != 1) return false;
  if (IdentifierEquals(call.name[0], "COUNT")) return true;
  for (const agg::AggregateFunction& function : agg::AllAggregates()) {
    if (IdentifierEquals(function.name, call.name[0])) return true;
  }
  return false;
}

Result<DataType> CommonType(std::span<const Operand> operands, std::string_view context) {
  bool has_timestamp = false;
  for (const Operand& operand : operands) {
    if (!IsNullLiteral(*operand.source) && operand.bound->type == DataType::kTimestamp) {
      has_timestamp = true;
    }
  }
  std::optional<DataType> common;
  for (const Operand& operand : operands) {
    if (IsNullLiteral(*operand.source)) continue;
    DataType type = operand.bound->type;
    if (has_timestamp && StringLiteral(*operand.source) != nullptr) type = DataType::kTimestamp;
    if (!common || *common == type) {
      common = type;
    } else if (IsNumeric(*common) && IsNumeric(type)) {
      common = DataType::kDouble;
    } else {
      return Status(StatusCode::kTypeMismatch,
                    fmt::format("{}: cannot mix {} and {}", context, DataTypeName(*common),
                                DataTypeName(type)),
                    operand.source->position);
    }
  }
  return common.value_or(DataType::kBoolean);
}

Result<BoundExprPtr> Coerce(Operand operand, DataType type, std::string_view context) {
  SourcePosition position = operand.source->position;
  if (IsNullLiteral(*operand.source)) {
    return MakeBound(BoundConstant{Value()}, type, position);
  }
  DataType from = operand.bound->type;
  if (from == type) return std::move(operand.bound);
  if (from == DataType::kBigint && type == DataType::kDouble) {
    // A BIGINT constant (`AVG(t) > 85`) becomes a DOUBLE constant here, not a cast run per row.
    if (const auto* constant = std::get_if<BoundConstant>(&operand.bound->node)) {
      if (const auto* value = std::get_if<int64_t>(&constant->value)) {
        return MakeBound(BoundConstant{static_cast<double>(*value)}, DataType::kDouble, position);
      }
    }
    return MakeBound(BoundCast{std::move(operand.bound)}, DataType::kDouble, position);
  }
  if (type == DataType::kTimestamp) {
    if (const std::string* text = StringLiteral(*operand.source)) {
      return TimestampFromString(*text, position);
    }
  }
  return Status(
      StatusCode::kTypeMismatch,
      fmt::format("{}: expected {}, got {}", context, DataTypeName(type), DataTypeName(from)),
      position);
}

}  // namespace braid::sql
