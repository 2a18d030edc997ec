#include "server/api_lake.h"

#include <string>

#include "common/json_writer.h"
#include "serving/lake_maintenance.h"

namespace braid::server {
namespace {

using LakeWork = Response (*)(serving::Database& database, const sql::StreamDefinition& stream,
                              const Request& request);

// Looks the stream up and runs `work` on a blocking thread.
void RunOnStream(ApiContext& context, const Request& request, Responder responder,
                 LakeWork work) {
  context.RunBlocking([&context, request, responder = std::move(responder), work]() mutable {
    serving::Database& database = context.database();
    Result<serving::StreamHandle> stream = database.FindStream(request.PathParam("stream"));
    if (!stream.ok()) {
      responder.Send(ErrorResponse(stream.status()));
      return;
    }
    responder.Send(work(database, *stream->definition, request));
  });
}

Response ListFiles(serving::Database& database, const sql::StreamDefinition& stream,
                   const Request&) {
  Result<serving::LakeFiles> listing =
      serving::ListLakeFiles(stream, database.options().data_dir);
  if (!listing.ok()) return ErrorResponse(listing.status());
  JsonWriter json;
  json.BeginObject().Key("version").Int(listing->version).Key("files").BeginArray();
  uint64_t bytes = 0;
  for (const lake::DeltaAddFile& file : listing->files) {
    bytes += static_cast<uint64_t>(file.size);
    json.BeginObject().Key("path").String(file.path).Key("partition_values").BeginObject();
    for (const auto& [name, value] : file.partition_values) {
      json.Key(name);
      if (value) {
        json.String(*value);
      } else {
        json.Null();
      }
    }
    json.EndObject().Key("size").Int(file.size);
    if (!file.stats.empty()) json.Key("stats").Raw(file.stats);
    json.EndObject();
  }
  json.EndArray().Key("bytes").Uint(bytes).EndObject();
  return JsonResponse(200, json.Take());
}

Response Optimize(serving::Database& database, const sql::StreamDefinition& stream,
                  const Request&) {
  Result<lake::OptimizeResult> result = serving::OptimizeLake(stream, database.options().data_dir);
  if (!result.ok()) return ErrorResponse(result.status());
  database.capture().ForgetFigures(stream.name);
  JsonWriter json;
  json.BeginObject().Key("table_version").Int(result->table_version);
  json.Key("files_removed").Uint(result->files_removed);
  json.Key("files_added").Uint(result->files_added).EndObject();
  return JsonResponse(200, json.Take());
}

Response Vacuum(serving::Database& database, const sql::StreamDefinition& stream,
                const Request& request) {
  lake::VacuumOptions options;
  if (std::optional<std::string_view> retention = request.Query("retention")) {
    Result<Duration> parsed = ParseDuration(*retention);
    if (!parsed.ok()) return ErrorResponse(parsed.status().WithContext("retention"));
    options.retention = *parsed;
  }
  const std::optional<std::string_view> dry_run = request.Query("dry_run");
  const bool dry = dry_run && (*dry_run == "true" || *dry_run == "1");
  options.mode = dry ? lake::VacuumOptions::Mode::kDryRun : lake::VacuumOptions::Mode::kDelete;
  Result<lake::VacuumResult> result =
      serving::VacuumLake(stream, database.options().data_dir, options);
  if (!result.ok()) return ErrorResponse(result.status());
  database.capture().ForgetFigures(stream.name);
  JsonWriter json;
  json.BeginObject().Key("dry_run").Bool(dry).Key("deleted").BeginArray();
  for (const std::string& path : result->deleted) json.String(path);
  json.EndArray().EndObject();
  return JsonResponse(200, json.Take());
}

}  // namespace

void HandleGetLakeFiles(ApiContext& context, const Request& request, Responder responder) {
  RunOnStream(context, request, std::move(responder), &ListFiles);
}

void HandlePostOptimize(ApiContext& context, const Request& request, Responder responder) {
  RunOnStream(context, request, std::move(responder), &Optimize);
}

void HandlePostVacuum(ApiContext& context, const Request& request, Responder responder) {
  RunOnStream(context, request, std::move(responder), &Vacuum);
}

}  // namespace braid::server
