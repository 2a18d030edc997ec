// Exact results: SEMANTICS.md worked example 10, NULLs, empty input, one row, extreme values.
#include <cmath>
#include <limits>

#include "agg_test_util.h"

namespace braid::agg {
namespace {

int64_t OneInt(const Column& c) {
  EXPECT_EQ(c.size(), 1u);
  EXPECT_TRUE(c.IsValid(0));
  return c.int64s()[0];
}
double OneDouble(const Column& c) {
  EXPECT_EQ(c.size(), 1u);
  EXPECT_TRUE(c.IsValid(0));
  return c.doubles()[0];
}
bool IsNull(const Column& c) { return c.size() == 1 && !c.IsValid(0); }

AggregateParams P(double p) { return AggregateParams{.fraction = p}; }

TEST(WorkedExample10, Counts) {
  Column x = Int64Column({1, 1, std::nullopt, 2});
  EXPECT_EQ(OneInt(Aggregate("COUNT_STAR", x)), 4);
  EXPECT_EQ(OneInt(Aggregate("COUNT", x)), 3);
  EXPECT_EQ(OneInt(Aggregate("COUNT_DISTINCT", x)), 2);
  EXPECT_EQ(OneInt(Aggregate("APPROX_COUNT_DISTINCT", x)), 2);
}

TEST(WorkedExample10, Percentiles) {
  Column x = DoubleColumn({0.98, 0.93, 0.78, 0.99, 0.89});
  EXPECT_NEAR(OneDouble(Aggregate("PERCENTILE_CONT", x, P(0.95))), 0.988, 1e-12);
  EXPECT_EQ(OneDouble(Aggregate("PERCENTILE_DISC", x, P(0.5))), 0.93);
  EXPECT_EQ(OneDouble(Aggregate("PERCENTILE_APPROX", x, P(0.5))), 0.93);  // exact when small
}

TEST(WorkedExample10, Spread) {
  for (const Column& x :
       {Int64Column({2, 4, 4, 4, 5, 5, 7, 9}), DoubleColumn({2, 4, 4, 4, 5, 5, 7, 9})}) {
    EXPECT_NEAR(OneDouble(Aggregate("STDEV", x)), 2.13809, 5e-6);
    EXPECT_NEAR(OneDouble(Aggregate("STDEVP", x)), 2.0, 1e-15);
    EXPECT_NEAR(OneDouble(Aggregate("VAR", x)), 4.571429, 5e-7);
    EXPECT_NEAR(OneDouble(Aggregate("VARP", x)), 4.0, 1e-15);
  }
  Column five = DoubleColumn({5});
  EXPECT_TRUE(IsNull(Aggregate("STDEV", five)));
  EXPECT_TRUE(IsNull(Aggregate("VAR", five)));
  EXPECT_EQ(OneDouble(Aggregate("STDEVP", five)), 0.0);
  EXPECT_EQ(OneDouble(Aggregate("VARP", five)), 0.0);
}

TEST(WorkedExample10, AllNull) {
  Column x = Int64Column({std::nullopt, std::nullopt});
  EXPECT_TRUE(IsNull(Aggregate("SUM", x)));
  EXPECT_EQ(OneInt(Aggregate("COUNT", x)), 0);
  EXPECT_EQ(OneInt(Aggregate("COUNT_STAR", x)), 2);
}

TEST(Aggregates, EmptyInputGivesNullOrZero) {
  for (const AggregateFunction& fn : AllAggregates()) {
    OwnedState state(fn);
    Result<Column> out = state.Finalize(P(0.5));
    ASSERT_TRUE(out.ok());
    bool is_count = fn.name.starts_with("COUNT") || fn.name == "APPROX_COUNT_DISTINCT";
    if (is_count) {
      EXPECT_EQ(OneInt(*out), 0) << fn.name;
    } else {
      EXPECT_TRUE(IsNull(*out)) << fn.name;
    }
  }
}

TEST(Aggregates, NullsAreIgnored) {
  Column x = Int64Column({std::nullopt, 7, std::nullopt, -3, std::nullopt});
  EXPECT_EQ(OneInt(Aggregate("SUM", x)), 4);
  EXPECT_EQ(OneInt(Aggregate("MIN", x)), -3);
  EXPECT_EQ(OneInt(Aggregate("MAX", x)), 7);
  EXPECT_EQ(OneDouble(Aggregate("AVG", x)), 2.0);
  EXPECT_EQ(OneDouble(Aggregate("PERCENTILE_CONT", x, P(0.5))), 2.0);
  EXPECT_EQ(OneInt(Aggregate("PERCENTILE_DISC", x, P(0.5))), -3);
}

TEST(Aggregates, OneRow) {
  Column x = Int64Column({42});
  for (std::string_view name : {"SUM", "MIN", "MAX", "PERCENTILE_DISC", "PERCENTILE_APPROX"}) {
    EXPECT_EQ(OneInt(Aggregate(name, x, name.starts_with("PERC") ? P(0.3) : AggregateParams{})), 42)
        << name;
  }
  EXPECT_EQ(OneDouble(Aggregate("AVG", x)), 42.0);
  EXPECT_EQ(OneDouble(Aggregate("PERCENTILE_CONT", x, P(1.0))), 42.0);
}

TEST(Aggregates, MinMaxOfStringsTimestampsBooleans) {
  Column s = StringColumn({"pear", std::nullopt, "apple", "", "zebra"});
  EXPECT_EQ(Aggregate("MIN", s).StringAt(0), "");
  EXPECT_EQ(Aggregate("MAX", s).StringAt(0), "zebra");
  Column t = Int64Column({1700000000000000, 1600000000000000}, DataType::kTimestamp);
  Column min_t = Aggregate("MIN", t);
  EXPECT_EQ(min_t.type(), DataType::kTimestamp);
  EXPECT_EQ(OneInt(min_t), 1600000000000000);
  Column b(DataType::kBoolean);
  b.AppendBool(true);
  b.AppendBool(false);
  EXPECT_EQ(Aggregate("MIN", b).bools()[0], 0);
  EXPECT_EQ(Aggregate("MAX", b).bools()[0], 1);
}

TEST(Aggregates, Int64Extremes) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  Column extremes = Int64Column({kMax, kMin, 0});
  EXPECT_EQ(OneInt(Aggregate("MIN", extremes)), kMin);
  EXPECT_EQ(OneInt(Aggregate("MAX", extremes)), kMax);
  EXPECT_EQ(OneInt(Aggregate("SUM", extremes)), -1);
  // Intermediate overflow that cancels is exact; a total beyond BIGINT is an error, not a wrap.
  EXPECT_EQ(OneInt(Aggregate("SUM", Int64Column({kMax, kMax, -kMax, -kMax, 5}))), 5);
  const AggregateFunction& sum = Find("SUM", {DataType::kBigint});
  OwnedState state(sum);
  sum.update_all(Int64Column({kMax, 1}), state.get());
  Result<Column> overflow = state.Finalize();
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.status().code(), StatusCode::kDataError);
  // AVG of BIGINT divides an exact sum: no overflow.
  EXPECT_EQ(OneDouble(Aggregate("AVG", Int64Column({kMax, kMax}))), static_cast<double>(kMax));
  EXPECT_EQ(OneInt(Aggregate("COUNT_DISTINCT", extremes)), 3);
}

