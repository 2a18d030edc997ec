// HTTP ingest benchmark: an in-process Braid server (Database on a temporary data directory, the
// telemetry stream of API.md with 16 partitions keyed by device_id, HttpServer on an ephemeral
// port) and client threads that each keep one connection alive and POST NDJSON batches of
// generated telemetry events back to back. For every (connections, batch size) configuration it
// prints acknowledged events per second and the p50/p99 acknowledgment latency (request sent to
// 200 received, so it includes decoding, the log append and the group-commit fdatasync).
//
//   http_ingest_bench [--seconds S] [--io-threads N] [--fsync group|always|never] [--data DIR]
//                     [--connections N] [--batch N]   (run only that configuration)
//
// Clients and server share the machine, so the figures are what one box does end to end.
#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/time.h"
#include "cli/iot_generator.h"
#include "server/api.h"
#include "server/http_server.h"
#include "serving/database.h"

namespace braid {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kTelemetryDdl = R"(CREATE STREAM telemetry (
  device_id STRING NOT NULL, event_ts TIMESTAMP NOT NULL, temperature DOUBLE,
  energy_consumed DOUBLE, user_id STRING, event_type STRING, session_duration DOUBLE, revenue DOUBLE
) WITH (partitions = 16, partition_key = 'device_id', timestamp = 'event_ts',
        out_of_order = '10s', allowed_lateness = '5s', out_of_order_policy = 'adjust',
        retention = '7d'))";

// Distinct request bodies per batch size; clients cycle through them.
constexpr int kBodiesPerBatchSize = 32;

struct BenchOptions {
  double seconds = 5;
  int io_threads = 2;
  log::FsyncPolicy fsync = log::FsyncPolicy::kGroup;
  std::filesystem::path data_dir;  // empty = a temporary directory, removed afterwards
  int only_connections = 0;        // run only this connection count (0 = 1, 2 and 8)
  int only_batch = 0;              // run only this batch size (0 = 1,000 and 5,000)
};

struct RunResult {
  uint64_t events = 0;
  uint64_t requests = 0;
  uint64_t failures = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
  uint64_t body_bytes = 0;
};

// `count` telemetry events as NDJSON, numbered from `first`: telemetry like the seed's
// (cli/iot_generator.h), 1,000 devices, timestamps as RFC 3339 strings like most producers send.
std::string TelemetryBody(uint64_t first, int count) {
  cli::IotGeneratorOptions options;
  options.devices = 1000;
  options.seed = first + 1;
  options.start = Timestamp{1795392000000000} + Duration::Millis(static_cast<int64_t>(first));
  cli::IotGenerator generator(options);
  std::string body;
  body.reserve(static_cast<size_t>(count) * 240);
  for (int i = 0; i < count; ++i) cli::IotGenerator::AppendNdjson(generator.Next(), &body);
  return body;
}

// One client thread: a kept-alive connection posting bodies until `stop`.
void RunClient(uint16_t port, const std::vector<std::string>& bodies, int batch, size_t first_body,
               const std::atomic<bool>& stop, RunResult& result) {
  net::io_context io;
  net::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    ++result.failures;
    return;
  }
  socket.set_option(net::ip::tcp::no_delay(true), ec);
  boost::beast::flat_buffer buffer;
  const std::string target = "/v1/streams/telemetry/events";
  for (size_t n = first_body; !stop.load(std::memory_order_relaxed); ++n) {
    http::request<http::string_body> request{http::verb::post, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, "application/x-ndjson");
    request.body() = bodies[n % bodies.size()];
    request.prepare_payload();
    const Clock::time_point sent = Clock::now();
    http::write(socket, request, ec);
    http::response<http::string_body> response;
    if (!ec) http::read(socket, buffer, response, ec);
    if (ec || response.result_int() != 200) {
      ++result.failures;
      if (ec) return;
      continue;
    }
    result.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
    result.events += static_cast<uint64_t>(batch);
    result.body_bytes += request.body().size();
    ++result.requests;
  }
}

double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  const size_t k = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(k), values.end());
  return values[k];
}

RunResult RunConfiguration(uint16_t port, const std::vector<std::string>& bodies, int batch,
                           int connections, double seconds) {
  std::atomic<bool> stop{false};
  std::vector<RunResult> per_client(static_cast<size_t>(connections));
  std::vector<std::thread> clients;
  clients.reserve(static_cast<size_t>(connections));
  const Clock::time_point start = Clock::now();
  for (int c = 0; c < connections; ++c) {
    clients.emplace_back(RunClient, port, std::cref(bodies), batch, static_cast<size_t>(c) * 7,
                         std::cref(stop), std::ref(per_client[static_cast<size_t>(c)]));
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& client : clients) client.join();
  RunResult total;
  total.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (RunResult& r : per_client) {
    total.events += r.events;
    total.requests += r.requests;
    total.failures += r.failures;
    total.body_bytes += r.body_bytes;
    total.latencies_ms.insert(total.latencies_ms.end(), r.latencies_ms.begin(),
                              r.latencies_ms.end());
  }
  return total;
}

