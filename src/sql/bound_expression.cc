#include "sql/bound_expression.h"

#include <fmt/format.h>

#include "common/schema.h"
#include "common/time.h"

namespace braid::sql {
namespace {

struct DatePartSpelling {
  std::string_view name;
  DatePart part;
};
// The full name of each part comes first: DatePartName returns it.
constexpr DatePartSpelling kDatePartNames[] = {
    {"year", DatePart::kYear},
    {"yy", DatePart::kYear},
    {"yyyy", DatePart::kYear},
    {"quarter", DatePart::kQuarter},
    {"qq", DatePart::kQuarter},
    {"q", DatePart::kQuarter},
    {"month", DatePart::kMonth},
    {"mm", DatePart::kMonth},
    {"m", DatePart::kMonth},
    {"dayofyear", DatePart::kDayOfYear},
    {"dy", DatePart::kDayOfYear},
    {"y", DatePart::kDayOfYear},
    {"day", DatePart::kDay},
    {"dd", DatePart::kDay},
    {"d", DatePart::kDay},
    {"week", DatePart::kWeek},
    {"wk", DatePart::kWeek},
    {"ww", DatePart::kWeek},
    {"weekday", DatePart::kWeekday},
    {"dw", DatePart::kWeekday},
    {"hour", DatePart::kHour},
    {"hh", DatePart::kHour},
    {"minute", DatePart::kMinute},
    {"mi", DatePart::kMinute},
    {"n", DatePart::kMinute},
    {"second", DatePart::kSecond},
    {"ss", DatePart::kSecond},
    {"s", DatePart::kSecond},
    {"millisecond", DatePart::kMillisecond},
    {"ms", DatePart::kMillisecond},
    {"microsecond", DatePart::kMicrosecond},
    {"mcs", DatePart::kMicrosecond},
};

BoundExprPtr CloneOrNull(const BoundExprPtr& expr) {
  return expr == nullptr ? nullptr : CloneBound(*expr);
}

std::vector<BoundExprPtr> CloneAll(const std::vector<BoundExprPtr>& exprs) {
  std::vector<BoundExprPtr> copies;
  copies.reserve(exprs.size());
  for (const BoundExprPtr& expr : exprs) copies.push_back(CloneOrNull(expr));
  return copies;
}

struct Cloner {
  BoundExpr::Node operator()(const BoundColumn& n) const { return n; }
  BoundExpr::Node operator()(const BoundConstant& n) const { return n; }
  BoundExpr::Node operator()(const BoundUnary& n) const {
    return BoundUnary{n.op, CloneOrNull(n.operand)};
  }
  BoundExpr::Node operator()(const BoundBinary& n) const {
    return BoundBinary{n.op, CloneOrNull(n.left), CloneOrNull(n.right)};
  }
  BoundExpr::Node operator()(const BoundIsNull& n) const {
    return BoundIsNull{CloneOrNull(n.operand), n.negated};
  }
  BoundExpr::Node operator()(const BoundInList& n) const {
    return BoundInList{CloneOrNull(n.operand), CloneAll(n.list), n.negated};
  }
  BoundExpr::Node operator()(const BoundLike& n) const {
    return BoundLike{CloneOrNull(n.operand), CloneOrNull(n.pattern), n.negated};
  }
  BoundExpr::Node operator()(const BoundCase& n) const {
    BoundCase copy;
    copy.whens.reserve(n.whens.size());
    for (const BoundWhen& when : n.whens) {
      copy.whens.push_back(BoundWhen{CloneOrNull(when.condition), CloneOrNull(when.result)});
    }
    copy.else_result = CloneOrNull(n.else_result);
    return copy;
  }
  BoundExpr::Node operator()(const BoundCast& n) const { return BoundCast{CloneOrNull(n.operand)}; }
  BoundExpr::Node operator()(const BoundFunction& n) const {
    return BoundFunction{n.function, n.part, CloneAll(n.arguments)};
  }
};

std::string QuoteString(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    quoted += c;
    if (c == '\'') quoted += '\'';
  }
  quoted += '\'';
  return quoted;
}

std::string ConstantText(const Value& value, DataType type) {
  if (std::holds_alternative<std::monostate>(value)) return "NULL";
  if (const bool* b = std::get_if<bool>(&value)) return *b ? "TRUE" : "FALSE";
  if (const double* d = std::get_if<double>(&value)) {
    std::string text = fmt::format("{}", *d);
    if (text.find_first_of(".eEn") == std::string::npos) text += ".0";  // n: inf, nan
    return text;
  }
  if (const std::string* s = std::get_if<std::string>(&value)) return QuoteString(*s);
  const int64_t i = std::get<int64_t>(value);
  if (type == DataType::kTimestamp) return "TIMESTAMP " + QuoteString(FormatRfc3339({i}));
  return std::to_string(i);
}

std::string Text(const BoundExprPtr& expr) {
  return expr == nullptr ? "<null>" : BoundToString(*expr);
}

std::string ListText(const std::vector<BoundExprPtr>& exprs) {
  std::string text;
  for (size_t i = 0; i < exprs.size(); ++i) {
    if (i > 0) text += ", ";
    text += Text(exprs[i]);
  }
  return text;
}

struct Printer {
  DataType type;

