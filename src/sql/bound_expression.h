// Bound expressions: the typed, resolved form of an Expr that the one vectorized evaluator
// (expression_evaluator.h) runs over Chunks. The binder (view_binder.h) produces them: columns are
// indexes into the input chunk's schema, every node has its result DataType, implicit casts are
// explicit BoundCast nodes (BIGINT -> DOUBLE in mixed arithmetic, a string literal compared with a
// TIMESTAMP), BETWEEN is lowered to AND of comparisons, a simple CASE to a searched one,
// `timestamp ± INTERVAL` to DATEADD, and System.Timestamp() to the column it means (the event time
// before grouping, window_end after). Aggregates never appear here: after grouping they are
// columns of the grouped chunk. A tree is owned by its root through std::unique_ptr; it is pure
// data, movable and safe to read from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "sql/expression.h"

namespace braid::sql {

struct BoundExpr;
using BoundExprPtr = std::unique_ptr<BoundExpr>;

// A constant: NULL (monostate) or a value of the node's type. BIGINT and TIMESTAMP hold int64_t
// (microseconds for TIMESTAMP), BOOLEAN bool, DOUBLE double, STRING std::string.
using Value = std::variant<std::monostate, bool, int64_t, double, std::string>;

struct BoundColumn {  // column `index` of the input chunk
  size_t index = 0;
  std::string name;  // for messages and printing
};

struct BoundConstant {
  Value value;
};

struct BoundUnary {  // kNegate: BIGINT or DOUBLE; kNot: BOOLEAN
  UnaryOp op = UnaryOp::kNegate;
  BoundExprPtr operand;
};

// Arithmetic (+ - * / %) on two operands of the result type (BIGINT or DOUBLE; BIGINT division
// truncates toward zero); comparisons on two operands of one type giving BOOLEAN; AND/OR on
// BOOLEANs with SQL's three-valued logic.
struct BoundBinary {
  BinaryOp op = BinaryOp::kAdd;
  BoundExprPtr left;
  BoundExprPtr right;
};

struct BoundIsNull {  // operand IS [NOT] NULL; never NULL itself
  BoundExprPtr operand;
  bool negated = false;
};

struct BoundInList {  // operand [NOT] IN (list): every item has the operand's type
  BoundExprPtr operand;
  std::vector<BoundExprPtr> list;
  bool negated = false;
};

struct BoundLike {  // STRING operand [NOT] LIKE STRING pattern: % any run, _ one character
  BoundExprPtr operand;
  BoundExprPtr pattern;
  bool negated = false;
};

struct BoundWhen {
  BoundExprPtr condition;  // BOOLEAN; NULL counts as false
  BoundExprPtr result;     // of the CASE's type
};

struct BoundCase {  // searched CASE; else_result null means ELSE NULL
  std::vector<BoundWhen> whens;
  BoundExprPtr else_result;
};

struct BoundCast {  // CAST(operand AS the node's type)
  BoundExprPtr operand;
};

// Stream Analytics date parts (DATEADD, DATEDIFF, DATEPART), with its abbreviations.
enum class DatePart : uint8_t {
  kYear,
  kQuarter,
  kMonth,
  kDayOfYear,
  kDay,
  kWeek,
  kWeekday,
  kHour,
  kMinute,
  kSecond,
  kMillisecond,
  kMicrosecond,
};
// year/yy/yyyy, quarter/qq/q, month/mm/m, dayofyear/dy/y, day/dd/d, week/wk/ww, weekday/dw,
// hour/hh, minute/mi/n, second/ss/s, millisecond/ms, microsecond/mcs; any case.
std::optional<DatePart> DatePartFromName(std::string_view name);
std::string_view DatePartName(DatePart part);  // "year", ..., "microsecond"

enum class ScalarFunction : uint8_t {
  kAbs,        // ABS(BIGINT|DOUBLE)
  kRound,      // ROUND(x [, digits BIGINT]): half away from zero; BIGINT stays BIGINT
  kFloor,      // FLOOR(x), CEILING(x): DOUBLE -> DOUBLE, BIGINT -> BIGINT
  kCeiling,
  kLower,      // LOWER(STRING), UPPER(STRING): ASCII case mapping, other bytes unchanged
  kUpper,
  kLength,     // LEN(STRING) -> BIGINT: characters (UTF-8 code points)
  kSubstring,  // SUBSTRING(STRING, start BIGINT, length BIGINT): 1-based, in characters
  kConcat,     // CONCAT(STRING, ...): NULL arguments count as ''
  kCoalesce,   // COALESCE(a, b, ...): all of the result type
  kDateAdd,    // DATEADD(part, n BIGINT, TIMESTAMP) -> TIMESTAMP; part in BoundFunction::part
  kDateDiff,   // DATEDIFF(part, TIMESTAMP a, TIMESTAMP b) -> BIGINT: boundaries crossed, b - a
  kDatePart,   // DATEPART(part, TIMESTAMP) -> BIGINT
};
std::string_view ScalarFunctionName(ScalarFunction function);  // "ABS", "DATEADD", ...

struct BoundFunction {
  ScalarFunction function = ScalarFunction::kAbs;
  std::optional<DatePart> part;  // DATEADD, DATEDIFF, DATEPART only; not among the arguments
  std::vector<BoundExprPtr> arguments;
};

struct BoundExpr {
  using Node = std::variant<BoundColumn, BoundConstant, BoundUnary, BoundBinary, BoundIsNull,
                            BoundInList, BoundLike, BoundCase, BoundCast, BoundFunction>;
  Node node;
  DataType type = DataType::kBoolean;
  SourcePosition position;  // of the source expression, for runtime errors
};

template <typename Node>
BoundExprPtr MakeBound(Node node, DataType type, SourcePosition position = {}) {
  return std::make_unique<BoundExpr>(BoundExpr{BoundExpr::Node(std::move(node)), type, position});
}

// A deep copy (plans are copied when a view is replaced while queries still read the old one).
BoundExprPtr CloneBound(const BoundExpr& expr);

// A readable rendering for DESCRIBE and test failures: "(temperature > CAST(30 AS DOUBLE))".
std::string BoundToString(const BoundExpr& expr);

}  // namespace braid::sql
