// COUNT(DISTINCT) and PERCENTILE_CONT states of few values, held in the state itself and grown
// on the heap as values come (count_distinct.cc, percentile.cc): exact results on both sides of
// their first growths, against std::set and std::sort, for scatter updates, merges and serialized
// round trips; a percentile state finalized by several threads at once; and uint64_set.h's hash 0
// and duplicates across a growth.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "agg/uint64_set.h"
#include "agg_test_util.h"

namespace braid::agg {
namespace {

// PERCENTILE_CONT of `values` by the definition (SEMANTICS.md), computed here independently.
double PercentileCont(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const double position = p * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(position));
  const size_t hi = std::min(values.size() - 1, lo + 1);
  const double fraction = position - static_cast<double>(lo);
  return fraction == 0.0 ? values[lo] : values[lo] + fraction * (values[hi] - values[lo]);
}

// n distinct values (n <= 101) in scrambled order: the input is never sorted already.
std::vector<double> Values(size_t n) {
  std::vector<double> values;
  for (size_t i = 0; i < n; ++i) values.push_back(static_cast<double>((i * 7919) % 101) - 50.5);
  return values;
}

// Scatter-updates values[begin, end) into `state` (two calls, as two batches would).
void Update(const AggregateFunction& fn, const Column& input, size_t begin, size_t end,
            OwnedState& state) {
  std::vector<uint32_t> rows;
  for (size_t row = begin; row < end; ++row) rows.push_back(static_cast<uint32_t>(row));
  const std::span<const uint32_t> all(rows);
  const size_t half = rows.size() / 2;
  for (std::span<const uint32_t> batch : {all.first(half), all.subspan(half)}) {
    std::vector<StatePtr> states(batch.size(), state.get());
    fn.update(input, batch, states.data());
  }
}

TEST(SmallStates, CountDistinctAcrossGrowths) {
  const AggregateFunction& fn = Find("COUNT_DISTINCT", {DataType::kDouble});
  for (size_t n = 0; n <= 40; ++n) {
    std::vector<double> values = Values(n);
    std::vector<double> twice = values;
    twice.insert(twice.end(), values.begin(), values.end());
    Column input(DataType::kDouble);
    for (double v : twice) input.AppendDouble(v);
    const int64_t expected =
        static_cast<int64_t>(std::set<double>(values.begin(), values.end()).size());
    for (size_t split = 0; split <= twice.size(); split += std::max<size_t>(1, twice.size() / 5)) {
      OwnedState left(fn), right(fn);
      Update(fn, input, 0, split, left);
      Update(fn, input, split, twice.size(), right);
      fn.merge(left.get(), right.get());
      Result<Column> out = left.Finalize();
      ASSERT_TRUE(out.ok());
      EXPECT_EQ(out->int64s()[0], expected) << "n " << n << " split " << split;
      // The serialized form is the sorted hashes whatever the history: one pass gives the same.
      OwnedState whole(fn);
      Update(fn, input, 0, twice.size(), whole);
      EXPECT_EQ(left.Serialize(), whole.Serialize()) << "n " << n << " split " << split;
      OwnedState restored(fn);
      ASSERT_TRUE(fn.deserialize(whole.Serialize(), restored.get()).ok());
      EXPECT_EQ(restored.Serialize(), whole.Serialize());
      EXPECT_EQ(restored.Finalize()->int64s()[0], expected);
    }
  }
}

TEST(SmallStates, PercentileAcrossGrowths) {
  const AggregateParams p95{.fraction = 0.95};
  const AggregateFunction& fn = Find("PERCENTILE_CONT", {DataType::kDouble}, p95);
  for (size_t n = 1; n <= 40; ++n) {
    const std::vector<double> values = Values(n);
    Column input(DataType::kDouble);
    for (double v : values) input.AppendDouble(v);
    const double expected = PercentileCont(values, 0.95);
    for (size_t split = 0; split <= n; ++split) {
      OwnedState left(fn), right(fn);
      Update(fn, input, 0, split, left);
      Update(fn, input, split, n, right);
      fn.merge(left.get(), right.get());
      Result<Column> out = left.Finalize(p95);
      ASSERT_TRUE(out.ok());
      EXPECT_EQ(out->doubles()[0], expected) << "n " << n << " split " << split;
      OwnedState restored(fn);
      ASSERT_TRUE(fn.deserialize(left.Serialize(), restored.get()).ok());
      EXPECT_EQ(restored.Finalize(p95)->doubles()[0], expected);
      EXPECT_EQ(restored.Serialize(), left.Serialize());
    }
  }
}

// Readers sharing the speed layer's lock finalize and serialize one state at once, each sorting
// its unsorted values lazily: all see the values sorted and whole. Rounds of 4 threads started
// together over a state with a sorted prefix (merged in) and an unsorted rest.
TEST(SmallStates, PercentileReadByManyThreadsAtOnce) {
  const AggregateParams p95{.fraction = 0.95};
  const AggregateFunction& fn = Find("PERCENTILE_CONT", {DataType::kDouble}, p95);
  std::vector<double> values;
  for (size_t i = 0; i < 20'000; ++i) {
    values.push_back(static_cast<double>((i * 7919) % 20'011) - 9'000.5);
  }
  Column input(DataType::kDouble);
  for (double v : values) input.AppendDouble(v);
  const double expected = PercentileCont(values, 0.95);
  OwnedState sorted_whole(fn);
  Update(fn, input, 0, values.size(), sorted_whole);
  const std::string expected_bytes = sorted_whole.Serialize();
  constexpr int kThreads = 4;
  for (int round = 0; round < 20; ++round) {
    OwnedState state(fn), first_part(fn);
    Update(fn, input, 0, 5'000, first_part);
    fn.merge(state.get(), first_part.get());         // values[0, 5000) sorted
    Update(fn, input, 5'000, values.size(), state);  // the rest unsorted
    std::atomic<int> ready{0};
    std::vector<double> seen(kThreads);
    std::vector<std::string> bytes(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < kThreads) {
        }
        const OwnedState& shared = state;
        if (t % 2 == 0) {
          seen[t] = shared.Finalize(p95)->doubles()[0];
          bytes[t] = shared.Serialize();
        } else {
          bytes[t] = shared.Serialize();
          seen[t] = shared.Finalize(p95)->doubles()[0];
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    for (int t = 0; t < kThreads; ++t) {
      EXPECT_EQ(seen[t], expected) << "round " << round << " thread " << t;
      EXPECT_EQ(bytes[t], expected_bytes) << "round " << round << " thread " << t;
    }
  }
}

// The heap prefetch hint exists for the states whose results read heap memory, and changes
// nothing: empty and grown states serialize and finalize the same after it.
TEST(SmallStates, PrefetchResultIsAHintOnly) {
  const AggregateParams p95{.fraction = 0.95};
  EXPECT_EQ(Find("SUM", {DataType::kDouble}).prefetch_result, nullptr);
  for (const AggregateFunction* fn : {&Find("COUNT_DISTINCT", {DataType::kDouble}),
                                      &Find("PERCENTILE_CONT", {DataType::kDouble}, p95)}) {
    ASSERT_NE(fn->prefetch_result, nullptr) << fn->name;
    for (size_t n : {size_t{0}, size_t{1}, size_t{40}}) {
      const std::vector<double> values = Values(n);
      Column input(DataType::kDouble);
      for (double v : values) input.AppendDouble(v);
      OwnedState state(*fn);
      Update(*fn, input, 0, n, state);
      const std::string before = state.Serialize();
      fn->prefetch_result(state.get());
      EXPECT_EQ(state.Serialize(), before) << fn->name << " n " << n;
    }
  }
}

TEST(SmallStates, Uint64SetKeepsZeroAndDuplicatesWhenItGrows) {
  Uint64Set set;
  std::set<uint64_t> expected;
  for (uint64_t h : {0ull, 5ull, 0ull, 5ull, 17ull}) {
    set.Insert(h);
    expected.insert(h);
  }
  for (uint64_t h = 100; set.size() < 40; h += 3) {  // grows from 16 slots to 64
    set.Insert(h);
    set.Insert(h);
    expected.insert(h);
  }
  set.Insert(0);
  set.Insert(17);
  EXPECT_EQ(set.size(), expected.size());
  std::vector<uint64_t> copied(set.size() + 1);
  copied.resize(set.CopyTo(copied.data()));
  std::set<uint64_t> seen;
  set.ForEach([&](uint64_t h) { seen.insert(h); });
  EXPECT_EQ(std::set<uint64_t>(copied.begin(), copied.end()), expected);
  EXPECT_EQ(copied.size(), expected.size());
  EXPECT_EQ(seen, expected);
}

}  // namespace
}  // namespace braid::agg
