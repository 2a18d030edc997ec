#include "sql/printer.h"

#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "common/schema.h"
#include "sql/keywords.h"

namespace braid::sql {
namespace {

// Binding strength, loosest first, mirroring the parser's levels (expression_parser.h).
enum Level : int {
  kOrLevel = 1,
  kAndLevel,
  kNotLevel,
  kPredicateLevel,  // comparisons, IS, IN, BETWEEN, LIKE
  kAdditiveLevel,
  kMultiplicativeLevel,
  kUnaryLevel,
  kPrimaryLevel,
};

Level BinaryLevel(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr:
      return kOrLevel;
    case BinaryOp::kAnd:
      return kAndLevel;
    case BinaryOp::kAdd:
    case BinaryOp::kSubtract:
      return kAdditiveLevel;
    case BinaryOp::kMultiply:
    case BinaryOp::kDivide:
    case BinaryOp::kModulo:
      return kMultiplicativeLevel;
    default:
      return kPredicateLevel;
  }
}

bool IsNegativeNumber(const Literal& literal) {
  if (auto* i = std::get_if<int64_t>(&literal.value)) return *i < 0;
  if (auto* d = std::get_if<double>(&literal.value)) return std::signbit(*d);
  return false;
}

Level LevelOf(const Expr& expr) {
  if (auto* binary = std::get_if<BinaryExpr>(&expr.node)) return BinaryLevel(binary->op);
  if (auto* unary = std::get_if<UnaryExpr>(&expr.node)) {
    return unary->op == UnaryOp::kNot ? kNotLevel : kUnaryLevel;
  }
  if (auto* literal = std::get_if<Literal>(&expr.node)) {
    return IsNegativeNumber(*literal) ? kUnaryLevel : kPrimaryLevel;
  }
  if (std::holds_alternative<IsNullExpr>(expr.node) ||
      std::holds_alternative<InListExpr>(expr.node) ||
      std::holds_alternative<BetweenExpr>(expr.node) ||
      std::holds_alternative<LikeExpr>(expr.node)) {
    return kPredicateLevel;
  }
  return kPrimaryLevel;
}

std::string Print(const Expr& expr, int min_level);

std::string PrintList(const std::vector<ExprPtr>& list) {
  std::vector<std::string> parts;
  parts.reserve(list.size());
  for (const ExprPtr& item : list) parts.push_back(Print(*item, kOrLevel));
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string DoubleText(double value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

// INTERVAL 'n' UNIT with the largest unit that divides the duration exactly.
std::string IntervalText(Duration duration) {
  struct IntervalUnit {
    TimeUnit unit;
    std::string_view keyword;
  };
  constexpr IntervalUnit kUnits[] = {
      {TimeUnit::kDay, "DAY"},
      {TimeUnit::kHour, "HOUR"},
      {TimeUnit::kMinute, "MINUTE"},
      {TimeUnit::kSecond, "SECOND"},
      {TimeUnit::kMillisecond, "MILLISECOND"},
  };
  for (const IntervalUnit& unit : kUnits) {
    int64_t unit_micros = TimeUnitDuration(unit.unit).micros;
    if (duration.micros % unit_micros == 0) {
      return fmt::format("INTERVAL '{}' {}", duration.micros / unit_micros, unit.keyword);
    }
  }
  return fmt::format("INTERVAL '{}' MICROSECOND", duration.micros);
}

std::string PrintLiteral(const Literal& literal) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "NULL"; }
    std::string operator()(bool b) const { return b ? "TRUE" : "FALSE"; }
    std::string operator()(int64_t i) const { return fmt::format("{}", i); }
    std::string operator()(double d) const { return DoubleText(d); }
    std::string operator()(const std::string& s) const { return FormatStringLiteral(s); }
    std::string operator()(Timestamp t) const {
      return fmt::format("TIMESTAMP '{}'", FormatRfc3339(t));
    }
    std::string operator()(Duration d) const { return IntervalText(d); }
  };
  return std::visit(Visitor{}, literal.value);
}

