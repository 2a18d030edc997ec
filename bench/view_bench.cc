// The views of examples/iot.sql run by the ReferenceExecutor (sql/reference_executor.h) over
// generated telemetry (cli/iot_generator.h, 1,000 devices, 1,000 events/s of event time), in
// events per second on one core, Consume of every chunk plus Finish. The reference executor is
// the definition of correctness, not the fast path (an ordered map of cells, one state update
// call per cell run), so these figures are the baseline the batch and speed executors must beat.
// With --csv=PATH the same events are also written as CSV (event_ts as epoch microseconds) for
// bench/duckdb_reference.mjs, which times DuckDB on the same rows.
//
// Usage: view_bench [--events=N] [--csv=PATH] [Google Benchmark flags]
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/iot_generator.h"
#include "sql/parser.h"
#include "sql/reference_executor.h"
#include "sql/stream_definition.h"
#include "sql/view_binder.h"

namespace braid::sql {
namespace {

constexpr size_t kChunkRows = 65536;

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "view_bench: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

// The views of examples/iot.sql, bound against its stream.
std::vector<ViewPlanPtr> BindIotViews() {
  std::ifstream in(std::string(BRAID_SOURCE_DIR) + "/examples/iot.sql");
  std::stringstream text;
  text << in.rdbuf();
  Result<std::vector<ParsedStatement>> statements = ParseScript(text.str());
  if (!statements.ok()) Die("examples/iot.sql", statements.status());
  std::shared_ptr<const StreamDefinition> stream;
  BindEnvironment environment{
      .find_stream = [&stream](std::string_view) { return stream; },
      .find_view = [](std::string_view) { return ViewPlanPtr(); },
  };
  std::vector<ViewPlanPtr> views;
  for (const ParsedStatement& parsed : *statements) {
    if (const auto* create = std::get_if<CreateStreamStatement>(&parsed.statement)) {
      Result<StreamDefinition> definition = BindCreateStream(*create);
      if (!definition.ok()) Die("CREATE STREAM", definition.status());
      stream = std::make_shared<const StreamDefinition>(std::move(*definition));
    } else if (const auto* view = std::get_if<CreateViewStatement>(&parsed.statement)) {
      Result<BoundView> bound = BindView(*view, environment);
      if (!bound.ok()) Die(view->name, bound.status());
      views.push_back(bound->plan);
    }
  }
  return views;
}

// `events` generated events as view input chunks (the stream's columns, then _ingested_at,
// _partition and _offset).
std::vector<Chunk> GenerateInput(const SchemaPtr& input_schema, size_t events) {
  cli::IotGenerator generator(cli::IotGeneratorOptions{});
  std::vector<Chunk> chunks;
  for (size_t begin = 0; begin < events; begin += kChunkRows) {
    Chunk rows(cli::IotGenerator::TelemetrySchema());
    Column ingested(DataType::kTimestamp), partition(DataType::kBigint), offset(DataType::kBigint);
    for (size_t i = begin; i < std::min(events, begin + kChunkRows); ++i) {
      cli::IotEvent event = generator.Next();
      cli::IotGenerator::AppendToChunk(event, &rows);
      ingested.AppendInt64(event.event_ts.micros);
      partition.AppendInt64(static_cast<int64_t>(event.device % 16));
      offset.AppendInt64(static_cast<int64_t>(i));
    }
    std::vector<Column> columns;
    for (size_t c = 0; c < rows.num_columns(); ++c) columns.push_back(rows.column(c));
    columns.push_back(std::move(ingested));
    columns.push_back(std::move(partition));
    columns.push_back(std::move(offset));
    Result<Chunk> chunk = Chunk::Make(input_schema, std::move(columns));
    if (!chunk.ok()) Die("input chunk", chunk.status());
    chunks.push_back(std::move(*chunk));
  }
  return chunks;
}

// The stream's columns as CSV, NULL as an empty field, doubles in shortest round-trip form.
void WriteCsv(const std::vector<Chunk>& chunks, const std::string& path) {
  std::ofstream out(path);
  std::string line;
  const size_t columns = cli::IotGenerator::TelemetrySchema()->size();
  for (const Chunk& chunk : chunks) {
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      line.clear();
      for (size_t c = 0; c < columns; ++c) {
        const Column& column = chunk.column(c);
        if (c > 0) line += ',';
        if (!column.IsValid(r)) continue;
        if (column.type() == DataType::kString) {
          line.append(column.StringAt(r));
        } else if (column.type() == DataType::kDouble) {
          fmt::format_to(std::back_inserter(line), "{}", column.doubles()[r]);
        } else {
          fmt::format_to(std::back_inserter(line), "{}", column.int64s()[r]);
        }
      }
      line += '\n';
      out << line;
    }
  }
}

void RunView(benchmark::State& state, ViewPlanPtr plan, const std::vector<Chunk>* input) {
  size_t events = 0;
  for (const Chunk& chunk : *input) events += chunk.num_rows();
  size_t rows = 0;
  for (auto _ : state) {
    ReferenceExecutor executor(plan);
    for (const Chunk& chunk : *input) {
      Status status = executor.Consume(chunk);
      if (!status.ok()) Die(plan->name, status);
    }
    Result<Chunk> result = executor.Finish();
    if (!result.ok()) Die(plan->name, result.status());
    rows = result->num_rows();
  }
  state.counters["view_rows"] = static_cast<double>(rows);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events));
}

// Takes --events=N and --csv=PATH out of argv (Google Benchmark has consumed its own flags).
std::map<std::string, std::string> OwnFlags(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    size_t equals = arg.find('=');
    if (!arg.starts_with("--") || equals == std::string_view::npos) {
      std::fprintf(stderr, "view_bench: unknown argument %s\n", argv[i]);
      std::exit(2);
    }
    flags[std::string(arg.substr(2, equals - 2))] = std::string(arg.substr(equals + 1));
  }
  return flags;
}

void RegisterAll(int argc, char** argv) {
  std::map<std::string, std::string> flags = OwnFlags(argc, argv);
  const size_t events = flags.count("events") ? std::stoull(flags["events"]) : 1'000'000;
  static std::vector<ViewPlanPtr> views = BindIotViews();
  if (views.empty()) Die("examples/iot.sql", Status(StatusCode::kInvalidArgument, "no views"));
  static std::vector<Chunk> input = GenerateInput(views.front()->input_schema, events);
  if (flags.count("csv")) WriteCsv(input, flags["csv"]);
  for (const ViewPlanPtr& plan : views) {
    benchmark::RegisterBenchmark(("reference/" + plan->name).c_str(), RunView, plan, &input)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace
}  // namespace braid::sql

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  braid::sql::RegisterAll(argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
