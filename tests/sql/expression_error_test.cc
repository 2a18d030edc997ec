// Expressions that do not parse: each error's code, line:column and what it says.
#include <gtest/gtest.h>

#include <span>

#include "sql/parser.h"
#include "sql_test_util.h"

namespace braid::sql {
namespace {

using testing::ErrorCase;
using testing::ExpectedError;
using testing::HasError;
using testing::kSyntax;

constexpr StatusCode kInvalid = StatusCode::kInvalidArgument;

void ExpectErrors(std::span<const ErrorCase> cases) {
  for (const ErrorCase& c : cases) {
    EXPECT_TRUE(HasError(ParseStandaloneExpression(c.sql).status(), c.error)) << c.sql;
  }
}

TEST(ExpressionErrorTest, OperatorsAndParentheses) {
  const ErrorCase cases[] = {
      {"", {kSyntax, 1, 1, "expected an expression, found end of input"}},
      {")", {kSyntax, 1, 1, "expected an expression, found ')'"}},
      {"1 +", {kSyntax, 1, 4, "expected an expression, found end of input"}},
      {"a + * b", {kSyntax, 1, 5, "expected an expression, found '*'"}},
      {"a AND OR b", {kSyntax, 1, 7, "expected an expression, found 'OR'"}},
      {"a =", {kSyntax, 1, 4, "expected an expression, found end of input"}},
      {"(a + b", {kSyntax, 1, 7, "expected ')' to close the '(' at 1:1, found end of input"}},
      {"((a) + (b)", {kSyntax, 1, 11, "expected ')' to close the '(' at 1:1"}},
      {"a + b)",
       {kSyntax, 1, 6,
        "expected an operator or end of input after the expression, "
        "found ')'"}},
      {"x = 1 y", {kSyntax, 1, 7, "after the expression, found 'y'"}},
      {"a NOT b", {kSyntax, 1, 3, "after the expression, found 'NOT'"}},
      {"a\n  +\n  )", {kSyntax, 3, 3, "expected an expression, found ')'"}},
      {"a FROM b", {kSyntax, 1, 3, "after the expression, found 'FROM'"}},
      {"SELECT", {kSyntax, 1, 1, "expected an expression, found 'SELECT'"}},
  };
  ExpectErrors(cases);
}

TEST(ExpressionErrorTest, Predicates) {
  const ErrorCase cases[] = {
      {"a IS 5", {kSyntax, 1, 6, "expected NULL or NOT NULL after IS, found '5'"}},
      {"a IS NOT 5", {kSyntax, 1, 10, "expected NULL after IS NOT, found '5'"}},
      {"a IN 1", {kSyntax, 1, 6, "expected '(' and a list of values after IN, found '1'"}},
      {"a IN (1, 2", {kSyntax, 1, 11, "expected ',' or ')' in the IN list, found end of input"}},
      {"a IN ()", {kSyntax, 1, 7, "expected an expression, found ')'"}},
      {"a BETWEEN 1", {kSyntax, 1, 12, "expected AND between the bounds of BETWEEN"}},
      {"a BETWEEN 1 OR 2",
       {kSyntax, 1, 13,
        "expected AND between the bounds of BETWEEN, "
        "found 'OR'"}},
      {"a NOT LIKE", {kSyntax, 1, 11, "expected an expression, found end of input"}},
  };
  ExpectErrors(cases);
}

TEST(ExpressionErrorTest, CaseAndCast) {
  const ErrorCase cases[] = {
      {"CASE WHEN a THEN 1",
       {kSyntax, 1, 19,
        "expected WHEN, ELSE or END in CASE, found end "
        "of input"}},
      {"CASE WHEN a THEN 1 ELSE 2", {kSyntax, 1, 26, "expected END to close the CASE"}},
      {"CASE a END", {kSyntax, 1, 8, "expected WHEN in CASE, found 'END'"}},
      {"CASE END", {kSyntax, 1, 6, "expected an expression, found 'END'"}},
      {"CASE WHEN a 1 END", {kSyntax, 1, 13, "expected THEN after the WHEN condition, found '1'"}},
      {"CASE WHEN a THEN 1\nWHEN b THEN 2\nELSE 3", {kSyntax, 3, 7, "expected END to close"}},
      {"CAST(a AS)", {kSyntax, 1, 10, "expected a type after AS in CAST, found ')'"}},
      {"CAST(a AS DECIMAL)", {kSyntax, 1, 11, "unknown type 'DECIMAL' in CAST"}},
      {"CAST(a, BIGINT)", {kSyntax, 1, 7, "expected AS and a type in CAST, found ','"}},
      {"CAST a AS BIGINT", {kSyntax, 1, 6, "expected '(' after CAST, found 'a'"}},
      {"CAST(a AS BIGINT", {kSyntax, 1, 17, "expected ')' to close CAST"}},
  };
  ExpectErrors(cases);
}

TEST(ExpressionErrorTest, FunctionCalls) {
  const ErrorCase cases[] = {
      {"COUNT(a",
       {kSyntax, 1, 8,
        "expected ',' or ')' after an argument of COUNT, found end "
        "of input"}},
      {"System.Timestamp(", {kSyntax, 1, 18, "expected an expression, found end of input"}},
      {"COUNT(DISTINCT)", {kSyntax, 1, 15, "expected an expression, found ')'"}},
      {"f(a,)", {kSyntax, 1, 5, "expected an expression, found ')'"}},
      {"COUNT(* + 1)", {kSyntax, 1, 7, "expected an expression, found '*'"}},
      {"SUM(x) FILTER (x > 1)", {kSyntax, 1, 16, "expected WHERE after FILTER (, found 'x'"}},
      {"SUM(x) FILTER (WHERE x > 1", {kSyntax, 1, 27, "expected ')' to close FILTER"}},
      {"PERCENTILE_CONT(0.5) OVER (PARTITION BY x)",
       {kSyntax, 1, 28, "expected ORDER BY after OVER (, found 'PARTITION'"}},
      {"PERCENTILE_CONT(0.5) OVER (ORDER x)", {kSyntax, 1, 34, "expected BY after ORDER"}},
      {"PERCENTILE_CONT(0.5) OVER (ORDER BY x", {kSyntax, 1, 38, "in OVER (ORDER BY ...)"}},
      {"a.b.c", {kSyntax, 1, 1, "'a.b.c' is not a column"}},
      {"a.", {kSyntax, 1, 3, "expected a name after 'a.', found end of input"}},
      {"a.from", {kSyntax, 1, 3, "found reserved word 'from'"}},
  };
  ExpectErrors(cases);
}

TEST(ExpressionErrorTest, Windows) {
  const ErrorCase cases[] = {
      {"TumblingWindow(minutes, 1)",
       {kSyntax, 1, 16,
        "expected a time unit (microsecond, millisecond, second, minute, hour or day), found "
        "'minutes'"}},
      {"TumblingWindow(1, minute)", {kSyntax, 1, 16, "expected a time unit"}},
      {"TumblingWindow()", {kSyntax, 1, 16, "expected a time unit"}},
      {"TumblingWindow(minute)",
       {kSyntax, 1, 22,
        "expected ',' and the size of TumblingWindow, "
        "found ')'"}},
      {"TumblingWindow(minute, x)",
       {kSyntax, 1, 24,
        "expected an integer for the size of "
        "TumblingWindow, found 'x'"}},
      {"TumblingWindow(minute, 1.5)", {kSyntax, 1, 24, "expected an integer for the size"}},
      {"TumblingWindow(minute, 1", {kSyntax, 1, 25, "expected ')' to close TumblingWindow"}},
      {"TumblingWindow(minute, 1, 2)",
       {kSyntax, 1, 27, "expected Offset(unit, n) as the window's last argument, found '2'"}},
      {"TumblingWindow(minute, 1, Offset(ms))",
       {kSyntax, 1, 36, "expected ',' and the amount of the Offset, found ')'"}},
      {"TumblingWindow(minute, 1, Offset(ms, x))",
       {kSyntax, 1, 38, "expected an integer amount for the Offset, found 'x'"}},
      {"TumblingWindow(minute, 1, Offset(ms, 1), 3)",
       {kSyntax, 1, 40, "expected ')' to close TumblingWindow, found ','"}},
      {"TumblingWindow(minute, 1, Offset ms, 1)", {kSyntax, 1, 34, "expected '(' after Offset"}},
      {"HoppingWindow(minute, 10)", {kSyntax, 1, 25, "expected ',' and the hop of HoppingWindow"}},
      {"SessionWindow(minute, 5)",
       {kSyntax, 1, 24, "expected ',' and the maximum duration of SessionWindow"}},
      {"SessionWindow(minute)", {kSyntax, 1, 21, "the timeout of SessionWindow"}},
      {"TumblingWindow(minute, 1, PARTITION BY a)",
       {kSyntax, 1, 27,
        "expected Offset(unit, n) as the window's last argument, found "
        "'PARTITION'"}},
      {"SessionWindow(minute, 5, 10, 3)",
       {kSyntax, 1, 30, "expected Offset(unit, n) or PARTITION BY key, found '3'"}},
      {"SessionWindow(minute, 5, 10, PARTITION a)",
       {kSyntax, 1, 40, "expected BY after PARTITION, found 'a'"}},
      {"SessionWindow(minute, 5, 10, Offset(ss, 1), 2)",
       {kSyntax, 1, 45, "expected PARTITION BY key, found '2'"}},
      {"SessionWindow(minute, 5, 10, PARTITION BY a",
       {kSyntax, 1, 44, "expected ',' or ')' after a PARTITION BY key, found end of input"}},
      {"SessionWindow(minute, 5, 10, PARTITION BY)",
       {kSyntax, 1, 42, "expected an expression, found ')'"}},
  };
  ExpectErrors(cases);
}

TEST(ExpressionErrorTest, LiteralsOutOfRange) {
  const ErrorCase cases[] = {
      {"99999999999999999999", {kInvalid, 1, 1, "number 99999999999999999999 is out of range"}},
      {"-9223372036854775809", {kInvalid, 1, 1, "number -9223372036854775809 is out of range"}},
      {"1 + 1e999", {kInvalid, 1, 5, "number 1e999 is out of range"}},
      {"TIMESTAMP 'yesterday'", {kInvalid, 1, 11, "invalid TIMESTAMP literal 'yesterday'"}},
      {"INTERVAL '5x'", {kInvalid, 1, 10, "invalid INTERVAL '5x'"}},
      {"INTERVAL 'five' MINUTE", {kInvalid, 1, 10, "invalid INTERVAL 'five' minute"}},
      {"INTERVAL '99999999999999' DAY", {kInvalid, 1, 10, "fits in 64-bit microseconds"}},
      {"TumblingWindow(minute, 99999999999999999999)", {kInvalid, 1, 24, "out of range"}},
  };
  ExpectErrors(cases);
}

TEST(ExpressionErrorTest, NestingIsBounded) {
  std::string parens = std::string(1000, '(') + "1" + std::string(1000, ')');
  Status status = ParseStandaloneExpression(parens).status();
  EXPECT_EQ(status.code(), StatusCode::kTooLarge) << status.ToString();
  EXPECT_NE(status.message().find("nested too deeply"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 1000; ++i) nots += "NOT ";
  EXPECT_EQ(ParseStandaloneExpression(nots + "a").status().code(), StatusCode::kTooLarge);
  std::string minuses;
  for (int i = 0; i < 1000; ++i) minuses += "- ";
  EXPECT_EQ(ParseStandaloneExpression(minuses + "a").status().code(), StatusCode::kTooLarge);
  std::string chain = "a";
  for (int i = 0; i < 1000; ++i) chain += " AND a";
  EXPECT_EQ(ParseStandaloneExpression(chain).status().code(), StatusCode::kTooLarge);
}

}  // namespace
}  // namespace braid::sql
