// `braid serve`: open the data directory, apply definitions, serve HTTP and the PostgreSQL wire
// protocol until SIGINT or SIGTERM, apply stream retention on an interval and capture streams into
// the lake when due. Signals are blocked before any thread starts and taken synchronously with
// sigwait, so shutdown runs on the main thread in a defined order: stop the companion (the demo's
// generator) and the timers, stop both servers accepting (finishing requests in flight), close
// the database.
#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "cli/commands.h"
#include "common/version.h"
#include "server/api.h"
#include "server/http_server.h"
#include "server/pg_server.h"
#include "serving/database.h"
#include "serving/lake_maintenance.h"
#include "sql/parser.h"

namespace braid::cli {
namespace {

void Say(const std::string& line) {
  std::fprintf(stderr, "%s braid: %s\n", FormatRfc3339(Now()).c_str(), line.c_str());
}

// Runs `task` every `interval` on its own thread until destroyed.
class PeriodicTask {
 public:
  PeriodicTask(Duration interval, std::function<void()> task)
      : thread_([this, interval, task = std::move(task)] { Run(interval, task); }) {}
  ~PeriodicTask() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Run(Duration interval, const std::function<void()>& task) {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::microseconds(interval.micros), [&] { return stop_; })) {
      lock.unlock();
      task();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

void ApplyRetention(serving::Database& db) {
  Result<int> deleted = db.logs().ApplyRetention(Now());
  if (!deleted.ok()) {
    Say("retention failed: " + deleted.status().ToString());
  } else if (*deleted > 0) {
    Say(fmt::format("retention deleted {} log segments", *deleted));
  }
}

// Checks every second which streams are due for capture (interval or size threshold).
void CaptureDueStreams(serving::Database& db) {
  Status captured = db.capture().Tick(Now());
  if (!captured.ok()) Say("capture failed (retried at the next check): " + captured.ToString());
}

// OPTIMIZE then VACUUM every stream's lake table; failures are reported and retried next time.
void MaintainLakes(serving::Database& db, Duration vacuum_retention) {
  for (const sql::StreamDefinitionPtr& stream : db.catalog().Streams()) {
    Result<lake::OptimizeResult> optimized = serving::OptimizeLake(*stream, db.options().data_dir);
    if (!optimized.ok()) {
      Say(fmt::format("optimize of {} failed: {}", stream->name, optimized.status().ToString()));
    } else if (optimized->files_removed > 0) {
      Say(fmt::format("optimize of {}: {} small files compacted into {}", stream->name,
                      optimized->files_removed, optimized->files_added));
    }
    lake::VacuumOptions vacuum;
    vacuum.retention = vacuum_retention;
    Result<lake::VacuumResult> vacuumed =
        serving::VacuumLake(*stream, db.options().data_dir, vacuum);
    if (!vacuumed.ok()) {
      Say(fmt::format("vacuum of {} failed: {}", stream->name, vacuumed.status().ToString()));
    } else if (!vacuumed->deleted.empty()) {
      Say(fmt::format("vacuum of {}: {} files deleted", stream->name, vacuumed->deleted.size()));
    }
    db.capture().ForgetFigures(stream->name);
  }
}

// Applies every statement of `text` (the demo's embedded definitions), as a definitions file is.
Status ApplyDefinitionsText(serving::Database& db, std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<sql::ParsedStatement> statements, sql::ParseScript(text));
  for (const sql::ParsedStatement& statement : statements) {
    Result<serving::QueryResult> result = db.Execute(statement.text);
    if (!result.ok()) return result.status().WithContext("built-in definitions");
  }
  return Status::Ok();
}

Result<std::unique_ptr<serving::Database>> OpenDatabase(const ServeConfig& config,
                                                        std::string_view definitions_sql) {
  serving::DatabaseOptions db_options;
  db_options.data_dir = config.data_dir;
  db_options.log = config.log;
  db_options.capture_interval = config.capture_interval;
  db_options.capture_max_bytes = config.capture_max_bytes;
  db_options.batch.refresh_interval = config.batch_refresh_interval;
  db_options.batch.threads = static_cast<size_t>(config.batch_threads);
  db_options.batch.aggregator.memory_limit = config.batch_memory_limit;
  db_options.speed.memory_limit = config.speed_memory_limit;
  db_options.alerts.webhooks = config.webhooks;
  db_options.query_cache_bytes = config.query_cache_bytes;
  Result<std::unique_ptr<serving::Database>> db = serving::Database::Open(db_options);
  if (!db.ok()) return db.status().WithContext(config.data_dir.string());
  for (const std::string& warning : (*db)->logs().RecoveryWarnings()) {
    Say("recovery: " + warning);
  }
  for (const std::filesystem::path& file : config.definitions) {
    RETURN_IF_ERROR((*db)->ApplyDefinitionsFile(file));
  }
  if (!definitions_sql.empty()) RETURN_IF_ERROR(ApplyDefinitionsText(**db, definitions_sql));
  return db;
}

// The protocol servers; HTTP always, PostgreSQL unless --pg off.
struct Servers {
  std::unique_ptr<server::HttpServer> http;
  std::unique_ptr<server::PgServer> pg;
  ServingEndpoints endpoints;

