#include "cli/config.h"

#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include <charconv>
#include <set>

#include <fmt/format.h>

#include "common/http_client.h"

namespace braid::cli {
namespace {

Status ConfigError(const toml::node& node, std::string_view key, std::string_view what) {
  return Status(StatusCode::kInvalidArgument,
                fmt::format("braid.toml line {}: '{}' {}", node.source().begin.line, key, what));
}

Result<std::string> StringValue(const toml::node& node, std::string_view key) {
  if (const auto* s = node.as_string()) return s->get();
  return ConfigError(node, key, "must be a string");
}

Result<int64_t> IntValue(const toml::node& node, std::string_view key) {
  if (const auto* i = node.as_integer()) {
    if (i->get() < 0) return ConfigError(node, key, "must not be negative");
    return i->get();
  }
  return ConfigError(node, key, "must be an integer");
}

Result<Duration> DurationValue(const toml::node& node, std::string_view key) {
  ASSIGN_OR_RETURN(std::string text, StringValue(node, key));
  Result<Duration> d = ParseDuration(text);
  if (!d.ok()) return ConfigError(node, key, d.status().message());
  return *d;
}

Status ApplyServer(const toml::table& table, ServeConfig* config) {
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == "data_dir") {
      ASSIGN_OR_RETURN(std::string v, StringValue(node, k));
      config->data_dir = v;
    } else if (k == "http") {
      ASSIGN_OR_RETURN(config->http_address, StringValue(node, k));
    } else if (k == "pg") {
      ASSIGN_OR_RETURN(config->pg_address, StringValue(node, k));
    } else if (k == "io_threads") {
      ASSIGN_OR_RETURN(int64_t v, IntValue(node, k));
      if (v < 1 || v > 256) return ConfigError(node, k, "must be between 1 and 256");
      config->io_threads = static_cast<int>(v);
    } else if (k == "max_body_bytes") {
      ASSIGN_OR_RETURN(int64_t v, IntValue(node, k));
      config->max_body_bytes = static_cast<uint64_t>(v);
    } else if (k == "definitions") {
      const toml::array* list = node.as_array();
      if (list == nullptr) return ConfigError(node, k, "must be an array of file names");
      for (const toml::node& item : *list) {
        ASSIGN_OR_RETURN(std::string v, StringValue(item, k));
        config->definitions.emplace_back(v);
      }
    } else {
      return ConfigError(node, k, "is not a known key of [server]");
    }
  }
  return Status::Ok();
}

Status ApplyPg(const toml::table& table, ServeConfig* config) {
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == "address") {
      ASSIGN_OR_RETURN(config->pg_address, StringValue(node, k));
    } else if (k == "user") {
      ASSIGN_OR_RETURN(config->pg_user, StringValue(node, k));
    } else if (k == "password") {
      ASSIGN_OR_RETURN(config->pg_password, StringValue(node, k));
    } else {
      return ConfigError(node, k, "is not a known key of [pg]");
    }
  }
  return Status::Ok();
}

Status ApplyLog(const toml::table& table, ServeConfig* config) {
  log::LogOptions& log = config->log;
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == "fsync") {
      ASSIGN_OR_RETURN(std::string v, StringValue(node, k));
      std::optional<log::FsyncPolicy> policy = log::FsyncPolicyFromName(v);
      if (!policy) return ConfigError(node, k, "must be 'group', 'always' or 'never'");
      log.fsync = *policy;
    } else if (k == "group_commit_delay") {
      ASSIGN_OR_RETURN(log.group_commit_delay, DurationValue(node, k));
    } else if (k == "segment_bytes") {
      ASSIGN_OR_RETURN(int64_t v, IntValue(node, k));
      if (v < 4096) return ConfigError(node, k, "must be at least 4096");
      log.segment_bytes = static_cast<uint64_t>(v);
    } else if (k == "compression") {
      ASSIGN_OR_RETURN(std::string v, StringValue(node, k));
      if (v == "none") log.compression = log::Compression::kNone;
      else if (v == "lz4") log.compression = log::Compression::kLz4;
      else if (v == "zstd") log.compression = log::Compression::kZstd;
      else return ConfigError(node, k, "must be 'none', 'lz4' or 'zstd'");
    } else if (k == "zstd_level") {
      ASSIGN_OR_RETURN(int64_t v, IntValue(node, k));
      if (v < 1 || v > 19) return ConfigError(node, k, "must be between 1 and 19");
      log.zstd_level = static_cast<int>(v);
    } else if (k == "retention_check_interval") {
      ASSIGN_OR_RETURN(config->retention_check_interval, DurationValue(node, k));
    } else {
      return ConfigError(node, k, "is not a known key of [log]");
    }
  }
  return Status::Ok();
}

