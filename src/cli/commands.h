// The `braid` subcommands. Each returns the process exit code after printing its result (or a
// one-line error on stderr). main.cc only parses arguments into these option structs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/config.h"
#include "cli/iot_generator.h"

namespace braid::serving {
class Database;
}

namespace braid::cli {

inline constexpr const char* kDefaultServer = "http://127.0.0.1:8080";

// Prints `error: <message>` on stderr; returns the exit code 1.
int Fail(std::string_view message);
int Fail(const Status& status);

// The addresses a running server answers on, with the ports actually bound.
struct ServingEndpoints {
  std::string http_host;
  uint16_t http_port = 0;
  std::optional<std::pair<std::string, uint16_t>> pg;  // none with --pg off
};

// Work that runs alongside a server while it serves (the demo's generator). It is created once
// both servers accept and destroyed when shutdown begins, before they stop accepting.
class ServeCompanion {
 public:
  virtual ~ServeCompanion() = default;
};
using ServeCompanionFactory = std::function<Result<std::unique_ptr<ServeCompanion>>(
    serving::Database& database, const ServingEndpoints& endpoints)>;

// What `braid demo` adds to `braid serve`; empty for serve.
struct ServeAdditions {
  std::string_view definitions_sql;  // applied after config.definitions
  ServeCompanionFactory companion;
};

// braid serve: opens the data directory, applies definitions, serves HTTP and the PostgreSQL
// wire protocol (config.pg_address "off": not served) until SIGINT/SIGTERM.
int RunServe(const ServeConfig& config, const ServeAdditions& additions = {});

struct DemoCommandOptions {
  std::string data_dir = "braid-demo-data";
  double rate = 1000.0;  // generated events per second (wall clock)
  uint64_t devices = 100;
  std::string http_address = "127.0.0.1:8080";
  std::string pg_address = "127.0.0.1:5433";
  std::string program = "braid";  // how the banner's example commands name the binary
};
// braid demo: serve with examples/iot.sql (embedded), capture every 10 s, refresh every view every
// 30 s, and the IoT generator appending events at options.rate in-process.
int RunDemo(const DemoCommandOptions& options);
// examples/iot.sql as built into the binary (generated from the file by CMake).
std::string_view DemoDefinitionsSql();

struct SqlCommandOptions {
  std::string server = kDefaultServer;
  std::string consistency;    // empty = server default
  std::string max_staleness;  // e.g. "10s"; empty = no bound
  std::string sql;
};
// braid sql: runs one statement on a server and prints an aligned table.
int RunSql(const SqlCommandOptions& options);

struct IngestCommandOptions {
  std::string server = kDefaultServer;
  std::string stream;
  std::string file = "-";  // "-" = standard input
  size_t batch_events = 5000;
  bool dead_letter = false;  // ?on_error=dead_letter
};
// braid ingest: sends NDJSON in batches, each with its own Idempotency-Key, retrying failures.
int RunIngest(const IngestCommandOptions& options);

struct StatusCommandOptions {
  std::string server = kDefaultServer;
  bool json = false;
};
// braid status: prints a summary of every stream (or the raw JSON).
int RunStatus(const StatusCommandOptions& options);

struct LakeCommandOptions {
  std::string server = kDefaultServer;
  std::string action;  // "ls", "optimize" or "vacuum"
  std::string stream;
  std::string retention;  // vacuum: e.g. "7d"; empty = the server's default (7 days)
  bool dry_run = false;   // vacuum: list what would be deleted
};
// braid lake ls|optimize|vacuum STREAM: the master dataset's files and maintenance.
int RunLake(const LakeCommandOptions& options);

struct BatchJobCommandOptions {
  std::string server = kDefaultServer;
  std::string kind;  // "refresh" or "recompute"
  std::string view;
};
// braid refresh|recompute VIEW: runs a batch job on the server and follows it to its end.
int RunBatchJob(const BatchJobCommandOptions& options);

struct GenIotCommandOptions {
  IotGeneratorOptions generator;
  uint64_t events = 1000;
};
// braid gen iot: writes NDJSON telemetry to standard output.
int RunGenIot(const GenIotCommandOptions& options);

}  // namespace braid::cli
