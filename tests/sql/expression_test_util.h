// Helpers for the expression tests: parse a standalone expression (failing the test on an
// error) and reach into a node of a given kind.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "sql/expression.h"
#include "sql/parser.h"
#include "sql/printer.h"

namespace braid::sql::testing {

inline ExprPtr ParseExpr(std::string_view text) {
  Result<ExprPtr> parsed = ParseStandaloneExpression(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
  if (!parsed.ok()) return MakeExpr(Literal{}, {});
  return std::move(parsed).value();
}

// The node of type T in `expr`; fails the test (and returns a default) when it is another kind.
template <typename T>
const T& NodeAs(const Expr& expr) {
  static const T kEmpty{};
  const T* node = std::get_if<T>(&expr.node);
  EXPECT_NE(node, nullptr) << "node is " << ToSql(expr);
  return node != nullptr ? *node : kEmpty;
}

// True when both texts parse to the same tree (positions ignored).
inline ::testing::AssertionResult SameTree(std::string_view a, std::string_view b) {
  ExprPtr left = ParseExpr(a);
  ExprPtr right = ParseExpr(b);
  if (ExprEquals(*left, *right)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "'" << a << "' parses as " << ToSql(*left) << ", '" << b << "' as " << ToSql(*right);
}

}  // namespace braid::sql::testing
