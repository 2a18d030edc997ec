// The expression grammar of Braid's SQL dialect, internal to braid_sql and used by the statement
// parsers (SELECT items, WHERE, GROUP BY, HAVING, ORDER BY, CREATE ALERT ... WHERE). Recursive
// descent, one function per precedence level, loosest first:
//   OR < AND < NOT < comparison, IS [NOT] NULL, [NOT] IN / BETWEEN / LIKE < + - < * / % < unary -
// Binary operators of one level associate to the left (a - b - c is (a - b) - c). A minus before
// a number literal folds into the literal (-5 is the literal -5). Nesting (parentheses, NOT,
// unary minus, operator chains) is limited to kMaxExpressionDepth so that a hostile input fails
// with an error instead of exhausting the stack. Written by hand like the rest of the parser.
// The parser borrows the caller's cursor; one parser is used by one thread.
#pragma once

#include <string_view>
#include <vector>

#include "sql/expression.h"
#include "sql/token_cursor.h"

namespace braid::sql {

inline constexpr int kMaxExpressionDepth = 400;

class ExpressionParser {
 public:
  explicit ExpressionParser(TokenCursor& cursor) : cursor_(cursor) {}
  ExpressionParser(const ExpressionParser&) = delete;
  ExpressionParser& operator=(const ExpressionParser&) = delete;

  // A whole expression at the cursor; stops before the first token that cannot continue it.
  Result<ExprPtr> ParseExpression();
  // expr [ASC | DESC] [NULLS FIRST | NULLS LAST], ... (ORDER BY itself already consumed).
  Result<std::vector<OrderItem>> ParseOrderItems();

 private:
  // Precedence levels (expression_parser.cc).
  Result<ExprPtr> ParseOr();
  Result<ExprPtr> ParseAnd();
  Result<ExprPtr> ParseNot();
  Result<ExprPtr> ParsePredicate();
  bool AtPredicateSuffix() const;
  Result<ExprPtr> ParsePredicateSuffix(ExprPtr left);
  Result<ExprPtr> ParseInList(ExprPtr left, bool negated);
  Result<ExprPtr> ParseAdditive();
  Result<ExprPtr> ParseMultiplicative();
  Result<ExprPtr> ParseUnary();
  Result<ExprPtr> ParsePrimary();
  Result<ExprPtr> ParseParenthesized();
  Status EnterNesting();

  // Terms (expression_terms.cc): literals, CASE, CAST, names, calls and windows.
  Result<ExprPtr> ParseTimeLiteral();
  Result<ExprPtr> ParseCase();
  Result<ExprPtr> ParseCast();
  Result<ExprPtr> ParseNamed();
  Result<ExprPtr> ParseFunctionCall(std::vector<std::string> name, SourcePosition position);
  Status ParseArguments(FunctionCall& call, std::string_view function);
  Status ParseFunctionSuffixes(FunctionCall& call);
  Result<ExprPtr> ParseWindow(WindowKind kind, SourcePosition position);
  Status ParseWindowTail(WindowSpec& spec);
  Status ParsePartitionBy(WindowSpec& spec);
  Result<WindowOffset> ParseWindowOffset(std::string_view expected);
  Result<TimeUnit> ParseDatePart();
  Result<int64_t> ParseWindowCount(std::string_view what);

  TokenCursor& cursor_;
  int depth_ = 0;  // current nesting, bounded by kMaxExpressionDepth
};

// Parses an expression at the cursor (a convenience over ExpressionParser).
Result<ExprPtr> ParseExpression(TokenCursor& cursor);

// The value of a number token, negated when `sign` is "-": an int64 for kInteger, a double for
// kDecimal. kInvalidArgument "number ... is out of range" at `position` when it does not fit.
Result<Literal> NumberLiteral(const Token& number, std::string_view sign, SourcePosition position);

}  // namespace braid::sql
