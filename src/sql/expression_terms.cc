// The terms of the expression grammar (expression_parser.h): time literals, CASE, CAST, column
// references, function calls with DISTINCT / FILTER / OVER, and the window specifications.
#include <fmt/format.h>

#include <charconv>
#include <limits>

#include "common/schema.h"
#include "sql/expression_parser.h"

namespace braid::sql {
namespace {

constexpr std::string_view kUnitExpectation =
    "a time unit (microsecond, millisecond, second, minute, hour or day)";

struct WindowName {
  std::string_view name;
  WindowKind kind;
};
constexpr WindowName kWindowNames[] = {
    {"TumblingWindow", WindowKind::kTumbling},
    {"HoppingWindow", WindowKind::kHopping},
    {"SlidingWindow", WindowKind::kSliding},
    {"SessionWindow", WindowKind::kSession},
};

std::optional<WindowKind> WindowKindOf(const std::vector<std::string>& name) {
  if (name.size() != 1) return std::nullopt;
  for (const WindowName& window : kWindowNames) {
    if (IdentifierEquals(window.name, name[0])) return window.kind;
  }
  return std::nullopt;
}

// INTERVAL 'n' UNIT: n is an optionally signed integer.
Result<Duration> IntervalInUnits(const Token& text, TimeUnit unit) {
  int64_t count = 0;
  const char* end = text.text.data() + text.text.size();
  auto [ptr, ec] = std::from_chars(text.text.data(), end, count);
  int64_t unit_micros = TimeUnitDuration(unit).micros;
  bool fits = ec == std::errc() && ptr == end && !text.text.empty() &&
              count <= std::numeric_limits<int64_t>::max() / unit_micros &&
              count >= std::numeric_limits<int64_t>::min() / unit_micros;
  if (!fits) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("invalid INTERVAL '{}' {}: expected a whole number of {}s that "
                              "fits in 64-bit microseconds",
                              text.text, TimeUnitName(unit), TimeUnitName(unit)),
                  text.position);
  }
  return Duration::Micros(count * unit_micros);
}

}  // namespace

Result<ExprPtr> ExpressionParser::ParseTimeLiteral() {
  const Token& word = cursor_.Advance();
  const Token& text = cursor_.Advance();
  if (IdentifierEquals(word.text, "TIMESTAMP")) {
    Result<Timestamp> value = ParseRfc3339(text.text);
    if (!value.ok()) {
      return Status(
          StatusCode::kInvalidArgument,
          fmt::format("invalid TIMESTAMP literal '{}': {}", text.text, value.status().message()),
          text.position);
    }
    return MakeExpr(Literal{*value}, word.position);
  }
  if (cursor_.CheckName()) {
    if (std::optional<TimeUnit> unit = TimeUnitFromName(cursor_.Peek().text)) {
      cursor_.Advance();
      ASSIGN_OR_RETURN(Duration value, IntervalInUnits(text, *unit));
      return MakeExpr(Literal{value}, word.position);
    }
  }
  Result<Duration> value = ParseDuration(text.text);
  if (!value.ok()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("invalid INTERVAL '{}': {} (write INTERVAL '5' MINUTE or "
                              "INTERVAL '5 minutes')",
                              text.text, value.status().message()),
                  text.position);
  }
  return MakeExpr(Literal{*value}, word.position);
}

Result<ExprPtr> ExpressionParser::ParseCase() {
  SourcePosition position = cursor_.Advance().position;  // CASE
  CaseExpr node;
  if (!cursor_.CheckWord("WHEN")) {
    ASSIGN_OR_RETURN(node.operand, ParseExpression());
  }
  while (cursor_.CheckWord("WHEN")) {
    WhenClause when;
    when.position = cursor_.Advance().position;
    ASSIGN_OR_RETURN(when.condition, ParseExpression());
    RETURN_IF_ERROR(cursor_.ExpectWord("THEN", "THEN after the WHEN condition"));
    ASSIGN_OR_RETURN(when.result, ParseExpression());
    node.whens.push_back(std::move(when));
  }
  if (node.whens.empty()) return cursor_.ErrorExpected("WHEN in CASE");
  if (cursor_.AcceptWord("ELSE")) {
    ASSIGN_OR_RETURN(node.else_result, ParseExpression());
    RETURN_IF_ERROR(cursor_.ExpectWord("END", "END to close the CASE"));
  } else {
    RETURN_IF_ERROR(cursor_.ExpectWord("END", "WHEN, ELSE or END in CASE"));
  }
  return MakeExpr(std::move(node), position);
}

