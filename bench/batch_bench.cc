// The batch layer end to end (issue 5's benchmarks): a full recompute of examples/iot.sql's
// device_metrics over a lake of generated telemetry (1,000 devices, 1-minute windows, 10M events
// a day: about 1.44M groups at 10M events), with 1 and 2 threads, beside DuckDB running the same
// aggregation over the same Parquet files in the same run; then the incremental cost: folding one
// new epoch of 100k events (the next 14 minutes of the stream, with its out-of-order events)
// into the view over 1M and over 10M existing events.
//
// The lake is written the way the server writes it (serving::CaptureOptionsFor: 16 partitions,
// files sorted by device and time, zstd) in epochs of 1M events, and kept between runs under
// --dir (rebuilt when the event count differs). Braid's figure includes the whole job: planning
// the scan, reading and decoding the files, aggregating, and writing the batch view table
// (outputs and states) with its Delta commit. DuckDB's figure materializes the same result
// (every output column) in an in-memory table, and separately writes it to a Parquet file.
// Each figure is the median of --reps runs. A plain main rather than Google Benchmark: each
// figure is one long run compared with its reference.
//
// Usage: batch_bench [--events=N] [--reps=R] [--dir=PATH] [--threads=T] [--skip-incremental]
//                    [--skip-duckdb]
//   N events (default 10,000,000), R repetitions (default 3), PATH a scratch directory (default
//   /tmp/braid-batch-bench), T one thread count to run (default 1 then 2).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "batch/view_refresh.h"
#include "cli/iot_generator.h"
#include "duckdb_timing.h"
#include "bench_util.h"
#include "common/malloc_tuning.h"
#include "lake/capture.h"
#include "lake/delta_table.h"
#include "serving/stream_capture.h"
#include "sql/parser.h"
#include "sql/stream_definition.h"
#include "sql/view_binder.h"

namespace braid::batch {
namespace {

namespace fs = std::filesystem;
using bench::BindDeviceMetrics;
using bench::Clock;
using bench::DuckDbDeviceMetrics;
using bench::IotPlan;
using bench::Median;
using bench::SecondsSince;

constexpr size_t kEpochEvents = 1'000'000;
constexpr size_t kChunkRows = 65'536;
constexpr size_t kIncrementEvents = 100'000;

[[noreturn]] void Die(const std::string& what, const Status& status) {
  bench::Die("batch_bench", what, status);
}

// The stream and device_metrics of examples/iot.sql.
// Generated telemetry held in memory per partition (device % partitions), as the log would hand
// it to capture.
class MemorySource : public lake::CaptureSource {
 public:
  explicit MemorySource(size_t partitions) : partitions_(partitions) {}

  void Add(const std::vector<cli::IotEvent>& events) {
    for (const cli::IotEvent& event : events) {
      Partition& partition = partitions_[event.device % partitions_.size()];
      if (partition.chunks.empty() || partition.chunks.back().num_rows() >= kChunkRows) {
        partition.chunks.emplace_back(cli::IotGenerator::TelemetrySchema());
      }
      cli::IotGenerator::AppendToChunk(event, &partition.chunks.back());
      ++partition.end;
    }
  }

  std::vector<uint64_t> EndOffsets() override {
    std::vector<uint64_t> ends;
    for (const Partition& partition : partitions_) ends.push_back(partition.end);
    return ends;
  }

  Status ReadRange(int partition, uint64_t from, uint64_t to,
                   const EventsCallback& callback) override {
    uint64_t first = 0;
    for (const Chunk& chunk : partitions_[partition].chunks) {
      const uint64_t end = first + chunk.num_rows();
      if (end > from && first < to) {
        const size_t begin = static_cast<size_t>(std::max(from, first) - first);
        const size_t stop = static_cast<size_t>(std::min(to, end) - first);
        std::vector<uint32_t> rows(stop - begin);
        for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<uint32_t>(begin + i);
        const bool whole = begin == 0 && stop == chunk.num_rows();
        RETURN_IF_ERROR(callback(whole ? chunk : chunk.Select(rows), first + begin, Timestamp{0}));
      }
      first = end;
    }
    return Status::Ok();
  }