  std::string operator()(const BoundColumn& n) const {
    return n.name.empty() ? fmt::format("${}", n.index) : n.name;
  }
  std::string operator()(const BoundConstant& n) const { return ConstantText(n.value, type); }
  std::string operator()(const BoundUnary& n) const {
    return fmt::format("({}{})", n.op == UnaryOp::kNot ? "NOT " : "-", Text(n.operand));
  }
  std::string operator()(const BoundBinary& n) const {
    return fmt::format("({} {} {})", Text(n.left), BinaryOpText(n.op), Text(n.right));
  }
  std::string operator()(const BoundIsNull& n) const {
    return fmt::format("({} IS {}NULL)", Text(n.operand), n.negated ? "NOT " : "");
  }
  std::string operator()(const BoundInList& n) const {
    return fmt::format("({} {}IN ({}))", Text(n.operand), n.negated ? "NOT " : "",
                       ListText(n.list));
  }
  std::string operator()(const BoundLike& n) const {
    return fmt::format("({} {}LIKE {})", Text(n.operand), n.negated ? "NOT " : "", Text(n.pattern));
  }
  std::string operator()(const BoundCase& n) const {
    std::string text = "CASE";
    for (const BoundWhen& when : n.whens) {
      text += fmt::format(" WHEN {} THEN {}", Text(when.condition), Text(when.result));
    }
    if (n.else_result != nullptr) text += " ELSE " + Text(n.else_result);
    return text + " END";
  }
  std::string operator()(const BoundCast& n) const {
    return fmt::format("CAST({} AS {})", Text(n.operand), DataTypeName(type));
  }
  std::string operator()(const BoundFunction& n) const {
    std::string arguments = ListText(n.arguments);
    if (n.part.has_value()) {
      arguments = std::string(DatePartName(*n.part)) + (arguments.empty() ? "" : ", ") + arguments;
    }
    return fmt::format("{}({})", ScalarFunctionName(n.function), arguments);
  }
};

}  // namespace

std::optional<DatePart> DatePartFromName(std::string_view name) {
  for (const DatePartSpelling& spelling : kDatePartNames) {
    if (IdentifierEquals(spelling.name, name)) return spelling.part;
  }
  return std::nullopt;
}

std::string_view DatePartName(DatePart part) {
  for (const DatePartSpelling& spelling : kDatePartNames) {
    if (spelling.part == part) return spelling.name;
  }
  return "?";
}

std::string_view ScalarFunctionName(ScalarFunction function) {
  switch (function) {
    case ScalarFunction::kAbs:
      return "ABS";
    case ScalarFunction::kRound:
      return "ROUND";
    case ScalarFunction::kFloor:
      return "FLOOR";
    case ScalarFunction::kCeiling:
      return "CEILING";
    case ScalarFunction::kLower:
      return "LOWER";
    case ScalarFunction::kUpper:
      return "UPPER";
    case ScalarFunction::kLength:
      return "LEN";
    case ScalarFunction::kSubstring:
      return "SUBSTRING";
    case ScalarFunction::kConcat:
      return "CONCAT";
    case ScalarFunction::kCoalesce:
      return "COALESCE";
    case ScalarFunction::kDateAdd:
      return "DATEADD";
    case ScalarFunction::kDateDiff:
      return "DATEDIFF";
    case ScalarFunction::kDatePart:
      return "DATEPART";
  }
  return "?";
}

BoundExprPtr CloneBound(const BoundExpr& expr) {
  return std::make_unique<BoundExpr>(
      BoundExpr{std::visit(Cloner{}, expr.node), expr.type, expr.position});
}

std::string BoundToString(const BoundExpr& expr) {
  return std::visit(Printer{expr.type}, expr.node);
}

}  // namespace braid::sql
