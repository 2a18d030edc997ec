// Helpers for the evaluator tests: bound trees built by hand (no binder), columns and chunks from
// literal values, and an exact column comparison that prints both sides on a mismatch.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/chunk.h"
#include "common/time.h"
#include "sql/bound_expression.h"
#include "sql/expression_evaluator.h"

namespace braid::sql::testing {

inline int64_t Ts(std::string_view rfc3339) {
  Result<Timestamp> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? t->micros : 0;
}

// Leaves.
inline BoundExprPtr Col(size_t index, DataType type, std::string name = "") {
  if (name.empty()) name = fmt::format("c{}", index);
  return MakeBound(BoundColumn{index, std::move(name)}, type);
}
inline BoundExprPtr Const(Value value, DataType type) {
  return MakeBound(BoundConstant{std::move(value)}, type);
}
inline BoundExprPtr Int(int64_t v) { return Const(v, DataType::kBigint); }
inline BoundExprPtr Dbl(double v) { return Const(v, DataType::kDouble); }
inline BoundExprPtr Str(std::string v) { return Const(std::move(v), DataType::kString); }
inline BoundExprPtr Bool(bool v) { return Const(v, DataType::kBoolean); }
inline BoundExprPtr Time(std::string_view rfc3339) {
  return Const(Ts(rfc3339), DataType::kTimestamp);
}
inline BoundExprPtr Null(DataType type) { return Const(std::monostate{}, type); }

// Inner nodes.
inline BoundExprPtr Binary(BinaryOp op, BoundExprPtr l, BoundExprPtr r, SourcePosition at = {}) {
  const bool boolean = op <= BinaryOp::kGreaterEqual;
  const DataType type = boolean ? DataType::kBoolean : l->type;
  return MakeBound(BoundBinary{op, std::move(l), std::move(r)}, type, at);
}
inline BoundExprPtr Unary(UnaryOp op, BoundExprPtr operand, SourcePosition at = {}) {
  const DataType type = operand->type;
  return MakeBound(BoundUnary{op, std::move(operand)}, type, at);
}
inline BoundExprPtr Cast(BoundExprPtr operand, DataType type, SourcePosition at = {}) {
  return MakeBound(BoundCast{std::move(operand)}, type, at);
}
template <typename... Args>
std::vector<BoundExprPtr> List(Args... args) {
  std::vector<BoundExprPtr> list;
  (list.push_back(std::move(args)), ...);
  return list;
}
inline BoundExprPtr Function(ScalarFunction f, DataType type, std::vector<BoundExprPtr> args,
                             std::optional<DatePart> part = std::nullopt, SourcePosition at = {}) {
  return MakeBound(BoundFunction{f, part, std::move(args)}, type, at);
}

// Columns from values; nullopt is NULL.
template <typename T, typename Append>
Column MakeColumn(DataType type, std::initializer_list<std::optional<T>> values, Append append) {
  Column c(type);
  for (const std::optional<T>& v : values) {
    if (v.has_value()) {
      append(c, *v);
    } else {
      c.AppendNull();
    }
  }
  return c;
}
inline Column Ints(std::initializer_list<std::optional<int64_t>> v) {
  return MakeColumn<int64_t>(DataType::kBigint, v, [](Column& c, int64_t x) { c.AppendInt64(x); });
}
inline Column Doubles(std::initializer_list<std::optional<double>> v) {
  return MakeColumn<double>(DataType::kDouble, v, [](Column& c, double x) { c.AppendDouble(x); });
}
inline Column Bools(std::initializer_list<std::optional<bool>> v) {
  return MakeColumn<bool>(DataType::kBoolean, v, [](Column& c, bool x) { c.AppendBool(x); });
}
inline Column Strings(std::initializer_list<std::optional<std::string_view>> v) {
  return MakeColumn<std::string_view>(DataType::kString, v,
                                      [](Column& c, std::string_view x) { c.AppendString(x); });
}
inline Column Times(std::initializer_list<std::optional<std::string_view>> v) {
  return MakeColumn<std::string_view>(DataType::kTimestamp, v,
                                      [](Column& c, std::string_view x) { c.AppendInt64(Ts(x)); });
}

// A chunk whose columns are named c0, c1, ...
inline Chunk MakeChunk(std::vector<Column> columns) {
  std::vector<Field> fields;
  for (size_t i = 0; i < columns.size(); ++i) {
    fields.push_back(Field{fmt::format("c{}", i), columns[i].type(), true});
  }
  Result<Chunk> chunk =
      Chunk::Make(std::make_shared<Schema>(std::move(fields)), std::move(columns));
  EXPECT_TRUE(chunk.ok()) << chunk.status().ToString();
  return chunk.ok() ? std::move(chunk).value() : Chunk();
}

// "BIGINT[1, NULL, 3]": doubles in shortest round-trip form, so equal text means equal bits.
inline std::string Render(const Column& column) {
  std::string text = fmt::format("{}[", DataTypeName(column.type()));
  for (size_t row = 0; row < column.size(); ++row) {
    if (row > 0) text += ", ";
    text += std::visit(
        [](const auto& v) -> std::string {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::monostate>) return "NULL";
          if constexpr (std::is_same_v<V, std::string>) return "'" + v + "'";
          if constexpr (!std::is_same_v<V, std::monostate> && !std::is_same_v<V, std::string>) {
            return fmt::format("{}", v);
          }
        },
        ValueAt(column, row));
  }
  return text + "]";
}

// Evaluates `expr` over `chunk` and expects exactly `expected` (type, NULLs and values).
inline void ExpectColumn(const BoundExpr& expr, const Chunk& chunk, const Column& expected) {
  Result<Column> actual = Evaluate(expr, chunk);
  ASSERT_TRUE(actual.ok()) << BoundToString(expr) << ": " << actual.status().ToString();
  EXPECT_TRUE(*actual == expected) << BoundToString(expr) << "\n  actual:   " << Render(*actual)
                                   << "\n  expected: " << Render(expected);
}

// Expects a kDataError with exactly `message` at `position`.
inline void ExpectDataError(const BoundExpr& expr, const Chunk& chunk, std::string_view message,
                            SourcePosition position) {
  Result<Column> actual = Evaluate(expr, chunk);
  ASSERT_FALSE(actual.ok()) << BoundToString(expr) << " gave " << Render(*actual);
  EXPECT_EQ(actual.status().code(), StatusCode::kDataError) << actual.status().ToString();
  EXPECT_EQ(actual.status().message(), message);
  ASSERT_TRUE(actual.status().position().has_value());
  EXPECT_EQ(actual.status().position()->line, position.line);
  EXPECT_EQ(actual.status().position()->column, position.column);
}

}  // namespace braid::sql::testing
