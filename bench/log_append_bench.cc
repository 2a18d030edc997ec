// Durable ingest into the log, in process: appender threads append Chunks of 1,000 telemetry
// events (the schema of API.md's example stream) to a StreamLog under group commit and wait for
// each append to be durable, as the HTTP ingest path does. Beside each scenario the table shows
// what the disk itself sustains for the same bytes: the same number of bytes written to a plain
// file in the same batch sizes, each write followed by its own fdatasync. A plain main rather
// than Google Benchmark: each row is one long concurrent run, compared with its baseline.
//
// Usage: log_append_bench [--dir=PATH] [--events=N] [--delay_us=D]
//   N events per scenario (default 2,000,000); D the group commit delay (default LogOptions').
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/chunk_codec.h"
#include "common/file_util.h"
#include "cli/iot_generator.h"
#include "log/log_manager.h"

namespace braid::log {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kEventsPerChunk = 1000;
constexpr size_t kDistinctChunks = 64;

// Telemetry like the seed's (cli/iot_generator.h), 10,000 devices.
std::vector<Chunk> MakeTelemetryChunks(const SchemaPtr& schema) {
  cli::IotGeneratorOptions options;
  options.devices = 10000;
  options.users = 100000;
  options.seed = 2026;
  cli::IotGenerator generator(options);
  std::vector<Chunk> chunks;
  for (size_t c = 0; c < kDistinctChunks; ++c) {
    Chunk chunk(schema);
    for (size_t i = 0; i < kEventsPerChunk; ++i) {
      cli::IotGenerator::AppendToChunk(generator.Next(), &chunk);
    }
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

struct Scenario {
  std::string name;
  int partitions;
  int threads;
  FsyncPolicy fsync;
  Compression compression;
};

struct Measurement {
  double seconds = 0;
  uint64_t events = 0;
  uint64_t appends = 0;
  uint64_t raw_bytes = 0;   // serialized chunks appended
  uint64_t disk_bytes = 0;  // segment bytes written
  uint64_t batches = 0;     // record batches written (a request makes one per partition)
  uint64_t rounds = 0;
  uint64_t syncs = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double cpu_seconds = 0;  // user + system time of the whole process during the run
};

double ProcessCpuSeconds() {
  rusage usage;
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  const size_t k = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  std::nth_element(values.begin(), values.begin() + k, values.end());
  return values[k];
}

// Appender threads append chunks until `target_events` are durable; per-append latencies in ms.
std::vector<double> RunAppenders(StreamLog& log, const std::vector<Chunk>& chunks, int threads,
                                 uint64_t target_events) {
  std::atomic<uint64_t> claimed{0};
  std::vector<std::vector<double>> latencies(threads);
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (size_t i = t;; i += threads) {
        if (claimed.fetch_add(kEventsPerChunk) >= target_events) return;
        const auto start = Clock::now();
        Result<AppendResult> result = log.Append(chunks[i % chunks.size()], {});
        if (!result.ok()) {
          std::fprintf(stderr, "append failed: %s\n", result.status().ToString().c_str());
          std::exit(1);
        }
        latencies[t].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      }
    });
  }
  for (std::thread& w : workers) w.join();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  return all;
}

uint64_t CountBatches(const StreamLog& log) {
  uint64_t batches = 0;
  for (int p = 0; p < log.num_partitions(); ++p) {
    batches += log.partition(p).ReadHeaders(0, SIZE_MAX).value().size();
  }
  return batches;
}

Measurement RunScenario(const Scenario& scenario, const std::vector<Chunk>& chunks,
                        const fs::path& dir, uint64_t target_events, Duration delay) {
  LogOptions options;
  options.group_commit_delay = delay;
  options.fsync = scenario.fsync;
  options.compression = scenario.compression;
  fs::remove_all(dir);
  auto manager = LogManager::Open(dir, options).value();
  StreamLogConfig config{"telemetry", chunks[0].schema(), scenario.partitions, 0, 1, {}};
  std::shared_ptr<StreamLog> log = manager->OpenStream(config).value();
  const auto start = Clock::now();
  const double cpu_start = ProcessCpuSeconds();
  std::vector<double> latencies = RunAppenders(*log, chunks, scenario.threads, target_events);
  Measurement m;
  m.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  m.cpu_seconds = ProcessCpuSeconds() - cpu_start;
  m.events = log->TotalEvents();
  m.appends = latencies.size();
  std::string serialized;
  SerializeChunk(chunks[0], &serialized);
  m.raw_bytes = m.appends * serialized.size();
  m.disk_bytes = log->TotalBytes();
  m.batches = CountBatches(*log);
  m.rounds = manager->committer().groups();
  m.syncs = manager->committer().syncs();
  m.p50_ms = Percentile(latencies, 0.50);
  m.p99_ms = Percentile(latencies, 0.99);
  return m;
}

