#include "serving/session.h"

#include <fmt/format.h>

#include <array>
#include <string_view>
#include <utility>

#include "common/chunk.h"

namespace braid::serving {
namespace {

// Settings PostgreSQL drivers and tools send at connect time; Braid keeps them for SHOW only.
constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kClientSettings{{
    {"client_encoding", "UTF8"},
    {"datestyle", "ISO, MDY"},
    {"timezone", "UTC"},
    {"application_name", ""},
    {"extra_float_digits", "1"},
    {"search_path", "public"},
    {"intervalstyle", "postgres"},
    {"standard_conforming_strings", "on"},
    {"client_min_messages", "notice"},
    {"bytea_output", "hex"},
    {"lc_messages", "C"},
    {"server_version", "15.0 (Braid)"},
    {"transaction_isolation", "read committed"},
}};

std::string ValueText(const sql::OptionValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "on" : "off";
        } else {
          return fmt::format("{}", v);
        }
      },
      value.value);
}

Status BadValue(const sql::SetStatement& statement, std::string_view expected) {
  return Status(StatusCode::kInvalidArgument,
                fmt::format("invalid value '{}' for setting {}: expected {}",
                            ValueText(statement.value), statement.name, expected),
                statement.value.position);
}

// A duration setting: '10s' style text, or an integer of milliseconds (PostgreSQL's unit).
Result<Duration> DurationValue(const sql::SetStatement& statement) {
  if (const auto* millis = std::get_if<int64_t>(&statement.value.value)) {
    if (*millis < 0) return BadValue(statement, "a duration such as '10s' (or milliseconds)");
    return Duration::Millis(*millis);
  }
  if (const auto* text = std::get_if<std::string>(&statement.value.value)) {
    Result<Duration> parsed = ParseDuration(*text);
    if (parsed.ok()) return *parsed;
  }
  return BadValue(statement, "a duration such as '10s' (or milliseconds)");
}

QueryResult OneValue(std::string_view name, const std::string& value) {
  QueryResult result;
  result.command_tag = "SHOW";
  result.schema = std::make_shared<const Schema>(std::vector<Field>{{std::string(name), DataType::kString, false}});
  Chunk rows(result.schema);
  rows.mutable_column(0).AppendString(value);
  result.chunks.push_back(std::move(rows));
  return result;
}

std::string SettingValue(std::string_view name, const Session& session, bool* known) {
  *known = true;
  if (name == "consistency") return std::string(ConsistencyName(session.consistency));
  if (name == "max_staleness") {
    return session.max_staleness ? FormatDuration(*session.max_staleness) : "none";
  }
  if (name == "statement_timeout") return FormatDuration(session.limits.statement_timeout);
  if (name == "max_result_rows") return fmt::format("{}", session.limits.max_result_rows);
  if (auto it = session.client_settings.find(std::string(name));
      it != session.client_settings.end()) {
    return it->second;
  }
  for (const auto& [setting, default_value] : kClientSettings) {
    if (setting == name) return std::string(default_value);
  }
  *known = false;
  return "";
}

}  // namespace

std::string_view ConsistencyName(Consistency consistency) {
  switch (consistency) {
    case Consistency::kMerged:
      return "merged";
    case Consistency::kExact:
      return "exact";
    case Consistency::kSpeed:
      return "speed";
  }
  return "merged";
}

Result<Consistency> ParseConsistency(std::string_view text) {
  if (text.empty() || text == "merged") return Consistency::kMerged;
  if (text == "exact") return Consistency::kExact;
  if (text == "speed") return Consistency::kSpeed;
  return Status(StatusCode::kInvalidArgument,
                fmt::format("unknown consistency '{}': expected merged, exact or speed", text));
}

QueryControl::QueryControl(Duration timeout, std::shared_ptr<std::atomic<bool>> cancelled)
    : timeout_(timeout), cancelled_(std::move(cancelled)) {
  if (timeout.micros > 0) {
    deadline_ = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout.micros);
  }
}

