// Expressions that parse: the tree each gives, precedence and associativity, and positions.
#include <gtest/gtest.h>

#include "expression_test_util.h"

namespace braid::sql {
namespace {

using testing::NodeAs;
using testing::ParseExpr;
using testing::SameTree;

template <typename T>
T LiteralValue(std::string_view text) {
  ExprPtr expr = ParseExpr(text);
  const Literal& literal = NodeAs<Literal>(*expr);
  const T* value = std::get_if<T>(&literal.value);
  EXPECT_NE(value, nullptr) << text;
  return value != nullptr ? *value : T{};
}

TEST(ExpressionParserTest, NumberLiterals) {
  EXPECT_EQ(LiteralValue<int64_t>("42"), 42);
  EXPECT_EQ(LiteralValue<int64_t>("-42"), -42);
  EXPECT_EQ(LiteralValue<int64_t>("- 7"), -7);
  EXPECT_EQ(LiteralValue<int64_t>("-(7)"), -7);
  EXPECT_EQ(LiteralValue<int64_t>("+7"), 7);
  EXPECT_EQ(LiteralValue<int64_t>("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(LiteralValue<int64_t>("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(LiteralValue<double>("4.5"), 4.5);
  EXPECT_EQ(LiteralValue<double>(".5"), 0.5);
  EXPECT_EQ(LiteralValue<double>("1e3"), 1000.0);
  EXPECT_EQ(LiteralValue<double>("2.5E-3"), 0.0025);
  EXPECT_EQ(LiteralValue<double>("-1.5e+2"), -150.0);
  // The negation of INT64_MIN does not fit, so it stays a negation.
  ExprPtr negated = ParseExpr("-(-9223372036854775808)");
  EXPECT_EQ(NodeAs<UnaryExpr>(*negated).op, UnaryOp::kNegate);
}

TEST(ExpressionParserTest, OtherLiterals) {
  EXPECT_EQ(LiteralValue<std::string>("'it''s'"), "it's");
  EXPECT_EQ(LiteralValue<std::string>("''"), "");
  EXPECT_TRUE(LiteralValue<bool>("TRUE"));
  EXPECT_FALSE(LiteralValue<bool>("false"));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(NodeAs<Literal>(*ParseExpr("null")).value));
  EXPECT_EQ(LiteralValue<Timestamp>("TIMESTAMP '2026-11-23T10:00:00Z'"),
            Timestamp{DaysFromCivil(2026, 11, 23) * 86400000000LL + 10 * 3600000000LL});
  EXPECT_EQ(LiteralValue<Timestamp>("timestamp '1970-01-01 00:00:01.5+00:00'"), Timestamp{1500000});
  EXPECT_EQ(LiteralValue<Duration>("INTERVAL '5' MINUTE"), Duration::Minutes(5));
  EXPECT_EQ(LiteralValue<Duration>("interval '-3' hour"), Duration::Hours(-3));
  EXPECT_EQ(LiteralValue<Duration>("INTERVAL '250' millisecond"), Duration::Millis(250));
  EXPECT_EQ(LiteralValue<Duration>("INTERVAL '10 seconds'"), Duration::Seconds(10));
  EXPECT_EQ(LiteralValue<Duration>("INTERVAL '7d'"), Duration::Days(7));
}

TEST(ExpressionParserTest, ColumnReferencesAndTimeWordsAsNames) {
  ExprPtr plain_expr = ParseExpr("device_id");
  const auto& plain = NodeAs<ColumnRef>(*plain_expr);
  EXPECT_FALSE(plain.qualifier.has_value());
  EXPECT_EQ(plain.name, "device_id");
  ExprPtr qualified_expr = ParseExpr("telemetry . \"Device Id\"");
  const auto& qualified = NodeAs<ColumnRef>(*qualified_expr);
  EXPECT_EQ(qualified.qualifier, "telemetry");
  EXPECT_EQ(qualified.name, "Device Id");
  EXPECT_EQ(NodeAs<ColumnRef>(*ParseExpr("[my stream].[select]")).name, "select");
  // TIMESTAMP and INTERVAL are literals only before a string; otherwise they are names.
  EXPECT_EQ(NodeAs<ColumnRef>(*ParseExpr("timestamp")).name, "timestamp");
  EXPECT_TRUE(SameTree("interval + 1", "(interval) + 1"));
}

TEST(ExpressionParserTest, OperatorsMapToTheirNodes) {
  struct Case {
    std::string_view text;
    BinaryOp op;
  };
  const Case cases[] = {
      {"a OR b", BinaryOp::kOr},           {"a and b", BinaryOp::kAnd},
      {"a = b", BinaryOp::kEqual},         {"a <> b", BinaryOp::kNotEqual},
      {"a != b", BinaryOp::kNotEqual},     {"a < b", BinaryOp::kLess},
      {"a <= b", BinaryOp::kLessEqual},    {"a > b", BinaryOp::kGreater},
      {"a >= b", BinaryOp::kGreaterEqual}, {"a + b", BinaryOp::kAdd},
      {"a - b", BinaryOp::kSubtract},      {"a * b", BinaryOp::kMultiply},
      {"a / b", BinaryOp::kDivide},        {"a % b", BinaryOp::kModulo},
  };
  for (const Case& c : cases) {
    ExprPtr expr = ParseExpr(c.text);
    const BinaryExpr& binary = NodeAs<BinaryExpr>(*expr);
    EXPECT_EQ(binary.op, c.op) << c.text;
    EXPECT_EQ(NodeAs<ColumnRef>(*binary.left).name, "a") << c.text;
    EXPECT_EQ(NodeAs<ColumnRef>(*binary.right).name, "b") << c.text;
  }
}

TEST(ExpressionParserTest, PrecedenceByStructure) {
  ExprPtr expr = ParseExpr("1 + 2 * 3 = x OR NOT y AND z");
  const BinaryExpr& disjunction = NodeAs<BinaryExpr>(*expr);
  ASSERT_EQ(disjunction.op, BinaryOp::kOr);
  const BinaryExpr& comparison = NodeAs<BinaryExpr>(*disjunction.left);
  ASSERT_EQ(comparison.op, BinaryOp::kEqual);
  const BinaryExpr& sum = NodeAs<BinaryExpr>(*comparison.left);
  ASSERT_EQ(sum.op, BinaryOp::kAdd);
  EXPECT_EQ(NodeAs<BinaryExpr>(*sum.right).op, BinaryOp::kMultiply);
  const BinaryExpr& conjunction = NodeAs<BinaryExpr>(*disjunction.right);
  ASSERT_EQ(conjunction.op, BinaryOp::kAnd);
  EXPECT_EQ(NodeAs<UnaryExpr>(*conjunction.left).op, UnaryOp::kNot);
  EXPECT_EQ(NodeAs<ColumnRef>(*conjunction.right).name, "z");
}

TEST(ExpressionParserTest, PrecedenceAgainstExplicitParentheses) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"1 + 2 * 3", "1 + (2 * 3)"},
      {"1 - 2 - 3", "(1 - 2) - 3"},
      {"a / b % c * d", "((a / b) % c) * d"},
      {"-a * b", "(-a) * b"},
      {"- a + b", "(-a) + b"},
      {"2 * -3", "2 * (-3)"},
      {"- - a", "-(-a)"},
      {"a + b = c * d", "(a + b) = (c * d)"},
      {"a < b = c", "(a < b) = c"},
      {"a = 1 OR b = 2 AND c = 3", "(a = 1) OR ((b = 2) AND (c = 3))"},
      {"a OR b OR c", "(a OR b) OR c"},
      {"a AND b AND c", "(a AND b) AND c"},
      {"NOT a = b", "NOT (a = b)"},
      {"NOT a AND b", "(NOT a) AND b"},
      {"NOT a OR NOT b AND c", "(NOT a) OR ((NOT b) AND c)"},
      {"NOT NOT a", "NOT (NOT a)"},
      {"a BETWEEN 1 AND 2 AND b", "(a BETWEEN 1 AND 2) AND b"},
      {"a BETWEEN b + 1 AND c * 2", "a BETWEEN (b + 1) AND (c * 2)"},
      {"a NOT BETWEEN 1 AND 2 OR c", "(a NOT BETWEEN 1 AND 2) OR c"},
      {"a + 1 IN (1, 2 + 3)", "(a + 1) IN (1, (2 + 3))"},
      {"a IS NULL OR b IS NOT NULL", "(a IS NULL) OR (b IS NOT NULL)"},
      {"a = b IS NULL", "(a = b) IS NULL"},
      {"a LIKE 'x%' AND NOT b LIKE 'y'", "(a LIKE 'x%') AND (NOT (b LIKE 'y'))"},
      {"a + 'x' LIKE b", "(a + 'x') LIKE b"},
      {"CASE WHEN a THEN 1 END + 2", "(CASE WHEN a THEN 1 END) + 2"},
      {"COUNT(*) * 2 > SUM(x) / 3", "(COUNT(*) * 2) > (SUM(x) / 3)"},
  };
  for (const auto& [text, grouped] : cases) {
    EXPECT_TRUE(SameTree(text, grouped));
  }
  EXPECT_FALSE(SameTree("(1 + 2) * 3", "1 + 2 * 3"));
  EXPECT_FALSE(SameTree("a - (b - c)", "a - b - c"));
}

