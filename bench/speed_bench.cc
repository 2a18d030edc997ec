// The speed layer (issue 6's benchmarks). Three parts:
//
// Throughput: examples/iot.sql's device_metrics over N generated events (cli/iot_generator.h,
// one event per device per second of event time, 5% out of order) with 1,000 and with 100,000
// devices. The events are partitioned the way the log partitions them (16 partitions by
// device_id) and cut into per-partition batches of B rows, in arrival order, each turned into
// view input the way speed::StreamTailer does (the stream's columns, _ingested_at, _partition,
// _offset). One speed::SpeedView consumes them on one thread (generation 1, the processing clock
// a day after the events so nothing is far in the future and no partition goes idle); beside it
// sql::ReferenceExecutor::Consume on the same chunks, and DuckDB (SET threads = 1) running the
// view's aggregation over the same events loaded from a Parquet file into a table (only the
// aggregation is timed). Figures are medians of --reps runs, in events per second (and, for
// SpeedView, per second of the thread's CPU time, steadier on a loaded machine).
//
// Latency: a serving::Database in a scratch directory with examples/iot.sql applied (all its
// views and alerts, as `braid serve --definitions examples/iot.sql` runs), group commit as the
// server's default. One thread appends batches of 100 events (StreamLog::AppendAsync, paced to
// --rate events/s, default half device_metrics' 1,000-device rate above); per batch the time
// from its acknowledgment to the moment every view of the stream has consumed it, seen by a
// second thread polling the tailer's positions. Event time follows the wall clock.
//
// Restart: 1M events in the log of such a Database, 900k of them absorbed by a batch refresh of
// every view; the time from opening it again until the speed layer has caught up (it replays only
// the 100k the batch views have not absorbed), beside the same without any batch view.
//
// Usage: speed_bench [--events=N] [--reps=R] [--keys=K] [--skip-duckdb] [--skip-latency]
//                    [--skip-throughput] [--skip-restart] [--skip-reference] [--seconds=S]
//                    [--rate=EPS] [--dir=PATH]
//   --skip-reference leaves out the ReferenceExecutor runs (for profiling the speed layer alone).
//   N events (default 2,000,000), R repetitions (default 5), K one device count (default 1,000
//   then 100,000), S seconds of the latency run (default 10), PATH a scratch directory (default
//   /tmp/braid-speed-bench).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/iot_generator.h"
#include "duckdb_timing.h"
#include "bench_util.h"
#include "common/malloc_tuning.h"
#include "lake/parquet_writer.h"
#include "log/partitioner.h"
#include "serving/database.h"
#include "speed/speed_view.h"
#include "sql/parser.h"
#include "sql/reference_executor.h"
#include "sql/stream_definition.h"
#include "sql/view_binder.h"

