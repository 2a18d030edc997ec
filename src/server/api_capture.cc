#include "server/api_capture.h"

#include <optional>
#include <string>

#include "common/json_writer.h"

namespace braid::server {
namespace {

std::string_view OutcomeName(lake::CaptureOutcome outcome) {
  switch (outcome) {
    case lake::CaptureOutcome::kCommitted: return "committed";
    case lake::CaptureOutcome::kNoNewEvents: return "no_new_events";
    case lake::CaptureOutcome::kAlreadyCommitted: return "already_committed";
  }
  return "unknown";
}

void WriteCaptureFields(JsonWriter& json, const lake::CaptureResult& result) {
  json.Key("outcome").String(OutcomeName(result.outcome));
  json.Key("epoch").Int(result.epoch);
  json.Key("events").Uint(result.events);
  json.Key("files").Uint(result.files);
  json.Key("table_version").Int(result.table_version);
  json.Key("end_offsets").BeginArray();
  for (uint64_t offset : result.end_offsets) json.Uint(offset);
  json.EndArray();
}

Response CaptureResponse(serving::Database& database, std::optional<std::string> only) {
  std::vector<std::string> names;
  if (only) {
    names.push_back(*only);
  } else {
    for (const sql::StreamDefinitionPtr& stream : database.catalog().Streams()) {
      names.push_back(stream->name);
    }
  }
  std::vector<std::pair<std::string, lake::CaptureResult>> results;
  for (const std::string& name : names) {
    Result<lake::CaptureResult> result = database.capture().CaptureStream(name);
    if (!result.ok()) return ErrorResponse(result.status());
    results.emplace_back(name, *result);
  }
  JsonWriter json;
  json.BeginObject();
  if (results.size() == 1) WriteCaptureFields(json, results[0].second);
  json.Key("streams").BeginObject();
  for (const auto& [name, result] : results) {
    json.Key(name).BeginObject();
    WriteCaptureFields(json, result);
    json.EndObject();
  }
  json.EndObject().EndObject();
  return JsonResponse(200, json.Take());
}

}  // namespace

void HandlePostCapture(ApiContext& context, const Request& request, Responder responder) {
  std::optional<std::string> only;
  if (auto stream = request.Query("stream")) only = std::string(*stream);
  context.RunBlocking([&context, only = std::move(only), responder = std::move(responder)]() mutable {
    responder.Send(CaptureResponse(context.database(), only));
  });
}

}  // namespace braid::server