TEST(ExpressionParserTest, Predicates) {
  ExprPtr is_null = ParseExpr("x IS NOT NULL");
  EXPECT_TRUE(NodeAs<IsNullExpr>(*is_null).negated);
  ExprPtr in = ParseExpr("region NOT IN ('eu', 'us', 'ap')");
  EXPECT_TRUE(NodeAs<InListExpr>(*in).negated);
  EXPECT_EQ(NodeAs<InListExpr>(*in).list.size(), 3u);
  ExprPtr between = ParseExpr("t BETWEEN 1 AND 10");
  EXPECT_FALSE(NodeAs<BetweenExpr>(*between).negated);
  EXPECT_EQ(std::get<int64_t>(NodeAs<Literal>(*NodeAs<BetweenExpr>(*between).high).value), 10);
  ExprPtr like = ParseExpr("name NOT LIKE 'dev-%'");
  EXPECT_TRUE(NodeAs<LikeExpr>(*like).negated);
  EXPECT_EQ(std::get<std::string>(NodeAs<Literal>(*NodeAs<LikeExpr>(*like).pattern).value),
            "dev-%");
}

TEST(ExpressionParserTest, CaseAndCast) {
  ExprPtr searched =
      ParseExpr("CASE WHEN a > 1 THEN 'big' WHEN a > 0 THEN 'small' ELSE 'none' END");
  const CaseExpr& s = NodeAs<CaseExpr>(*searched);
  EXPECT_EQ(s.operand, nullptr);
  ASSERT_EQ(s.whens.size(), 2u);
  EXPECT_EQ(s.whens[1].position.column, 28);
  ASSERT_NE(s.else_result, nullptr);
  ExprPtr simple = ParseExpr("case status when 1 then 'on' when 0 then 'off' end");
  const CaseExpr& c = NodeAs<CaseExpr>(*simple);
  EXPECT_EQ(NodeAs<ColumnRef>(*c.operand).name, "status");
  EXPECT_EQ(c.whens.size(), 2u);
  EXPECT_EQ(c.else_result, nullptr);
  ExprPtr cast = ParseExpr("CAST(x + 1 AS int)");
  EXPECT_EQ(NodeAs<CastExpr>(*cast).type, DataType::kBigint);
  EXPECT_EQ(NodeAs<CastExpr>(*ParseExpr("cast(s as timestamp)")).type, DataType::kTimestamp);
}