namespace braid::speed {
namespace {

namespace fs = std::filesystem;
using bench::BindDeviceMetrics;
using bench::Clock;
using bench::DuckDbDeviceMetrics;
using bench::IotPlan;
using bench::Median;
using bench::SecondsSince;

constexpr size_t kLatencyBatchEvents = 100;
constexpr size_t kMaxInFlight = 256;  // appends not yet acknowledged

[[noreturn]] void Die(const std::string& what, const Status& status) {
  bench::Die("speed_bench", what, status);
}

// The q-quantile (nearest rank) of sorted values.
double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

// `rate` events per second of event time from `start`.
cli::IotGeneratorOptions GeneratorOptions(uint64_t devices, Timestamp start, double rate) {
  cli::IotGeneratorOptions options;
  options.devices = devices;
  options.rate = rate;
  options.start = start;
  return options;
}

Chunk GenerateEvents(cli::IotGenerator& generator, size_t count) {
  Chunk events(cli::IotGenerator::TelemetrySchema());
  for (size_t c = 0; c < events.num_columns(); ++c) events.mutable_column(c).Reserve(count);
  for (size_t i = 0; i < count; ++i) cli::IotGenerator::AppendToChunk(generator.Next(), &events);
  return events;
}

log::SplitSpec SplitSpecOf(const sql::StreamDefinition& stream) {
  return log::SplitSpec{
      .partitions = stream.partitions,
      .key_column = stream.schema->FindField(*stream.partition_key),
      .time_column = stream.schema->FindField(*stream.timestamp),
      .round_robin_start = 0,
      .default_time = Timestamp{},
  };
}

// One batch of one partition as the tailer hands it to a view.
struct InputBatch {
  int partition = 0;
  Chunk input;  // plan.input_schema
};

// `events` cut into per-partition batches of `rows` rows in arrival order (a batch is complete
// once its partition has received `rows` events), with the tailer's three extra columns.
std::vector<InputBatch> InputBatches(const Chunk& events, const sql::StreamDefinition& stream,
                                     size_t rows, Timestamp tau) {
  const SchemaPtr input_schema = sql::ViewInputSchema(*stream.schema);
  std::vector<uint32_t> partition_of(events.num_rows());
  log::AssignPartitions(events, SplitSpecOf(stream), partition_of);
  const size_t partitions = static_cast<size_t>(stream.partitions);
  std::vector<std::vector<uint32_t>> pending(partitions);
  std::vector<int64_t> next_offset(partitions, 0);
  std::vector<InputBatch> batches;
  auto cut = [&](size_t p) {
    Chunk part = events.Select(pending[p]);
    std::vector<Column> columns;
    for (size_t c = 0; c < part.num_columns(); ++c)
      columns.push_back(std::move(part.mutable_column(c)));
    Column ingested_at(DataType::kTimestamp), partition(DataType::kBigint),
        offset(DataType::kBigint);
    for (size_t row = 0; row < pending[p].size(); ++row) {
      ingested_at.AppendInt64(tau.micros);
      partition.AppendInt64(static_cast<int64_t>(p));
      offset.AppendInt64(next_offset[p]++);
    }
    columns.push_back(std::move(ingested_at));
    columns.push_back(std::move(partition));
    columns.push_back(std::move(offset));
    Result<Chunk> input = Chunk::Make(input_schema, std::move(columns));
    if (!input.ok()) Die("input chunk", input.status());
    batches.push_back(InputBatch{static_cast<int>(p), std::move(*input)});
    pending[p].clear();
  };
  for (uint32_t row = 0; row < events.num_rows(); ++row) {
    pending[partition_of[row]].push_back(row);
    if (pending[partition_of[row]].size() == rows) cut(partition_of[row]);
  }
  for (size_t p = 0; p < partitions; ++p) {
    if (!pending[p].empty()) cut(p);
  }
  return batches;
}

// The CPU time this thread has used, in seconds: on a loaded machine its differences measure the
// work done without the time the thread waited for a core.
double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

struct SpeedRun {
  double seconds = 0;
  double cpu_seconds = 0;
  double rows_seconds = 0;  // one Rows() query at the end
  uint64_t emitted_rows = 0;
  SpeedViewStatus status;
};

SpeedRun RunSpeedView(const IotPlan& plan, const std::vector<InputBatch>& batches, Timestamp tau) {
  SpeedView view(plan.view, SpeedViewOptionsFor(*plan.stream, size_t{16} << 30), 0);
  SpeedRun run;
  std::vector<Chunk> emitted;
  const Clock::time_point start = Clock::now();
  const double cpu_start = ThreadCpuSeconds();
  for (const InputBatch& batch : batches) {
    Status status =
        view.Consume(batch.input, 0, batch.input.num_rows(), batch.partition, 1, tau, &emitted);
    if (!status.ok()) Die("SpeedView::Consume", status);
    for (const Chunk& chunk : emitted) run.emitted_rows += chunk.num_rows();
    emitted.clear();
  }
  run.cpu_seconds = ThreadCpuSeconds() - cpu_start;
  run.seconds = SecondsSince(start);
  const Clock::time_point query = Clock::now();
  Result<SpeedRows> rows = view.Rows();
  run.rows_seconds = SecondsSince(query);
  if (!rows.ok()) Die("SpeedView::Rows", rows.status());
  run.status = view.Describe();
  return run;
}

double RunReference(const IotPlan& plan, const std::vector<InputBatch>& batches) {
  sql::ReferenceExecutor executor(plan.view);
  const Clock::time_point start = Clock::now();
  for (const InputBatch& batch : batches) {
    Status status = executor.Consume(batch.input);
    if (!status.ok()) Die("ReferenceExecutor::Consume", status);
  }
  return SecondsSince(start);
}

// DuckDB's events/s for the aggregation over `events` (0 when DuckDB did not run).
double DuckDbRate(const fs::path& source, const fs::path& dir, const Chunk& events, int reps) {
  const fs::path file = dir / "events.parquet";
  {
    Result<std::unique_ptr<lake::ParquetWriter>> writer =
        lake::ParquetWriter::Open(file, events.schema(), lake::ParquetWriterOptions{});
    if (!writer.ok()) Die("parquet", writer.status());
    if (Status s = (*writer)->Write(events); !s.ok()) Die("parquet", s);
    if (Result<lake::ParquetFileSummary> s = (*writer)->Close(); !s.ok())
      Die("parquet", s.status());
  }
  std::vector<std::string> sql = {
      "SET threads = 1",
      fmt::format("CREATE TEMP TABLE telemetry AS SELECT * FROM read_parquet('{}')",
                  file.string())};
  for (int r = 0; r < reps; ++r) {
    sql.push_back("CREATE OR REPLACE TEMP TABLE result AS " + DuckDbDeviceMetrics("telemetry"));
  }
  const std::vector<double> timings = bench::DuckDbTimings(source, sql);
  fs::remove(file);
  if (timings.size() != sql.size()) return 0;
  const double seconds = Median(std::vector<double>(timings.begin() + 2, timings.end())) / 1e3;
  return static_cast<double>(events.num_rows()) / seconds;
}

// Prints the throughput table for `devices`; returns the speed layer's events/s with 1,000-row
// batches.
double Throughput(const IotPlan& plan, const fs::path& source, const fs::path& dir,
                  uint64_t devices, size_t count, int reps, bool duckdb, bool with_reference) {
  const Timestamp start{1795392000000000};  // 2026-11-23T00:00:00Z
  cli::IotGenerator generator(              // one event per device per second
      GeneratorOptions(devices, start, static_cast<double>(devices)));
  const Chunk events = GenerateEvents(generator, count);
  const Timestamp tau = start + Duration::Seconds(static_cast<int64_t>(count / devices) + 86400);
  fmt::print("\ndevice_metrics, {} devices, {} events ({} s of event time), median of {}\n",
             devices, count, count / devices, reps);
  fmt::print("{:<44} {:>14} {:>10}\n", "", "events/s", "vs speed");
  double speed_1000 = 0;
  const size_t request_share = (1000 + plan.stream->partitions - 1) / plan.stream->partitions;
  for (size_t rows : {size_t{1000}, size_t{10000}, request_share}) {
    const std::vector<InputBatch> batches = InputBatches(events, *plan.stream, rows, tau);
    std::vector<double> speed, cpu_speed, reference, query;
    SpeedRun last;
    for (int r = 0; r < reps; ++r) {
      last = RunSpeedView(plan, batches, tau);
      speed.push_back(static_cast<double>(count) / last.seconds);
      cpu_speed.push_back(static_cast<double>(count) / last.cpu_seconds);
      query.push_back(last.rows_seconds);
    }
    const double rate = Median(speed);
    if (rows == 1000) speed_1000 = rate;
    const std::string label = rows == request_share
                                  ? fmt::format("(1,000 / {} partitions)", plan.stream->partitions)
                                  : std::string();
    fmt::print("{:<44} {:>14.0f} {:>10.2f}\n",
               fmt::format("SpeedView, {}-row batches {}", rows, label), rate, rate / speed_1000);
    fmt::print(
        "    {} batches, {} groups held, {} rows emitted, {} late; Rows() {:.1f} ms; {:.0f} events "
        "per CPU second\n",
        batches.size(), last.status.groups, last.emitted_rows, last.status.counters.late,
        Median(query) * 1e3, Median(cpu_speed));
    if (rows != 1000 || !with_reference) continue;
    for (int r = 0; r < reps; ++r) {
      reference.push_back(static_cast<double>(count) / RunReference(plan, batches));
    }
    const double reference_rate = Median(reference);
    fmt::print("{:<44} {:>14.0f} {:>10.2f}\n", "ReferenceExecutor::Consume, same chunks",
               reference_rate, reference_rate / rate);
  }
  if (duckdb) {
    const double duckdb_rate = DuckDbRate(source, dir, events, reps);
    if (duckdb_rate == 0) {
      fmt::print("duckdb: not run (install the oracle with scripts/deps.sh)\n");
    } else {
      fmt::print("{:<44} {:>14.0f} {:>10.2f}\n", "DuckDB 1 thread, aggregation of a table",
                 duckdb_rate, duckdb_rate / speed_1000);
    }
  }
  return speed_1000;
}

// An acknowledged batch: its per-partition batches and when it was acknowledged.
struct AckedBatch {
  std::vector<std::pair<int, uint64_t>> batches;
  Clock::time_point acked;
};

struct ConsumedBatch {
  Clock::time_point acked;
  double latency_ms = 0;  // acknowledgment -> every view read it
};

// Collects acknowledgments and measures, on its own thread, when the tailer has read them.
class ConsumptionWatch {
 public:
  explicit ConsumptionWatch(serving::Database& db) : db_(db) {
    thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
  }