Status ApplyCapture(const toml::table& table, ServeConfig* config) {
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == "interval") {
      ASSIGN_OR_RETURN(config->capture_interval, DurationValue(node, k));
    } else if (k == "max_bytes") {
      ASSIGN_OR_RETURN(int64_t v, IntValue(node, k));
      if (v < 1) return ConfigError(node, k, "must be at least 1");
      config->capture_max_bytes = static_cast<uint64_t>(v);
    } else {
      return ConfigError(node, k, "is not a known key of [capture]");
    }
  }
  return Status::Ok();
}

Status ApplyLake(const toml::table& table, ServeConfig* config) {
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == "maintenance_interval") {
      ASSIGN_OR_RETURN(config->lake_maintenance_interval, DurationValue(node, k));
    } else if (k == "vacuum_retention") {
      ASSIGN_OR_RETURN(config->vacuum_retention, DurationValue(node, k));
    } else {
      return ConfigError(node, k, "is not a known key of [lake]");
    }
  }
  return Status::Ok();
}

Status ApplyBatch(const toml::table& table, ServeConfig* config) {
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == "refresh_interval") {
      ASSIGN_OR_RETURN(config->batch_refresh_interval, DurationValue(node, k));
    } else if (k == "threads") {
      ASSIGN_OR_RETURN(int64_t v, IntValue(node, k));
      if (v < 1 || v > 256) return ConfigError(node, k, "must be between 1 and 256");
      config->batch_threads = static_cast<int>(v);
    } else if (k == "memory_limit") {
      ASSIGN_OR_RETURN(int64_t v, IntValue(node, k));
      if (v < 1) return ConfigError(node, k, "must be at least 1");
      config->batch_memory_limit = static_cast<uint64_t>(v);
    } else {
      return ConfigError(node, k, "is not a known key of [batch]");
    }
  }
  return Status::Ok();
}

Status ApplySpeed(const toml::table& table, ServeConfig* config) {
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == "memory_limit") {
      ASSIGN_OR_RETURN(int64_t v, IntValue(node, k));
      if (v < 1) return ConfigError(node, k, "must be at least 1");
      config->speed_memory_limit = static_cast<uint64_t>(v);
    } else {
      return ConfigError(node, k, "is not a known key of [speed]");
    }
  }
  return Status::Ok();
}

Status ApplyQuery(const toml::table& table, ServeConfig* config) {
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == "max_result_rows") {
      ASSIGN_OR_RETURN(int64_t v, IntValue(node, k));
      if (v < 1) return ConfigError(node, k, "must be at least 1");
      config->query_limits.max_result_rows = static_cast<size_t>(v);
    } else if (k == "statement_timeout") {
      ASSIGN_OR_RETURN(config->query_limits.statement_timeout, DurationValue(node, k));
    } else if (k == "stream_scan_events") {
      ASSIGN_OR_RETURN(int64_t v, IntValue(node, k));
      if (v < 1) return ConfigError(node, k, "must be at least 1");
      config->query_limits.stream_scan_events = static_cast<size_t>(v);
    } else if (k == "cache_bytes") {
      ASSIGN_OR_RETURN(int64_t v, IntValue(node, k));
      if (v < 0) return ConfigError(node, k, "must not be negative");
      config->query_cache_bytes = static_cast<size_t>(v);
    } else {
      return ConfigError(node, k, "is not a known key of [query]");
    }
  }
  return Status::Ok();
}