TEST(ExpressionParserTest, FunctionCalls) {
  ExprPtr count_star = ParseExpr("COUNT(*)");
  const FunctionCall& count = NodeAs<FunctionCall>(*count_star);
  EXPECT_EQ(count.name, std::vector<std::string>{"COUNT"});
  ASSERT_EQ(count.arguments.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Star>(count.arguments[0]->node));
  ExprPtr distinct = ParseExpr("count(DISTINCT user_id)");
  EXPECT_TRUE(NodeAs<FunctionCall>(*distinct).distinct);
  ExprPtr timestamp = ParseExpr("System.Timestamp()");
  EXPECT_EQ(NodeAs<FunctionCall>(*timestamp).name,
            (std::vector<std::string>{"System", "Timestamp"}));
  EXPECT_TRUE(NodeAs<FunctionCall>(*timestamp).arguments.empty());
  ExprPtr filtered = ParseExpr("SUM(revenue) FILTER (WHERE event_type = 'buy')");
  ASSERT_NE(NodeAs<FunctionCall>(*filtered).filter, nullptr);
  EXPECT_EQ(NodeAs<BinaryExpr>(*NodeAs<FunctionCall>(*filtered).filter).op, BinaryOp::kEqual);
  ExprPtr nested = ParseExpr("ROUND(AVG(x) * 100, 2)");
  EXPECT_EQ(NodeAs<FunctionCall>(*nested).arguments.size(), 2u);
}

TEST(ExpressionParserTest, PercentileOver) {
  ExprPtr cont = ParseExpr("PERCENTILE_CONT(0.5) OVER (ORDER BY temperature)");
  const FunctionCall& call = NodeAs<FunctionCall>(*cont);
  ASSERT_TRUE(call.over.has_value());
  ASSERT_EQ(call.over->order_by.size(), 1u);
  EXPECT_EQ(call.over->order_by[0].direction, SortDirection::kAscending);
  EXPECT_EQ(call.over->position.column, 22);
  ExprPtr disc = ParseExpr("PERCENTILE_DISC(0.9) OVER (ORDER BY latency DESC NULLS FIRST)");
  const FunctionCall& d = NodeAs<FunctionCall>(*disc);
  ASSERT_TRUE(d.over.has_value());
  EXPECT_EQ(d.over->order_by[0].direction, SortDirection::kDescending);
  EXPECT_EQ(d.over->order_by[0].nulls, NullsOrder::kFirst);
}

