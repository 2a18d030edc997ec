// The canonical printer: the exact text of each construct, and parse(print(x)) == x for parsed
// expressions and for random trees built without the parser.
#include "sql/printer.h"

#include <gtest/gtest.h>

#include <random>

#include "expression_test_util.h"

namespace braid::sql {
namespace {

using testing::ParseExpr;

TEST(PrinterTest, CanonicalText) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"1+2*3", "1 + 2 * 3"},
      {"(1+2)*3", "(1 + 2) * 3"},
      {"a-(b-c)", "a - (b - c)"},
      {"(a-b)-c", "a - b - c"},
      {"a = (b = c)", "a = (b = c)"},
      {"(a = b) = c", "a = b = c"},
      {"not (a and b)", "NOT (a AND b)"},
      {"(not a) = b", "(NOT a) = b"},
      {"-(a + b)", "-(a + b)"},
      {"- - a", "-(-a)"},
      {"-(-5)", "5"},
      {"x = - 5", "x = -5"},
      {"a - -5", "a - -5"},
      {"2.0", "2.0"},
      {"1e3", "1000.0"},
      {"-0.0", "-0.0"},
      {"1.5e300", "1.5e+300"},
      {"'it''s'", "'it''s'"},
      {"null IS null", "NULL IS NULL"},
      {"true AND false", "TRUE AND FALSE"},
      {"timestamp '2026-11-23T10:00:00Z'", "TIMESTAMP '2026-11-23T10:00:00.000000Z'"},
      {"interval '90 seconds'", "INTERVAL '90' SECOND"},
      {"INTERVAL '120' minute", "INTERVAL '2' HOUR"},
      {"INTERVAL '1500' MILLISECOND", "INTERVAL '1500' MILLISECOND"},
      {"interval '0s'", "INTERVAL '0' DAY"},
      {"\"select\" + [a b] + \"ok\"", "\"select\" + \"a b\" + ok"},
      {"t.[x y]", "t.\"x y\""},
      {"x not in (1,2)", "x NOT IN (1, 2)"},
      {"x between 1 and 2", "x BETWEEN 1 AND 2"},
      {"a between (b and c) and d", "a BETWEEN (b AND c) AND d"},
      {"(a IS NULL) IS NULL", "a IS NULL IS NULL"},
      {"a LIKE (b = c)", "a LIKE (b = c)"},
      {"count(*)", "COUNT(*)"},
      {"COUNT(DISTINCT user_id)", "COUNT(DISTINCT user_id)"},
      {"sum(x) filter (where y > 1)", "SUM(x) FILTER (WHERE y > 1)"},
      {"PERCENTILE_CONT(0.5) OVER (ORDER BY x desc nulls last)",
       "PERCENTILE_CONT(0.5) OVER (ORDER BY x DESC NULLS LAST)"},
      {"PERCENTILE_DISC(0.5) OVER (ORDER BY x ASC)", "PERCENTILE_DISC(0.5) OVER (ORDER BY x)"},
      {"System.Timestamp()", "System.Timestamp()"},
      {"tumblingwindow(mi, 5)", "TumblingWindow(minute, 5)"},
      {"HoppingWindow(ss, 10, 5, offset(ms, -1))",
       "HoppingWindow(second, 10, 5, Offset(millisecond, -1))"},
      {"SessionWindow(minute, 5, 10)", "SessionWindow(minute, 5, 10)"},
      {"sessionwindow(mi, 5, 10, offset(ss, -2), partition by a, b + 1)",
       "SessionWindow(minute, 5, 10, Offset(second, -2), PARTITION BY a, b + 1)"},
      {"cast(x as int)", "CAST(x AS BIGINT)"},
      {"case when a then 1 else 2 end", "CASE WHEN a THEN 1 ELSE 2 END"},
      {"case x when 1 then 'a' end", "CASE x WHEN 1 THEN 'a' END"},
  };
  for (const auto& [text, canonical] : cases) {
    EXPECT_EQ(ToSql(*ParseExpr(text)), canonical) << text;
  }
}

