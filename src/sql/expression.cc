#include "sql/expression.h"

#include "common/schema.h"

namespace braid::sql {
namespace {

struct UnitSpelling {
  std::string_view name;
  TimeUnit unit;
};
constexpr UnitSpelling kUnitNames[] = {
    {"microsecond", TimeUnit::kMicrosecond},
    {"millisecond", TimeUnit::kMillisecond},
    {"second", TimeUnit::kSecond},
    {"minute", TimeUnit::kMinute},
    {"hour", TimeUnit::kHour},
    {"day", TimeUnit::kDay},
};
// Stream Analytics' datepart abbreviations (DATEADD and the window functions).
constexpr UnitSpelling kUnitAbbreviations[] = {
    {"mcs", TimeUnit::kMicrosecond}, {"ms", TimeUnit::kMillisecond}, {"ss", TimeUnit::kSecond},
    {"s", TimeUnit::kSecond},        {"mi", TimeUnit::kMinute},      {"n", TimeUnit::kMinute},
    {"hh", TimeUnit::kHour},         {"dd", TimeUnit::kDay},         {"d", TimeUnit::kDay},
};

template <size_t N>
std::optional<TimeUnit> FindUnit(const UnitSpelling (&table)[N], std::string_view name) {
  for (const UnitSpelling& spelling : table) {
    if (IdentifierEquals(spelling.name, name)) return spelling.unit;
  }
  return std::nullopt;
}

bool Same(const ExprPtr& a, const ExprPtr& b) {
  if (a == nullptr || b == nullptr) return a == nullptr && b == nullptr;
  return ExprEquals(*a, *b);
}

bool Same(const std::vector<ExprPtr>& a, const std::vector<ExprPtr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!Same(a[i], b[i])) return false;
  }
  return true;
}

// SQL identifiers match case-insensitively (Schema::FindField), so `avg(x)` and `AVG(X)` are the
// same expression: a selected `DeviceId` is the GROUP BY key `deviceid`.
bool SameName(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  return a.has_value() == b.has_value() && (!a || IdentifierEquals(*a, *b));
}
bool SameName(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!IdentifierEquals(a[i], b[i])) return false;
  }
  return true;
}

bool Same(const Literal& a, const Literal& b) { return a.value == b.value; }
bool Same(const ColumnRef& a, const ColumnRef& b) {
  return SameName(a.qualifier, b.qualifier) && IdentifierEquals(a.name, b.name);
}
bool Same(const Star& a, const Star& b) { return SameName(a.qualifier, b.qualifier); }
bool Same(const UnaryExpr& a, const UnaryExpr& b) {
  return a.op == b.op && Same(a.operand, b.operand);
}
bool Same(const BinaryExpr& a, const BinaryExpr& b) {
  return a.op == b.op && Same(a.left, b.left) && Same(a.right, b.right);
}
bool Same(const IsNullExpr& a, const IsNullExpr& b) {
  return a.negated == b.negated && Same(a.operand, b.operand);
}
bool Same(const InListExpr& a, const InListExpr& b) {
  return a.negated == b.negated && Same(a.operand, b.operand) && Same(a.list, b.list);
}
bool Same(const BetweenExpr& a, const BetweenExpr& b) {
  return a.negated == b.negated && Same(a.operand, b.operand) && Same(a.low, b.low) &&
         Same(a.high, b.high);
}
bool Same(const LikeExpr& a, const LikeExpr& b) {
  return a.negated == b.negated && Same(a.operand, b.operand) && Same(a.pattern, b.pattern);
}
bool Same(const CaseExpr& a, const CaseExpr& b) {
  if (!Same(a.operand, b.operand) || !Same(a.else_result, b.else_result)) return false;
  if (a.whens.size() != b.whens.size()) return false;
  for (size_t i = 0; i < a.whens.size(); ++i) {
    if (!Same(a.whens[i].condition, b.whens[i].condition) ||
        !Same(a.whens[i].result, b.whens[i].result)) {
      return false;
    }
  }
  return true;
}
bool Same(const CastExpr& a, const CastExpr& b) {
  return a.type == b.type && Same(a.operand, b.operand);
}
bool Same(const FunctionCall& a, const FunctionCall& b) {
  if (!SameName(a.name, b.name) || a.distinct != b.distinct || !Same(a.arguments, b.arguments) ||
      !Same(a.filter, b.filter) || a.over.has_value() != b.over.has_value()) {
    return false;
  }
  return !a.over || OrderItemsEqual(a.over->order_by, b.over->order_by);
}
bool Same(const WindowSpec& a, const WindowSpec& b) {
  bool offsets_equal =
      a.offset.has_value() == b.offset.has_value() &&
      (!a.offset || (a.offset->unit == b.offset->unit && a.offset->amount == b.offset->amount));
  return a.kind == b.kind && a.unit == b.unit && a.size == b.size && a.hop == b.hop &&
         a.max_duration == b.max_duration && offsets_equal && Same(a.partition_by, b.partition_by);
}

}  // namespace

std::optional<TimeUnit> TimeUnitFromName(std::string_view name) {
  return FindUnit(kUnitNames, name);
}

std::optional<TimeUnit> TimeUnitFromDatePart(std::string_view name) {
  std::optional<TimeUnit> unit = FindUnit(kUnitNames, name);
  return unit ? unit : FindUnit(kUnitAbbreviations, name);
}

std::string_view TimeUnitName(TimeUnit unit) {
  for (const UnitSpelling& spelling : kUnitNames) {
    if (spelling.unit == unit) return spelling.name;
  }
  return "unit";
}

Duration TimeUnitDuration(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMicrosecond:
      return Duration::Micros(1);
    case TimeUnit::kMillisecond:
      return Duration::Millis(1);
    case TimeUnit::kSecond:
      return Duration::Seconds(1);
    case TimeUnit::kMinute:
      return Duration::Minutes(1);
    case TimeUnit::kHour:
      return Duration::Hours(1);
    case TimeUnit::kDay:
      return Duration::Days(1);
  }
  return Duration::Seconds(1);
}

std::string_view BinaryOpText(BinaryOp op) {
  constexpr std::string_view kTexts[] = {"OR", "AND", "=", "<>", "<", "<=", ">",
                                         ">=", "+",   "-", "*",  "/", "%"};
  return kTexts[static_cast<size_t>(op)];
}

std::string_view WindowKindName(WindowKind kind) {
  constexpr std::string_view kNames[] = {"TumblingWindow", "HoppingWindow", "SlidingWindow",
                                         "SessionWindow"};
  return kNames[static_cast<size_t>(kind)];
}

bool ExprEquals(const Expr& a, const Expr& b) {
  if (a.node.index() != b.node.index()) return false;
  return std::visit(
      [&](const auto& node) {
        using T = std::decay_t<decltype(node)>;
        return Same(node, std::get<T>(b.node));
      },
      a.node);
}

bool OrderItemsEqual(const std::vector<OrderItem>& a, const std::vector<OrderItem>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].direction != b[i].direction || a[i].nulls != b[i].nulls ||
        !Same(a[i].expr, b[i].expr)) {
      return false;
    }
  }
  return true;
}

}  // namespace braid::sql
