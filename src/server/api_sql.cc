#include "server/api_sql.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>

#include "common/json_writer.h"
#include "common/time.h"
#include "serving/view_query.h"

namespace braid::server {
namespace {

struct SqlRequest {
  std::string sql;
  std::string consistency;  // empty = the default (merged)
};

bool IsJsonBody(std::string_view content_type, std::string_view body) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  if (media.size() >= 16 && media.substr(0, 16) == "application/json") return true;
  for (char c : body) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c == '{';
  }
  return false;
}

Status BadSqlRequest(std::string_view why) {
  return Status(StatusCode::kInvalidArgument,
                fmt::format("bad SQL request body: {} (expected {{\"sql\": \"...\", "
                            "\"consistency\": \"merged|exact|speed\"}} or the SQL text)",
                            why));
}

Result<SqlRequest> ParseJsonSqlRequest(const PaddedText& body) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (auto error = parser.parse(body.data(), body.size(), false).get(object)) {
    return BadSqlRequest(simdjson::error_message(error));
  }
  SqlRequest parsed;
  bool has_sql = false;
  for (const simdjson::dom::key_value_pair& member : object) {
    if (member.key != "sql" && member.key != "consistency") {
      return BadSqlRequest(fmt::format("unknown member '{}'", member.key));
    }
    std::string_view value;
    if (member.value.get_string().get(value) != simdjson::SUCCESS) {
      return BadSqlRequest(fmt::format("'{}' must be a string", member.key));
    }
    (member.key == "sql" ? parsed.sql : parsed.consistency) = std::string(value);
    has_sql = has_sql || member.key == "sql";
  }
  if (!has_sql) return BadSqlRequest("missing member 'sql'");
  return parsed;
}

Result<SqlRequest> ParseSqlRequest(const Request& request) {
  SqlRequest parsed;
  if (IsJsonBody(request.Header("Content-Type"), request.body().view())) {
    ASSIGN_OR_RETURN(parsed, ParseJsonSqlRequest(request.body()));
  } else {
    parsed.sql = std::string(request.body().view());
  }
  if (!parsed.consistency.empty() && parsed.consistency != "merged" &&
      parsed.consistency != "exact" && parsed.consistency != "speed") {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("unknown consistency '{}': expected merged, exact or speed",
                              parsed.consistency));
  }
  return parsed;
}

void WriteRows(JsonWriter& json, const serving::QueryResult& result) {
  json.Key("rows").BeginArray();
  for (const Chunk& chunk : result.chunks) {
    for (size_t row = 0; row < chunk.num_rows(); ++row) {
      json.BeginArray();
      for (size_t c = 0; c < chunk.num_columns(); ++c) WriteJsonCell(json, chunk.column(c), row);
      json.EndArray();
    }
  }
  json.EndArray();
}

}  // namespace

std::string QueryResultJson(const serving::QueryResult& result, double elapsed_ms,
                            std::string_view consistency) {
  JsonWriter json;
  json.BeginObject().Key("columns").BeginArray();
  if (result.schema) {
    for (const Field& field : result.schema->fields()) {
      json.BeginObject().Key("name").String(field.name);
      json.Key("type").String(DataTypeName(field.type)).EndObject();
    }
  }
  json.EndArray();
  WriteRows(json, result);
  json.Key("command").String(result.command_tag).Key("message").String(result.message);
  json.Key("meta").BeginObject().Key("elapsed_ms").Double(elapsed_ms);
  json.Key("consistency").String(consistency.empty() ? "merged" : consistency);
  if (const auto& coverage = result.coverage) {  // a query over a view says what it covers
    json.Key("batch_epoch").Int(coverage->batch_epoch);
    json.Key("batch_version").Int(coverage->batch_version);
    json.Key("batch_horizon");
    coverage->batch_horizon ? json.String(FormatRfc3339(*coverage->batch_horizon)) : json.Null();
    json.Key("speed_watermark");
    coverage->speed_watermark ? json.String(FormatRfc3339(*coverage->speed_watermark))
                              : json.Null();
  }
  json.EndObject().EndObject();
  return json.Take();
}

void HandlePostSql(ApiContext& context, const Request& request, Responder responder) {
  Result<SqlRequest> parsed = ParseSqlRequest(request);
  if (!parsed.ok()) return responder.Send(ErrorResponse(parsed.status()));
  context.RunBlocking(
      [&context, parsed = std::move(*parsed), responder = std::move(responder)]() mutable {
        const auto start = std::chrono::steady_clock::now();
        Result<serving::Consistency> consistency = serving::ParseConsistency(parsed.consistency);
        if (!consistency.ok()) return responder.Send(ErrorResponse(consistency.status()));
        Result<serving::QueryResult> result =
            context.database().Execute(parsed.sql, *consistency);
        const std::chrono::duration<double, std::milli> elapsed =
            std::chrono::steady_clock::now() - start;
        if (!result.ok()) return responder.Send(ErrorResponse(result.status()));
        responder.Send(
            JsonResponse(200, QueryResultJson(*result, elapsed.count(), parsed.consistency)));
      });
}

}  // namespace braid::server