  void Acked(AckedBatch batch) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(std::move(batch));
    ready_.notify_one();
  }
  void Failed(const Status& status) {
    std::lock_guard<std::mutex> lock(mu_);
    if (error_.ok()) error_ = status;
  }

  // Waits until every acknowledged batch was seen consumed (or 30 s), then stops the thread.
  std::vector<ConsumedBatch> Finish() {
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(30);
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!error_.ok()) Die("append", error_);
        if (pending_.empty() || Clock::now() > deadline) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    thread_.request_stop();
    ready_.notify_one();
    thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    if (!pending_.empty()) fmt::print("{} batches not consumed after 30 s\n", pending_.size());
    return latencies_;
  }

 private:
  void Run(std::stop_token stop) {
    while (!stop.stop_requested()) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        ready_.wait(lock, [&] { return stop.stop_requested() || !pending_.empty(); });
        if (pending_.empty()) continue;
      }
      std::vector<uint64_t> positions;
      for (const serving::SpeedStreamReport& report : db_.speed().StreamReports()) {
        if (report.stream == "telemetry") positions = report.tailer.positions;
      }
      const Clock::time_point now = Clock::now();
      bool all_read = true;
      {
        std::lock_guard<std::mutex> lock(mu_);
        while (!pending_.empty() && ReadAll(pending_.front(), positions)) {
          latencies_.push_back(ConsumedBatch{
              pending_.front().acked,
              std::max(0.0, std::chrono::duration<double, std::milli>(now - pending_.front().acked)
                                .count())});
          pending_.pop_front();
        }
        all_read = pending_.empty();
      }
      if (!all_read) std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

