// The `braid` subcommands. Each returns the process exit code after printing its result (or a
// one-line error on stderr). main.cc only parses arguments into these option structs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "cli/config.h"
#include "cli/iot_generator.h"

namespace braid::cli {

inline constexpr const char* kDefaultServer = "http://127.0.0.1:8080";

// braid serve: opens the data directory, applies definitions, serves HTTP until SIGINT/SIGTERM.
int RunServe(const ServeConfig& config);

struct SqlCommandOptions {
  std::string server = kDefaultServer;
  std::string consistency;  // empty = server default
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