TEST(Aggregates, CompensatedSummationBeatsNaive) {
  Column cancelling = DoubleColumn({1e100, 1.0, -1e100});
  EXPECT_EQ(OneDouble(Aggregate("SUM", cancelling)), 1.0);  // naive: 0
  Column tenths(DataType::kDouble);
  double naive = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    tenths.AppendDouble(0.1);
    naive += 0.1;
  }
  double compensated = OneDouble(Aggregate("SUM", tenths));
  EXPECT_EQ(compensated, 100000.0);
  EXPECT_GT(std::fabs(naive - 100000.0), 1e-7);
  EXPECT_EQ(OneDouble(Aggregate("AVG", tenths)), 0.1);
  Column tiny = DoubleColumn({1e-300, 1e-300, 5e-324});
  EXPECT_EQ(OneDouble(Aggregate("SUM", tiny)), 2e-300 + 5e-324);
}

TEST(Aggregates, NonFiniteDoubles) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(OneDouble(Aggregate("SUM", DoubleColumn({1, kInf, 2}))), kInf);
  EXPECT_TRUE(std::isnan(OneDouble(Aggregate("SUM", DoubleColumn({kInf, -kInf})))));
  EXPECT_TRUE(std::isnan(OneDouble(Aggregate("AVG", DoubleColumn({1, kNaN})))));
  // NaN sorts above every number (PostgreSQL order); -0.0 below +0.0.
  Column mixed = DoubleColumn({3, kNaN, -kInf, 0.0, -0.0});
  EXPECT_TRUE(std::isnan(OneDouble(Aggregate("MAX", mixed))));
  EXPECT_EQ(OneDouble(Aggregate("MIN", mixed)), -kInf);
  EXPECT_TRUE(std::signbit(OneDouble(Aggregate("MIN", DoubleColumn({0.0, -0.0})))));
  EXPECT_TRUE(std::isnan(OneDouble(Aggregate("MIN", DoubleColumn({kNaN})))));
  EXPECT_EQ(OneDouble(Aggregate("PERCENTILE_DISC", mixed, P(0.8))), 3.0);
  // Equal values count once: -0.0 = +0.0 and NaN = NaN.
  EXPECT_EQ(OneInt(Aggregate("COUNT_DISTINCT", DoubleColumn({0.0, -0.0, kNaN, -kNaN}))), 2);
  EXPECT_TRUE(std::isnan(OneDouble(Aggregate("VAR", DoubleColumn({1, kInf})))));
}

