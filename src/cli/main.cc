// braid: the command line. main only parses arguments (CLI11, whose exceptions are caught here
// at the call) into the option structs of cli/commands.h and runs the chosen subcommand.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "common/malloc_tuning.h"
#include "common/version.h"

namespace braid::cli {
namespace {

struct ServeFlags {
  std::string config_file;
  std::string data_dir;
  std::vector<std::string> definitions;
  std::string http;
  std::string pg;
};

int Serve(const ServeFlags& flags) {
  ServeConfig config;
  if (!flags.config_file.empty()) {
    Result<ServeConfig> loaded = LoadConfigFile(flags.config_file);
    if (!loaded.ok()) {
      std::fprintf(stderr, "error: %s\n", loaded.status().ToString().c_str());
      return 1;
    }
    config = *loaded;
  }
  if (!flags.data_dir.empty()) config.data_dir = flags.data_dir;
  if (!flags.http.empty()) config.http_address = flags.http;
  if (!flags.pg.empty()) config.pg_address = flags.pg;
  for (const std::string& d : flags.definitions) config.definitions.emplace_back(d);
  return RunServe(config);
}

int Main(int argc, char** argv) {
  CLI::App app{"Braid: a Lambda Architecture engine in one binary"};

  ServeFlags serve;
  CLI::App* serve_cmd = app.add_subcommand("serve", "Run the server");
  serve_cmd->add_option("--data", serve.data_dir, "Data directory (default ./braid-data)");
  serve_cmd->add_option("--config", serve.config_file, "braid.toml settings file");
  serve_cmd->add_option("--definitions", serve.definitions, "SQL definitions applied at start")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--http", serve.http, "HTTP address (default 127.0.0.1:8080)");
  serve_cmd->add_option("--pg", serve.pg,
                        "PostgreSQL wire address (default 127.0.0.1:5433), or off");

  DemoCommandOptions demo;
  demo.program = argv[0];
  CLI::App* demo_cmd = app.add_subcommand(
      "demo",
      "Serve examples/iot.sql with the IoT generator feeding it (capture 10 s, refresh 30 s)");
  demo_cmd->add_option("--data", demo.data_dir, "Data directory")->capture_default_str();
  demo_cmd->add_option("--rate", demo.rate, "Generated events per second")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 10000000.0));
  demo_cmd->add_option("--devices", demo.devices, "Number of devices")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000000}));
  demo_cmd->add_option("--http", demo.http_address, "HTTP address (port 0: any free port)")
      ->capture_default_str();
  demo_cmd->add_option("--pg", demo.pg_address, "PostgreSQL wire address, or off")
      ->capture_default_str();

  SqlCommandOptions sql;
  CLI::App* sql_cmd = app.add_subcommand("sql", "Run one SQL statement on a server");
  sql_cmd->add_option("--server", sql.server, "Server URL")->capture_default_str();
  sql_cmd->add_option("--consistency", sql.consistency, "merged, exact or speed")
      ->check(CLI::IsMember({"merged", "exact", "speed"}));
  sql_cmd->add_option("--max-staleness", sql.max_staleness,
                      "The oldest answer accepted, e.g. 10s (the server may route elsewhere)");
  sql_cmd->add_option("statement", sql.sql, "The SQL statement")->required();

  IngestCommandOptions ingest;
  CLI::App* ingest_cmd = app.add_subcommand("ingest", "Send NDJSON events to a stream");
  ingest_cmd->add_option("--server", ingest.server, "Server URL")->capture_default_str();
  ingest_cmd->add_option("--batch", ingest.batch_events, "Events per request")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  ingest_cmd->add_flag("--dead-letter", ingest.dead_letter,
                       "Keep invalid events in the dead-letter log instead of failing");
  ingest_cmd->add_option("stream", ingest.stream, "Stream name")->required();
  ingest_cmd->add_option("file", ingest.file, "NDJSON file, or - for standard input")
      ->capture_default_str();

  StatusCommandOptions status;
  CLI::App* status_cmd = app.add_subcommand("status", "Show the server's status");
  status_cmd->add_option("--server", status.server, "Server URL")->capture_default_str();
  status_cmd->add_flag("--json", status.json, "Print the raw JSON answer");

  LakeCommandOptions lake;
  CLI::App* lake_cmd =
      app.add_subcommand("lake", "The master dataset of a stream: ls, optimize, vacuum");
  lake_cmd->add_option("--server", lake.server, "Server URL")->capture_default_str();
  lake_cmd->add_option("--retention", lake.retention,
                       "vacuum: keep files removed within this (default 7d)");
  lake_cmd->add_flag("--dry-run", lake.dry_run, "vacuum: only list what would be deleted");
  lake_cmd->add_option("action", lake.action, "ls, optimize or vacuum")
      ->required()
      ->check(CLI::IsMember({"ls", "optimize", "vacuum"}));
  lake_cmd->add_option("stream", lake.stream, "Stream name")->required();

  BatchJobCommandOptions refresh;
  refresh.kind = "refresh";
  CLI::App* refresh_cmd =
      app.add_subcommand("refresh", "Fold new capture epochs into a view's batch version");
  refresh_cmd->add_option("--server", refresh.server, "Server URL")->capture_default_str();
  refresh_cmd->add_option("view", refresh.view, "View name")->required();
  BatchJobCommandOptions recompute;
  recompute.kind = "recompute";
  CLI::App* recompute_cmd = app.add_subcommand(
      "recompute", "Rebuild a view from the whole master dataset into a new version");
  recompute_cmd->add_option("--server", recompute.server, "Server URL")->capture_default_str();
  recompute_cmd->add_option("view", recompute.view, "View name")->required();

  GenIotCommandOptions gen;
  std::string start_text;
  CLI::App* gen_cmd = app.add_subcommand("gen", "Generate test data as NDJSON on stdout");
  gen_cmd->require_subcommand(1);
  CLI::App* iot_cmd = gen_cmd->add_subcommand("iot", "Telemetry like the seed's IoT scenario");
  iot_cmd->add_option("--events", gen.events, "Number of events")->capture_default_str();
  iot_cmd->add_option("--devices", gen.generator.devices, "Number of devices")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000000}));
  iot_cmd->add_option("--start", start_text, "First event time, RFC 3339");
  iot_cmd->add_option("--rate", gen.generator.rate, "Events per second of event time")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  iot_cmd
      ->add_option("--disorder-fraction", gen.generator.disorder_fraction,
                   "Share of events up to 5 s out of order")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  iot_cmd
      ->add_option("--late-fraction", gen.generator.late_fraction,
                   "Share of events 1 to 10 minutes late")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  iot_cmd->add_option("--seed", gen.generator.seed, "Random seed")->capture_default_str();

  CLI::App* version_cmd = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (app.get_subcommands().empty()) {
    std::fputs(app.help().c_str(), stderr);
    return 1;
  }
  if (*serve_cmd) return Serve(serve);
  if (*demo_cmd) return RunDemo(demo);
  if (*sql_cmd) return RunSql(sql);
  if (*ingest_cmd) return RunIngest(ingest);
  if (*status_cmd) return RunStatus(status);
  if (*lake_cmd) return RunLake(lake);
  if (*refresh_cmd) return RunBatchJob(refresh);
  if (*recompute_cmd) return RunBatchJob(recompute);
  if (*gen_cmd) {
    if (!start_text.empty()) {
      Result<Timestamp> start = ParseRfc3339(start_text);
      if (!start.ok()) {
        std::fprintf(stderr, "error: --start: %s\n", start.status().message().c_str());
        return 1;
      }
      gen.generator.start = *start;
    }
    return RunGenIot(gen);
  }
  if (*version_cmd) {
    std::printf("braid %s\n", braid::VersionString().c_str());
    return 0;
  }
  return 1;
}

}  // namespace
}  // namespace braid::cli

int main(int argc, char** argv) {
  braid::ReexecWithTunedMalloc(argv);
  return braid::cli::Main(argc, argv);
}
