// Doubles as answer text (common/float_text): WriteShortestDouble beside fmt's "{}" (what JSON
// answers used before) and Dragonbox's digits alone (the part both share), over 100,000 averages
// of seven normally distributed temperatures (17 significant digits, as a view's AVG and STDEV
// cells have), and over 100,000 readings of two decimals (MIN and MAX cells of such readings:
// the short decimals WriteShortestDouble finds without Dragonbox). Per double: the benchmark's
// time divided by the 100,000 values.
//
//   float_text_bench [--benchmark_repetitions=5]
#include <benchmark/benchmark.h>
#include <fmt/compile.h>
#include <fmt/format.h>

#include <cmath>
#include <random>
#include <vector>

#include "common/float_text.h"

namespace {

const std::vector<double>& Averages() {
  static const std::vector<double> values = [] {
    std::mt19937_64 random(1);
    std::normal_distribution<double> temperature(70, 10);
    std::vector<double> out(100'000);
    for (double& value : out) {
      double sum = 0;
      for (int i = 0; i < 7; ++i) sum += temperature(random);
      value = sum / 7;
    }
    return out;
  }();
  return values;
}

const std::vector<double>& Readings() {
  static const std::vector<double> values = [] {
    std::mt19937_64 random(2);
    std::normal_distribution<double> temperature(70, 10);
    std::vector<double> out(100'000);
    for (double& value : out) value = std::round(temperature(random) * 100) / 100;
    return out;
  }();
  return values;
}

using Values = const std::vector<double>& (*)();

void BM_FmtDefault(benchmark::State& state, Values values) {
  char text[64];
  for (auto _ : state) {
    for (double value : values()) {
      benchmark::DoNotOptimize(fmt::format_to(text, FMT_COMPILE("{}"), value));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * values().size()));
}
BENCHMARK_CAPTURE(BM_FmtDefault, Averages, Averages);
BENCHMARK_CAPTURE(BM_FmtDefault, Readings, Readings);

void BM_WriteShortestDouble(benchmark::State& state, Values values) {
  char text[braid::kMaxDoubleTextBytes];
  for (auto _ : state) {
    for (double value : values()) {
      benchmark::DoNotOptimize(braid::WriteShortestDouble(text, value, 16));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * values().size()));
}
BENCHMARK_CAPTURE(BM_WriteShortestDouble, Averages, Averages);
BENCHMARK_CAPTURE(BM_WriteShortestDouble, Readings, Readings);

void BM_DragonboxDigitsOnly(benchmark::State& state) {
  for (auto _ : state) {
    for (double value : Averages()) {
      benchmark::DoNotOptimize(fmt::detail::dragonbox::to_decimal(value));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * Averages().size()));
}
BENCHMARK(BM_DragonboxDigitsOnly);

}  // namespace

BENCHMARK_MAIN();
