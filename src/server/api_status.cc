#include "server/api_status.h"

#include "common/json_writer.h"
#include "common/time.h"
#include "common/version.h"

namespace braid::server {
namespace {

void WriteStreamStatus(JsonWriter& json, log::StreamLog& stream_log) {
  json.Key("events").Uint(stream_log.TotalEvents()).Key("bytes").Uint(stream_log.TotalBytes());
  json.Key("partitions").BeginArray();
  for (int id = 0; id < stream_log.num_partitions(); ++id) {
    const log::Partition& partition = stream_log.partition(id);
    json.BeginObject().Key("id").Int(id);
    json.Key("start_offset").Uint(partition.start_offset());
    json.Key("end_offset").Uint(partition.end_offset());
    json.Key("bytes").Uint(partition.size_bytes()).EndObject();
  }
  json.EndArray();
  const log::Partition& dead_letters = stream_log.dead_letters();
  json.Key("dead_letters").Uint(dead_letters.end_offset() - dead_letters.start_offset());
}

void WriteCaptureStatus(JsonWriter& json, const Result<serving::LakeStatus>& lake) {
  json.Key("capture").BeginObject();
  if (!lake.ok()) {
    json.Key("error").String(lake.status().ToString()).EndObject();
    return;
  }
  json.Key("epoch").Int(lake->epoch).Key("end_offsets").BeginArray();
  for (uint64_t offset : lake->end_offsets) json.Uint(offset);
  json.EndArray();
  json.Key("table_version").Int(lake->table_version);
  json.Key("lag_events").Uint(lake->lag_events).Key("lag_seconds").Double(lake->lag_seconds);
  json.Key("files").Uint(lake->files).Key("bytes").Uint(lake->bytes);
  json.Key("small_files").Uint(lake->small_files);
  json.EndObject();
}

void WriteLastJob(JsonWriter& json, const std::optional<serving::JobInfo>& job) {
  json.Key("last_refresh");
  if (!job) {
    json.Null();
    return;
  }
  json.BeginObject().Key("job").Int(job->id);
  json.Key("kind").String(serving::JobKindName(job->kind));
  json.Key("state").String(serving::JobStateName(job->state));
  json.Key("finished");
  job->finished ? json.String(FormatRfc3339(*job->finished)) : json.Null();
  json.EndObject();
}

// The figures of one view, or the error that prevented reading them.
Status WriteViewStatus(JsonWriter& json, serving::Database& database,
                       const sql::ViewPlanPtr& plan) {
  serving::ViewVersions& versions = database.view_versions();
  ASSIGN_OR_RETURN(std::optional<serving::ServedVersion> served, versions.Served(plan));
  serving::VersionCoverage coverage;
  if (served) {
    ASSIGN_OR_RETURN(coverage, versions.CoverageOf(*served));
  }
  json.BeginObject().Key("version");
  served ? json.Int(served->version) : json.Null();
  json.Key("batch_epoch").Int(coverage.batch_epoch).Key("batch_horizon");
  coverage.batch_horizon ? json.String(FormatRfc3339(*coverage.batch_horizon)) : json.Null();
  WriteLastJob(json, database.batch_jobs().NewestJobOf(plan->name));
  const std::optional<int64_t> building = versions.Building(plan->name);
  json.Key("building");
  building ? json.Int(*building) : json.Null();
  json.EndObject();
  return Status::Ok();
}

Response StatusResponse(ApiContext& context) {
  serving::Database& database = context.database();
  JsonWriter json;
  json.BeginObject().Key("streams").BeginObject();
  for (const sql::StreamDefinitionPtr& definition : database.catalog().Streams()) {
    Result<serving::StreamHandle> stream = database.FindStream(definition->name);
    if (!stream.ok()) continue;  // dropped since the catalog was listed
    json.Key(definition->name).BeginObject();
    WriteStreamStatus(json, *stream->log);
    WriteCaptureStatus(json, database.capture().LakeStatusOf(definition->name));
    json.EndObject();
  }
  json.EndObject().Key("views").BeginObject();
  for (const sql::ViewPlanPtr& plan : database.catalog().Views()) {
    json.Key(plan->name);
    if (Status written = WriteViewStatus(json, database, plan); !written.ok()) {
      json.BeginObject().Key("error").String(written.ToString()).EndObject();
    }
  }
  json.EndObject();
  const Duration uptime = Now() - context.started_at();
  json.Key("uptime_s").Double(static_cast<double>(uptime.micros) / 1e6);
  json.Key("version").String(VersionString());
  json.EndObject();
  return JsonResponse(200, json.Take());
}

}  // namespace

// The first status of a stream or view after a start replays its Delta log, so this runs on a
// blocking thread rather than an io thread.
void HandleGetStatus(ApiContext& context, const Request& /*request*/, Responder responder) {
  context.RunBlocking([&context, responder = std::move(responder)]() mutable {
    responder.Send(StatusResponse(context));
  });
}

}  // namespace braid::server