Result<BenchOptions> ParseOptions(int argc, char** argv) {
  BenchOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return Status(StatusCode::kInvalidArgument, "missing value for " + flag);
    const std::string value = argv[++i];
    if (flag == "--seconds") {
      options.seconds = std::atof(value.c_str());
    } else if (flag == "--io-threads") {
      options.io_threads = std::atoi(value.c_str());
    } else if (flag == "--connections") {
      options.only_connections = std::atoi(value.c_str());
    } else if (flag == "--batch") {
      options.only_batch = std::atoi(value.c_str());
    } else if (flag == "--data") {
      options.data_dir = value;
    } else if (flag == "--fsync") {
      std::optional<log::FsyncPolicy> policy = log::FsyncPolicyFromName(value);
      if (!policy) return Status(StatusCode::kInvalidArgument, "unknown --fsync " + value);
      options.fsync = *policy;
    } else {
      return Status(StatusCode::kInvalidArgument, "unknown flag " + flag);
    }
  }
  return options;
}

struct Engine {
  std::unique_ptr<serving::Database> database;
  std::unique_ptr<server::HttpServer> server;
};

Result<Engine> StartEngine(const BenchOptions& options) {
  serving::DatabaseOptions db_options;
  db_options.data_dir = options.data_dir;
  db_options.log.fsync = options.fsync;
  Engine engine;
  ASSIGN_OR_RETURN(engine.database, serving::Database::Open(db_options));
  RETURN_IF_ERROR(engine.database->Execute(kTelemetryDdl));
  server::HttpServerOptions http;
  http.port = 0;
  http.io_threads = options.io_threads;
  ASSIGN_OR_RETURN(engine.server,
                   server::HttpServer::Start(http, server::MakeApiRouter(*engine.database)));
  return engine;
}

int RunBench(const BenchOptions& options) {
  Result<Engine> engine = StartEngine(options);
  if (!engine.ok()) {
    std::fprintf(stderr, "error: %s\n", engine.status().ToString().c_str());
    return 1;
  }
  std::printf("http ingest: %d io threads, fsync %s, %.1f s per configuration, data in %s\n",
              options.io_threads, std::string(log::FsyncPolicyName(options.fsync)).c_str(),
              options.seconds, options.data_dir.c_str());
  std::printf("%-11s %-6s %9s %11s %12s %8s %9s %9s %8s\n", "connections", "batch", "requests",
              "events", "events/s", "MB/s", "p50 ms", "p99 ms", "errors");
  uint64_t expected_events = 0;
  for (int batch : {1000, 5000}) {
    if (options.only_batch != 0 && batch != options.only_batch) continue;
    std::vector<std::string> bodies;
    bodies.reserve(kBodiesPerBatchSize);
    for (int b = 0; b < kBodiesPerBatchSize; ++b) {
      bodies.push_back(
          TelemetryBody(static_cast<uint64_t>(b) * static_cast<uint64_t>(batch), batch));
    }
    for (int connections : {1, 2, 8}) {
      if (options.only_connections != 0 && connections != options.only_connections) continue;
      RunResult r =
          RunConfiguration(engine->server->port(), bodies, batch, connections, options.seconds);
      expected_events += r.events;
      std::printf("%-11d %-6d %9lu %11lu %12.0f %8.1f %9.2f %9.2f %8lu\n", connections, batch,
                  r.requests, r.events, static_cast<double>(r.events) / r.seconds,
                  static_cast<double>(r.body_bytes) / r.seconds / 1e6,
                  Percentile(r.latencies_ms, 0.50), Percentile(r.latencies_ms, 0.99), r.failures);
    }
  }
  engine->server->Stop();
  Result<serving::StreamHandle> stream = engine->database->FindStream("telemetry");
  const uint64_t in_log = stream.ok() ? stream->log->TotalEvents() : 0;
  std::printf("events in the log: %lu (acknowledged: %lu)\n", in_log, expected_events);
  engine->database->Close();
  return in_log == expected_events ? 0 : 1;
}

}  // namespace
}  // namespace braid

int main(int argc, char** argv) {
  braid::Result<braid::BenchOptions> options = braid::ParseOptions(argc, argv);
  if (!options.ok()) {
    std::fprintf(stderr, "error: %s\n", options.status().ToString().c_str());
    return 2;
  }
  const bool temporary = options->data_dir.empty();
  if (temporary) {
    std::string pattern = (std::filesystem::temp_directory_path() / "braid-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return 2;
    options->data_dir = pattern;
  }
  const int rc = braid::RunBench(*options);
  if (temporary) {
    std::error_code ec;
    std::filesystem::remove_all(options->data_dir, ec);
  }
  return rc;
}
