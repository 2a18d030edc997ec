// BindScalarFunction: the scalar functions of the dialect, their argument counts and types
// (bound_expression.h lists each signature).
#include <fmt/format.h>

#include <limits>

#include "sql/scalar_binder.h"

namespace braid::sql {
namespace {

constexpr size_t kAnyNumber = std::numeric_limits<size_t>::max();

struct Signature {
  std::string_view name;
  ScalarFunction function;
  size_t min_arguments;
  size_t max_arguments;
};

constexpr Signature kSignatures[] = {
    {"ABS", ScalarFunction::kAbs, 1, 1},
    {"ROUND", ScalarFunction::kRound, 1, 2},
    {"FLOOR", ScalarFunction::kFloor, 1, 1},
    {"CEILING", ScalarFunction::kCeiling, 1, 1},
    {"CEIL", ScalarFunction::kCeiling, 1, 1},
    {"LOWER", ScalarFunction::kLower, 1, 1},
    {"UPPER", ScalarFunction::kUpper, 1, 1},
    {"LEN", ScalarFunction::kLength, 1, 1},
    {"LENGTH", ScalarFunction::kLength, 1, 1},
    {"SUBSTRING", ScalarFunction::kSubstring, 3, 3},
    {"CONCAT", ScalarFunction::kConcat, 1, kAnyNumber},
    {"COALESCE", ScalarFunction::kCoalesce, 1, kAnyNumber},
    {"DATEADD", ScalarFunction::kDateAdd, 3, 3},
    {"DATEDIFF", ScalarFunction::kDateDiff, 3, 3},
    {"DATEPART", ScalarFunction::kDatePart, 2, 2},
};

const Signature* FindSignature(const FunctionCall& call) {
  if (call.name.size() != 1) return nullptr;
  for (const Signature& signature : kSignatures) {
    if (IdentifierEquals(signature.name, call.name[0])) return &signature;
  }
  return nullptr;
}

std::string ArgumentCountText(const Signature& signature) {
  auto plural = [](size_t n) { return n == 1 ? "argument" : "arguments"; };
  if (signature.max_arguments == kAnyNumber) {
    return fmt::format("at least {} {}", signature.min_arguments, plural(signature.min_arguments));
  }
  if (signature.min_arguments == signature.max_arguments) {
    return fmt::format("{} {}", signature.min_arguments, plural(signature.min_arguments));
  }
  return fmt::format("{} or {} arguments", signature.min_arguments, signature.max_arguments);
}

Status CheckCall(const FunctionCall& call, const Signature& signature, SourcePosition position) {
  if (call.distinct || call.filter != nullptr || call.over.has_value()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("{} is not an aggregate function: DISTINCT, FILTER and OVER do not "
                              "apply",
                              signature.name),
                  position);
  }
  size_t count = call.arguments.size();
  if (count < signature.min_arguments || count > signature.max_arguments) {
    return Status(
        StatusCode::kTypeMismatch,
        fmt::format("{} takes {}, got {}", signature.name, ArgumentCountText(signature), count),
        position);
  }
  return Status::Ok();
}

// Binds and coerces the arguments [first, end), all to `type`.
Status BindArgumentsAs(const FunctionCall& call, std::string_view name, size_t first, size_t end,
                       DataType type, BindScope& scope, BoundFunction& function) {
  for (size_t i = first; i < end; ++i) {
    std::string context = fmt::format("argument {} of {}", i + 1, name);
    ASSIGN_OR_RETURN(function.arguments.emplace_back(),
                     BindExprAs(*call.arguments[i], type, context, scope));
  }
  return Status::Ok();
}

// A BIGINT or DOUBLE argument (a NULL literal is a DOUBLE); the function's result has its type.
Result<DataType> BindNumericArgument(const FunctionCall& call, std::string_view name,
                                     BindScope& scope, BoundFunction& function) {
  const Expr& argument = *call.arguments[0];
  ASSIGN_OR_RETURN(BoundExprPtr bound, BindExpr(argument, scope));
  DataType type = bound->type;
  if (IsNullLiteral(argument)) type = DataType::kDouble;
  if (type != DataType::kBigint && type != DataType::kDouble) {
    return Status(StatusCode::kTypeMismatch,
                  fmt::format("argument 1 of {}: expected BIGINT or DOUBLE, got {}", name,
                              DataTypeName(type)),
                  argument.position);
  }
  ASSIGN_OR_RETURN(function.arguments.emplace_back(),
                   Coerce(Operand{&argument, std::move(bound)}, type, name));
  return type;
}

Result<DatePart> BindDatePart(const Expr& argument) {
  const auto* column = std::get_if<ColumnRef>(&argument.node);
  std::optional<DatePart> part;
  if (column != nullptr && !column->qualifier) part = DatePartFromName(column->name);
  if (!part) {
    return Status(StatusCode::kInvalidArgument,
                  "expected a date part (year, quarter, month, dayofyear, day, week, weekday, "
                  "hour, minute, second, millisecond or microsecond)",
                  argument.position);
  }
  return *part;
}

Result<BoundExprPtr> BindCoalesce(const FunctionCall& call, SourcePosition position,
                                  BindScope& scope) {
  std::vector<Operand> operands;
  for (const ExprPtr& argument : call.arguments) {
    ASSIGN_OR_RETURN(BoundExprPtr bound, BindExpr(*argument, scope));
    operands.push_back(Operand{argument.get(), std::move(bound)});
  }
  ASSIGN_OR_RETURN(DataType type, CommonType(operands, "COALESCE"));
  BoundFunction function;
  function.function = ScalarFunction::kCoalesce;
  for (Operand& operand : operands) {
    ASSIGN_OR_RETURN(function.arguments.emplace_back(),
                     Coerce(std::move(operand), type, "COALESCE"));
  }
  return MakeBound(std::move(function), type, position);
}

// DATEADD(part, n, t), DATEDIFF(part, a, b), DATEPART(part, t).
Result<BoundExprPtr> BindDateFunction(const FunctionCall& call, const Signature& signature,
                                      SourcePosition position, BindScope& scope) {
  BoundFunction function;
  function.function = signature.function;
  ASSIGN_OR_RETURN(function.part, BindDatePart(*call.arguments[0]));
  if (signature.function == ScalarFunction::kDateAdd) {
    std::string context = fmt::format("argument 2 of {}", signature.name);
    ASSIGN_OR_RETURN(function.arguments.emplace_back(),
                     BindExprAs(*call.arguments[1], DataType::kBigint, context, scope));
    RETURN_IF_ERROR(
        BindArgumentsAs(call, signature.name, 2, 3, DataType::kTimestamp, scope, function));
    return MakeBound(std::move(function), DataType::kTimestamp, position);
  }
  RETURN_IF_ERROR(BindArgumentsAs(call, signature.name, 1, call.arguments.size(),
                                  DataType::kTimestamp, scope, function));
  return MakeBound(std::move(function), DataType::kBigint, position);
}

Result<BoundExprPtr> BindStringFunction(const FunctionCall& call, const Signature& signature,
                                        SourcePosition position, BindScope& scope) {
  BoundFunction function;
  function.function = signature.function;
  size_t count = call.arguments.size();
  // SUBSTRING(text, start, length): only the first is a STRING.
  size_t strings = signature.function == ScalarFunction::kSubstring ? 1 : count;
  RETURN_IF_ERROR(
      BindArgumentsAs(call, signature.name, 0, strings, DataType::kString, scope, function));
  RETURN_IF_ERROR(
      BindArgumentsAs(call, signature.name, strings, count, DataType::kBigint, scope, function));
  DataType type =
      signature.function == ScalarFunction::kLength ? DataType::kBigint : DataType::kString;
  return MakeBound(std::move(function), type, position);
}

}  // namespace