  static bool ReadAll(const AckedBatch& batch, const std::vector<uint64_t>& positions) {
    for (const auto& [partition, base] : batch.batches) {
      if (static_cast<size_t>(partition) >= positions.size() || positions[partition] <= base) {
        return false;
      }
    }
    return true;
  }

  serving::Database& db_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<AckedBatch> pending_;
  std::vector<ConsumedBatch> latencies_;
  Status error_;
  std::jthread thread_;  // last
};

// A Database with examples/iot.sql applied, and its telemetry stream.
std::pair<std::unique_ptr<serving::Database>, serving::StreamHandle> OpenIotDatabase(
    const serving::DatabaseOptions& options, const fs::path& source) {
  Result<std::unique_ptr<serving::Database>> db = serving::Database::Open(options);
  if (!db.ok()) Die("open", db.status());
  if (Status s = (*db)->ApplyDefinitionsFile(source / "examples/iot.sql"); !s.ok()) {
    Die("examples/iot.sql", s);
  }
  Result<serving::StreamHandle> stream = (*db)->FindStream("telemetry");
  if (!stream.ok()) Die("telemetry", stream.status());
  return {std::move(*db), std::move(*stream)};
}

void Latency(const fs::path& source, const fs::path& dir, double rate, double seconds) {
  const fs::path data = dir / "latency-data";
  fs::remove_all(data);
  serving::DatabaseOptions options;
  options.data_dir = data;  // log: group commit, the server's default
  auto [database, stream] = OpenIotDatabase(options, source);
  std::unique_ptr<serving::Database>* db = &database;
  fmt::print("\nlatency: {} s of {}-event appends at {:.0f} events/s (group commit), views: {}\n",
             seconds, kLatencyBatchEvents, rate, (*db)->speed().ViewReports().size());
  cli::IotGenerator generator(GeneratorOptions(1000, Now(), rate));  // event time ~ wall clock
  auto watch = std::make_unique<ConsumptionWatch>(**db);
  std::atomic<size_t> in_flight = 0;
  const Clock::time_point start = Clock::now();
  const double interval = static_cast<double>(kLatencyBatchEvents) / rate;
  size_t sent = 0, throttled = 0;
  while (SecondsSince(start) < seconds) {
    const Clock::time_point due =
        start + std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(static_cast<double>(sent) * interval));
    std::this_thread::sleep_until(due);
    const Chunk events = GenerateEvents(generator, kLatencyBatchEvents);
    while (in_flight.load() >= kMaxInFlight) {
      ++throttled;
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
    ++in_flight;
    stream.log->AppendAsync(events, log::AppendOptions{}, [&](Result<log::AppendResult> result) {
      const Clock::time_point acked = Clock::now();
      if (result.ok()) {
        watch->Acked(AckedBatch{std::move(result->batches), acked});
      } else {
        watch->Failed(result.status());
      }
      --in_flight;
    });
    ++sent;
  }
  const double elapsed = SecondsSince(start);
  while (in_flight.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const std::vector<ConsumedBatch> consumed = watch->Finish();
  fmt::print(
      "appended {} batches ({:.0f} events/s achieved; the appender waited on {} in-flight "
      "limits)\n",
      sent, static_cast<double>(sent * kLatencyBatchEvents) / elapsed, throttled);
  // All batches, and those acknowledged after the first second (views warm, segments open).
  for (double skip : {0.0, 1.0}) {
    std::vector<double> latencies;
    for (const ConsumedBatch& batch : consumed) {
      if (std::chrono::duration<double>(batch.acked - start).count() >= skip) {
        latencies.push_back(batch.latency_ms);
      }
    }
    std::sort(latencies.begin(), latencies.end());
    fmt::print(
        "ack -> every view consumed, {} batches{}: p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms\n",
        latencies.size(), skip > 0 ? " after the first second" : "", Quantile(latencies, 0.5),
        Quantile(latencies, 0.99), latencies.empty() ? 0.0 : latencies.back());
  }
  // When the slowest stretches happened (seconds after the first append).
  std::vector<std::pair<double, double>> worst;
  for (const ConsumedBatch& batch : consumed) {
    worst.emplace_back(batch.latency_ms,
                       std::chrono::duration<double>(batch.acked - start).count());
  }
  std::sort(worst.rbegin(), worst.rend());
  std::string worst_text;
  for (size_t i = 0; i < worst.size() && i < 5; ++i) {
    worst_text += fmt::format(" {:.0f} ms at {:.2f} s;", worst[i].first, worst[i].second);
  }
  fmt::print("slowest:{}\n", worst_text);
  for (const serving::SpeedStreamReport& report : (*db)->speed().StreamReports()) {
    fmt::print(
        "tailer's own histogram (append -> views updated), {} samples: p50 {:.2f} ms, p99 "
        "{:.2f} ms, max {:.2f} ms\n",
        report.tailer.latency_samples, report.tailer.latency_p50_ms, report.tailer.latency_p99_ms,
        report.tailer.latency_max_ms);
  }
  for (const serving::SpeedViewReport& report : (*db)->speed().ViewReports()) {
    if (!report.state.error.empty()) fmt::print("view {}: {}\n", report.view, report.state.error);
  }
  (*db)->Close();
  db->reset();
  fs::remove_all(data);
}

// Restart: `events` events of 1,000 devices ingested in 10,000-event appends into a Database with
// examples/iot.sql; capture and a batch refresh of every view absorb the first `absorbed` of them;
// then the Database is closed and opened again, and the time until the speed layer has replayed
// the log (every view caught up) is measured, beside the time to replay everything (no refresh).
void Restart(const fs::path& source, const fs::path& dir, size_t events, size_t absorbed) {
  const fs::path data = dir / "restart-data";
  fmt::print("\nrestart: {} events in the log, {} absorbed by the batch views\n", events,
             absorbed);
  for (const bool refresh : {true, false}) {
    fs::remove_all(data);
    serving::DatabaseOptions options;
    options.data_dir = data;
    options.batch.refresh_interval = Duration{};  // refreshes only when asked
    {
      auto [database, stream] = OpenIotDatabase(options, source);
      std::unique_ptr<serving::Database>* db = &database;
      cli::IotGenerator generator(GeneratorOptions(1000, Now() - Duration::Hours(2), 10'000));
      for (size_t sent = 0; sent < events; sent += 10'000) {
        if (refresh && sent == absorbed) {
          for (const sql::ViewPlanPtr& view : (*db)->catalog().Views()) {
            Result<int64_t> job = (*db)->batch_jobs().Submit(serving::JobKind::kRefresh, view->name);
            if (!job.ok()) Die("refresh", job.status());
            Result<serving::JobInfo> done = (*db)->batch_jobs().Wait(*job, Duration::Minutes(10));
            if (!done.ok() || done->state != serving::JobState::kSucceeded) {
              Die("refresh", done.ok() ? Status(StatusCode::kInternal, done->error) : done.status());
            }
          }
        }
        Result<log::AppendResult> appended =
            stream.log->Append(GenerateEvents(generator, 10'000), log::AppendOptions{});
        if (!appended.ok()) Die("append", appended.status());
      }
      (*db)->Close();
    }
    const Clock::time_point start = Clock::now();
    Result<std::unique_ptr<serving::Database>> db = serving::Database::Open(options);
    if (!db.ok()) Die("reopen", db.status());
    const double opened = SecondsSince(start);
    if (!(*db)->speed().WaitUntilCaughtUp("telemetry", Duration::Minutes(10))) {
      Die("restart", Status(StatusCode::kInternal, "the speed layer did not catch up"));
    }
    const double caught_up = SecondsSince(start);
    uint64_t replayed = 0;
    for (const serving::SpeedViewReport& report : (*db)->speed().ViewReports()) {
      replayed = std::max<uint64_t>(replayed, report.state.counters.events);
    }
    fmt::print("  {}: open {:.2f} s, every view caught up {:.2f} s after the start, {} events "
               "replayed per view ({:.0f} events/s)\n",
               refresh ? "after a refresh" : "no batch view", opened, caught_up, replayed,
               static_cast<double>(replayed) / std::max(caught_up, 1e-9));
    (*db)->Close();
  }
  fs::remove_all(data);
}

int Main(int argc, char** argv) {
  size_t events = 2'000'000;
  int reps = 5;
  std::vector<uint64_t> key_counts = {1000, 100'000};
  bool duckdb = true, latency = true, throughput = true, restart = true, with_reference = true;
  double seconds = 10, rate = 0;
  fs::path dir = "/tmp/braid-speed-bench";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--events=", 0) == 0) {
      events = std::stoull(arg.substr(9));
    } else if (arg.rfind("--reps=", 0) == 0) {
      reps = std::max(1, std::stoi(arg.substr(7)));
    } else if (arg.rfind("--keys=", 0) == 0) {
      key_counts = {std::stoull(arg.substr(7))};
    } else if (arg.rfind("--seconds=", 0) == 0) {
      seconds = std::stod(arg.substr(10));
    } else if (arg.rfind("--rate=", 0) == 0) {
      rate = std::stod(arg.substr(7));
    } else if (arg.rfind("--dir=", 0) == 0) {
      dir = arg.substr(6);
    } else if (arg == "--skip-duckdb") {
      duckdb = false;
    } else if (arg == "--skip-latency") {
      latency = false;
    } else if (arg == "--skip-throughput") {
      throughput = false;
    } else if (arg == "--skip-restart") {
      restart = false;
    } else if (arg == "--skip-reference") {
      with_reference = false;
    } else {
      std::fprintf(stderr,
                   "usage: speed_bench [--events=N] [--reps=R] [--keys=K] [--skip-duckdb] "
                   "[--skip-latency] [--skip-throughput] [--skip-restart] [--skip-reference] "
                   "[--seconds=S] [--rate=EPS] [--dir=PATH]\n");
      return 2;
    }
  }
  const char* env_source = std::getenv("BRAID_SOURCE_DIR");
  const fs::path source = env_source ? env_source : BRAID_SOURCE_DIR;
  fs::create_directories(dir);
  const Result<IotPlan> bound = BindDeviceMetrics(source / "examples/iot.sql");
  if (!bound.ok()) Die("examples/iot.sql", bound.status());
  const IotPlan& plan = *bound;
  double measured = 0;
  if (throughput) {
    for (uint64_t keys : key_counts) {
      const double rate_1000 =
          Throughput(plan, source, dir, keys, events, reps, duckdb, with_reference);
      if (keys == key_counts.front()) measured = rate_1000;
    }
  }
  if (latency) {
    if (rate == 0) rate = measured > 0 ? measured / 2 : 100'000;
    Latency(source, dir, rate, seconds);
  }
  if (restart) Restart(source, dir, 1'000'000, 900'000);
  return 0;
}

}  // namespace
}  // namespace braid::speed

int main(int argc, char** argv) {
  braid::ReexecWithTunedMalloc(argv);  // as braid runs (common/malloc_tuning.h)
  return braid::speed::Main(argc, argv);
}
