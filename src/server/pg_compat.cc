#include "server/pg_compat.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <regex>
#include <thread>
#include <variant>
#include <vector>

#include "server/pg_compat_catalog.h"

namespace braid::server {

namespace {

// The functions clients call at connect time, each answered as one column of one row.
std::optional<Result<CompatValue>> AnswerFunction(std::string_view name, std::string_view argument,
                                                  const serving::Session& session,
                                                  const PgClientInfo& client) {
  if (name == "version" && argument.empty()) {
    return Result<CompatValue>(std::string("PostgreSQL 15.0 (Braid) on x86_64-pc-linux-gnu"));
  }
  if (name == "current_database") return Result<CompatValue>(std::string(client.database));
  if (name == "current_schema") return Result<CompatValue>(std::string("public"));
  if (name == "current_user" || name == "session_user" || name == "user") {
    return Result<CompatValue>(std::string(client.user));
  }
  if (name == "pg_backend_pid") return Result<CompatValue>(int64_t{client.process_id});
  if (name == "pg_sleep") {
    if (CanonicalIdentifier(argument) == "null") return Result<CompatValue>(std::string());
    char* end = nullptr;
    const std::string text(argument);
    const double seconds = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(seconds)) return std::nullopt;
    const serving::QueryControl control = session.StartStatement();
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6));
    while (std::chrono::steady_clock::now() < until) {
      Status checked = control.Check();
      if (!checked.ok()) return Result<CompatValue>(checked);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Result<CompatValue>(std::string());  // void prints as an empty value
  }
  return std::nullopt;
}

// `SELECT f() [AS name], ...` over the functions above; nullopt when any item is something else.
std::optional<Result<serving::QueryResult>> AnswerFunctions(std::string_view sql,
                                                            const serving::Session& session,
                                                            const PgClientInfo& client) {
  static const std::regex kSelect(R"(^\s*select\s+(.*?)\s*;?\s*$)", std::regex::icase);
  static const std::regex kItem(
      R"re(^\s*(?:pg_catalog\.)?(\w+)\s*(?:\(\s*([^()]*?)\s*\))?\s*(?:as\s+"?(\w+)"?)?\s*$)re",
      std::regex::icase);
  std::cmatch select;
  if (!std::regex_match(sql.begin(), sql.end(), select, kSelect)) return std::nullopt;
  const std::string items = select[1].str();
  CompatTable table;
  std::vector<CompatValue> row;
  size_t start = 0;
  while (start <= items.size()) {
    size_t end = items.find(',', start);
    if (end == std::string::npos) end = items.size();
    const std::string item = items.substr(start, end - start);
    start = end + 1;
    std::smatch match;
    if (!std::regex_match(item, match, kItem)) return std::nullopt;
    const std::string name = CanonicalIdentifier(match[1].str());
    const bool call = match[2].matched || item.find('(') != std::string::npos;
    const bool bare = name == "current_user" || name == "session_user" || name == "user" ||
                      name == "current_schema";
    if (!call && !bare) return std::nullopt;
    std::optional<Result<CompatValue>> value =
        AnswerFunction(name, match[2].str(), session, client);
    if (!value) return std::nullopt;
    if (!value->ok()) return Result<serving::QueryResult>(value->status());
    const DataType type =
        std::holds_alternative<int64_t>(**value) ? DataType::kBigint : DataType::kString;
    table.columns.push_back({match[3].matched ? match[3].str() : name, type});
    row.push_back(std::move(**value));
  }
  table.rows.push_back(std::move(row));
  return Result<serving::QueryResult>(table.ToResult());
}

}  // namespace

std::optional<Result<serving::QueryResult>> AnswerCompatQuery(std::string_view sql,
                                                              serving::Database& database,
                                                              const serving::Session& session,
                                                              const PgClientInfo& client) {
  const std::string lower = CanonicalIdentifier(sql);
  if (lower.find("pg_catalog.") != std::string::npos ||
      lower.find("information_schema.") != std::string::npos) {
    return AnswerCatalogQuery(sql, database, client);
  }
  if (!lower.starts_with("select")) return std::nullopt;
  return AnswerFunctions(sql, session, client);
}

}  // namespace braid::server
