// The evaluator's scalar functions, LIKE, and the date functions, over hand-built bound trees.
// Expected dates are worked out by calendar (2024 is a leap year; 2024-01-01 was a Monday,
// 2023-01-01 and 2023-12-31 Sundays, 1970-01-01 a Thursday).
#include <gtest/gtest.h>

#include <limits>

#include "evaluator_test_util.h"
#include "sql/bound_expression.h"
#include "sql/expression_evaluator.h"

namespace braid::sql {
namespace {

using namespace testing;  // NOLINT: the test helpers

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr std::nullopt_t null = std::nullopt;

// f(column 0) over `input`.
void ExpectUnary(ScalarFunction f, Column input, const Column& expected) {
  const DataType in = input.type();
  ExpectColumn(*Function(f, expected.type(), List(Col(0, in))), MakeChunk({std::move(input)}),
               expected);
}

TEST(Evaluator, AbsFloorCeiling) {
  ExpectUnary(ScalarFunction::kAbs, Ints({-3, 3, null, kInt64Max}), Ints({3, 3, null, kInt64Max}));
  ExpectUnary(ScalarFunction::kAbs, Doubles({-0.0, -2.5, null}), Doubles({0.0, 2.5, null}));
  ExpectUnary(ScalarFunction::kFloor, Doubles({1.5, -1.5, -0.0, null}),
              Doubles({1.0, -2.0, -0.0, null}));
  ExpectUnary(ScalarFunction::kCeiling, Doubles({1.5, -1.5, 2.0, null}),
              Doubles({2.0, -1.0, 2.0, null}));
  ExpectUnary(ScalarFunction::kFloor, Ints({-7, null}), Ints({-7, null}));
  ExpectUnary(ScalarFunction::kCeiling, Ints({kInt64Min}), Ints({kInt64Min}));
  const Chunk chunk = MakeChunk({Ints({kInt64Min})});
  ExpectDataError(*Function(ScalarFunction::kAbs, DataType::kBigint,
                            List(Col(0, DataType::kBigint)), std::nullopt, {5, 1}),
                  chunk, "BIGINT out of range", {5, 1});
}

TEST(Evaluator, RoundHalfAwayFromZero) {
  ExpectUnary(ScalarFunction::kRound, Doubles({2.5, -2.5, 1.4999, null}),
              Doubles({3.0, -3.0, 1.0, null}));
  auto round = [](BoundExprPtr x, std::optional<int64_t> digits) {
    const DataType type = x->type;
    BoundExprPtr d = digits.has_value() ? Int(*digits) : Null(DataType::kBigint);
    return Function(ScalarFunction::kRound, type, List(std::move(x), std::move(d)), std::nullopt,
                    {2, 2});
  };
  const Chunk chunk = MakeChunk(
      {Doubles({1.2345, -1.2355, 1250.0, -1250.0, 1e15}), Ints({1250, -1249, 15, 5, kInt64Max})});
  ExpectColumn(*round(Col(0, DataType::kDouble), 2), chunk,
               Doubles({1.23, -1.24, 1250.0, -1250.0, 1e15}));
  ExpectColumn(*round(Col(0, DataType::kDouble), -2), chunk,
               Doubles({0.0, -0.0, 1300.0, -1300.0, 1e15}));
  ExpectColumn(*round(Col(0, DataType::kDouble), -400), chunk,
               Doubles({0.0, -0.0, 0.0, -0.0, 0.0}));
  ExpectColumn(*round(Col(0, DataType::kDouble), std::nullopt), chunk,
               Doubles({null, null, null, null, null}));
  const Chunk small = MakeChunk({Ints({1250, -1249, 15, 5, 4})});
  ExpectColumn(*round(Col(0, DataType::kBigint), -2), small, Ints({1300, -1200, 0, 0, 0}));
  ExpectColumn(*round(Col(0, DataType::kBigint), -1), small, Ints({1250, -1250, 20, 10, 0}));
  ExpectColumn(*round(Col(0, DataType::kBigint), 3), small, Ints({1250, -1249, 15, 5, 4}));
  ExpectColumn(*round(Col(0, DataType::kBigint), -40), small, Ints({0, 0, 0, 0, 0}));
  ExpectDataError(*round(Col(1, DataType::kBigint), -1), chunk, "BIGINT out of range", {2, 2});
}

TEST(Evaluator, LowerUpperLen) {
  ExpectUnary(ScalarFunction::kLower, Strings({"AbC \xC3\x89 Z", null}),
              Strings({"abc \xC3\x89 z", null}));
  ExpectUnary(ScalarFunction::kUpper, Strings({"AbC \xC3\xA9 z", ""}),
              Strings({"ABC \xC3\xA9 Z", ""}));
  ExpectUnary(ScalarFunction::kLength,
              Strings({"", "abc", "h\xC3\xA9llo", "日本語", "🙂!", null}),
              Ints({0, 3, 5, 3, 2, null}));
}

TEST(Evaluator, SubstringCountsCharacters) {
  const Chunk chunk =
      MakeChunk({Strings({"h\xC3\xA9llo", "abc", "abc", "abc", "日本語", null, "abc", "abc"}),
                 Ints({2, 0, 2, 5, 2, 1, null, -3}), Ints({3, 2, 100, 1, 1, 1, 1, 5})});
  ExpectColumn(*Function(ScalarFunction::kSubstring, DataType::kString,
                         List(Col(0, DataType::kString), Col(1, DataType::kBigint),
                              Col(2, DataType::kBigint))),
               chunk, Strings({"\xC3\xA9ll", "a", "bc", "", "本", null, null, "a"}));
  ExpectDataError(*Function(ScalarFunction::kSubstring, DataType::kString,
                            List(Str("abc"), Int(1), Int(-1)), std::nullopt, {1, 3}),
                  chunk, "SUBSTRING length -1 is negative", {1, 3});
}

TEST(Evaluator, ConcatTreatsNullAsEmpty) {
  const Chunk chunk = MakeChunk({Strings({"a", null, null}), Strings({null, "b", null})});
  ExpectColumn(*Function(ScalarFunction::kConcat, DataType::kString,
                         List(Col(0, DataType::kString), Str("-"), Col(1, DataType::kString))),
               chunk, Strings({"a-", "-b", "-"}));
}

void ExpectLike(std::string pattern, const Column& expected, bool negated = false) {
  SCOPED_TRACE(pattern);
  const Chunk chunk =
      MakeChunk({Strings({"abc", "aXc", "ac", "h\xC3\xA9llo", "日本語", "", "ABC", null})});
  auto like = MakeBound(BoundLike{Col(0, DataType::kString), Str(std::move(pattern)), negated},
                        DataType::kBoolean);
  ExpectColumn(*like, chunk, expected);
}

TEST(Evaluator, LikeMatchesCharacters) {
  ExpectLike("a_c", Bools({true, true, false, false, false, false, false, null}));
  ExpectLike("h_llo", Bools({false, false, false, true, false, false, false, null}));
  ExpectLike("___", Bools({true, true, false, false, true, false, true, null}));
  ExpectLike("日_語", Bools({false, false, false, false, true, false, false, null}));
  ExpectLike("%", Bools({true, true, true, true, true, true, true, null}));
  ExpectLike("", Bools({false, false, false, false, false, true, false, null}));
  ExpectLike("a%", Bools({true, true, true, false, false, false, false, null}));
  ExpectLike("a%", Bools({false, false, false, true, true, true, true, null}), true);
  ExpectLike("%l%o", Bools({false, false, false, true, false, false, false, null}));
  ExpectLike("%c", Bools({true, true, true, false, false, false, false, null}));
  ExpectLike("abc", Bools({true, false, false, false, false, false, false, null}));
}

TEST(Evaluator, LikeBacktracksAndTakesNullPatterns) {
  const Chunk chunk = MakeChunk({Strings({"mississippi", "aaab", "aaa", "abc"}),
                                 Strings({"m%iss%pi", "%a%b", "%a%b", null})});
  ExpectColumn(*MakeBound(BoundLike{Col(0, DataType::kString), Col(1, DataType::kString), false},
                          DataType::kBoolean),
               chunk, Bools({true, true, false, null}));
}

BoundExprPtr DateFn(ScalarFunction f, DatePart part, std::vector<BoundExprPtr> args) {
  const DataType type = f == ScalarFunction::kDateAdd ? DataType::kTimestamp : DataType::kBigint;
  return Function(f, type, std::move(args), part, {9, 9});
}

void ExpectDateAdd(DatePart part, int64_t n, std::string_view from, std::string_view expected) {
  SCOPED_TRACE(fmt::format("DATEADD({}, {}, {})", DatePartName(part), n, from));
  ExpectColumn(*DateFn(ScalarFunction::kDateAdd, part, List(Int(n), Time(from))),
               MakeChunk({Ints({0})}), Times({expected}));
}

TEST(Evaluator, DateAddCalendarParts) {
  const std::string_view t = "2024-01-31T10:30:45.123456Z";
  ExpectDateAdd(DatePart::kMonth, 1, t, "2024-02-29T10:30:45.123456Z");
  ExpectDateAdd(DatePart::kMonth, -1, t, "2023-12-31T10:30:45.123456Z");
  ExpectDateAdd(DatePart::kMonth, 13, t, "2025-02-28T10:30:45.123456Z");
  ExpectDateAdd(DatePart::kQuarter, 1, t, "2024-04-30T10:30:45.123456Z");
  ExpectDateAdd(DatePart::kYear, -1, t, "2023-01-31T10:30:45.123456Z");
  ExpectDateAdd(DatePart::kYear, 1, "2024-02-29T00:00:00Z", "2025-02-28T00:00:00Z");
  ExpectDateAdd(DatePart::kMonth, 1, "1969-12-31T23:00:00Z", "1970-01-31T23:00:00Z");
}

TEST(Evaluator, DateAddFixedParts) {
  const std::string_view t = "2024-01-31T10:30:45.123456Z";
  ExpectDateAdd(DatePart::kDay, 1, t, "2024-02-01T10:30:45.123456Z");
  ExpectDateAdd(DatePart::kDayOfYear, 1, t, "2024-02-01T10:30:45.123456Z");
  ExpectDateAdd(DatePart::kWeekday, -31, t, "2023-12-31T10:30:45.123456Z");
  ExpectDateAdd(DatePart::kWeek, 1, t, "2024-02-07T10:30:45.123456Z");
  ExpectDateAdd(DatePart::kHour, -11, t, "2024-01-30T23:30:45.123456Z");
  ExpectDateAdd(DatePart::kMinute, 30, t, "2024-01-31T11:00:45.123456Z");
  ExpectDateAdd(DatePart::kSecond, 15, t, "2024-01-31T10:31:00.123456Z");
  ExpectDateAdd(DatePart::kMillisecond, 877, t, "2024-01-31T10:30:46.000456Z");
  ExpectDateAdd(DatePart::kMicrosecond, 544, t, "2024-01-31T10:30:45.124000Z");
}

TEST(Evaluator, DateAddNullsAndOverflow) {
  const Chunk chunk = MakeChunk({Ints({1, null}), Times({null, "2024-01-01T00:00:00Z"})});
  ExpectColumn(*DateFn(ScalarFunction::kDateAdd, DatePart::kDay,
                       List(Col(0, DataType::kBigint), Col(1, DataType::kTimestamp))),
               chunk, Times({null, null}));
  auto overflow = [&](DatePart part, int64_t n) {
    ExpectDataError(
        *DateFn(ScalarFunction::kDateAdd, part, List(Int(n), Time("2024-01-01T00:00:00Z"))), chunk,
        "timestamp out of range", {9, 9});
  };
  overflow(DatePart::kYear, 1000000);
  overflow(DatePart::kMonth, kInt64Min);
  overflow(DatePart::kDay, kInt64Max);
  overflow(DatePart::kMicrosecond, kInt64Max);
}

void ExpectDateDiff(DatePart part, std::string_view a, std::string_view b, int64_t expected) {
  SCOPED_TRACE(fmt::format("DATEDIFF({}, {}, {})", DatePartName(part), a, b));
  ExpectColumn(*DateFn(ScalarFunction::kDateDiff, part, List(Time(a), Time(b))),
               MakeChunk({Ints({0})}), Ints({expected}));
}

TEST(Evaluator, DateDiffCountsBoundariesCrossed) {
  const std::string_view a = "2024-01-01T10:00:59Z", b = "2024-01-01T10:01:00Z";
  ExpectDateDiff(DatePart::kMinute, a, b, 1);
  ExpectDateDiff(DatePart::kSecond, a, b, 1);
  ExpectDateDiff(DatePart::kHour, a, b, 0);
  ExpectDateDiff(DatePart::kMicrosecond, a, b, 1000000);
  const std::string_view eve = "2023-12-31T23:59:59Z", new_year = "2024-01-01T00:00:00Z";
  ExpectDateDiff(DatePart::kYear, eve, new_year, 1);
  ExpectDateDiff(DatePart::kQuarter, eve, new_year, 1);
  ExpectDateDiff(DatePart::kMonth, eve, new_year, 1);
  ExpectDateDiff(DatePart::kDay, eve, new_year, 1);
  ExpectDateDiff(DatePart::kDayOfYear, eve, new_year, 1);
  ExpectDateDiff(DatePart::kWeekday, eve, new_year, 1);
  ExpectDateDiff(DatePart::kWeek, eve, new_year, 0);  // both in the week of Sunday Dec 31
  ExpectDateDiff(DatePart::kWeek, "2023-12-30T12:00:00Z", eve, 1);
  ExpectDateDiff(DatePart::kYear, new_year, "2023-01-01T00:00:00Z", -1);
  ExpectDateDiff(DatePart::kMonth, "2024-01-31T00:00:00Z", "2024-03-01T00:00:00Z", 2);
  ExpectDateDiff(DatePart::kDay, "2024-01-02T00:00:00Z", "2024-01-01T23:00:00Z", -1);
  ExpectDateDiff(DatePart::kMillisecond, "2024-01-01T00:00:00.000999Z", "2024-01-01T00:00:00.001Z",
                 1);
  ExpectDateDiff(DatePart::kHour, "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", 1);
}

TEST(Evaluator, DateDiffInMicrosecondsCanOverflow) {
  ExpectDataError(
      *DateFn(ScalarFunction::kDateDiff, DatePart::kMicrosecond,
              List(Const(kInt64Min, DataType::kTimestamp), Const(kInt64Max, DataType::kTimestamp))),
      MakeChunk({Ints({0})}), "BIGINT out of range", {9, 9});
}

TEST(Evaluator, DatePartOfEveryPart) {
  const Chunk chunk =
      MakeChunk({Times({"2024-01-31T10:30:45.123456Z", "2023-12-31T00:00:00Z",
                        "1969-12-31T23:59:59.999999Z", "2024-12-31T00:00:00Z", null})});
  auto part = [&](DatePart p, Column expected) {
    SCOPED_TRACE(DatePartName(p));
    ExpectColumn(*DateFn(ScalarFunction::kDatePart, p, List(Col(0, DataType::kTimestamp))), chunk,
                 expected);
  };
  part(DatePart::kYear, Ints({2024, 2023, 1969, 2024, null}));
  part(DatePart::kQuarter, Ints({1, 4, 4, 4, null}));
  part(DatePart::kMonth, Ints({1, 12, 12, 12, null}));
  part(DatePart::kDayOfYear, Ints({31, 365, 365, 366, null}));
  part(DatePart::kDay, Ints({31, 31, 31, 31, null}));
  part(DatePart::kWeek, Ints({5, 53, 53, 53, null}));
  part(DatePart::kWeekday, Ints({4, 1, 4, 3, null}));
  part(DatePart::kHour, Ints({10, 0, 23, 0, null}));
  part(DatePart::kMinute, Ints({30, 0, 59, 0, null}));
  part(DatePart::kSecond, Ints({45, 0, 59, 0, null}));
  part(DatePart::kMillisecond, Ints({123, 0, 999, 0, null}));
  part(DatePart::kMicrosecond, Ints({123456, 0, 999999, 0, null}));
}

}  // namespace
}  // namespace braid::sql
