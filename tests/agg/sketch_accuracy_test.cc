// The sketches' documented error bounds on a million values: HyperLogLog within 2% (about 2.5
// standard errors of 0.81%), KLL within 1% of n in rank, both for one pass and for merged parts;
// and both deterministic (same input and merge order, same bytes).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "agg_test_util.h"

namespace braid::agg {
namespace {

TEST(HyperLogLog, ErrorWithinTwoPercentUpToAMillion) {
  const AggregateFunction& fn = Find("APPROX_COUNT_DISTINCT", {DataType::kBigint});
  OwnedState state(fn);
  int64_t next = 0;
  for (int64_t target : {10, 100, 1000, 10'000, 50'000, 100'000, 1'000'000}) {
    Column batch(DataType::kBigint);
    for (; next < target; ++next) batch.AppendInt64(next * 7919 + 13);
    fn.update_all(batch, state.get());
    fn.update_all(batch, state.get());  // duplicates change nothing
    int64_t estimate = state.Finalize()->int64s()[0];
    double error = std::fabs(static_cast<double>(estimate - target)) / static_cast<double>(target);
    EXPECT_LE(error, 0.02) << target << " estimated " << estimate;
  }
  EXPECT_LE(state.Serialize().size(), 12'300u);
}

TEST(HyperLogLog, MergedPartsEqualOnePassAndSparseStatesAreSmall) {
  const AggregateFunction& fn = Find("APPROX_COUNT_DISTINCT", {DataType::kString});
  OwnedState whole(fn);
  OwnedState merged(fn);
  for (int part = 0; part < 4; ++part) {
    Column batch(DataType::kString);
    for (int i = 0; i < 100'000; ++i) batch.AppendString("device-" + std::to_string(i * 4 + part));
    fn.update_all(batch, whole.get());
    OwnedState piece(fn);
    fn.update_all(batch, piece.get());
    fn.merge(merged.get(), piece.get());
  }
  EXPECT_EQ(whole.Serialize(), merged.Serialize());
  double estimate = static_cast<double>(whole.Finalize()->int64s()[0]);
  EXPECT_NEAR(estimate, 400'000, 8'000);
  OwnedState few(fn);
  fn.update_all(StringColumn({"a", "b", "c"}), few.get());
  EXPECT_LE(few.Serialize().size(), 2u + 3u + 3u * 3u);
}

double RankError(const std::vector<int64_t>& sorted, int64_t value, double p) {
  double n = static_cast<double>(sorted.size());
  double below =
      static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), value) - sorted.begin()) /
      n;
  double at_or_below =
      static_cast<double>(std::upper_bound(sorted.begin(), sorted.end(), value) - sorted.begin()) /
      n;
  if (p < below) return below - p;
  if (p > at_or_below) return p - at_or_below;
  return 0.0;
}

TEST(Kll, RankErrorWithinOnePercentOnAMillionValues) {
  std::vector<int64_t> values(1'000'000);
  std::iota(values.begin(), values.end(), 0);
  std::mt19937_64 rng(7);
  std::shuffle(values.begin(), values.end(), rng);
  std::vector<int64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());

  const AggregateFunction& fn = Find("PERCENTILE_APPROX", {DataType::kBigint}, {.fraction = 0.5});
  OwnedState whole(fn);
  OwnedState merged(fn);
  constexpr size_t kParts = 10;
  for (size_t part = 0; part < kParts; ++part) {
    Column batch(DataType::kBigint);
    for (size_t i = part * values.size() / kParts; i < (part + 1) * values.size() / kParts; ++i) {
      batch.AppendInt64(values[i]);
    }
    fn.update_all(batch, whole.get());
    OwnedState piece(fn);
    fn.update_all(batch, piece.get());
    fn.merge(merged.get(), piece.get());
  }
  double worst = 0;
  for (double p = 0.0; p <= 1.0; p += 0.01) {
    for (const OwnedState* state : {&whole, &merged}) {
      int64_t v = state->Finalize({.fraction = p})->int64s()[0];
      worst = std::max(worst, RankError(sorted, v, p));
    }
  }
  EXPECT_LE(worst, 0.01);
  RecordProperty("worst_rank_error", std::to_string(worst));
  EXPECT_LE(whole.Serialize().size(), 40'000u);

  // Deterministic: the same input order gives the same sketch bytes.
  OwnedState again(fn);
  for (size_t part = 0; part < kParts; ++part) {
    Column batch(DataType::kBigint);
    for (size_t i = part * values.size() / kParts; i < (part + 1) * values.size() / kParts; ++i) {
      batch.AppendInt64(values[i]);
    }
    fn.update_all(batch, again.get());
  }
  EXPECT_EQ(again.Serialize(), whole.Serialize());
}

TEST(Kll, SkewedDoubles) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> dist(0.0, 2.0);
  Column batch(DataType::kDouble);
  std::vector<double> sorted;
  for (int i = 0; i < 1'000'000; ++i) {
    double v = dist(rng);
    batch.AppendDouble(v);
    sorted.push_back(v);
  }
  std::sort(sorted.begin(), sorted.end());
  for (double p : {0.001, 0.1, 0.5, 0.9, 0.99, 0.999}) {
    double v = Aggregate("PERCENTILE_APPROX", batch, {.fraction = p}).doubles()[0];
    double rank =
        static_cast<double>(std::upper_bound(sorted.begin(), sorted.end(), v) - sorted.begin()) /
        static_cast<double>(sorted.size());
    EXPECT_NEAR(rank, p, 0.01) << p;
  }
}

}  // namespace
}  // namespace braid::agg