Status QueryControl::Check() const {
  if (cancelled_ && cancelled_->load(std::memory_order_relaxed)) {
    return Status(StatusCode::kCancelled, "canceling statement due to user request");
  }
  if (deadline_ && std::chrono::steady_clock::now() > *deadline_) {
    return Status(StatusCode::kCancelled,
                  fmt::format("canceling statement due to statement timeout ({})",
                              FormatDuration(timeout_)));
  }
  return Status::Ok();
}

QueryControl Session::StartStatement() const {
  return QueryControl(limits.statement_timeout, cancelled);
}

Result<QueryResult> ExecuteSet(const sql::SetStatement& statement, Session& session) {
  const std::string name = CanonicalIdentifier(statement.name);
  QueryResult result;
  result.command_tag = "SET";
  if (name == "consistency") {
    const auto* text = std::get_if<std::string>(&statement.value.value);
    Result<Consistency> consistency =
        text != nullptr && !text->empty() ? ParseConsistency(*text)
                                          : Result<Consistency>(BadValue(statement, ""));
    if (!consistency.ok()) return BadValue(statement, "'merged', 'exact' or 'speed'");
    session.consistency = *consistency;
  } else if (name == "max_staleness") {
    const auto* text = std::get_if<std::string>(&statement.value.value);
    if (text != nullptr && CanonicalIdentifier(*text) == "none") {
      session.max_staleness.reset();
    } else {
      ASSIGN_OR_RETURN(Duration staleness, DurationValue(statement));
      session.max_staleness = staleness.micros > 0 ? std::optional<Duration>(staleness)
                                                   : std::nullopt;
    }
  } else if (name == "statement_timeout") {
    ASSIGN_OR_RETURN(session.limits.statement_timeout, DurationValue(statement));
  } else if (name == "max_result_rows") {
    const auto* rows = std::get_if<int64_t>(&statement.value.value);
    if (rows == nullptr || *rows <= 0) return BadValue(statement, "a positive number of rows");
    session.limits.max_result_rows = static_cast<size_t>(*rows);
  } else {
    bool known = false;
    for (const auto& setting : kClientSettings) known = known || setting.first == name;
    if (!known) {
      return Status(StatusCode::kUndefinedObject,
                    fmt::format("unrecognized configuration parameter \"{}\" (Braid's settings: "
                                "consistency, max_staleness, statement_timeout, max_result_rows)",
                                statement.name),
                    statement.name_position);
    }
    session.client_settings[name] = ValueText(statement.value);
  }
  result.message = fmt::format("{} = {}", name, ValueText(statement.value));
  return result;
}

Result<QueryResult> ExecuteShowSetting(const sql::ShowStatement& statement,
                                       const Session& session) {
  const std::string name = CanonicalIdentifier(statement.setting);
  if (name == "all") {
    QueryResult result;
    result.command_tag = "SHOW";
    result.schema = std::make_shared<const Schema>(std::vector<Field>{{"name", DataType::kString, false},
                                {"setting", DataType::kString, false}});
    Chunk rows(result.schema);
    bool known = false;
    for (std::string_view setting :
         {"consistency", "max_staleness", "statement_timeout", "max_result_rows"}) {
      rows.mutable_column(0).AppendString(setting);
      rows.mutable_column(1).AppendString(SettingValue(setting, session, &known));
    }
    for (const auto& [setting, default_value] : kClientSettings) {
      rows.mutable_column(0).AppendString(setting);
      rows.mutable_column(1).AppendString(SettingValue(setting, session, &known));
    }
    result.chunks.push_back(std::move(rows));
    return result;
  }
  bool known = false;
  std::string value = SettingValue(name, session, &known);
  if (!known) {
    return Status(StatusCode::kUndefinedObject,
                  fmt::format("unrecognized configuration parameter \"{}\" (SHOW STREAMS, VIEWS "
                              "or ALERTS lists objects; SHOW ALL lists the settings)",
                              statement.setting),
                  statement.setting_position);
  }
  return OneValue(name, value);
}

}  // namespace braid::serving