TEST(PrinterTest, ParsedExpressionsRoundTrip) {
  const std::string_view cases[] = {
      "a + b * c - d / e % f",
      "-(a * b) + -c - -(-d)",
      "NOT NOT (a OR b) AND c OR NOT d",
      "a = b AND b <> c OR c != d AND d < e OR e <= f AND f > g OR g >= h",
      "(a + 1) IN (1, 2, (3 + 4) * 5) AND b NOT IN ('x')",
      "a BETWEEN -1 AND b + 2 AND c NOT BETWEEN (d OR e) AND f",
      "name LIKE 'a%' OR name NOT LIKE 'b' + 'c'",
      "CASE WHEN AVG(t) > 85 THEN 'HIGH' WHEN AVG(t) < 32 THEN 'LOW' ELSE 'OK' END",
      "CASE a + 1 WHEN 2 THEN CASE WHEN b THEN c END ELSE NULL END",
      "CAST(CAST(x AS DOUBLE) * 2 AS STRING)",
      "COUNT(DISTINCT user_id) FILTER (WHERE event_type = 'login' AND user_id IS NOT NULL)",
      "PERCENTILE_CONT(0.95) OVER (ORDER BY latency DESC, id NULLS FIRST)",
      "System.Timestamp() - INTERVAL '5' MINUTE > TIMESTAMP '2026-01-01T00:00:00.5Z'",
      "TumblingWindow(day, 7, Offset(day, 4))",
      "SessionWindow(second, 30, 600, PARTITION BY CASE WHEN a THEN b END, c.d)",
      "x IS NULL IS NOT NULL = (y IS NULL)",
      "1 - 9223372036854775807 - -9223372036854775808 + -(-9223372036854775808)",
      "0.1 + 1e-7 * 6.02214076e23 - .5",
      "\"weird \"\"name\"\"\" + [bracket]] name] + \"from\".\"where\"",
      "f() + g(1) + h(1, 'a', TRUE, NULL)",
  };
  for (std::string_view text : cases) {
    Result<ExprPtr> first = ParseStandaloneExpression(text);
    ASSERT_TRUE(first.ok()) << text << ": " << first.status().ToString();
    std::string printed = ToSql(**first);
    ExprPtr second = ParseExpr(printed);
    EXPECT_TRUE(ExprEquals(**first, *second)) << text << " printed as " << printed;
    EXPECT_EQ(ToSql(*second), printed);
  }
}

// Builds random trees directly (not through the parser), in the shapes the parser produces: a
// minus is never applied to a number literal, since the parser folds that into the literal.
class RandomTreeBuilder {
 public:
  static constexpr int kBinaryOpCount = static_cast<int>(BinaryOp::kModulo) + 1;

  explicit RandomTreeBuilder(uint32_t seed) : random_(seed) {}

  ExprPtr Build(int depth) {
    if (depth == 0 || Pick(4) == 0) return Leaf();
    switch (Pick(9)) {
      case 0:
        return Make(UnaryExpr{UnaryOp::kNot, Build(depth - 1)});
      case 1: {
        ExprPtr operand = Build(depth - 1);
        if (std::holds_alternative<Literal>(operand->node)) return operand;
        return Make(UnaryExpr{UnaryOp::kNegate, std::move(operand)});
      }
      case 2:
        return Make(IsNullExpr{Build(depth - 1), Pick(2) == 0});
      case 3: {
        InListExpr in{Build(depth - 1), {}, Pick(2) == 0};
        for (int i = 0, n = 1 + Pick(3); i < n; ++i) in.list.push_back(Build(depth - 1));
        return Make(std::move(in));
      }
      case 4:
        return Make(
            BetweenExpr{Build(depth - 1), Build(depth - 1), Build(depth - 1), Pick(2) == 0});
      case 5:
        return Make(LikeExpr{Build(depth - 1), Build(depth - 1), Pick(2) == 1});
      case 6:
        return Case(depth);
      case 7:
        return Make(CastExpr{Build(depth - 1), DataType::kDouble});
      default:
        return Make(BinaryExpr{static_cast<BinaryOp>(Pick(kBinaryOpCount)), Build(depth - 1),
                               Build(depth - 1)});
    }
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }

  template <typename Node>
  ExprPtr Make(Node node) {
    return MakeExpr(std::move(node), {});
  }

  ExprPtr Leaf() {
    switch (Pick(7)) {
      case 0:
        return Make(Literal{int64_t{Pick(2001) - 1000}});
      case 1:
        return Make(Literal{(Pick(2001) - 1000) / 8.0});
      case 2:
        return Make(Literal{std::string(Pick(3), '\'')});
      case 3:
        return Make(Literal{Pick(2) == 0});
      case 4:
        return Make(Literal{});
      case 5: {
        FunctionCall call{{"f"}, Pick(2) == 0, {}, nullptr, std::nullopt};
        call.arguments.push_back(Make(ColumnRef{std::nullopt, "x"}));
        return Make(std::move(call));
      }
      default:
        return Make(ColumnRef{Pick(2) == 0 ? std::optional<std::string>("t") : std::nullopt,
                              std::string(1, static_cast<char>('a' + Pick(5)))});
    }
  }

  ExprPtr Case(int depth) {
    CaseExpr node;
    if (Pick(2) == 0) node.operand = Build(depth - 1);
    for (int i = 0, n = 1 + Pick(2); i < n; ++i) {
      node.whens.push_back(WhenClause{Build(depth - 1), Build(depth - 1), {}});
    }
    if (Pick(2) == 0) node.else_result = Build(depth - 1);
    return Make(std::move(node));
  }

  std::mt19937 random_;
};

TEST(PrinterTest, RandomTreesRoundTrip) {
  RandomTreeBuilder builder(20261124);
  for (int i = 0; i < 2000; ++i) {
    ExprPtr tree = builder.Build(5);
    std::string printed = ToSql(*tree);
    Result<ExprPtr> parsed = ParseStandaloneExpression(printed);
    ASSERT_TRUE(parsed.ok()) << printed << ": " << parsed.status().ToString();
    ASSERT_TRUE(ExprEquals(*tree, **parsed)) << printed << " reparsed as " << ToSql(**parsed);
  }
}

}  // namespace
}  // namespace braid::sql