  Status CommitCaptured(const std::vector<uint64_t>&) override { return Status::Ok(); }

 private:
  struct Partition {
    std::vector<Chunk> chunks;
    uint64_t end = 0;
  };
  std::vector<Partition> partitions_;
};

// The generator of telemetry from 1,000 devices at 10M events per day of event time (115.7 per
// second): 10M events span one day, and 100k new events about 14 minutes, whatever came before.
cli::IotGenerator DayGenerator() {
  cli::IotGeneratorOptions options;
  options.devices = 1000;
  options.rate = 10'000'000 / 86'400.0;
  return cli::IotGenerator(options);
}

std::vector<cli::IotEvent> NextEvents(cli::IotGenerator& generator, size_t count) {
  std::vector<cli::IotEvent> events;
  events.reserve(count);
  for (size_t i = 0; i < count; ++i) events.push_back(generator.Next());
  return events;
}

void Capture(const IotPlan& plan, const fs::path& data, MemorySource& source) {
  Result<lake::CaptureResult> result =
      lake::CaptureEpoch(source, serving::CaptureOptionsFor(*plan.stream, data));
  if (!result.ok()) Die("capture", result.status());
}

// The lake of `events` events in epochs of kEpochEvents under data/lake/telemetry, followed by
// one more epoch of kIncrementEvents when `increment` (the next events of the same generator).
// Reused when a marker file says it was built with the same figures.
fs::path BuildLake(const IotPlan& plan, const fs::path& data, size_t events, bool increment) {
  const fs::path marker = data / "built";
  const std::string expected = fmt::format("{} {} at 10M a day\n", events, increment);
  {
    std::ifstream in(marker);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str() == expected) return data / "lake/telemetry";
  }
  fs::remove_all(data);
  fs::create_directories(data);
  const Clock::time_point start = Clock::now();
  MemorySource source(plan.stream->partitions);
  cli::IotGenerator generator = DayGenerator();
  for (size_t done = 0; done < events; done += kEpochEvents) {
    source.Add(NextEvents(generator, std::min(kEpochEvents, events - done)));
    Capture(plan, data, source);
  }
  if (increment) {
    source.Add(NextEvents(generator, kIncrementEvents));
    Capture(plan, data, source);
  }
  fmt::print("lake of {} events written in {:.1f} s\n", events + (increment ? kIncrementEvents : 0),
             SecondsSince(start));
  std::ofstream(marker) << expected;
  return data / "lake/telemetry";
}

// The active data files of the lake's latest snapshot, as a DuckDB list literal.
std::string LakeFileList(const fs::path& lake_dir) {
  Result<lake::DeltaSnapshot> snapshot = lake::DeltaTable(lake_dir).LoadSnapshot();
  if (!snapshot.ok()) Die("lake snapshot", snapshot.status());
  std::string list = "[";
  for (const auto& [path, add] : snapshot->files()) {
    if (list.size() > 1) list += ", ";
    list += fmt::format("'{}'", (lake_dir / path).string());
  }
  return list + "]";
}

struct RunFigures {
  double seconds = 0;
  RefreshStats stats;
};

RunFigures TimeRecompute(const IotPlan& plan, const fs::path& data, const fs::path& lake_dir,
                         size_t threads) {
  fs::remove_all(data / "views");
  RefreshOptions options;
  options.threads = threads;
  const RefreshSource source{lake_dir, static_cast<size_t>(plan.stream->partitions)};
  const Clock::time_point start = Clock::now();
  Result<RefreshStats> stats = RecomputeView(data, plan.view, 1, source, options);
  const double seconds = SecondsSince(start);
  if (!stats.ok()) Die("recompute", stats.status());
  return {seconds, *stats};
}

void FullRecompute(const IotPlan& plan, const fs::path& source_dir, const fs::path& dir,
                   size_t events, int reps, bool duckdb, const std::vector<size_t>& thread_counts) {
  const fs::path data = dir / fmt::format("full-{}", events);
  const fs::path lake_dir = BuildLake(plan, data, events, false);
  fmt::print("\nfull recompute of device_metrics over {} events (median of {})\n", events, reps);
  std::map<size_t, double> braid_seconds;
  for (size_t threads : thread_counts) {
    std::vector<double> runs;
    RefreshStats stats;
    for (int r = 0; r < reps; ++r) {
      RunFigures figures = TimeRecompute(plan, data, lake_dir, threads);
      runs.push_back(figures.seconds);
      stats = figures.stats;
    }
    braid_seconds[threads] = Median(runs);
    fmt::print(
        "braid recompute, {} thread(s)           {:>8.3f} s  {:>6.2f} M events/s  {} rows (last "
        "run: aggregate {:.2f} s, finish {:.2f} s, write {:.2f} s)\n",
        threads, braid_seconds[threads],
        static_cast<double>(stats.rows_read) / braid_seconds[threads] / 1e6, stats.rows_written,
        stats.aggregate_seconds, stats.finish_seconds, stats.write_seconds);
  }
  if (!duckdb) return;
  const std::string query = DuckDbDeviceMetrics("read_parquet(" + LakeFileList(lake_dir) + ")");
  const fs::path copy_target = dir / "duckdb-device-metrics.parquet";
  for (size_t threads : thread_counts) {
    std::vector<std::string> sql = {fmt::format("SET threads = {}", threads)};
    for (int r = 0; r < reps; ++r) {
      sql.push_back("CREATE OR REPLACE TEMP TABLE result AS " + query);
    }
    for (int r = 0; r < reps; ++r) {
      sql.push_back(fmt::format("COPY ({}) TO '{}' (FORMAT parquet, COMPRESSION zstd)", query,
                                copy_target.string()));
    }
    sql.push_back("SELECT count(*) FROM result");
    std::vector<double> timings = bench::DuckDbTimings(source_dir, sql);
    if (timings.size() != sql.size()) {
      fmt::print("duckdb: not run (install the oracle with scripts/deps.sh)\n");
      return;
    }
    const std::vector<double> table(timings.begin() + 1, timings.begin() + 1 + reps);
    const std::vector<double> copy(timings.begin() + 1 + reps, timings.begin() + 1 + 2 * reps);
    const double table_seconds = Median(table) / 1e3, copy_seconds = Median(copy) / 1e3;
    fmt::print("duckdb into a table, {} thread(s)       {:>8.3f} s  braid/duckdb {:.2f}\n",
               threads, table_seconds, braid_seconds[threads] / table_seconds);
    fmt::print("duckdb COPY to Parquet, {} thread(s)    {:>8.3f} s  braid/duckdb {:.2f}\n",
               threads, copy_seconds, braid_seconds[threads] / copy_seconds);
  }
}

// Copies a directory tree (the view table before the timed refresh).
void CopyTree(const fs::path& from, const fs::path& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

void Incremental(const IotPlan& plan, const fs::path& dir, size_t existing, int reps) {
  const fs::path data = dir / fmt::format("incremental-{}", existing);
  const fs::path lake_dir = BuildLake(plan, data, existing, true);
  const RefreshSource source{lake_dir, static_cast<size_t>(plan.stream->partitions)};
  // The view as it was before the last epoch: absorb every epoch but the increment. A recompute
  // of a lake whose last epoch is not sealed yet is built from a copy of the lake's log without
  // the last commit.
  const fs::path base = data / "base";
  if (!fs::exists(base / "views")) {
    fs::remove_all(base);
    Result<lake::DeltaSnapshot> snapshot = lake::DeltaTable(lake_dir).LoadSnapshot();
    if (!snapshot.ok()) Die("lake snapshot", snapshot.status());
    const fs::path base_lake = base / "lake/telemetry";
    fs::create_directories(base_lake);
    for (const fs::directory_entry& entry : fs::directory_iterator(lake_dir)) {
      if (entry.path().filename() == "_delta_log") continue;
      fs::create_directory_symlink(entry.path(), base_lake / entry.path().filename());
    }
    fs::create_directories(base_lake / "_delta_log");
    for (int64_t v = 0; v < snapshot->version(); ++v) {
      const std::string name = fmt::format("{:020}.json", v);
      fs::copy_file(lake_dir / "_delta_log" / name, base_lake / "_delta_log" / name);
    }
    RefreshOptions options;
    options.threads = 2;
    Result<RefreshStats> stats =
        RecomputeView(base, plan.view, 1, {base_lake, source.partitions}, options);
    if (!stats.ok()) Die("base recompute", stats.status());
  }
  std::vector<double> runs;
  RefreshStats stats;
  for (int r = 0; r < reps; ++r) {
    CopyTree(base / "views", data / "views");
    RefreshOptions options;
    options.threads = 1;
    const Clock::time_point start = Clock::now();
    Result<RefreshStats> result = RefreshView(data, plan.view, 1, source, options);
    runs.push_back(SecondsSince(start));
    if (!result.ok()) Die("refresh", result.status());
    stats = *result;
  }
  fmt::print(
      "fold {} events into {:>9} existing, 1 thread {:>8.3f} s  ({} rows read, {} files "
      "rewritten, {} rows written)\n",
      kIncrementEvents, existing, Median(runs), stats.rows_read, stats.files_replaced,
      stats.rows_written);
}

int Main(int argc, char** argv) {
  size_t events = 10'000'000;
  int reps = 3;
  bool incremental = true, duckdb = true;
  std::vector<size_t> thread_counts = {1, 2};
  fs::path dir = "/tmp/braid-batch-bench";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--events=", 0) == 0) {
      events = std::stoull(arg.substr(9));
    } else if (arg.rfind("--reps=", 0) == 0) {
      reps = std::max(1, std::stoi(arg.substr(7)));
    } else if (arg.rfind("--dir=", 0) == 0) {
      dir = arg.substr(6);
    } else if (arg == "--skip-incremental") {
      incremental = false;
    } else if (arg.rfind("--threads=", 0) == 0) {
      thread_counts = {std::stoull(arg.substr(10))};
    } else if (arg == "--skip-duckdb") {
      duckdb = false;
    } else {
      std::fprintf(stderr,
                   "usage: batch_bench [--events=N] [--reps=R] [--dir=PATH] [--threads=T] "
                   "[--skip-incremental] [--skip-duckdb]\n");
      return 2;
    }
  }
  const char* env_source = std::getenv("BRAID_SOURCE_DIR");
  const fs::path source = env_source ? env_source : BRAID_SOURCE_DIR;
  const Result<IotPlan> bound = BindDeviceMetrics(source / "examples/iot.sql");
  if (!bound.ok()) Die("examples/iot.sql", bound.status());
  const IotPlan& plan = *bound;
  fs::create_directories(dir);
  FullRecompute(plan, source, dir, events, reps, duckdb, thread_counts);
  if (incremental) {
    fmt::print("\nincremental refresh: one epoch of {} new events (median of {})\n",
               kIncrementEvents, reps);
    Incremental(plan, dir, events / 10, reps);
    Incremental(plan, dir, events, reps);
  }
  return 0;
}

}  // namespace
}  // namespace braid::batch

int main(int argc, char** argv) {
  braid::ReexecWithTunedMalloc(argv);  // as braid runs (common/malloc_tuning.h)
  return braid::batch::Main(argc, argv);
}
