// Aggregates over random data against independent brute-force oracles: long double sums and
// two-pass variance, std::set for distinct counts, a sorted copy for exact percentiles.
#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "agg_test_util.h"

namespace braid::agg {
namespace {

double Value(const Column& c) { return c.doubles()[0]; }

TEST(Oracle, RandomDoubles) {
  std::mt19937_64 rng(2024);
  for (int round = 0; round < 20; ++round) {
    size_t n = 2 + rng() % 5000;
    std::vector<double> values;
    Column column(DataType::kDouble);
    for (size_t i = 0; i < n; ++i) {
      if (rng() % 10 == 0) {
        column.AppendNull();
        continue;
      }
      double v = std::normal_distribution<double>(100.0, 30.0)(rng);
      if (round % 2 == 1) v = std::round(v);  // duplicates
      values.push_back(v);
      column.AppendDouble(v);
    }
    if (values.size() < 2) continue;
    long double sum = 0;
    for (double v : values) sum += v;
    long double mean = sum / values.size();
    long double m2 = 0;
    for (double v : values) m2 += (v - mean) * (v - mean);
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    double k = static_cast<double>(values.size());

    EXPECT_NEAR(Value(Aggregate("SUM", column)), static_cast<double>(sum), 1e-12 * std::fabs(sum));
    EXPECT_NEAR(Value(Aggregate("AVG", column)), static_cast<double>(mean), 1e-12 * mean);
    EXPECT_NEAR(Value(Aggregate("VAR", column)), static_cast<double>(m2 / (k - 1)),
                1e-10 * static_cast<double>(m2 / (k - 1)));
    EXPECT_NEAR(Value(Aggregate("STDEVP", column)), std::sqrt(static_cast<double>(m2 / k)),
                1e-10 * std::sqrt(static_cast<double>(m2 / k)));
    EXPECT_EQ(Value(Aggregate("MIN", column)), sorted.front());
    EXPECT_EQ(Value(Aggregate("MAX", column)), sorted.back());
    EXPECT_EQ(Aggregate("COUNT_DISTINCT", column).int64s()[0],
              static_cast<int64_t>(std::set<double>(values.begin(), values.end()).size()));
    for (double p : {0.0, 0.1, 0.25, 0.5, 0.9, 0.99, 1.0}) {
      double position = p * (k - 1);
      double lo = sorted[static_cast<size_t>(std::floor(position))];
      double hi = sorted[static_cast<size_t>(std::ceil(position))];
      EXPECT_NEAR(Value(Aggregate("PERCENTILE_CONT", column, {.fraction = p})),
                  lo + (position - std::floor(position)) * (hi - lo), 1e-9);
      // DISC: the smallest value whose cumulative share of the values reaches p.
      size_t i = 0;
      while (i + 1 < sorted.size() && static_cast<double>(i + 1) / k < p) ++i;
      EXPECT_EQ(Value(Aggregate("PERCENTILE_DISC", column, {.fraction = p})), sorted[i]) << p;
    }
  }
}

TEST(Oracle, RandomStrings) {
  std::mt19937_64 rng(5);
  Column column(DataType::kString);
  std::set<std::string> distinct;
  for (int i = 0; i < 5000; ++i) {
    std::string s;
    for (size_t j = rng() % 6; j > 0; --j) s.push_back(static_cast<char>('a' + rng() % 26));
    column.AppendString(s);
    distinct.insert(s);
  }
  EXPECT_EQ(Aggregate("MIN", column).StringAt(0), *distinct.begin());
  EXPECT_EQ(Aggregate("MAX", column).StringAt(0), *distinct.rbegin());
  EXPECT_EQ(Aggregate("COUNT_DISTINCT", column).int64s()[0], static_cast<int64_t>(distinct.size()));
  double approx = static_cast<double>(Aggregate("APPROX_COUNT_DISTINCT", column).int64s()[0]);
  EXPECT_NEAR(approx, static_cast<double>(distinct.size()), 0.02 * distinct.size());
}

}  // namespace
}  // namespace braid::agg