  // Stops both accepting and finishes what they were doing; the database stays open.
  void Stop() {
    http->Stop();
    if (pg != nullptr) pg->Stop();
  }
};

bool PgDisabled(const ServeConfig& config) { return config.pg_address == "off"; }

Result<Servers> StartServers(const ServeConfig& config, serving::Database& db) {
  Result<std::pair<std::string, uint16_t>> http = ParseHostPort(config.http_address);
  if (!http.ok()) return http.status().WithContext("--http");
  Servers servers;
  server::HttpServerOptions http_options;
  http_options.address = http->first;
  http_options.port = http->second;
  http_options.io_threads = config.io_threads;
  http_options.max_body_bytes = config.max_body_bytes;
  server::ApiOptions api_options;
  api_options.query_limits = config.query_limits;
  ASSIGN_OR_RETURN(servers.http,
                   server::HttpServer::Start(http_options, server::MakeApiRouter(db, api_options)));
  servers.endpoints.http_host = http->first;
  servers.endpoints.http_port = servers.http->port();
  if (PgDisabled(config)) return servers;

  Result<std::pair<std::string, uint16_t>> pg = ParseHostPort(config.pg_address);
  if (!pg.ok()) return pg.status().WithContext("--pg");
  server::PgServerOptions pg_options;
  pg_options.address = pg->first;
  pg_options.port = pg->second;
  pg_options.user = config.pg_user;
  pg_options.password = config.pg_password;
  pg_options.limits = config.query_limits;
  Result<std::unique_ptr<server::PgServer>> pg_server = server::PgServer::Start(pg_options, db);
  if (!pg_server.ok()) {
    servers.http->Stop();
    return pg_server.status().WithContext("--pg");
  }
  servers.pg = std::move(*pg_server);
  servers.endpoints.pg = std::make_pair(pg->first, servers.pg->port());
  return servers;
}

void SayServing(const ServeConfig& config, const ServingEndpoints& endpoints) {
  Say(fmt::format("braid {} serving data in {} on http://{}:{}", VersionString(),
                  config.data_dir.string(), endpoints.http_host, endpoints.http_port));
  if (endpoints.pg) {
    Say(fmt::format("PostgreSQL wire protocol on {}:{} ({})", endpoints.pg->first,
                    endpoints.pg->second,
                    config.pg_password.empty() ? "every client trusted" : "SCRAM-SHA-256"));
  } else {
    Say("PostgreSQL wire protocol not served (--pg off)");
  }
}

// Runs the timers (and the companion, if any) until SIGINT or SIGTERM arrives.
Status ServeUntilSignal(const ServeConfig& config, const ServeAdditions& additions,
                        serving::Database& db, const ServingEndpoints& endpoints,
                        const sigset_t& signals) {
  PeriodicTask retention(config.retention_check_interval, [&] { ApplyRetention(db); });
  PeriodicTask capture(Duration::Seconds(1), [&] { CaptureDueStreams(db); });
  // Batch refreshes that are due are queued; the job runner seals an epoch and folds it in.
  PeriodicTask batch(Duration::Seconds(1), [&] { db.batch_jobs().Tick(Now()); });
  std::optional<PeriodicTask> maintenance;
  if (config.lake_maintenance_interval.micros > 0) {
    maintenance.emplace(config.lake_maintenance_interval,
                        [&] { MaintainLakes(db, config.vacuum_retention); });
  }
  std::unique_ptr<ServeCompanion> companion;
  if (additions.companion) {
    ASSIGN_OR_RETURN(companion, additions.companion(db, endpoints));
  }
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  Say(fmt::format("received {}, shutting down", signal_number == SIGINT ? "SIGINT" : "SIGTERM"));
  return Status::Ok();
}

}  // namespace

int RunServe(const ServeConfig& config, const ServeAdditions& additions) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every thread started below
  ::signal(SIGPIPE, SIG_IGN);
  // Addresses are checked before the data directory is opened, so a typo costs nothing.
  if (Result<std::pair<std::string, uint16_t>> http = ParseHostPort(config.http_address);
      !http.ok()) {
    return Fail(http.status().WithContext("--http"));
  }
  if (!PgDisabled(config)) {
    Result<std::pair<std::string, uint16_t>> pg = ParseHostPort(config.pg_address);
    if (!pg.ok()) return Fail(pg.status().WithContext("--pg"));
  }

  Result<std::unique_ptr<serving::Database>> db = OpenDatabase(config, additions.definitions_sql);
  if (!db.ok()) return Fail(db.status());
  Result<Servers> servers = StartServers(config, **db);
  if (!servers.ok()) {
    (*db)->Close();
    return Fail(servers.status());
  }
  SayServing(config, servers->endpoints);
  Status served = ServeUntilSignal(config, additions, **db, servers->endpoints, signals);
  servers->Stop();
  (*db)->Close();
  if (!served.ok()) return Fail(served);
  Say("stopped");
  return 0;
}

}  // namespace braid::cli
