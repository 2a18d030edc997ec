// The evaluator's operators, logic, casts and errors over hand-built bound trees. Functions,
// LIKE and dates are in evaluator_functions_test.cc.
#include "sql/expression_evaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "evaluator_test_util.h"
#include "sql/bound_expression.h"

namespace braid::sql {
namespace {

using namespace testing;  // NOLINT: the test helpers

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

TEST(Evaluator, ColumnsAndBroadcastConstants) {
  const Chunk chunk = MakeChunk({Ints({1, std::nullopt, 3}), Strings({"a", "", std::nullopt})});
  ExpectColumn(*Col(1, DataType::kString), chunk, Strings({"a", "", std::nullopt}));
  ExpectColumn(*Str("x"), chunk, Strings({"x", "x", "x"}));
  ExpectColumn(*Null(DataType::kTimestamp), chunk,
               Times({std::nullopt, std::nullopt, std::nullopt}));
  ExpectColumn(*Dbl(-0.0), chunk, Doubles({-0.0, -0.0, -0.0}));
  // A tree that does not match the chunk is the binder's bug, reported rather than misread.
  Result<Column> wrong = Evaluate(*Col(1, DataType::kBigint), chunk);
  EXPECT_EQ(wrong.status().code(), StatusCode::kInternal);
}

// EvaluateBorrowing hands back a referenced column itself, not a copy; other expressions give
// columns of their own. A borrowed column made Owned() is a copy the input does not see.
TEST(Evaluator, ColumnReferencesAreBorrowed) {
  const Chunk chunk = MakeChunk({Ints({1, std::nullopt, 3}), Strings({"a", "", std::nullopt})});
  Result<ColumnValues> strings = EvaluateBorrowing(*Col(1, DataType::kString), chunk);
  ASSERT_TRUE(strings.ok()) << strings.status().ToString();
  EXPECT_EQ(&**strings, &chunk.column(1));
  Result<ColumnValues> sums =
      EvaluateBorrowing(*Binary(BinaryOp::kAdd, Col(0, DataType::kBigint), Int(1)), chunk);
  ASSERT_TRUE(sums.ok()) << sums.status().ToString();
  EXPECT_NE(&**sums, &chunk.column(0));
  EXPECT_TRUE(**sums == Ints({2, std::nullopt, 4})) << Render(**sums);

  ColumnValues appended = *std::move(strings);
  appended.Owned().AppendString("d");
  EXPECT_NE(&*appended, &chunk.column(1));
  EXPECT_TRUE(*appended == Strings({"a", "", std::nullopt, "d"})) << Render(*appended);
  EXPECT_TRUE(chunk.column(1) == Strings({"a", "", std::nullopt})) << Render(chunk.column(1));
  EXPECT_TRUE(ColumnValues::Borrow(chunk.column(0)).Release() == chunk.column(0));
}

TEST(Evaluator, BigintArithmetic) {
  const Chunk chunk = MakeChunk({Ints({7, -7, 7, std::nullopt, 0}), Ints({2, 2, -2, 3, 0})});
  auto apply = [&](BinaryOp op) {
    return Binary(op, Col(0, DataType::kBigint), Col(1, DataType::kBigint));
  };
  ExpectColumn(*apply(BinaryOp::kAdd), chunk, Ints({9, -5, 5, std::nullopt, 0}));
  ExpectColumn(*apply(BinaryOp::kSubtract), chunk, Ints({5, -9, 9, std::nullopt, 0}));
  ExpectColumn(*apply(BinaryOp::kMultiply), chunk, Ints({14, -14, -14, std::nullopt, 0}));
  ExpectColumn(*apply(BinaryOp::kDivide), chunk, Ints({3, -3, -3, std::nullopt, std::nullopt}));
  ExpectColumn(*apply(BinaryOp::kModulo), chunk, Ints({1, -1, 1, std::nullopt, std::nullopt}));
  ExpectColumn(*Unary(UnaryOp::kNegate, Col(0, DataType::kBigint)), chunk,
               Ints({-7, 7, -7, std::nullopt, 0}));
}

TEST(Evaluator, DoubleArithmetic) {
  const Chunk chunk = MakeChunk(
      {Doubles({7.5, -1.0, 1.0, std::nullopt, 0.0}), Doubles({2.0, 0.0, -0.0, 1.0, 0.0})});
  auto apply = [&](BinaryOp op) {
    return Binary(op, Col(0, DataType::kDouble), Col(1, DataType::kDouble));
  };
  const std::nullopt_t null = std::nullopt;
  ExpectColumn(*apply(BinaryOp::kAdd), chunk, Doubles({9.5, -1.0, 1.0, null, 0.0}));
  ExpectColumn(*apply(BinaryOp::kSubtract), chunk, Doubles({5.5, -1.0, 1.0, null, 0.0}));
  ExpectColumn(*apply(BinaryOp::kMultiply), chunk, Doubles({15.0, -0.0, -0.0, null, 0.0}));
  // Division and modulo by zero (either sign) give NULL, as for BIGINT.
  ExpectColumn(*apply(BinaryOp::kDivide), chunk, Doubles({3.75, null, null, null, null}));
  ExpectColumn(*apply(BinaryOp::kModulo), chunk, Doubles({1.5, null, null, null, null}));
  ExpectColumn(*Unary(UnaryOp::kNegate, Col(0, DataType::kDouble)), chunk,
               Doubles({-7.5, 1.0, -1.0, null, -0.0}));
}

TEST(Evaluator, BigintOverflowIsADataErrorAtTheNode) {
  const Chunk chunk = MakeChunk({Ints({1, kMax}), Ints({1, kMin})});
  const SourcePosition at{3, 14};
  ExpectDataError(*Binary(BinaryOp::kAdd, Col(0, DataType::kBigint), Int(1), at), chunk,
                  "BIGINT out of range", at);
  ExpectDataError(*Binary(BinaryOp::kSubtract, Col(1, DataType::kBigint), Int(1), at), chunk,
                  "BIGINT out of range", at);
  ExpectDataError(*Binary(BinaryOp::kMultiply, Col(1, DataType::kBigint), Int(-1), at), chunk,
                  "BIGINT out of range", at);
  ExpectDataError(*Binary(BinaryOp::kDivide, Col(1, DataType::kBigint), Int(-1), at), chunk,
                  "BIGINT out of range", at);
  ExpectDataError(*Unary(UnaryOp::kNegate, Col(1, DataType::kBigint), at), chunk,
                  "BIGINT out of range", at);
  // INT64_MIN % -1 is 0, not an overflow; the inner node's position is reported, not the root's.
  ExpectColumn(*Binary(BinaryOp::kModulo, Col(1, DataType::kBigint), Int(-1)), chunk, Ints({0, 0}));
  auto nested =
      Binary(BinaryOp::kAdd, Int(1),
             Binary(BinaryOp::kMultiply, Col(0, DataType::kBigint), Int(2), {2, 9}), {1, 1});
  ExpectDataError(*nested, chunk, "BIGINT out of range", {2, 9});
}

// Each comparison over rows where a < b, a = b, a > b, and a is NULL.
void ExpectComparisons(Column a, Column b) {
  const DataType type = a.type();
  SCOPED_TRACE(DataTypeName(type));
  const Chunk chunk = MakeChunk({std::move(a), std::move(b)});
  const std::nullopt_t null = std::nullopt;
  struct Case {
    BinaryOp op;
    Column expected;
  };
  const Case cases[] = {
      {BinaryOp::kEqual, Bools({false, true, false, null})},
      {BinaryOp::kNotEqual, Bools({true, false, true, null})},
      {BinaryOp::kLess, Bools({true, false, false, null})},
      {BinaryOp::kLessEqual, Bools({true, true, false, null})},
      {BinaryOp::kGreater, Bools({false, false, true, null})},
      {BinaryOp::kGreaterEqual, Bools({false, true, true, null})},
  };
  for (const Case& c : cases) {
    ExpectColumn(*Binary(c.op, Col(0, type), Col(1, type)), chunk, c.expected);
  }
}

TEST(Evaluator, ComparisonsOfEveryType) {
  const std::nullopt_t null = std::nullopt;
  ExpectComparisons(Bools({false, true, true, null}), Bools({true, true, false, true}));
  ExpectComparisons(Ints({-5, kMin, kMax, null}), Ints({3, kMin, kMin, 0}));
  ExpectComparisons(Doubles({-kInf, 1.5, 2.0, null}), Doubles({-1e308, 1.5, -0.0, 0.0}));
  ExpectComparisons(Strings({"ab", "x", "\xC3\xA9", null}), Strings({"abc", "x", "z", "a"}));
  ExpectComparisons(
      Times({"2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000001Z", null}),
      Times({"2026-01-01T00:00:00.000001Z", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z",
             "2026-01-01T00:00:00Z"}));
}

TEST(Evaluator, DoublesCompareAsPostgreSqlDoes) {
  // -0.0 equals +0.0; NaN equals NaN and is above +infinity.
  ExpectComparisons(Doubles({1.0, -0.0, kNaN, std::nullopt}), Doubles({kNaN, 0.0, kInf, 1.0}));
  ExpectComparisons(Doubles({-1.0, kNaN, 0.0, std::nullopt}), Doubles({-0.0, -kNaN, -1.0, 1.0}));
}

// A comparison with a constant on either side (which reads the constant once) equals the
// comparison with a column holding the constant on every row, for every type and operator.
TEST(Evaluator, ComparisonsWithAConstantEqualThoseWithItsColumn) {
  const std::nullopt_t null = std::nullopt;
  struct Operand {
    Column values;
    Value constant;
  };
  const Operand operands[] = {
      {Bools({false, true, null}), true},
      {Ints({-5, kMin, kMax, 3, null}), int64_t{3}},
      {Doubles({-kInf, -0.0, kNaN, 1.5, null}), 0.0},
      {Doubles({-kInf, -0.0, kNaN, 1.5, null}), kNaN},
      {Strings({"ab", "abc", "", "\xC3\xA9", null}), std::string("abc")},
      {Times({"2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000001Z", null}),
       Ts("2026-01-01T00:00:00Z")},
  };
  const BinaryOp ops[] = {BinaryOp::kEqual,     BinaryOp::kNotEqual, BinaryOp::kLess,
                          BinaryOp::kLessEqual, BinaryOp::kGreater,  BinaryOp::kGreaterEqual};
  for (const Operand& operand : operands) {
    const DataType type = operand.values.type();
    SCOPED_TRACE(DataTypeName(type));
    Result<Column> repeated = Evaluate(*Const(operand.constant, type), MakeChunk({operand.values}));
    ASSERT_TRUE(repeated.ok());
    const Chunk chunk = MakeChunk({operand.values, *repeated});
    for (const BinaryOp op : ops) {
      Result<Column> right = Evaluate(*Binary(op, Col(0, type), Col(1, type)), chunk);
      Result<Column> left = Evaluate(*Binary(op, Col(1, type), Col(0, type)), chunk);
      ASSERT_TRUE(right.ok() && left.ok());
      ExpectColumn(*Binary(op, Col(0, type), Const(operand.constant, type)), chunk, *right);
      ExpectColumn(*Binary(op, Const(operand.constant, type), Col(0, type)), chunk, *left);
    }
  }
}

TEST(Evaluator, NullOnEitherSideOfAComparisonIsNull) {
  const Chunk chunk = MakeChunk({Ints({1, std::nullopt})});
  ExpectColumn(*Binary(BinaryOp::kEqual, Col(0, DataType::kBigint), Null(DataType::kBigint)), chunk,
               Bools({std::nullopt, std::nullopt}));
}

TEST(Evaluator, ThreeValuedLogic) {
  const std::nullopt_t null = std::nullopt;
  const Chunk chunk = MakeChunk({Bools({true, true, true, false, false, false, null, null, null}),
                                 Bools({true, false, null, true, false, null, true, false, null})});
  auto a = [] { return Col(0, DataType::kBoolean); };
  auto b = [] { return Col(1, DataType::kBoolean); };
  ExpectColumn(*Binary(BinaryOp::kAnd, a(), b()), chunk,
               Bools({true, false, null, false, false, false, null, false, null}));
  ExpectColumn(*Binary(BinaryOp::kOr, a(), b()), chunk,
               Bools({true, true, true, true, false, null, true, null, null}));
  ExpectColumn(*Unary(UnaryOp::kNot, a()), chunk,
               Bools({false, false, false, true, true, true, null, null, null}));
  ExpectColumn(*MakeBound(BoundIsNull{a(), false}, DataType::kBoolean), chunk,
               Bools({false, false, false, false, false, false, true, true, true}));
  ExpectColumn(*MakeBound(BoundIsNull{b(), true}, DataType::kBoolean), chunk,
               Bools({true, true, false, true, true, false, true, true, false}));
}

TEST(Evaluator, AndOrGuardTheirRightSide) {
  // The right side runs only where the left does not decide, so the guard prevents the cast error.
  const Chunk chunk = MakeChunk({Strings({"12", "abc", "3", std::nullopt})});
  auto cast_gt_5 = [] {
    return Binary(BinaryOp::kGreater, Cast(Col(0, DataType::kString), DataType::kBigint), Int(5));
  };
  auto is_abc = [](BinaryOp op) { return Binary(op, Col(0, DataType::kString), Str("abc")); };
  ExpectColumn(*Binary(BinaryOp::kAnd, is_abc(BinaryOp::kNotEqual), cast_gt_5()), chunk,
               Bools({true, false, false, std::nullopt}));
  ExpectColumn(*Binary(BinaryOp::kOr, is_abc(BinaryOp::kEqual), cast_gt_5()), chunk,
               Bools({true, true, false, std::nullopt}));
  ExpectDataError(*Binary(BinaryOp::kAnd, Bool(true),
                          Cast(Col(0, DataType::kString), DataType::kBigint, {1, 5})),
                  chunk, "cannot cast 'abc' to BIGINT", {1, 5});
}

BoundExprPtr InList(BoundExprPtr operand, std::vector<BoundExprPtr> list, bool negated) {
  return MakeBound(BoundInList{std::move(operand), std::move(list), negated}, DataType::kBoolean);
}

TEST(Evaluator, InListWithNulls) {
  const std::nullopt_t null = std::nullopt;
  const Chunk chunk = MakeChunk({Ints({1, 2, null, 3})});
  auto x = [] { return Col(0, DataType::kBigint); };
  ExpectColumn(*InList(x(), List(Int(1), Null(DataType::kBigint)), false), chunk,
               Bools({true, null, null, null}));
  ExpectColumn(*InList(x(), List(Int(1), Null(DataType::kBigint)), true), chunk,
               Bools({false, null, null, null}));
  ExpectColumn(*InList(x(), List(Int(1), Int(3)), false), chunk, Bools({true, false, null, true}));
  ExpectColumn(*InList(x(), List(Int(1), Int(3)), true), chunk, Bools({false, true, null, false}));
}

TEST(Evaluator, InListOfDoublesAndStrings) {
  const Chunk chunk = MakeChunk({Doubles({kNaN, -0.0, 2.5}), Strings({"a", "é", "b"})});
  ExpectColumn(*InList(Col(0, DataType::kDouble), List(Dbl(kNaN), Dbl(0.0), Dbl(2.5)), false),
               chunk, Bools({true, true, true}));  // NaN = NaN and -0.0 = 0.0, as in PostgreSQL
  ExpectColumn(*InList(Col(0, DataType::kDouble), List(Dbl(1.0), Dbl(2.0)), false), chunk,
               Bools({false, false, false}));
  ExpectColumn(*InList(Col(1, DataType::kString), List(Str("é"), Str("b")), false), chunk,
               Bools({false, true, true}));
}

BoundExprPtr CaseOf(std::vector<BoundWhen> whens, BoundExprPtr else_result, DataType type) {
  return MakeBound(BoundCase{std::move(whens), std::move(else_result)}, type);
}

template <typename... When>
std::vector<BoundWhen> Whens(When... whens) {
  std::vector<BoundWhen> list;
  (list.push_back(std::move(whens)), ...);
  return list;
}

TEST(Evaluator, CaseFirstTrueConditionWins) {
  const std::nullopt_t null = std::nullopt;
  const Chunk chunk = MakeChunk({Ints({1, 2, 3, null})});
  auto x = [] { return Col(0, DataType::kBigint); };
  auto whens = [&] {
    return Whens(BoundWhen{Binary(BinaryOp::kEqual, x(), Int(1)), Str("one")},
                 BoundWhen{Binary(BinaryOp::kGreaterEqual, x(), Int(2)), Str("many")},
                 BoundWhen{Binary(BinaryOp::kGreaterEqual, x(), Int(3)), Str("unreached")});
  };
  ExpectColumn(*CaseOf(whens(), nullptr, DataType::kString), chunk,
               Strings({"one", "many", "many", null}));
  ExpectColumn(*CaseOf(whens(), Str("none"), DataType::kString), chunk,
               Strings({"one", "many", "many", "none"}));
  // A NULL condition counts as false; a NULL result is a value like any other.
  ExpectColumn(*CaseOf(Whens(BoundWhen{Null(DataType::kBoolean), Int(1)},
                             BoundWhen{Bool(true), Null(DataType::kBigint)}),
                       Int(3), DataType::kBigint),
               chunk, Ints({null, null, null, null}));
}

TEST(Evaluator, CaseEvaluatesABranchOnlyForItsRows) {
  const Chunk chunk = MakeChunk({Strings({"12", "abc", std::nullopt, "-4"})});
  auto s = [] { return Col(0, DataType::kString); };
  auto expr = CaseOf(
      Whens(BoundWhen{Binary(BinaryOp::kNotEqual, s(), Str("abc")), Cast(s(), DataType::kBigint)}),
      Int(-1), DataType::kBigint);
  ExpectColumn(*expr, chunk, Ints({12, -1, -1, -4}));
  // A branch no row takes is not evaluated at all.
  auto never = CaseOf(
      Whens(BoundWhen{Binary(BinaryOp::kEqual, s(), Str("zzz")), Cast(s(), DataType::kBigint)}),
      nullptr, DataType::kBigint);
  ExpectColumn(*never, chunk, Ints({std::nullopt, std::nullopt, std::nullopt, std::nullopt}));
}

TEST(Evaluator, CoalesceTakesTheFirstNonNull) {
  const std::nullopt_t null = std::nullopt;
  const Chunk chunk =
      MakeChunk({Ints({null, 2, null}), Ints({5, 6, null}), Strings({"7", "x", null})});
  ExpectColumn(*Function(ScalarFunction::kCoalesce, DataType::kBigint,
                         List(Col(0, DataType::kBigint), Col(1, DataType::kBigint), Int(0))),
               chunk, Ints({5, 2, 0}));
  // Later arguments run only where the earlier ones are NULL: 'x' is never cast.
  ExpectColumn(*Function(ScalarFunction::kCoalesce, DataType::kBigint,
                         List(Col(0, DataType::kBigint),
                              Cast(Col(2, DataType::kString), DataType::kBigint))),
               chunk, Ints({7, 2, null}));
}

TEST(Evaluator, CastsBetweenNumbersBooleansAndTimestamps) {
  const std::nullopt_t null = std::nullopt;
  const Chunk chunk = MakeChunk({Ints({1, -2, 0, null}), Doubles({2.5, -2.5, 2.4999, -0.5}),
                                 Bools({true, false, null, true})});
  ExpectColumn(*Cast(Col(0, DataType::kBigint), DataType::kDouble), chunk,
               Doubles({1.0, -2.0, 0.0, null}));
  // DOUBLE -> BIGINT rounds half away from zero.
  ExpectColumn(*Cast(Col(1, DataType::kDouble), DataType::kBigint), chunk, Ints({3, -3, 2, -1}));
  ExpectColumn(*Cast(Col(2, DataType::kBoolean), DataType::kBigint), chunk, Ints({1, 0, null, 1}));
  ExpectColumn(*Cast(Col(2, DataType::kBoolean), DataType::kDouble), chunk,
               Doubles({1.0, 0.0, null, 1.0}));
  ExpectColumn(*Cast(Col(0, DataType::kBigint), DataType::kBoolean), chunk,
               Bools({true, true, false, null}));
  ExpectColumn(*Cast(Col(1, DataType::kDouble), DataType::kBoolean), chunk,
               Bools({true, true, true, true}));
  ExpectColumn(*Cast(Int(1000001), DataType::kTimestamp), chunk,
               Times({"1970-01-01T00:00:01.000001Z", "1970-01-01T00:00:01.000001Z",
                      "1970-01-01T00:00:01.000001Z", "1970-01-01T00:00:01.000001Z"}));
  ExpectColumn(*Cast(Time("1969-12-31T23:59:59Z"), DataType::kBigint), chunk,
               Ints({-1000000, -1000000, -1000000, -1000000}));
  ExpectColumn(*Cast(Col(0, DataType::kBigint), DataType::kBigint), chunk, Ints({1, -2, 0, null}));
  ExpectColumn(*Cast(Dbl(-9223372036854775808.0), DataType::kBigint), MakeChunk({Ints({0})}),
               Ints({kMin}));
}

TEST(Evaluator, CastOfADoubleBeyondBigintFails) {
  const Chunk chunk = MakeChunk({Ints({0})});
  const SourcePosition at{1, 8};
  ExpectDataError(*Cast(Dbl(kNaN), DataType::kBigint, at), chunk, "cannot cast NaN to BIGINT", at);
  ExpectDataError(*Cast(Dbl(-kInf), DataType::kBigint, at), chunk,
                  "cannot cast -Infinity to BIGINT", at);
  ExpectDataError(*Cast(Dbl(9223372036854775808.0), DataType::kBigint, at), chunk,
                  "cannot cast 9223372036854775808 to BIGINT", at);
  ExpectDataError(*Cast(Dbl(1e19), DataType::kBigint, at), chunk, "cannot cast 1e+19 to BIGINT",
                  at);
}

TEST(Evaluator, BooleanAndTimestampDoNotCast) {
  const Chunk chunk = MakeChunk({Ints({0})});
  Result<Column> cast = Evaluate(*Cast(Bool(true), DataType::kTimestamp), chunk);
  EXPECT_EQ(cast.status().code(), StatusCode::kTypeMismatch);
  cast = Evaluate(*Cast(Time("2026-01-01T00:00:00Z"), DataType::kBoolean), chunk);
  EXPECT_EQ(cast.status().code(), StatusCode::kTypeMismatch);
}

TEST(Evaluator, CastToString) {
  const Chunk chunk = MakeChunk({Ints({0})});
  auto text_of = [&](BoundExprPtr operand, std::string_view expected) {
    ExpectColumn(*Cast(std::move(operand), DataType::kString), chunk, Strings({expected}));
  };
  text_of(Bool(true), "true");
  text_of(Bool(false), "false");
  text_of(Int(kMin), "-9223372036854775808");
  text_of(Dbl(0.1), "0.1");
  text_of(Dbl(100.0), "100");
  text_of(Dbl(1e21), "1e+21");
  text_of(Dbl(1.5e-7), "1.5e-07");
  text_of(Dbl(-0.0), "-0");
  text_of(Dbl(kNaN), "NaN");
  text_of(Dbl(kInf), "Infinity");
  text_of(Dbl(-kInf), "-Infinity");
  text_of(Time("2026-11-23T10:00:00.123Z"), "2026-11-23T10:00:00.123000Z");
  ExpectColumn(*Cast(Null(DataType::kDouble), DataType::kString), chunk, Strings({std::nullopt}));
}

TEST(Evaluator, CastFromString) {
  const std::nullopt_t null = std::nullopt;
  const Chunk chunk =
      MakeChunk({Strings({" 42 ", "+7", "-9223372036854775808", null}),
                 Strings({"1.5", "-1e3", "NaN", "-inf"}), Strings({"true", "FALSE", "1", " 0 "}),
                 Strings({"2026-11-23T10:00:00Z", "2026-11-23 11:00:00+01:00",
                          "2026-11-23T10:00:00.5Z", null})});
  ExpectColumn(*Cast(Col(0, DataType::kString), DataType::kBigint), chunk,
               Ints({42, 7, kMin, null}));
  ExpectColumn(*Cast(Col(1, DataType::kString), DataType::kDouble), chunk,
               Doubles({1.5, -1000.0, kNaN, -kInf}));
  ExpectColumn(*Cast(Col(2, DataType::kString), DataType::kBoolean), chunk,
               Bools({true, false, true, false}));
  ExpectColumn(
      *Cast(Col(3, DataType::kString), DataType::kTimestamp), chunk,
      Times({"2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z", "2026-11-23T10:00:00.5Z", null}));
}

TEST(Evaluator, CastOfABadStringFails) {
  const Chunk chunk = MakeChunk({Ints({0})});
  const SourcePosition at{4, 2};
  auto fails = [&](std::string text, DataType type, std::string_view message) {
    ExpectDataError(*Cast(Str(std::move(text)), type, at), chunk, message, at);
  };
  fails("abc", DataType::kBigint, "cannot cast 'abc' to BIGINT");
  fails("1.5", DataType::kBigint, "cannot cast '1.5' to BIGINT");
  fails("9223372036854775808", DataType::kBigint, "cannot cast '9223372036854775808' to BIGINT");
  fails("", DataType::kBigint, "cannot cast '' to BIGINT");
  fails("+-1", DataType::kBigint, "cannot cast '+-1' to BIGINT");
  fails("1e999", DataType::kDouble, "cannot cast '1e999' to DOUBLE");
  fails("x", DataType::kDouble, "cannot cast 'x' to DOUBLE");
  fails("yes", DataType::kBoolean, "cannot cast 'yes' to BOOLEAN");
  fails("2026-13-01T00:00:00Z", DataType::kTimestamp,
        "cannot cast '2026-13-01T00:00:00Z' to TIMESTAMP");
}

TEST(Evaluator, EmptyChunksGiveEmptyColumns) {
  const Chunk chunk = MakeChunk({Ints({}), Strings({})});
  ExpectColumn(*Binary(BinaryOp::kDivide, Col(0, DataType::kBigint), Int(0)), chunk, Ints({}));
  ExpectColumn(*Cast(Col(1, DataType::kString), DataType::kBigint), chunk, Ints({}));
  ExpectColumn(*CaseOf(Whens(BoundWhen{Bool(true), Str("x")}), nullptr, DataType::kString), chunk,
               Strings({}));
  ExpectColumn(*Binary(BinaryOp::kAnd, Bool(true), Bool(false)), chunk, Bools({}));
  Result<std::vector<uint32_t>> rows = SelectTrue(*Bool(true), chunk);
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
}

TEST(Evaluator, SelectTrueDropsFalseAndNull) {
  const Chunk chunk = MakeChunk({Ints({5, 1, std::nullopt, 9, 7})});
  Result<std::vector<uint32_t>> rows =
      SelectTrue(*Binary(BinaryOp::kGreater, Col(0, DataType::kBigint), Int(4)), chunk);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (std::vector<uint32_t>{0, 3, 4}));
}

TEST(Evaluator, EvaluateConstant) {
  auto value = [](const BoundExpr& expr) {
    Result<Value> v = EvaluateConstant(expr);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Value{};
  };
  EXPECT_EQ(value(*Binary(BinaryOp::kMultiply, Binary(BinaryOp::kAdd, Int(1), Int(2)), Int(3))),
            Value(int64_t{9}));
  EXPECT_EQ(value(*Binary(BinaryOp::kAdd, Int(1), Null(DataType::kBigint))), Value());
  EXPECT_EQ(value(*Cast(Dbl(2.5), DataType::kString)), Value(std::string("2.5")));
  EXPECT_EQ(value(*CaseOf(Whens(BoundWhen{Bool(false), Int(1)}), nullptr, DataType::kBigint)),
            Value());
  Result<Value> bad = EvaluateConstant(*Cast(Str("abc"), DataType::kBigint, {1, 6}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "cannot cast 'abc' to BIGINT");
  EXPECT_FALSE(EvaluateConstant(*Col(0, DataType::kBigint)).ok());  // a column is no constant
}

TEST(Evaluator, ValueAtReadsEveryType) {
  const Column strings = Strings({"é", std::nullopt});
  EXPECT_EQ(ValueAt(strings, 0), Value(std::string("é")));
  EXPECT_EQ(ValueAt(strings, 1), Value());
  EXPECT_EQ(ValueAt(Bools({false}), 0), Value(false));
  EXPECT_EQ(ValueAt(Doubles({-0.5}), 0), Value(-0.5));
  EXPECT_EQ(ValueAt(Times({"1970-01-01T00:00:01Z"}), 0), Value(int64_t{1000000}));
}

TEST(Evaluator, BoundToStringIsFullyParenthesised) {
  EXPECT_EQ(BoundToString(*Binary(BinaryOp::kGreater, Col(0, DataType::kDouble, "temperature"),
                                  Cast(Int(30), DataType::kDouble))),
            "(temperature > CAST(30 AS DOUBLE))");
  auto tree = Binary(
      BinaryOp::kOr,
      Binary(BinaryOp::kAnd, Unary(UnaryOp::kNot, Bool(true)),
             MakeBound(BoundIsNull{Col(1, DataType::kString, "s"), true}, DataType::kBoolean)),
      InList(Unary(UnaryOp::kNegate, Dbl(2.0)), List(Dbl(1.5), Null(DataType::kDouble)), true));
  EXPECT_EQ(BoundToString(*tree),
            "(((NOT TRUE) AND (s IS NOT NULL)) OR ((-2.0) NOT IN (1.5, NULL)))");
  auto like =
      MakeBound(BoundLike{Col(1, DataType::kString, "s"), Str("it's%"), false}, DataType::kBoolean);
  EXPECT_EQ(BoundToString(*like), "(s LIKE 'it''s%')");
  auto when = CaseOf(Whens(BoundWhen{Bool(true), Time("2026-11-23T10:00:00Z")}), nullptr,
                     DataType::kTimestamp);
  EXPECT_EQ(BoundToString(*when),
            "CASE WHEN TRUE THEN TIMESTAMP '2026-11-23T10:00:00.000000Z' END");
  auto add = Function(ScalarFunction::kDateAdd, DataType::kTimestamp,
                      List(Int(5), Col(0, DataType::kTimestamp, "ts")), DatePart::kMinute);
  EXPECT_EQ(BoundToString(*add), "DATEADD(minute, 5, ts)");
}

TEST(Evaluator, CloneBoundIsADeepCopy) {
  auto original = CaseOf(
      Whens(BoundWhen{Binary(BinaryOp::kLess, Col(0, DataType::kBigint), Int(2)), Str("small")}),
      Str("big"), DataType::kString);
  original->position = {7, 3};
  BoundExprPtr copy = CloneBound(*original);
  EXPECT_EQ(BoundToString(*copy), BoundToString(*original));
  EXPECT_EQ(copy->position.line, 7);
  std::get<BoundCase>(copy->node).else_result = Str("changed");
  EXPECT_EQ(BoundToString(*original), "CASE WHEN (c0 < 2) THEN 'small' ELSE 'big' END");
  ExpectColumn(*original, MakeChunk({Ints({1, 3})}), Strings({"small", "big"}));
}

TEST(Evaluator, DatePartNames) {
  EXPECT_EQ(DatePartFromName("YYYY"), DatePart::kYear);
  EXPECT_EQ(DatePartFromName("q"), DatePart::kQuarter);
  EXPECT_EQ(DatePartFromName("m"), DatePart::kMonth);
  EXPECT_EQ(DatePartFromName("y"), DatePart::kDayOfYear);
  EXPECT_EQ(DatePartFromName("Dd"), DatePart::kDay);
  EXPECT_EQ(DatePartFromName("ww"), DatePart::kWeek);
  EXPECT_EQ(DatePartFromName("dw"), DatePart::kWeekday);
  EXPECT_EQ(DatePartFromName("n"), DatePart::kMinute);
  EXPECT_EQ(DatePartFromName("s"), DatePart::kSecond);
  EXPECT_EQ(DatePartFromName("MCS"), DatePart::kMicrosecond);
  EXPECT_EQ(DatePartFromName("fortnight"), std::nullopt);
  EXPECT_EQ(DatePartName(DatePart::kDayOfYear), "dayofyear");
  EXPECT_EQ(DatePartName(DatePart::kMillisecond), "millisecond");
  EXPECT_EQ(ScalarFunctionName(ScalarFunction::kLength), "LEN");
}

}  // namespace
}  // namespace braid::sql
