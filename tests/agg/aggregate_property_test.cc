// The one shared test every aggregate passes (STYLE.md), run over every registered descriptor:
// merging the states of a randomly split input, in random order, equals one pass over the whole;
// merging an empty state changes nothing; serialize then deserialize gives the same state (same
// final value, same bytes again); damaged bytes give kCorruption and never crash.
#include <algorithm>
#include <cmath>
#include <random>

#include "agg_test_util.h"

namespace braid::agg {
namespace {

std::string Describe(const AggregateFunction& fn) {
  return std::string(fn.name) + "(" +
         (fn.argument ? std::string(DataTypeName(*fn.argument)) : "*") + ")";
}

// Random values with NULLs; `mode` picks a distribution (duplicates, wide, extreme).
Column RandomColumn(DataType type, size_t rows, int mode, std::mt19937_64& rng) {
  Column c(type);
  std::bernoulli_distribution null(mode == 0 ? 0.0 : 0.1);
  for (size_t i = 0; i < rows; ++i) {
    if (null(rng)) {
      c.AppendNull();
      continue;
    }
    switch (type) {
      case DataType::kBoolean:
        c.AppendBool(rng() & 1);
        break;
      case DataType::kBigint:
        if (mode == 2) {
          c.AppendInt64(static_cast<int64_t>(rng()));
        } else {
          int64_t range = mode == 0 ? 50 : 1'000'000'000'000;
          c.AppendInt64(std::uniform_int_distribution<int64_t>(-range, range)(rng));
        }
        break;
      case DataType::kTimestamp:
        c.AppendInt64(std::uniform_int_distribution<int64_t>(0, 2'000'000'000'000'000)(rng));
        break;
      case DataType::kDouble:
        if (mode == 0) {
          c.AppendDouble(static_cast<double>(rng() % 20) * 0.25 - 2.0);
        } else if (mode == 1) {
          c.AppendDouble(std::uniform_real_distribution<double>(-1000, 1000)(rng));
        } else {
          c.AppendDouble(std::exp(std::uniform_real_distribution<double>(-20, 30)(rng)));
        }
        break;
      case DataType::kString: {
        size_t length = rng() % (mode == 0 ? 3 : 12);
        std::string s;
        for (size_t j = 0; j < length; ++j) s.push_back(static_cast<char>('a' + rng() % 4));
        c.AppendString(s);
        break;
      }
    }
  }
  return c;
}

// The exact fraction of non-NULL values below and at-or-below v (for approximate percentiles).
std::pair<double, double> RankOf(const Column& c, double v) {
  size_t below = 0, at_or_below = 0, n = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    if (!c.IsValid(i)) continue;
    double x = c.type() == DataType::kDouble ? c.doubles()[i] : static_cast<double>(c.int64s()[i]);
    ++n;
    below += x < v;
    at_or_below += x <= v;
  }
  return {static_cast<double>(below) / n, static_cast<double>(at_or_below) / n};
}

double ValueAsDouble(const Column& c) {
  return c.type() == DataType::kDouble ? c.doubles()[0] : static_cast<double>(c.int64s()[0]);
}

// Asserts that two finalized results agree within the aggregate's documented error.
void ExpectSameResult(const AggregateFunction& fn, const AggregateParams& params,
                      const Column& input, const Result<Column>& a, const Result<Column>& b,
                      const std::string& context) {
  ASSERT_EQ(a.ok(), b.ok()) << context;
  if (!a.ok()) {
    EXPECT_EQ(a.status().code(), b.status().code()) << context;
    return;
  }
  ASSERT_EQ(a->size(), 1u);
  ASSERT_EQ(b->size(), 1u);
  ASSERT_EQ(a->IsValid(0), b->IsValid(0)) << context;
  if (!a->IsValid(0)) return;
  if (fn.name == "PERCENTILE_APPROX") {
    double p = *params.fraction;
    for (const Column* r : {&*a, &*b}) {
      auto [below, at_or_below] = RankOf(input, ValueAsDouble(*r));
      EXPECT_LE(below, p + 0.01) << context;
      EXPECT_GE(at_or_below, p - 0.01) << context;
    }
    return;
  }
  if (fn.result_type == DataType::kDouble) {
    double x = a->doubles()[0];
    double y = b->doubles()[0];
    if (std::isnan(x) || std::isnan(y)) {
      EXPECT_TRUE(std::isnan(x) && std::isnan(y)) << context;
      return;
    }
    EXPECT_LE(std::fabs(x - y), 1e-12 * std::max(std::fabs(x), std::fabs(y)) + 1e-300)
        << context << ": " << x << " vs " << y;
    return;
  }
  EXPECT_TRUE(*a == *b) << context;
}

class AggregateProperty : public ::testing::TestWithParam<size_t> {
 protected:
  const AggregateFunction& fn() const { return AllAggregates()[GetParam()]; }
};

TEST_P(AggregateProperty, SplitMergeEqualsOnePass) {
  const AggregateFunction& f = fn();
  std::mt19937_64 rng(1234 + GetParam());
  DataType type = f.argument.value_or(DataType::kBigint);
  for (int round = 0; round < 24; ++round) {
    size_t rows = round < 3 ? round : rng() % 4000;
    Column input = RandomColumn(type, rows, round % 3, rng);
    AggregateParams params;
    if (f.takes_fraction) params.fraction = std::uniform_real_distribution<double>(0, 1)(rng);
    std::string context = Describe(f) + " round " + std::to_string(round);

    OwnedState whole(f);
    f.update_all(input, whole.get());

    // Every row goes to the state of a random part, in two scatter calls (grouped aggregation
    // over two batches); then the parts merge in random order.
    size_t num_parts = 1 + rng() % 6;
    std::vector<std::unique_ptr<OwnedState>> parts;
    for (size_t i = 0; i < num_parts; ++i) parts.push_back(std::make_unique<OwnedState>(f));
    std::vector<uint32_t> selection[2];
    std::vector<StatePtr> states[2];
    for (uint32_t row = 0; row < rows; ++row) {
      int batch = rng() % 4 == 0 ? 1 : 0;
      selection[batch].push_back(row);
      states[batch].push_back(parts[rng() % num_parts]->get());
    }
    for (int batch = 0; batch < 2; ++batch) f.update(input, selection[batch], states[batch].data());
    std::shuffle(parts.begin(), parts.end(), rng);
    OwnedState merged(f);
    for (const auto& part : parts) f.merge(merged.get(), part->get());
    ExpectSameResult(f, params, input, whole.Finalize(params), merged.Finalize(params),
                     context + " split/merge");

    // The empty state is the identity, on either side.
    OwnedState empty(f);
    std::string before = whole.Serialize();
    f.merge(whole.get(), empty.get());
    EXPECT_EQ(whole.Serialize(), before) << context << " x + empty";
    f.merge(empty.get(), whole.get());
    ExpectSameResult(f, params, input, whole.Finalize(params), empty.Finalize(params),
                     context + " empty + x");

    // Serialize, deserialize: the same value and the same bytes again.
    OwnedState restored(f);
    Status status = f.deserialize(before, restored.get());
    ASSERT_TRUE(status.ok()) << context << ": " << status.ToString();
    EXPECT_EQ(restored.Serialize(), before) << context;
    Result<Column> expected = whole.Finalize(params);
    Result<Column> actual = restored.Finalize(params);
    ASSERT_EQ(expected.ok(), actual.ok()) << context;
    if (expected.ok()) {
      EXPECT_TRUE(*expected == *actual) << context;
    }
  }
}

TEST_P(AggregateProperty, DamagedBytesAreRejected) {
  const AggregateFunction& f = fn();
  std::mt19937_64 rng(99 + GetParam());
  DataType type = f.argument.value_or(DataType::kBigint);
  for (size_t rows : {0, 1, 50, 3000}) {
    Column input = RandomColumn(type, rows, 1, rng);
    OwnedState state(f);
    f.update_all(input, state.get());
    std::string bytes = state.Serialize();
    std::string context = Describe(f) + " rows " + std::to_string(rows);
    auto expect_corrupt = [&](std::string_view damaged, std::string_view what) {
      OwnedState target(f);
      Status status = f.deserialize(damaged, target.get());
      EXPECT_EQ(status.code(), StatusCode::kCorruption) << context << " " << what;
      Result<Column> out = target.Finalize({.fraction = 0.5});  // left empty, still usable
      EXPECT_TRUE(out.ok()) << context;
    };
    for (size_t length = 0; length < bytes.size(); ++length) {
      if (bytes.size() > 400 && length > 64 && rng() % 16 != 0) continue;
      expect_corrupt(std::string_view{bytes}.substr(0, length), "truncated");
    }
    expect_corrupt(bytes + '\0', "trailing byte");
    std::string version = bytes;
    version[0] = 2;
    expect_corrupt(version, "unknown version");
    std::string kind = bytes;
    kind[1] = static_cast<char>(kind[1] + 1);
    expect_corrupt(kind, "other kind");
    // Random damage: rejected or accepted, never a crash (the sanitizers watch).
    for (int i = 0; i < 64; ++i) {
      std::string damaged = bytes;
      damaged[2 + rng() % (damaged.size() - 2)] ^= static_cast<char>(1 + rng() % 255);
      OwnedState target(f);
      Status status = f.deserialize(damaged, target.get());
      EXPECT_TRUE(status.ok() || status.code() == StatusCode::kCorruption) << context;
      if (status.ok()) {
        (void)target.Serialize();
        (void)target.Finalize({.fraction = 0.5});
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, AggregateProperty,
                         ::testing::Range<size_t>(0, AllAggregates().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           const AggregateFunction& f = AllAggregates()[info.param];
                           return std::string(f.name) + "_" +
                                  (f.argument ? std::string(DataTypeName(*f.argument)) : "STAR");
                         });

}  // namespace
}  // namespace braid::agg
