// Internal to the expression evaluator (expression_evaluator.h): the one row loop every kernel
// shares, typed readers of a Column's storage, the total order used by comparisons, and the
// per-family entry points (arithmetic and comparison, casts, scalar functions, date functions)
// that expression_evaluator.cc calls with children already evaluated into whole Columns. A kernel
// is a template over the storage type plus a small operation struct or lambda, inlined into the
// loop: no per-row virtual call, std::function or allocation. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "agg/column_values.h"
#include "common/chunk.h"
#include "common/status.h"
#include "sql/bound_expression.h"

namespace braid::sql::evaluator {

// What one row of a kernel produced: a value, NULL, or an error (the loop stops).
enum class RowResult : uint8_t { kValue, kNull, kError };

inline void AppendValue(Column& column, bool v) { column.AppendBool(v); }
inline void AppendValue(Column& column, int64_t v) { column.AppendInt64(v); }
inline void AppendValue(Column& column, double v) { column.AppendDouble(v); }
inline void AppendValue(Column& column, std::string_view v) { column.AppendString(v); }
inline void AppendValue(Column& column, const std::string& v) { column.AppendString(v); }
// Appends a constant (NULL for monostate) `count` times; it must be held in the column's storage.
inline void AppendConstant(Column& column, const Value& constant, size_t count = 1) {
  std::visit(
      [&](const auto& v) {
        for (size_t i = 0; i < count; ++i) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>) {
            column.AppendNull();
          } else {
            AppendValue(column, v);
          }
        }
      },
      constant);
}

// The shared loop: `row_fn(row, value)` fills `value` (of the output storage type Out) and says
// what the row is; on kError the loop stops and returns `error_fn(row)`.
template <typename Out, typename RowFn, typename ErrorFn>
Result<Column> Generate(DataType type, size_t rows, RowFn&& row_fn, ErrorFn&& error_fn) {
  Column out(type);
  out.Reserve(rows);
  Out value{};
  for (size_t row = 0; row < rows; ++row) {
    switch (row_fn(row, value)) {
      case RowResult::kValue:
        AppendValue(out, value);
        break;
      case RowResult::kNull:
        out.AppendNull();
        break;
      case RowResult::kError:
        return error_fn(row);
    }
  }
  return out;
}

// A loop that cannot fail.
template <typename Out, typename RowFn>
Column GenerateTotal(DataType type, size_t rows, RowFn&& row_fn) {
  Column out(type);
  out.Reserve(rows);
  Out value{};
  for (size_t row = 0; row < rows; ++row) {
    if (row_fn(row, value)) {
      AppendValue(out, value);
    } else {
      out.AppendNull();
    }
  }
  return out;
}

// The storage type of each DataType: bool, int64_t (BIGINT, TIMESTAMP), double, string_view.
template <typename T>
struct ReaderFor;
template <>
struct ReaderFor<bool> {
  using Type = agg::BoolInput;
};
template <>
struct ReaderFor<int64_t> {
  using Type = agg::Int64Input;
};
template <>
struct ReaderFor<double> {
  using Type = agg::DoubleInput;
};
template <>
struct ReaderFor<std::string_view> {
  using Type = agg::StringInput;
};
template <typename T>
using Reader = typename ReaderFor<T>::Type;

// Calls fn(T{}) with T the storage type of `type`.
template <typename Fn>
decltype(auto) VisitStorage(DataType type, Fn&& fn) {
  switch (type) {
    case DataType::kBoolean:
      return fn(bool{});
    case DataType::kBigint:
    case DataType::kTimestamp:
      return fn(int64_t{});
    case DataType::kDouble:
      return fn(double{});
    case DataType::kString:
      break;
  }
  return fn(std::string_view{});
}

// A key whose `<` and `==` give the comparison order: doubles as PostgreSQL compares them (-0.0
// equal to +0.0, NaN equal to itself and above everything), everything else as stored.
template <typename T>
auto OrderingKey(T value) {
  if constexpr (std::is_same_v<T, double>) {
    return agg::ComparisonKey(value);
  } else {
    return value;
  }
}

inline Status DataError(std::string message, SourcePosition position) {
  return Status(StatusCode::kDataError, std::move(message), position);
}
inline Status BigintOutOfRange(SourcePosition position) {
  return DataError("BIGINT out of range", position);
}

// Floor division and modulo (the result of FloorMod is in [0, divisor)); divisor > 0.
inline int64_t FloorDiv(int64_t a, int64_t divisor) {
  int64_t q = a / divisor;
  return (a % divisor < 0) ? q - 1 : q;
}
inline int64_t FloorMod(int64_t a, int64_t divisor) { return a - FloorDiv(a, divisor) * divisor; }

// Arithmetic (+ - * / %) on two columns of `type` (BIGINT or DOUBLE); comparisons giving
// BOOLEAN on two columns of one type; unary minus.
Result<Column> EvaluateArithmetic(BinaryOp op, DataType type, const Column& left,
                                  const Column& right, SourcePosition position);
Column EvaluateComparison(BinaryOp op, const Column& left, const Column& right);
// The comparison of each row of `column` with a constant of its storage (`constant_first`: the
// constant is the left operand), without repeating the constant on every row. NULL rows give NULL.
Column EvaluateComparisonWith(BinaryOp op, const Column& column, const Value& constant,
                              bool constant_first);
Result<Column> EvaluateNegate(const Column& operand, SourcePosition position);

// CAST(operand AS type).
Result<Column> EvaluateCast(const Column& operand, DataType type, SourcePosition position);

// operand [NOT] LIKE pattern.
Column EvaluateLike(const Column& operand, const Column& pattern, bool negated);

// A scalar function other than COALESCE (which the evaluator runs lazily), over its evaluated
// arguments; `rows` is the row count (CONCAT() of no argument still has one value per row).
Result<Column> EvaluateFunction(const BoundFunction& function, DataType type,
                                std::span<const Column* const> arguments, size_t rows,
                                SourcePosition position);

// DATEADD, DATEDIFF and DATEPART.
Result<Column> EvaluateDateFunction(const BoundFunction& function,
                                    std::span<const Column* const> arguments,
                                    SourcePosition position);

}  // namespace braid::sql::evaluator
