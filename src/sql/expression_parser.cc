// The precedence levels of the expression grammar (expression_parser.h).
#include "sql/expression_parser.h"

#include <fmt/format.h>

#include <charconv>
#include <limits>

namespace braid::sql {
namespace {

std::optional<BinaryOp> ComparisonOp(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEqual:
      return BinaryOp::kEqual;
    case TokenKind::kNotEqual:
      return BinaryOp::kNotEqual;
    case TokenKind::kLess:
      return BinaryOp::kLess;
    case TokenKind::kLessEqual:
      return BinaryOp::kLessEqual;
    case TokenKind::kGreater:
      return BinaryOp::kGreater;
    case TokenKind::kGreaterEqual:
      return BinaryOp::kGreaterEqual;
    default:
      return std::nullopt;
  }
}

std::optional<BinaryOp> MultiplicativeOp(TokenKind kind) {
  switch (kind) {
    case TokenKind::kStar:
      return BinaryOp::kMultiply;
    case TokenKind::kSlash:
      return BinaryOp::kDivide;
    case TokenKind::kPercent:
      return BinaryOp::kModulo;
    default:
      return std::nullopt;
  }
}

std::optional<BinaryOp> AdditiveOp(TokenKind kind) {
  if (kind == TokenKind::kPlus) return BinaryOp::kAdd;
  if (kind == TokenKind::kMinus) return BinaryOp::kSubtract;
  return std::nullopt;
}

ExprPtr MakeBinary(BinaryOp op, ExprPtr left, ExprPtr right) {
  SourcePosition position = left->position;
  return MakeExpr(BinaryExpr{op, std::move(left), std::move(right)}, position);
}

// -literal as one literal, when the negation is representable (not for -(INT64_MIN)).
bool FoldNegation(Expr& operand, SourcePosition minus) {
  auto* literal = std::get_if<Literal>(&operand.node);
  if (literal == nullptr) return false;
  if (auto* i = std::get_if<int64_t>(&literal->value)) {
    if (*i == std::numeric_limits<int64_t>::min()) return false;
    *i = -*i;
  } else if (auto* d = std::get_if<double>(&literal->value)) {
    *d = -*d;
  } else {
    return false;
  }
  operand.position = minus;
  return true;
}

// Counts one level of nesting for as long as it lives.
class NestingScope {
 public:
  explicit NestingScope(int& depth) : depth_(depth) {}
  ~NestingScope() { depth_ -= entered_; }
  NestingScope(const NestingScope&) = delete;
  NestingScope& operator=(const NestingScope&) = delete;
  void Enter() {
    ++depth_;
    ++entered_;
  }

 private:
  int& depth_;
  int entered_ = 0;
};

}  // namespace

Result<Literal> NumberLiteral(const Token& number, std::string_view sign, SourcePosition position) {
  std::string text = fmt::format("{}{}", sign == "-" ? "-" : "", number.text);
  const char* end = text.data() + text.size();
  if (number.kind == TokenKind::kInteger) {
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec == std::errc() && ptr == end) return Literal{value};
  } else {
    double value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec == std::errc() && ptr == end) return Literal{value};
  }
  return Status(StatusCode::kInvalidArgument,
                fmt::format("number {}{} is out of range", sign, number.text), position);
}

Result<ExprPtr> ParseExpression(TokenCursor& cursor) {
  ExpressionParser parser(cursor);
  return parser.ParseExpression();
}

Result<ExprPtr> ExpressionParser::ParseExpression() { return ParseOr(); }

Status ExpressionParser::EnterNesting() {
  if (depth_ < kMaxExpressionDepth) return Status::Ok();
  return Status(
      StatusCode::kTooLarge,
      fmt::format("expression nested too deeply (more than {} levels)", kMaxExpressionDepth),
      cursor_.Peek().position);
}

