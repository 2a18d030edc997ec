// `braid demo`: `braid serve` with examples/iot.sql built in, a short capture interval and batch
// refresh interval, and the IoT generator (iot_generator.h) appending telemetry in-process at a
// steady wall-clock rate, so BATCH, SPEED and MERGED rows can be seen within a minute. Events go
// through StreamLog::Append, the log append the ingest API uses: each batch is durable before the
// next is generated. A failed append is reported on stderr (once per kind of failure, with a count
// when it stops) and the feed goes on; the server is never stopped by it.
#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "cli/commands.h"
#include "serving/database.h"

namespace braid::cli {
namespace {

constexpr Duration kDemoCaptureInterval = Duration::Seconds(10);
constexpr Duration kDemoRefreshInterval = Duration::Seconds(30);
constexpr double kDemoDisorderFraction = 0.05;  // up to 5 s out of order (the stream allows 10 s)
constexpr double kDemoLateFraction = 0.001;     // 1 to 10 minutes late
constexpr auto kFeedTick = std::chrono::milliseconds(100);
constexpr const char* kDemoStream = "telemetry";

void SayFeed(const std::string& line) {
  std::fprintf(stderr, "%s braid demo: %s\n", FormatRfc3339(Now()).c_str(), line.c_str());
}

// Appends generated telemetry to the demo stream every kFeedTick, as many events as the rate
// makes due since the feed started (at most one second's worth per tick, so a slow disk lowers
// the rate rather than building a backlog).
class IotFeed final : public ServeCompanion {
 public:
  IotFeed(serving::Database& db, const DemoCommandOptions& options)
      : db_(db), rate_(options.rate), generator_(GeneratorOptions(options)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~IotFeed() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    if (failures_ > 0) SayFeed(fmt::format("{} event batches were not appended", failures_));
  }

 private:
  static IotGeneratorOptions GeneratorOptions(const DemoCommandOptions& options) {
    IotGeneratorOptions generator;
    generator.devices = options.devices;
    generator.start = Now();
    generator.rate = options.rate;
    generator.disorder_fraction = kDemoDisorderFraction;
    generator.late_fraction = kDemoLateFraction;
    generator.seed = static_cast<uint64_t>(generator.start.micros);
    return generator;
  }

  void Run() {
    const auto started = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, kFeedTick, [&] { return stop_; })) {
      lock.unlock();
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
      const auto due = static_cast<uint64_t>(elapsed.count() * rate_);
      const auto most = static_cast<uint64_t>(rate_) + 1;
      if (due > generated_) AppendEvents(std::min(due - generated_, most));
      generated_ = std::max(generated_, due);
      lock.lock();
    }
  }

  void AppendEvents(uint64_t count) {
    Chunk events(IotGenerator::TelemetrySchema());
    for (uint64_t i = 0; i < count; ++i) IotGenerator::AppendToChunk(generator_.Next(), &events);
    Status appended = Append(events);
    if (appended.ok()) {
      if (!last_error_.empty()) SayFeed("appending events works again");
      last_error_.clear();
      return;
    }
    ++failures_;
    if (appended.ToString() != last_error_) {
      last_error_ = appended.ToString();
      SayFeed("generated events not appended (the feed goes on): " + last_error_);
    }
  }

  Status Append(const Chunk& events) {
    // Looked up each time: DROP STREAM or CREATE STREAM through the API may replace the log.
    ASSIGN_OR_RETURN(serving::StreamHandle stream, db_.FindStream(kDemoStream));
    return stream.log->Append(events, log::AppendOptions{}).status();
  }

  serving::Database& db_;
  const double rate_;
  IotGenerator generator_;
  uint64_t generated_ = 0;  // events due so far, appended or not
  uint64_t failures_ = 0;
  std::string last_error_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// An example POST /v1/sql with the given consistency.
std::string CurlSql(const std::string& http, std::string_view sql, std::string_view consistency) {
  return fmt::format("curl -s {}/v1/sql -d '{{\"sql\": \"{}\", \"consistency\": \"{}\"}}'", http,
                     sql, consistency);
}

void PrintBanner(const DemoCommandOptions& options, const ServingEndpoints& endpoints) {
  const std::string http = fmt::format("http://{}:{}", endpoints.http_host, endpoints.http_port);
  constexpr std::string_view kBySource =
      "SELECT _source, COUNT(*) AS device_minutes, SUM(event_count) AS events "
      "FROM device_metrics GROUP BY _source";
  constexpr std::string_view kLatest =
      "SELECT device_id, window_end, event_count, avg_temperature, alert_level, _source "
      "FROM device_metrics ORDER BY window_end DESC, device_id LIMIT 5";
  std::string out = fmt::format(
      "\nBraid demo: examples/iot.sql (stream {}; views device_metrics, user_activity, "
      "user_hourly; alerts temperature_alerts, high_revenue_users), data in {}\n"
      "Generating {} events/s from {} devices at the current time ({}% up to 5 s out of order, "
      "{}% 1 to 10 minutes late).\n"
      "Capture into the lake every 10 s; incremental batch refresh of every view every 30 s.\n\n"
      "HTTP        {}\n",
      kDemoStream, options.data_dir, options.rate, options.devices, kDemoDisorderFraction * 100,
      kDemoLateFraction * 100, http);
  if (endpoints.pg) {
    out += fmt::format("PostgreSQL  postgresql://{}:{}/braid\n", endpoints.pg->first,
                       endpoints.pg->second);
  }
  out += fmt::format(
      "\nRows say where they come from in _source: BATCH (batch view), SPEED (live windows since "
      "the last refresh), MERGED (both). Try:\n"
      "  {}\n  {}\n  {}\n  curl -s '{}/v1/views/device_metrics?device_id=device-00001'\n",
      CurlSql(http, kBySource, "exact"), CurlSql(http, kBySource, "speed"),
      CurlSql(http, kBySource, "merged"), http);
  if (endpoints.pg) {
    out += fmt::format(
        "  psql -h {} -p {} -d braid -c \"SELECT window_end, event_count, _source FROM "
        "device_metrics WHERE device_id = 'device-00001' ORDER BY window_end\"\n",
        endpoints.pg->first, endpoints.pg->second);
  }
  out += fmt::format(
      "  {} sql --server {} --consistency merged \"{}\"\n  {} status --server {}\n"
      "  curl -N {}/v1/alerts    # alerts as Server-Sent Events\n\nStop with Ctrl-C.\n\n",
      options.program, http, kLatest, options.program, http, http);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace

int RunDemo(const DemoCommandOptions& options) {
  ServeConfig config;
  config.data_dir = options.data_dir;
  config.http_address = options.http_address;
  config.pg_address = options.pg_address;
  config.capture_interval = kDemoCaptureInterval;
  config.batch_refresh_interval = kDemoRefreshInterval;
  ServeAdditions additions;
  additions.definitions_sql = DemoDefinitionsSql();
  additions.companion =
      [&options](serving::Database& db,
                 const ServingEndpoints& endpoints) -> Result<std::unique_ptr<ServeCompanion>> {
    auto feed = std::make_unique<IotFeed>(db, options);
    PrintBanner(options, endpoints);
    return std::unique_ptr<ServeCompanion>(std::move(feed));
  };
  return RunServe(config, additions);
}

}  // namespace braid::cli
