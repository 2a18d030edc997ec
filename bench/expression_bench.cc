// Throughput of the one expression evaluator (sql/expression_evaluator.h), in rows per second on
// one core, over 64Ki-row Chunks of generated telemetry (cli/iot_generator.h, 1,000 devices): a
// filter (SelectTrue of a comparison AND a LIKE prefix), arithmetic, and the seed's alert-level
// CASE. Each expression is parsed and bound once (BindScalar) outside the timing. The DuckDB
// figures beside these in BENCHMARKS.md come from bench/duckdb_reference.mjs.
//
// Usage: expression_bench [Google Benchmark flags], e.g. --benchmark_filter=CASE
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/iot_generator.h"
#include "sql/expression_evaluator.h"
#include "sql/parser.h"
#include "sql/view_binder.h"

namespace braid::sql {
namespace {

constexpr size_t kRows = 65536;

const Chunk& Telemetry() {
  static const Chunk kChunk = [] {
    cli::IotGenerator generator(cli::IotGeneratorOptions{});
    Chunk chunk(cli::IotGenerator::TelemetrySchema());
    for (size_t i = 0; i < kRows; ++i) cli::IotGenerator::AppendToChunk(generator.Next(), &chunk);
    return chunk;
  }();
  return kChunk;
}

// Parses and binds `text` over the telemetry schema; a failure ends the benchmark program.
BoundExprPtr Bind(const std::string& text) {
  Result<ExprPtr> parsed = ParseStandaloneExpression(text);
  Result<BoundExprPtr> bound = parsed.ok() ? BindScalar(**parsed, *Telemetry().schema())
                                           : Result<BoundExprPtr>(parsed.status());
  if (!bound.ok()) {
    std::fprintf(stderr, "%s: %s\n", text.c_str(), bound.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(*bound);
}

void EvaluateRows(benchmark::State& state, const BoundExpr* expr) {
  size_t nulls = 0;
  for (auto _ : state) {
    Result<Column> column = Evaluate(*expr, Telemetry());
    if (!column.ok()) {
      state.SkipWithError(column.status().ToString().c_str());
      return;
    }
    nulls += column->null_count();
    benchmark::DoNotOptimize(column->size());
  }
  state.counters["null_fraction"] =
      static_cast<double>(nulls) / static_cast<double>(state.iterations() * kRows);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRows));
}

void SelectRows(benchmark::State& state, const BoundExpr* predicate) {
  size_t selected = 0;
  for (auto _ : state) {
    Result<std::vector<uint32_t>> rows = SelectTrue(*predicate, Telemetry());
    if (!rows.ok()) {
      state.SkipWithError(rows.status().ToString().c_str());
      return;
    }
    selected += rows->size();
  }
  state.counters["selectivity"] =
      static_cast<double>(selected) / static_cast<double>(state.iterations() * kRows);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRows));
}

struct Case {
  const char* name;
  const char* sql;
  bool filter;  // SelectTrue rather than Evaluate
};

void RegisterAll() {
  static const Case kCases[] = {
      {"filter/compare_and_like", "temperature > 30 AND device_id LIKE 'device-001%'", true},
      {"filter/compare", "temperature > 75", true},
      {"filter/like_prefix", "device_id LIKE 'device-001%'", true},
      {"arithmetic/fahrenheit", "temperature * 1.8 + 32", false},
      {"arithmetic/energy_per_degree", "energy_consumed * 1000 / (temperature + 273.15)", false},
      {"case/alert_level",
       "CASE WHEN temperature > 85 THEN 'HIGH_TEMP' WHEN temperature < 32 THEN 'LOW_TEMP' "
       "ELSE 'NORMAL' END",
       false},
  };
  static std::vector<BoundExprPtr> bound;
  for (const Case& c : kCases) {
    bound.push_back(Bind(c.sql));
    if (c.filter) {
      benchmark::RegisterBenchmark(c.name, SelectRows, bound.back().get());
    } else {
      benchmark::RegisterBenchmark(c.name, EvaluateRows, bound.back().get());
    }
  }
}

}  // namespace
}  // namespace braid::sql

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  braid::sql::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