std::string Qualified(const std::optional<std::string>& qualifier, std::string_view name) {
  if (!qualifier) return std::string(name);
  return fmt::format("{}.{}", FormatIdentifier(*qualifier), name);
}

std::string PrintUnary(const UnaryExpr& unary) {
  if (unary.op == UnaryOp::kNot) return "NOT " + Print(*unary.operand, kNotLevel);
  std::string operand = Print(*unary.operand, kUnaryLevel);
  // "--" would start a comment.
  if (operand.front() == '-') return fmt::format("-({})", operand);
  return "-" + operand;
}

std::string PrintBinary(const BinaryExpr& binary) {
  int level = BinaryLevel(binary.op);
  int right_level = level == kPredicateLevel ? kAdditiveLevel : level + 1;
  return fmt::format("{} {} {}", Print(*binary.left, level), BinaryOpText(binary.op),
                     Print(*binary.right, right_level));
}

std::string PrintCase(const CaseExpr& node) {
  std::string out = "CASE";
  // Appends rather than `" " + x`: GCC 12 -O2 warns falsely (-Wrestrict) on that form.
  if (node.operand) out.append(" ").append(Print(*node.operand, kOrLevel));
  for (const WhenClause& when : node.whens) {
    out += fmt::format(" WHEN {} THEN {}", Print(*when.condition, kOrLevel),
                       Print(*when.result, kOrLevel));
  }
  if (node.else_result) out.append(" ELSE ").append(Print(*node.else_result, kOrLevel));
  return out + " END";
}

// Function names are case-insensitive, so canonical text spells them one way: AVG(x) for avg(x),
// System.Timestamp() for system.timestamp(); equal views then print equal SQL.
std::vector<std::string> CanonicalFunctionName(const std::vector<std::string>& parts) {
  if (parts.size() == 2 && IdentifierEquals(parts[0], "System") &&
      IdentifierEquals(parts[1], "Timestamp")) {
    return {"System", "Timestamp"};
  }
  std::vector<std::string> name;
  for (const std::string& part : parts) {
    std::string upper = part;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    name.push_back(parts.size() == 1 ? FormatIdentifier(upper) : FormatIdentifier(part));
  }
  return name;
}

std::string PrintFunction(const FunctionCall& call) {
  std::vector<std::string> name = CanonicalFunctionName(call.name);
  std::string out = fmt::format("{}({}{})", fmt::join(name, "."), call.distinct ? "DISTINCT " : "",
                                PrintList(call.arguments));
  if (call.filter) out += fmt::format(" FILTER (WHERE {})", Print(*call.filter, kOrLevel));
  if (call.over) out += fmt::format(" OVER (ORDER BY {})", ToSql(call.over->order_by));
  return out;
}

std::string PrintWindow(const WindowSpec& spec) {
  std::string out =
      fmt::format("{}({}, {}", WindowKindName(spec.kind), TimeUnitName(spec.unit), spec.size);
  if (spec.hop) out += fmt::format(", {}", *spec.hop);
  if (spec.max_duration) out += fmt::format(", {}", *spec.max_duration);
  if (spec.offset) {
    out += fmt::format(", Offset({}, {})", TimeUnitName(spec.offset->unit), spec.offset->amount);
  }
  if (!spec.partition_by.empty()) out += ", PARTITION BY " + PrintList(spec.partition_by);
  return out + ")";
}