// The disk alone: `writes` writes of `bytes_per_write` to a plain file, each fdatasynced.
double PlainFileSeconds(const fs::path& path, uint64_t writes, uint64_t bytes_per_write) {
  UniqueFd fd = OpenFile(path, O_WRONLY | O_CREAT | O_TRUNC).value();
  const std::string block(bytes_per_write, 'x');
  const auto start = Clock::now();
  for (uint64_t i = 0; i < writes; ++i) {
    if (!PWriteAll(fd.get(), block, i * bytes_per_write, path).ok() || ::fdatasync(fd.get()) != 0) {
      std::fprintf(stderr, "plain file write failed\n");
      std::exit(1);
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  fs::remove(path);
  return seconds;
}

void PrintRow(const Scenario& s, const Measurement& m, double plain_seconds) {
  const double mb = 1e6;
  fmt::print(
      "{:<34} {:>11.0f} {:>9.1f} {:>9.1f} {:>8} {:>8.1f} {:>7.1f} {:>7.2f} {:>7.2f} {:>7.2f} | "
      "{:>9.1f} {:>9.0f}\n",
      s.name, m.events / m.seconds, m.raw_bytes / mb / m.seconds, m.disk_bytes / mb / m.seconds,
      m.batches / std::max<uint64_t>(m.appends, 1), m.batches / m.seconds,
      m.rounds ? static_cast<double>(m.syncs) / m.rounds : 0.0, m.p50_ms, m.p99_ms,
      m.cpu_seconds * 1e6 / static_cast<double>(std::max<uint64_t>(m.events, 1)),
      plain_seconds > 0 ? m.disk_bytes / mb / plain_seconds : 0.0,
      plain_seconds > 0 ? m.batches / plain_seconds : 0.0);
}

std::vector<Scenario> Scenarios() {
  return {
      {"1 partition, 4 appenders, lz4", 1, 4, FsyncPolicy::kGroup, Compression::kLz4},
      {"16 partitions, 4 appenders, lz4", 16, 4, FsyncPolicy::kGroup, Compression::kLz4},
      {"16 partitions, 16 appenders, lz4", 16, 16, FsyncPolicy::kGroup, Compression::kLz4},
      {"16 partitions, 16 appenders, none", 16, 16, FsyncPolicy::kGroup, Compression::kNone},
      {"16 partitions, 16 appenders, zstd", 16, 16, FsyncPolicy::kGroup, Compression::kZstd},
      {"16 partitions, 16 appenders, always", 16, 16, FsyncPolicy::kAlways, Compression::kLz4},
      {"16 partitions, 4 appenders, never", 16, 4, FsyncPolicy::kNever, Compression::kLz4},
  };
}

// Seconds the disk needs for the scenario's bytes in the scenario's batch sizes, one fdatasync
// per write; measured on up to kPlainWrites writes and scaled (the rate is what matters).
double PlainBaselineSeconds(const Measurement& m, const fs::path& path) {
  constexpr uint64_t kPlainWrites = 4000;
  const uint64_t per_batch = m.disk_bytes / std::max<uint64_t>(m.batches, 1);
  const uint64_t writes = std::min<uint64_t>(m.batches, kPlainWrites);
  return PlainFileSeconds(path, writes, per_batch) * static_cast<double>(m.batches) /
         static_cast<double>(writes);
}

void PrintHeader(uint64_t target_events, Duration delay, const fs::path& dir) {
  fmt::print(
      "durable log ingest, {} events per scenario in chunks of {} telemetry events, group "
      "commit delay {} us, {} hardware threads, data in {}\n"
      "raw = serialized Chunk bytes, disk = segment bytes, cpu = process CPU time per event; "
      "plain = the disk alone writing the same bytes in the same batch sizes to one file, "
      "fdatasync after each write\n",
      target_events, kEventsPerChunk, delay.micros, std::thread::hardware_concurrency(),
      dir.string());
  fmt::print("{:<34} {:>11} {:>9} {:>9} {:>8} {:>8} {:>7} {:>7} {:>7} {:>7} | {:>9} {:>9}\n",
             "scenario", "events/s", "MB/s raw", "MB/s disk", "batch/rq", "batch/s", "sync/rd",
             "p50 ms", "p99 ms", "cpu us/ev", "plain MB/s", "plain wr/s");
}

int RunBenchmark(int argc, char** argv) {
  fs::path dir = fs::temp_directory_path() / fmt::format("braid-log-bench-{}", ::getpid());
  uint64_t target_events = 2'000'000;
  Duration delay = LogOptions{}.group_commit_delay;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.starts_with("--dir=")) dir = arg.substr(6);
    if (arg.starts_with("--events=")) target_events = std::stoull(arg.substr(9));
    if (arg.starts_with("--delay_us=")) delay = Duration::Micros(std::stoll(arg.substr(11)));
  }
  const auto chunks = MakeTelemetryChunks(cli::IotGenerator::TelemetrySchema());
  PrintHeader(target_events, delay, dir);
  for (const Scenario& s : Scenarios()) {
    const Measurement m = RunScenario(s, chunks, dir / "log", target_events, delay);
    PrintRow(s, m, s.fsync == FsyncPolicy::kNever ? 0.0 : PlainBaselineSeconds(m, dir / "plain"));
  }
  fs::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace braid::log

int main(int argc, char** argv) { return braid::log::RunBenchmark(argc, argv); }
