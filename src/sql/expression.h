// The expression tree of Braid's SQL dialect: scalar and aggregate expressions, the ASA window
// specifications of GROUP BY (TumblingWindow(minute, 1)) and the ORDER BY items they share with
// SELECT. An Expr is a node (a variant of the structs below) plus the position of its first token,
// so that a binder can report any mistake at line:column. A parent owns its children through
// std::unique_ptr; a tree is therefore movable, not copyable. Parentheses leave no node: the tree
// is the grouping. Time literals are values, not text: TIMESTAMP '2026-11-23T10:00:00Z' holds a
// Timestamp and INTERVAL '5' MINUTE (or INTERVAL '5 minutes') a Duration. Pure data; a tree is
// safe to read from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "common/types.h"

namespace braid::sql {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// The units of windows and intervals, microsecond to day (SEMANTICS.md).
enum class TimeUnit : uint8_t { kMicrosecond, kMillisecond, kSecond, kMinute, kHour, kDay };

// The full unit names, any case: MICROSECOND ... DAY (INTERVAL '5' MINUTE).
std::optional<TimeUnit> TimeUnitFromName(std::string_view name);
// The full names and Stream Analytics' datepart abbreviations: mcs, ms, ss/s, mi/n, hh, dd/d.
std::optional<TimeUnit> TimeUnitFromDatePart(std::string_view name);
// "microsecond", ..., "day".
std::string_view TimeUnitName(TimeUnit unit);
Duration TimeUnitDuration(TimeUnit unit);

// NULL (monostate), TRUE/FALSE, 42, 4.5, 'text', TIMESTAMP '...', INTERVAL '...'.
struct Literal {
  std::variant<std::monostate, bool, int64_t, double, std::string, Timestamp, Duration> value;
};

// A column, optionally qualified by its stream or view: device_id, telemetry.device_id.
struct ColumnRef {
  std::optional<std::string> qualifier;
  std::string name;
};

// `*` as a select item (SELECT *, SELECT t.*) or the argument of COUNT(*).
struct Star {
  std::optional<std::string> qualifier;
};

enum class UnaryOp : uint8_t { kNegate, kNot };
struct UnaryExpr {
  UnaryOp op = UnaryOp::kNegate;
  ExprPtr operand;
};

enum class BinaryOp : uint8_t {
  kOr,
  kAnd,
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo,
};
// The operator as written in canonical SQL: "OR", "=", "<>", "+".
std::string_view BinaryOpText(BinaryOp op);

struct BinaryExpr {
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr left;
  ExprPtr right;
};

struct IsNullExpr {  // operand IS [NOT] NULL
  ExprPtr operand;
  bool negated = false;
};

struct InListExpr {  // operand [NOT] IN (list, ...)
  ExprPtr operand;
  std::vector<ExprPtr> list;
  bool negated = false;
};

struct BetweenExpr {  // operand [NOT] BETWEEN low AND high
  ExprPtr operand;
  ExprPtr low;
  ExprPtr high;
  bool negated = false;
};

struct LikeExpr {  // operand [NOT] LIKE pattern
  ExprPtr operand;
  ExprPtr pattern;
  bool negated = false;
};

struct WhenClause {
  ExprPtr condition;  // a boolean, or the value compared with a simple CASE's operand
  ExprPtr result;
  SourcePosition position;  // of WHEN
};

// CASE [operand] WHEN ... THEN ... [ELSE ...] END; operand is null for a searched CASE.
struct CaseExpr {
  ExprPtr operand;
  std::vector<WhenClause> whens;
  ExprPtr else_result;  // null without ELSE
};

struct CastExpr {  // CAST(operand AS type)
  ExprPtr operand;
  DataType type = DataType::kString;
};

enum class SortDirection : uint8_t { kAscending, kDescending };
enum class NullsOrder : uint8_t { kDefault, kFirst, kLast };

// expr [ASC | DESC] [NULLS FIRST | NULLS LAST], in ORDER BY and OVER (ORDER BY ...).
struct OrderItem {
  ExprPtr expr;
  SortDirection direction = SortDirection::kAscending;
  NullsOrder nulls = NullsOrder::kDefault;
  SourcePosition position;
};

// OVER (ORDER BY ...) after PERCENTILE_CONT / PERCENTILE_DISC, as in Stream Analytics.
struct OverClause {
  std::vector<OrderItem> order_by;
  SourcePosition position;  // of OVER
};

// name([DISTINCT] arguments) [FILTER (WHERE filter)] [OVER (ORDER BY ...)]. The name keeps
// its dotted parts as written: {"System", "Timestamp"}, {"COUNT"}.
struct FunctionCall {
  std::vector<std::string> name;
  bool distinct = false;
  std::vector<ExprPtr> arguments;
  ExprPtr filter;  // null without FILTER
  std::optional<OverClause> over;
};

enum class WindowKind : uint8_t { kTumbling, kHopping, kSliding, kSession };
// "TumblingWindow", "HoppingWindow", "SlidingWindow", "SessionWindow".
std::string_view WindowKindName(WindowKind kind);

struct WindowOffset {  // Offset(unit, amount); amount may be negative
  TimeUnit unit = TimeUnit::kSecond;
  int64_t amount = 0;
  SourcePosition position;
};

// TumblingWindow(unit, size [, Offset]), HoppingWindow(unit, size, hop [, Offset]),
// SlidingWindow(unit, size [, Offset]),
// SessionWindow(unit, timeout, max_duration [, Offset] [, PARTITION BY key, ...]).
// Counts are as written; the binder checks that they are positive and fit together.
struct WindowSpec {
  WindowKind kind = WindowKind::kTumbling;
  TimeUnit unit = TimeUnit::kSecond;
  int64_t size = 0;                     // the window size; a session's timeout
  std::optional<int64_t> hop;           // HoppingWindow only
  std::optional<int64_t> max_duration;  // SessionWindow only
  std::optional<WindowOffset> offset;
  std::vector<ExprPtr> partition_by;  // SessionWindow only
};

struct Expr {
  using Node = std::variant<Literal, ColumnRef, Star, UnaryExpr, BinaryExpr, IsNullExpr, InListExpr,
                            BetweenExpr, LikeExpr, CaseExpr, CastExpr, FunctionCall, WindowSpec>;
  Node node;
  SourcePosition position;  // of the expression's first token
};

template <typename Node>
ExprPtr MakeExpr(Node node, SourcePosition position) {
  return std::make_unique<Expr>(Expr{Expr::Node(std::move(node)), position});
}

// True if the trees are the same, node for node, ignoring source positions.
bool ExprEquals(const Expr& a, const Expr& b);
bool OrderItemsEqual(const std::vector<OrderItem>& a, const std::vector<OrderItem>& b);

}  // namespace braid::sql