TEST(ExpressionParserTest, Windows) {
  ExprPtr tumbling = ParseExpr("TumblingWindow(minute, 1)");
  const WindowSpec& t = NodeAs<WindowSpec>(*tumbling);
  EXPECT_EQ(t.kind, WindowKind::kTumbling);
  EXPECT_EQ(t.unit, TimeUnit::kMinute);
  EXPECT_EQ(t.size, 1);
  EXPECT_FALSE(t.offset.has_value());
  ExprPtr with_offset = ParseExpr("tumblingwindow(hh, 1, Offset(millisecond, -1))");
  const WindowSpec& o = NodeAs<WindowSpec>(*with_offset);
  EXPECT_EQ(o.unit, TimeUnit::kHour);
  ASSERT_TRUE(o.offset.has_value());
  EXPECT_EQ(o.offset->unit, TimeUnit::kMillisecond);
  EXPECT_EQ(o.offset->amount, -1);
  EXPECT_EQ(o.offset->position.column, 23);
  ExprPtr hopping = ParseExpr("HoppingWindow(mi, 5, 1)");
  EXPECT_EQ(NodeAs<WindowSpec>(*hopping).hop, 1);
  EXPECT_EQ(NodeAs<WindowSpec>(*hopping).unit, TimeUnit::kMinute);
  ExprPtr session = ParseExpr("SessionWindow(ss, 30, 600, Offset(dd, 4))");
  EXPECT_EQ(NodeAs<WindowSpec>(*session).size, 30);
  EXPECT_EQ(NodeAs<WindowSpec>(*session).max_duration, 600);
  EXPECT_EQ(NodeAs<WindowSpec>(*session).offset->unit, TimeUnit::kDay);
  ExprPtr partitioned = ParseExpr("SessionWindow(minute, 5, 10, PARTITION BY device_id)");
  const WindowSpec& p = NodeAs<WindowSpec>(*partitioned);
  ASSERT_EQ(p.partition_by.size(), 1u);
  EXPECT_EQ(NodeAs<ColumnRef>(*p.partition_by[0]).name, "device_id");
  EXPECT_EQ(p.partition_by[0]->position.column, 43);
  ExprPtr both = ParseExpr("SessionWindow(minute, 5, 10, Offset(second, 1), PARTITION BY a, t.b)");
  EXPECT_TRUE(NodeAs<WindowSpec>(*both).offset.has_value());
  EXPECT_EQ(NodeAs<WindowSpec>(*both).partition_by.size(), 2u);
  ExprPtr sliding = ParseExpr("SlidingWindow(microsecond, 10)");
  EXPECT_EQ(NodeAs<WindowSpec>(*sliding).kind, WindowKind::kSliding);
}

TEST(ExpressionParserTest, EveryNodeHasThePositionOfItsFirstToken) {
  ExprPtr expr = ParseExpr("a +\n  -b * (c)\n  OR d IS NULL");
  const BinaryExpr& disjunction = NodeAs<BinaryExpr>(*expr);
  EXPECT_EQ(expr->position.line, 1);
  EXPECT_EQ(expr->position.column, 1);
  const BinaryExpr& sum = NodeAs<BinaryExpr>(*disjunction.left);
  const BinaryExpr& product = NodeAs<BinaryExpr>(*sum.right);
  EXPECT_EQ(sum.right->position.line, 2);
  EXPECT_EQ(sum.right->position.column, 3);
  EXPECT_EQ(product.left->position.column, 3);   // the minus
  EXPECT_EQ(product.right->position.column, 9);  // c, inside the parentheses
  EXPECT_EQ(disjunction.right->position.line, 3);
  EXPECT_EQ(disjunction.right->position.column, 6);
}

TEST(ExpressionParserTest, LongButBoundedExpressionsParse) {
  std::string chain = "1";
  for (int i = 0; i < 300; ++i) chain += " + 1";
  ExprPtr sum = ParseExpr(chain);
  EXPECT_TRUE(ExprEquals(*sum, *ParseExpr(ToSql(*sum))));
  std::string nested = std::string(100, '(') + "x" + std::string(100, ')');
  EXPECT_EQ(NodeAs<ColumnRef>(*ParseExpr(nested)).name, "x");
}

}  // namespace
}  // namespace braid::sql