std::string PrintNode(const Expr& expr) {
  struct Visitor {
    std::string operator()(const Literal& n) const { return PrintLiteral(n); }
    std::string operator()(const ColumnRef& n) const {
      return Qualified(n.qualifier, FormatIdentifier(n.name));
    }
    std::string operator()(const Star& n) const { return Qualified(n.qualifier, "*"); }
    std::string operator()(const UnaryExpr& n) const { return PrintUnary(n); }
    std::string operator()(const BinaryExpr& n) const { return PrintBinary(n); }
    std::string operator()(const IsNullExpr& n) const {
      return fmt::format("{} IS {}NULL", Print(*n.operand, kPredicateLevel),
                         n.negated ? "NOT " : "");
    }
    std::string operator()(const InListExpr& n) const {
      return fmt::format("{} {}IN ({})", Print(*n.operand, kPredicateLevel),
                         n.negated ? "NOT " : "", PrintList(n.list));
    }
    std::string operator()(const BetweenExpr& n) const {
      return fmt::format("{} {}BETWEEN {} AND {}", Print(*n.operand, kPredicateLevel),
                         n.negated ? "NOT " : "", Print(*n.low, kAdditiveLevel),
                         Print(*n.high, kAdditiveLevel));
    }
    std::string operator()(const LikeExpr& n) const {
      return fmt::format("{} {}LIKE {}", Print(*n.operand, kPredicateLevel),
                         n.negated ? "NOT " : "", Print(*n.pattern, kAdditiveLevel));
    }
    std::string operator()(const CaseExpr& n) const { return PrintCase(n); }
    std::string operator()(const CastExpr& n) const {
      return fmt::format("CAST({} AS {})", Print(*n.operand, kOrLevel), DataTypeName(n.type));
    }
    std::string operator()(const FunctionCall& n) const { return PrintFunction(n); }
    std::string operator()(const WindowSpec& n) const { return PrintWindow(n); }
  };
  return std::visit(Visitor{}, expr.node);
}

std::string Print(const Expr& expr, int min_level) {
  std::string text = PrintNode(expr);
  if (LevelOf(expr) < min_level) return fmt::format("({})", text);
  return text;
}

std::string PrintSelectItem(const SelectItem& item) {
  std::string text = Print(*item.expr, kOrLevel);
  if (item.alias) text += " AS " + FormatIdentifier(*item.alias);
  return text;
}

}  // namespace

std::string ToSql(const Expr& expr) { return Print(expr, kOrLevel); }

std::string ToSql(const std::vector<OrderItem>& items) {
  std::vector<std::string> parts;
  for (const OrderItem& item : items) {
    std::string text = Print(*item.expr, kOrLevel);
    if (item.direction == SortDirection::kDescending) text += " DESC";
    if (item.nulls == NullsOrder::kFirst) text += " NULLS FIRST";
    if (item.nulls == NullsOrder::kLast) text += " NULLS LAST";
    parts.push_back(std::move(text));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string ToSql(const SelectStatement& select) {
  std::vector<std::string> items;
  for (const SelectItem& item : select.items) items.push_back(PrintSelectItem(item));
  std::string out = fmt::format("SELECT {}{} FROM {}", select.distinct ? "DISTINCT " : "",
                                fmt::join(items, ", "), FormatIdentifier(select.from));
  if (select.timestamp_by) out += " TIMESTAMP BY " + ToSql(*select.timestamp_by);
  if (select.where) out += " WHERE " + ToSql(*select.where);
  if (!select.group_by.empty()) out += " GROUP BY " + PrintList(select.group_by);
  if (select.having) out += " HAVING " + ToSql(*select.having);
  if (!select.order_by.empty()) out += " ORDER BY " + ToSql(select.order_by);
  if (select.limit) out += fmt::format(" LIMIT {}", *select.limit);
  if (select.offset) out += fmt::format(" OFFSET {}", *select.offset);
  return out;
}

std::string ToSql(const CreateViewStatement& view) {
  return fmt::format("CREATE {}VIEW {} AS {}", view.or_replace ? "OR REPLACE " : "",
                     FormatIdentifier(view.name), ToSql(view.query));
}

std::string ToSql(const CreateAlertStatement& alert) {
  return fmt::format("CREATE {}ALERT {} ON {} WHERE {}", alert.or_replace ? "OR REPLACE " : "",
                     FormatIdentifier(alert.name), FormatIdentifier(alert.view),
                     ToSql(*alert.condition));
}

std::string ToSql(const AlterStreamStatement& alter) {
  return fmt::format("ALTER STREAM {} ADD COLUMN {}{} {}", FormatIdentifier(alter.name),
                     alter.if_not_exists ? "IF NOT EXISTS " : "",
                     FormatIdentifier(alter.column.name), DataTypeName(alter.column.type));
}

}  // namespace braid::sql
