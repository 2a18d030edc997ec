// Settings of `braid serve` from braid.toml (toml++), overridden by command-line flags. Every key
// is optional; an unknown section or key, or a value of the wrong type, is an error naming the key
// and its line, so a typo never silently falls back to a default. The file's sections and keys
// are documented in docs/configuration.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "log/log_options.h"
#include "serving/session.h"
#include "speed/alert_hub.h"

namespace braid::cli {

struct ServeConfig {
  std::filesystem::path data_dir = "braid-data";
  std::string http_address = "127.0.0.1:8080";
  std::string pg_address = "127.0.0.1:5433";  // "off": the PostgreSQL wire protocol is not served
  // PostgreSQL clients ([pg] user, password): an empty password trusts every client; with one,
  // clients authenticate with SCRAM-SHA-256 as pg_user (empty: any user name).
  std::string pg_user;
  std::string pg_password;
  int io_threads = 2;
  uint64_t max_body_bytes = 64ull << 20;
  log::LogOptions log;
  Duration retention_check_interval = Duration::Minutes(1);
  // Capture (log -> lake): a stream is captured when its oldest uncaptured event is this old or
  // its uncaptured log reaches capture_max_bytes (Event Hubs Capture's defaults).
  Duration capture_interval = Duration::Seconds(300);
  uint64_t capture_max_bytes = 256ull << 20;
  // Lake maintenance: every stream's table is OPTIMIZEd and VACUUMed on this interval (0 = never;
  // `braid lake optimize|vacuum` still work), keeping removed files for vacuum_retention.
  Duration lake_maintenance_interval = Duration::Hours(1);
  Duration vacuum_retention = Duration::Days(7);
  // Batch layer ([batch]): an incremental refresh of every view on this interval (0 = only on
  // request), with `batch_threads` scan threads and a memory limit per run.
  Duration batch_refresh_interval = Duration::Minutes(5);
  int batch_threads = 1;
  uint64_t batch_memory_limit = uint64_t{4} << 30;
  std::vector<std::filesystem::path> definitions;
  // Speed layer ([speed]): the bytes of window state one view may hold before it stops with a
  // clear out-of-memory error (shown in /v1/status).
  uint64_t speed_memory_limit = uint64_t{4} << 30;
  // Alerts ([[alerts.webhooks]]): every stored alert is POSTed to each of these URLs.
  std::vector<speed::WebhookOptions> webhooks;
  // Queries ([query]): the result rows and run time a query may take unless its client asks
  // otherwise (HTTP request members, SET max_result_rows / statement_timeout).
  serving::QueryLimits query_limits;
  size_t query_cache_bytes = size_t{1} << 30;  // [query] cache_bytes (batch_view_cache.h)
};

// Reads braid.toml into a config that starts from the defaults.
Result<ServeConfig> LoadConfigFile(const std::filesystem::path& file);

// Splits "host:port" (the port is required; IPv6 as "[::1]:8080").
Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view address);

}  // namespace braid::cli