Result<BoundExprPtr> BindScalarFunction(const FunctionCall& call, SourcePosition position,
                                        BindScope& scope) {
  const Signature* signature = FindSignature(call);
  if (signature == nullptr) {
    return Status(StatusCode::kUndefinedObject,
                  fmt::format("function {} does not exist", fmt::join(call.name, ".")), position);
  }
  RETURN_IF_ERROR(CheckCall(call, *signature, position));
  switch (signature->function) {
    case ScalarFunction::kAbs:
    case ScalarFunction::kFloor:
    case ScalarFunction::kCeiling:
    case ScalarFunction::kRound: {
      BoundFunction function;
      function.function = signature->function;
      ASSIGN_OR_RETURN(DataType type, BindNumericArgument(call, signature->name, scope, function));
      RETURN_IF_ERROR(BindArgumentsAs(call, signature->name, 1, call.arguments.size(),
                                      DataType::kBigint, scope, function));
      return MakeBound(std::move(function), type, position);
    }
    case ScalarFunction::kCoalesce:
      return BindCoalesce(call, position, scope);
    case ScalarFunction::kDateAdd:
    case ScalarFunction::kDateDiff:
    case ScalarFunction::kDatePart:
      return BindDateFunction(call, *signature, position, scope);
    default:
      return BindStringFunction(call, *signature, position, scope);
  }
}

}  // namespace braid::sql