Result<ExprPtr> ExpressionParser::ParseOr() {
  ASSIGN_OR_RETURN(ExprPtr left, ParseAnd());
  NestingScope chain(depth_);
  while (cursor_.AcceptWord("OR")) {
    RETURN_IF_ERROR(EnterNesting());
    chain.Enter();
    ASSIGN_OR_RETURN(ExprPtr right, ParseAnd());
    left = MakeBinary(BinaryOp::kOr, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> ExpressionParser::ParseAnd() {
  ASSIGN_OR_RETURN(ExprPtr left, ParseNot());
  NestingScope chain(depth_);
  while (cursor_.AcceptWord("AND")) {
    RETURN_IF_ERROR(EnterNesting());
    chain.Enter();
    ASSIGN_OR_RETURN(ExprPtr right, ParseNot());
    left = MakeBinary(BinaryOp::kAnd, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> ExpressionParser::ParseNot() {
  if (!cursor_.CheckWord("NOT")) return ParsePredicate();
  RETURN_IF_ERROR(EnterNesting());
  NestingScope nesting(depth_);
  nesting.Enter();
  SourcePosition position = cursor_.Advance().position;
  ASSIGN_OR_RETURN(ExprPtr operand, ParseNot());
  return MakeExpr(UnaryExpr{UnaryOp::kNot, std::move(operand)}, position);
}

bool ExpressionParser::AtPredicateSuffix() const {
  if (ComparisonOp(cursor_.Peek().kind) || cursor_.CheckWord("IS")) return true;
  size_t ahead = cursor_.CheckWord("NOT") ? 1 : 0;
  return cursor_.CheckWord("IN", ahead) || cursor_.CheckWord("BETWEEN", ahead) ||
         cursor_.CheckWord("LIKE", ahead);
}

Result<ExprPtr> ExpressionParser::ParsePredicate() {
  ASSIGN_OR_RETURN(ExprPtr left, ParseAdditive());
  NestingScope chain(depth_);
  while (AtPredicateSuffix()) {
    RETURN_IF_ERROR(EnterNesting());
    chain.Enter();
    ASSIGN_OR_RETURN(left, ParsePredicateSuffix(std::move(left)));
  }
  return left;
}

Result<ExprPtr> ExpressionParser::ParsePredicateSuffix(ExprPtr left) {
  SourcePosition position = left->position;
  if (std::optional<BinaryOp> op = ComparisonOp(cursor_.Peek().kind)) {
    cursor_.Advance();
    ASSIGN_OR_RETURN(ExprPtr right, ParseAdditive());
    return MakeBinary(*op, std::move(left), std::move(right));
  }
  if (cursor_.AcceptWord("IS")) {
    bool negated = cursor_.AcceptWord("NOT");
    RETURN_IF_ERROR(cursor_.ExpectWord("NULL", negated ? "NULL after IS NOT"
                                                       : "NULL or NOT NULL "
                                                         "after IS"));
    return MakeExpr(IsNullExpr{std::move(left), negated}, position);
  }
  bool negated = cursor_.AcceptWord("NOT");
  if (cursor_.AcceptWord("IN")) return ParseInList(std::move(left), negated);
  if (cursor_.AcceptWord("LIKE")) {
    ASSIGN_OR_RETURN(ExprPtr pattern, ParseAdditive());
    return MakeExpr(LikeExpr{std::move(left), std::move(pattern), negated}, position);
  }
  RETURN_IF_ERROR(cursor_.ExpectWord("BETWEEN", "IN, BETWEEN or LIKE after NOT"));
  ASSIGN_OR_RETURN(ExprPtr low, ParseAdditive());
  RETURN_IF_ERROR(cursor_.ExpectWord("AND", "AND between the bounds of BETWEEN"));
  ASSIGN_OR_RETURN(ExprPtr high, ParseAdditive());
  return MakeExpr(BetweenExpr{std::move(left), std::move(low), std::move(high), negated}, position);
}

Result<ExprPtr> ExpressionParser::ParseInList(ExprPtr left, bool negated) {
  SourcePosition position = left->position;
  RETURN_IF_ERROR(cursor_.Expect(TokenKind::kLeftParen, "'(' and a list of values after IN"));
  InListExpr in{std::move(left), {}, negated};
  do {
    ASSIGN_OR_RETURN(ExprPtr value, ParseExpression());
    in.list.push_back(std::move(value));
  } while (cursor_.Accept(TokenKind::kComma));
  RETURN_IF_ERROR(cursor_.Expect(TokenKind::kRightParen, "',' or ')' in the IN list"));
  return MakeExpr(std::move(in), position);
}

Result<ExprPtr> ExpressionParser::ParseAdditive() {
  ASSIGN_OR_RETURN(ExprPtr left, ParseMultiplicative());
  NestingScope chain(depth_);
  while (std::optional<BinaryOp> op = AdditiveOp(cursor_.Peek().kind)) {
    RETURN_IF_ERROR(EnterNesting());
    chain.Enter();
    cursor_.Advance();
    ASSIGN_OR_RETURN(ExprPtr right, ParseMultiplicative());
    left = MakeBinary(*op, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> ExpressionParser::ParseMultiplicative() {
  ASSIGN_OR_RETURN(ExprPtr left, ParseUnary());
  NestingScope chain(depth_);
  while (std::optional<BinaryOp> op = MultiplicativeOp(cursor_.Peek().kind)) {
    RETURN_IF_ERROR(EnterNesting());
    chain.Enter();
    cursor_.Advance();
    ASSIGN_OR_RETURN(ExprPtr right, ParseUnary());
    left = MakeBinary(*op, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> ExpressionParser::ParseUnary() {
  RETURN_IF_ERROR(EnterNesting());
  NestingScope nesting(depth_);
  nesting.Enter();
  if (cursor_.Accept(TokenKind::kPlus)) return ParseUnary();  // unary plus changes nothing
  if (!cursor_.Check(TokenKind::kMinus)) return ParsePrimary();
  SourcePosition minus = cursor_.Advance().position;
  if (cursor_.Check(TokenKind::kInteger) || cursor_.Check(TokenKind::kDecimal)) {
    ASSIGN_OR_RETURN(Literal literal, NumberLiteral(cursor_.Advance(), "-", minus));
    return MakeExpr(std::move(literal), minus);
  }
  ASSIGN_OR_RETURN(ExprPtr operand, ParseUnary());
  if (FoldNegation(*operand, minus)) return operand;
  return MakeExpr(UnaryExpr{UnaryOp::kNegate, std::move(operand)}, minus);
}

Result<ExprPtr> ExpressionParser::ParsePrimary() {
  const Token& token = cursor_.Peek();
  SourcePosition position = token.position;
  switch (token.kind) {
    case TokenKind::kInteger:
    case TokenKind::kDecimal: {
      ASSIGN_OR_RETURN(Literal literal, NumberLiteral(cursor_.Advance(), "", position));
      return MakeExpr(std::move(literal), position);
    }
    case TokenKind::kString:
      return MakeExpr(Literal{cursor_.Advance().text}, position);
    case TokenKind::kLeftParen:
      return ParseParenthesized();
    default:
      break;
  }
  if (cursor_.AcceptWord("NULL")) return MakeExpr(Literal{}, position);
  if (cursor_.AcceptWord("TRUE")) return MakeExpr(Literal{true}, position);
  if (cursor_.AcceptWord("FALSE")) return MakeExpr(Literal{false}, position);
  if (cursor_.CheckWord("CASE")) return ParseCase();
  if (cursor_.CheckWord("CAST")) return ParseCast();
  if ((cursor_.CheckWord("TIMESTAMP") || cursor_.CheckWord("INTERVAL")) &&
      cursor_.Check(TokenKind::kString, 1)) {
    return ParseTimeLiteral();
  }
  if (cursor_.CheckName()) return ParseNamed();
  return cursor_.ErrorExpected("an expression");
}

Result<ExprPtr> ExpressionParser::ParseParenthesized() {
  SourcePosition open = cursor_.Advance().position;
  ASSIGN_OR_RETURN(ExprPtr inner, ParseExpression());
  RETURN_IF_ERROR(
      cursor_.Expect(TokenKind::kRightParen,
                     fmt::format("')' to close the '(' at {}:{}", open.line, open.column)));
  return inner;
}

Result<std::vector<OrderItem>> ExpressionParser::ParseOrderItems() {
  std::vector<OrderItem> items;
  do {
    OrderItem item;
    item.position = cursor_.Peek().position;
    ASSIGN_OR_RETURN(item.expr, ParseExpression());
    if (cursor_.AcceptWord("DESC")) {
      item.direction = SortDirection::kDescending;
    } else {
      cursor_.AcceptWord("ASC");
    }
    if (cursor_.AcceptWord("NULLS")) {
      if (cursor_.AcceptWord("FIRST")) {
        item.nulls = NullsOrder::kFirst;
      } else {
        RETURN_IF_ERROR(cursor_.ExpectWord("LAST", "FIRST or LAST after NULLS"));
        item.nulls = NullsOrder::kLast;
      }
    }
    items.push_back(std::move(item));
  } while (cursor_.Accept(TokenKind::kComma));
  return items;
}

}  // namespace braid::sql