Result<ExprPtr> ExpressionParser::ParseCast() {
  SourcePosition position = cursor_.Advance().position;  // CAST
  RETURN_IF_ERROR(cursor_.Expect(TokenKind::kLeftParen, "'(' after CAST"));
  CastExpr node;
  ASSIGN_OR_RETURN(node.operand, ParseExpression());
  RETURN_IF_ERROR(cursor_.ExpectWord("AS", "AS and a type in CAST"));
  if (!cursor_.CheckName()) return cursor_.ErrorExpected("a type after AS in CAST");
  const Token& type = cursor_.Advance();
  std::optional<DataType> data_type = DataTypeFromName(type.text);
  if (!data_type) {
    return Status(StatusCode::kSyntaxError,
                  fmt::format("unknown type '{}' in CAST: expected BOOLEAN, BIGINT, DOUBLE, "
                              "STRING or TIMESTAMP",
                              type.text),
                  type.position);
  }
  node.type = *data_type;
  RETURN_IF_ERROR(cursor_.Expect(TokenKind::kRightParen, "')' to close CAST"));
  return MakeExpr(std::move(node), position);
}

Result<ExprPtr> ExpressionParser::ParseNamed() {
  SourcePosition position = cursor_.Peek().position;
  std::vector<std::string> name{cursor_.Advance().text};
  while (cursor_.Accept(TokenKind::kDot)) {
    ASSIGN_OR_RETURN(Token part,
                     cursor_.ExpectName(fmt::format("a name after '{}.'", name.back())));
    name.push_back(part.text);
  }
  if (cursor_.Check(TokenKind::kLeftParen)) {
    if (std::optional<WindowKind> kind = WindowKindOf(name)) return ParseWindow(*kind, position);
    return ParseFunctionCall(std::move(name), position);
  }
  if (name.size() > 2) {
    return Status(StatusCode::kSyntaxError,
                  fmt::format("'{}' is not a column: a column has at most one qualifier "
                              "(stream.column)",
                              fmt::join(name, ".")),
                  position);
  }
  if (name.size() == 1) return MakeExpr(ColumnRef{std::nullopt, std::move(name[0])}, position);
  return MakeExpr(ColumnRef{std::move(name[0]), std::move(name[1])}, position);
}

Result<ExprPtr> ExpressionParser::ParseFunctionCall(std::vector<std::string> name,
                                                    SourcePosition position) {
  std::string function = fmt::format("{}", fmt::join(name, "."));
  cursor_.Advance();  // (
  FunctionCall call;
  call.name = std::move(name);
  RETURN_IF_ERROR(ParseArguments(call, function));
  RETURN_IF_ERROR(ParseFunctionSuffixes(call));
  return MakeExpr(std::move(call), position);
}

Status ExpressionParser::ParseArguments(FunctionCall& call, std::string_view function) {
  if (cursor_.Accept(TokenKind::kRightParen)) return Status::Ok();
  if (cursor_.Check(TokenKind::kStar) && cursor_.Check(TokenKind::kRightParen, 1)) {
    call.arguments.push_back(MakeExpr(Star{}, cursor_.Advance().position));
    cursor_.Advance();
    return Status::Ok();
  }
  call.distinct = cursor_.AcceptWord("DISTINCT");
  do {
    ASSIGN_OR_RETURN(ExprPtr argument, ParseExpression());
    call.arguments.push_back(std::move(argument));
  } while (cursor_.Accept(TokenKind::kComma));
  return cursor_
      .Expect(TokenKind::kRightParen, fmt::format("',' or ')' after an argument of {}", function))
      .status();
}

// [FILTER (WHERE condition)] [OVER (ORDER BY ...)]
Status ExpressionParser::ParseFunctionSuffixes(FunctionCall& call) {
  if (cursor_.CheckWord("FILTER") && cursor_.Check(TokenKind::kLeftParen, 1)) {
    cursor_.Advance();
    cursor_.Advance();
    RETURN_IF_ERROR(cursor_.ExpectWord("WHERE", "WHERE after FILTER ("));
    ASSIGN_OR_RETURN(call.filter, ParseExpression());
    RETURN_IF_ERROR(cursor_.Expect(TokenKind::kRightParen, "')' to close FILTER (WHERE ...)"));
  }
  if (cursor_.CheckWord("OVER") && cursor_.Check(TokenKind::kLeftParen, 1)) {
    OverClause over;
    over.position = cursor_.Advance().position;
    cursor_.Advance();
    RETURN_IF_ERROR(cursor_.ExpectWord("ORDER", "ORDER BY after OVER ("));
    RETURN_IF_ERROR(cursor_.ExpectWord("BY", "BY after ORDER"));
    ASSIGN_OR_RETURN(over.order_by, ParseOrderItems());
    RETURN_IF_ERROR(cursor_.Expect(TokenKind::kRightParen, "',' or ')' in OVER (ORDER BY ...)"));
    call.over = std::move(over);
  }
  return Status::Ok();
}