TEST(Aggregates, PercentileDefinitions) {
  Column x = Int64Column({10, 20, 30, 40, 50, 60, 70, 80, 90, 100});
  EXPECT_EQ(OneInt(Aggregate("PERCENTILE_DISC", x, P(0.3))), 30);  // 0.3 * 10 rounds up in double
  EXPECT_EQ(OneInt(Aggregate("PERCENTILE_DISC", x, P(0.0))), 10);
  EXPECT_EQ(OneInt(Aggregate("PERCENTILE_DISC", x, P(0.31))), 40);
  EXPECT_EQ(OneInt(Aggregate("PERCENTILE_DISC", x, P(1.0))), 100);
  EXPECT_DOUBLE_EQ(OneDouble(Aggregate("PERCENTILE_CONT", x, P(0.5))), 55.0);
  EXPECT_DOUBLE_EQ(OneDouble(Aggregate("PERCENTILE_CONT", x, P(0.0))), 10.0);
  EXPECT_DOUBLE_EQ(OneDouble(Aggregate("PERCENTILE_CONT", x, P(0.25))), 32.5);
}

TEST(Aggregates, ScatterUpdateIntoGroups) {
  const AggregateFunction& sum = Find("SUM", {DataType::kBigint});
  OwnedState even(sum);
  OwnedState odd(sum);
  Column x = Int64Column({1, 2, 3, std::nullopt, 5, 6});
  std::vector<uint32_t> selection = {0, 1, 2, 3, 4, 5};
  std::vector<StatePtr> states = {odd.get(),  even.get(), odd.get(),
                                  even.get(), odd.get(),  even.get()};
  sum.update(x, selection, states.data());
  EXPECT_EQ(OneInt(*odd.Finalize()), 9);
  EXPECT_EQ(OneInt(*even.Finalize()), 8);
}

}  // namespace
}  // namespace braid::agg
