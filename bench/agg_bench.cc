// Update throughput of the aggregates, in values per second on one core: into one state
// (ungrouped aggregation, update_all) and scattered over 1,000 group states (grouped
// aggregation, update), 64Ki-value batches without NULLs (the fast path) and, for a few, with
// 10% NULLs. States are rebuilt between batches outside the timing, so a batch's cost includes
// growing variable-size states (sets, multisets, sketches) from empty.
//
// Usage: agg_bench [Google Benchmark flags], e.g. --benchmark_filter=SUM
#include <benchmark/benchmark.h>

#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "agg/aggregate_function.h"

namespace braid::agg {
namespace {

constexpr size_t kRows = 65536;
constexpr size_t kGroups = 1000;

Column MakeInput(DataType type, double null_fraction) {
  std::mt19937_64 rng(42);
  std::bernoulli_distribution is_null(null_fraction);
  Column c(type);
  c.Reserve(kRows);
  for (size_t i = 0; i < kRows; ++i) {
    if (is_null(rng)) {
      c.AppendNull();
    } else if (type == DataType::kDouble) {
      c.AppendDouble(std::uniform_real_distribution<double>(0, 1000)(rng));
    } else if (type == DataType::kString) {
      c.AppendString("device-" + std::to_string(rng() % 100'000));
    } else {
      c.AppendInt64(static_cast<int64_t>(rng() % 1'000'000));
    }
  }
  return c;
}

// States for `count` groups in one aligned arena, as a hash table would hold them.
class StateArena {
 public:
  StateArena(const AggregateFunction& fn, size_t count)
      : fn_(fn),
        stride_(size_t{(fn.state_size + fn.state_alignment - 1) / fn.state_alignment} *
                fn.state_alignment),
        count_(count),
        memory_(stride_ * count / sizeof(std::max_align_t) + 1) {
    for (size_t i = 0; i < count_; ++i) fn_.initialize(At(i));
  }
  ~StateArena() {
    for (size_t i = 0; i < count_; ++i) fn_.destroy(At(i));
  }
  void Reset() {
    for (size_t i = 0; i < count_; ++i) {
      fn_.destroy(At(i));
      fn_.initialize(At(i));
    }
  }
  StatePtr At(size_t i) { return reinterpret_cast<StatePtr>(memory_.data()) + i * stride_; }

 private:
  const AggregateFunction& fn_;
  size_t stride_;
  size_t count_;
  std::vector<std::max_align_t> memory_;
};

void UpdateSingle(benchmark::State& bench, const AggregateFunction* fn, const Column* input) {
  StateArena arena(*fn, 1);
  for (auto _ : bench) {
    fn->update_all(*input, arena.At(0));
    bench.PauseTiming();
    arena.Reset();
    bench.ResumeTiming();
  }
  bench.SetItemsProcessed(static_cast<int64_t>(bench.iterations() * kRows));
}

void UpdateScatter(benchmark::State& bench, const AggregateFunction* fn, const Column* input) {
  StateArena arena(*fn, kGroups);
  std::mt19937_64 rng(7);
  std::vector<uint32_t> selection(kRows);
  std::vector<StatePtr> states(kRows);
  for (uint32_t i = 0; i < kRows; ++i) {
    selection[i] = i;
    states[i] = arena.At(rng() % kGroups);
  }
  for (auto _ : bench) {
    fn->update(*input, selection, states.data());
    bench.PauseTiming();
    arena.Reset();
    bench.ResumeTiming();
  }
  bench.SetItemsProcessed(static_cast<int64_t>(bench.iterations() * kRows));
}

struct Case {
  const char* name;
  DataType type;
  double null_fraction;
};

void RegisterAll() {
  static const Case kCases[] = {
      {"COUNT", DataType::kBigint, 0.0},
      {"COUNT", DataType::kBigint, 0.1},
      {"SUM", DataType::kBigint, 0.0},
      {"SUM", DataType::kBigint, 0.1},
      {"SUM", DataType::kDouble, 0.0},
      {"MIN", DataType::kBigint, 0.0},
      {"MAX", DataType::kDouble, 0.0},
      {"MIN", DataType::kString, 0.0},
      {"AVG", DataType::kDouble, 0.0},
      {"VAR", DataType::kDouble, 0.0},
      {"STDEV", DataType::kBigint, 0.0},
      {"COUNT_DISTINCT", DataType::kBigint, 0.0},
      {"COUNT_DISTINCT", DataType::kString, 0.0},
      {"APPROX_COUNT_DISTINCT", DataType::kBigint, 0.0},
      {"PERCENTILE_CONT", DataType::kDouble, 0.0},
      {"PERCENTILE_APPROX", DataType::kDouble, 0.0},
  };
  static std::vector<Column> inputs;
  inputs.reserve(std::size(kCases) + 1);
  // COUNT(*) first: no argument.
  {
    Result<BoundAggregate> star = FindAggregate("COUNT", {});
    inputs.push_back(MakeInput(DataType::kBigint, 0.0));
    benchmark::RegisterBenchmark("COUNT(*)/single", UpdateSingle, star->function, &inputs.back());
    benchmark::RegisterBenchmark("COUNT(*)/scatter1000", UpdateScatter, star->function,
                                 &inputs.back());
  }
  for (const Case& c : kCases) {
    std::vector<DataType> args = {c.type};
    AggregateParams params;
    std::string name = c.name;
    if (name.starts_with("PERCENTILE")) params.fraction = 0.5;
    Result<BoundAggregate> bound = FindAggregate(name, args, params);
    if (!bound.ok()) continue;
    inputs.push_back(MakeInput(c.type, c.null_fraction));
    std::string label = name + "(" + std::string(DataTypeName(c.type)) + ")" +
                        (c.null_fraction > 0 ? "+10%NULL" : "");
    benchmark::RegisterBenchmark((label + "/single").c_str(), UpdateSingle, bound->function,
                                 &inputs.back());
    benchmark::RegisterBenchmark((label + "/scatter1000").c_str(), UpdateScatter, bound->function,
                                 &inputs.back());
  }
}

}  // namespace
}  // namespace braid::agg

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  braid::agg::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