Result<ExprPtr> ExpressionParser::ParseWindow(WindowKind kind, SourcePosition position) {
  std::string_view name = WindowKindName(kind);
  cursor_.Advance();  // (
  WindowSpec spec;
  spec.kind = kind;
  ASSIGN_OR_RETURN(spec.unit, ParseDatePart());
  bool is_session = kind == WindowKind::kSession;
  ASSIGN_OR_RETURN(spec.size, ParseWindowCount(fmt::format("the {} of {}",
                                                           is_session ? "timeout" : "size", name)));
  if (kind == WindowKind::kHopping) {
    ASSIGN_OR_RETURN(spec.hop, ParseWindowCount("the hop of HoppingWindow"));
  } else if (is_session) {
    ASSIGN_OR_RETURN(spec.max_duration, ParseWindowCount("the maximum duration of SessionWindow"));
  }
  RETURN_IF_ERROR(ParseWindowTail(spec));
  return MakeExpr(std::move(spec), position);
}

// [, Offset(unit, n)] [, PARTITION BY key, ...] ')', PARTITION BY for SessionWindow only.
Status ExpressionParser::ParseWindowTail(WindowSpec& spec) {
  bool is_session = spec.kind == WindowKind::kSession;
  if (cursor_.Accept(TokenKind::kComma)) {
    if (is_session && cursor_.CheckWord("PARTITION")) return ParsePartitionBy(spec);
    ASSIGN_OR_RETURN(spec.offset,
                     ParseWindowOffset(is_session ? "Offset(unit, n) or PARTITION BY key"
                                                  : "Offset(unit, n) as the window's last "
                                                    "argument"));
    if (is_session && cursor_.Accept(TokenKind::kComma)) {
      if (!cursor_.CheckWord("PARTITION")) return cursor_.ErrorExpected("PARTITION BY key");
      return ParsePartitionBy(spec);
    }
  }
  return cursor_
      .Expect(TokenKind::kRightParen, fmt::format("')' to close {}", WindowKindName(spec.kind)))
      .status();
}

// PARTITION BY key, ... ')': the last part of a SessionWindow.
Status ExpressionParser::ParsePartitionBy(WindowSpec& spec) {
  cursor_.Advance();  // PARTITION
  RETURN_IF_ERROR(cursor_.ExpectWord("BY", "BY after PARTITION"));
  do {
    ASSIGN_OR_RETURN(ExprPtr key, ParseExpression());
    spec.partition_by.push_back(std::move(key));
  } while (cursor_.Accept(TokenKind::kComma));
  return cursor_.Expect(TokenKind::kRightParen, "',' or ')' after a PARTITION BY key").status();
}

Result<WindowOffset> ExpressionParser::ParseWindowOffset(std::string_view expected) {
  WindowOffset offset;
  offset.position = cursor_.Peek().position;
  RETURN_IF_ERROR(cursor_.ExpectWord("Offset", expected));
  RETURN_IF_ERROR(cursor_.Expect(TokenKind::kLeftParen, "'(' after Offset"));
  ASSIGN_OR_RETURN(offset.unit, ParseDatePart());
  RETURN_IF_ERROR(cursor_.Expect(TokenKind::kComma, "',' and the amount of the Offset"));
  SourcePosition at = cursor_.Peek().position;
  std::string_view sign;
  if (cursor_.Check(TokenKind::kMinus) || cursor_.Check(TokenKind::kPlus)) {
    sign = cursor_.Advance().text;
  }
  if (!cursor_.Check(TokenKind::kInteger)) {
    return cursor_.ErrorExpected("an integer amount for the Offset");
  }
  ASSIGN_OR_RETURN(Literal amount, NumberLiteral(cursor_.Advance(), sign, at));
  offset.amount = std::get<int64_t>(amount.value);
  RETURN_IF_ERROR(cursor_.Expect(TokenKind::kRightParen, "')' to close Offset"));
  return offset;
}

Result<TimeUnit> ExpressionParser::ParseDatePart() {
  if (!cursor_.CheckName()) return cursor_.ErrorExpected(kUnitExpectation);
  std::optional<TimeUnit> unit = TimeUnitFromDatePart(cursor_.Peek().text);
  if (!unit) return cursor_.ErrorExpected(kUnitExpectation);
  cursor_.Advance();
  return *unit;
}

// ", n" where n is a window's integer size, hop, timeout or maximum duration.
Result<int64_t> ExpressionParser::ParseWindowCount(std::string_view what) {
  RETURN_IF_ERROR(cursor_.Expect(TokenKind::kComma, fmt::format("',' and {}", what)));
  if (!cursor_.Check(TokenKind::kInteger)) {
    return cursor_.ErrorExpected(fmt::format("an integer for {}", what));
  }
  const Token& number = cursor_.Advance();
  ASSIGN_OR_RETURN(Literal count, NumberLiteral(number, "", number.position));
  return std::get<int64_t>(count.value);
}

}  // namespace braid::sql