Result<speed::WebhookOptions> ParseWebhook(const toml::table& table) {
  speed::WebhookOptions webhook;
  bool has_url = false;
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == "url") {
      ASSIGN_OR_RETURN(webhook.url, StringValue(node, k));
      Result<HttpUrl> url = ParseHttpUrl(webhook.url);
      if (!url.ok()) return ConfigError(node, k, url.status().message());
      has_url = true;
    } else if (k == "timeout") {
      ASSIGN_OR_RETURN(webhook.timeout, DurationValue(node, k));
      if (webhook.timeout.micros == 0) return ConfigError(node, k, "must be positive");
    } else if (k == "initial_backoff") {
      ASSIGN_OR_RETURN(webhook.initial_backoff, DurationValue(node, k));
      if (webhook.initial_backoff.micros == 0) return ConfigError(node, k, "must be positive");
    } else if (k == "max_backoff") {
      ASSIGN_OR_RETURN(webhook.max_backoff, DurationValue(node, k));
    } else {
      return ConfigError(node, k, "is not a known key of [[alerts.webhooks]]");
    }
  }
  if (!has_url) return ConfigError(table, "url", "is required in [[alerts.webhooks]]");
  if (webhook.max_backoff < webhook.initial_backoff) {
    // Only a key set in this table can break the order of the defaults (100ms, 60s).
    const toml::node* at = table.get("max_backoff");
    if (at == nullptr) at = table.get("initial_backoff");
    return ConfigError(*at, "max_backoff", "must not be less than initial_backoff");
  }
  return webhook;
}

Status ApplyAlerts(const toml::table& table, ServeConfig* config) {
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == "webhooks") {
      const toml::array* list = node.as_array();
      if (list == nullptr) return ConfigError(node, k, "must be written [[alerts.webhooks]]");
      for (const toml::node& item : *list) {
        const toml::table* webhook = item.as_table();
        if (webhook == nullptr) return ConfigError(item, k, "must be written [[alerts.webhooks]]");
        ASSIGN_OR_RETURN(speed::WebhookOptions options, ParseWebhook(*webhook));
        config->webhooks.push_back(std::move(options));
      }
    } else {
      return ConfigError(node, k, "is not a known key of [alerts]");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ServeConfig> LoadConfigFile(const std::filesystem::path& file) {
  toml::parse_result parsed = toml::parse_file(file.string());
  if (!parsed) {
    const toml::parse_error& error = parsed.error();
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("{} line {} column {}: {}", file.string(),
                              error.source().begin.line, error.source().begin.column,
                              error.description()));
  }
  ServeConfig config;
  for (const auto& [key, node] : parsed.table()) {
    const toml::table* section = node.as_table();
    if (key.str() == "server" && section != nullptr) {
      RETURN_IF_ERROR(ApplyServer(*section, &config).WithContext(file.string()));
    } else if (key.str() == "pg" && section != nullptr) {
      RETURN_IF_ERROR(ApplyPg(*section, &config).WithContext(file.string()));
    } else if (key.str() == "log" && section != nullptr) {
      RETURN_IF_ERROR(ApplyLog(*section, &config).WithContext(file.string()));
    } else if (key.str() == "capture" && section != nullptr) {
      RETURN_IF_ERROR(ApplyCapture(*section, &config).WithContext(file.string()));
    } else if (key.str() == "lake" && section != nullptr) {
      RETURN_IF_ERROR(ApplyLake(*section, &config).WithContext(file.string()));
    } else if (key.str() == "batch" && section != nullptr) {
      RETURN_IF_ERROR(ApplyBatch(*section, &config).WithContext(file.string()));
    } else if (key.str() == "speed" && section != nullptr) {
      RETURN_IF_ERROR(ApplySpeed(*section, &config).WithContext(file.string()));
    } else if (key.str() == "alerts" && section != nullptr) {
      RETURN_IF_ERROR(ApplyAlerts(*section, &config).WithContext(file.string()));
    } else if (key.str() == "query" && section != nullptr) {
      RETURN_IF_ERROR(ApplyQuery(*section, &config).WithContext(file.string()));
    } else {
      return ConfigError(node, key.str(),
                         "is not a known section ([server], [pg], [log], [capture], [lake], "
                         "[batch], [speed], [alerts] or [query])")
          .WithContext(file.string());
    }
  }
  return config;
}

Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view address) {
  auto error = [&] {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("invalid address '{}': expected HOST:PORT", address));
  };
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return error();
  std::string host(address.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string_view port_text = address.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return error();
  }
  return std::make_pair(host, static_cast<uint16_t>(port));
}

}  // namespace braid::cli
