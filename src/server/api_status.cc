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

std::optional<Timestamp> WatermarkTime(int64_t watermark) {
  if (watermark == speed::kNoWatermark) return std::nullopt;
  return Timestamp{watermark};
}

void WriteOptionalTime(JsonWriter& json, std::optional<Timestamp> time) {
  time ? json.String(FormatRfc3339(*time)) : json.Null();
}

// The speed layer's reader of one stream: rate, latency, backlog.
void WriteStreamSpeed(JsonWriter& json, const serving::SpeedStreamReport& report) {
  const speed::TailerStatus& tailer = report.tailer;
  json.Key("speed").BeginObject();
  json.Key("events").Uint(tailer.events).Key("events_per_second").Double(tailer.events_per_second);
  json.Key("open_generation").Int(report.open_generation);
  json.Key("latency_ms").BeginObject().Key("p50").Double(tailer.latency_p50_ms);
  json.Key("p99").Double(tailer.latency_p99_ms).Key("max").Double(tailer.latency_max_ms);
  json.Key("samples").Uint(tailer.latency_samples).EndObject();
  json.Key("partitions").BeginArray();
  for (size_t p = 0; p < tailer.positions.size(); ++p) {
    json.BeginObject().Key("id").Uint(p).Key("position").Uint(tailer.positions[p]);
    json.Key("backlog").Uint(tailer.backlog[p]).EndObject();
  }
  json.EndArray().Key("error");
  tailer.error.empty() ? json.Null() : json.String(tailer.error);
  json.EndObject();
}

// The speed state of one view: watermark, generations, memory, lateness figures.
void WriteViewSpeed(JsonWriter& json, const speed::SpeedViewStatus& state) {
  json.Key("speed_watermark");
  WriteOptionalTime(json, WatermarkTime(state.watermark));
  json.Key("generations").BeginArray();
  for (int64_t generation : state.generations) {
    if (generation > state.absorbed_epoch) json.Int(generation);
  }
  json.EndArray();
  const speed::SpeedCounters& counters = state.counters;
  json.Key("speed").BeginObject();
  json.Key("absorbed_epoch").Int(state.absorbed_epoch);
  json.Key("held_generations").BeginArray();
  for (int64_t generation : state.generations) json.Int(generation);
  json.EndArray();
  json.Key("state_bytes").Uint(state.state_bytes).Key("groups").Uint(state.groups);
  const batch::ReadCacheStats& kept = state.kept_rows;
  json.Key("kept_rows").BeginObject().Key("rows").Uint(kept.rows).Key("bytes").Uint(kept.bytes);
  json.Key("hits").Uint(kept.hits).Key("misses").Uint(kept.misses).EndObject();
  json.Key("events").Uint(counters.events).Key("counted").Uint(counters.counted);
  json.Key("late").Uint(counters.late).Key("adjusted").Uint(counters.adjusted);
  json.Key("dropped").Uint(counters.dropped).Key("out_of_order").Uint(counters.out_of_order);
  json.Key("out_of_order_share")
      .Double(counters.events == 0 ? 0.0
                                   : static_cast<double>(counters.out_of_order) /
                                         static_cast<double>(counters.events));
  json.Key("null_time").Uint(counters.null_time);
  json.Key("emitted_rows").Uint(counters.emitted_rows);
  json.Key("partition_watermarks").BeginArray();
  for (int64_t mark : state.partition_watermarks) WriteOptionalTime(json, WatermarkTime(mark));
  json.EndArray();
  json.Key("error");
  state.error.empty() ? json.Null() : json.String(state.error);
  json.EndObject();
}

void WriteAlertsStatus(JsonWriter& json, serving::Database& database) {
  json.Key("alerts").BeginObject();
  json.Key("stored").Uint(database.alerts().alerts_stored());
  json.Key("errors").Uint(database.speed().alert_errors());
  json.Key("webhooks").BeginArray();
  for (const speed::WebhookStatus& webhook : database.alerts().webhooks()) {
    json.BeginObject().Key("url").String(webhook.url);
    json.Key("delivered").Uint(webhook.delivered).Key("pending").Uint(webhook.pending);
    json.Key("failures").Uint(webhook.failures).Key("last_error");
    webhook.last_error.empty() ? json.Null() : json.String(webhook.last_error);
    json.EndObject();
  }
  json.EndArray().EndObject();
}

// The figures of one view, or the error that prevented reading them.
Status WriteViewStatus(JsonWriter& json, serving::Database& database,
                       const sql::ViewPlanPtr& plan,
                       const std::vector<serving::SpeedViewReport>& speed_views) {
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
  for (const serving::SpeedViewReport& report : speed_views) {
    if (CanonicalIdentifier(report.view) == CanonicalIdentifier(plan->name)) {
      WriteViewSpeed(json, report.state);
    }
  }
  json.EndObject();
  return Status::Ok();
}

Response StatusResponse(ApiContext& context) {
  serving::Database& database = context.database();
  const std::vector<serving::SpeedStreamReport> speed_streams = database.speed().StreamReports();
  const std::vector<serving::SpeedViewReport> speed_views = database.speed().ViewReports();
  JsonWriter json;
  json.BeginObject().Key("streams").BeginObject();
  for (const sql::StreamDefinitionPtr& definition : database.catalog().Streams()) {
    Result<serving::StreamHandle> stream = database.FindStream(definition->name);
    if (!stream.ok()) continue;  // dropped since the catalog was listed
    json.Key(definition->name).BeginObject();
    WriteStreamStatus(json, *stream->log);
    WriteCaptureStatus(json, database.capture().LakeStatusOf(definition->name));
    for (const serving::SpeedStreamReport& report : speed_streams) {
      if (report.stream == CanonicalIdentifier(definition->name)) WriteStreamSpeed(json, report);
    }
    json.EndObject();
  }
  json.EndObject().Key("views").BeginObject();
  for (const sql::ViewPlanPtr& plan : database.catalog().Views()) {
    json.Key(plan->name);
    if (Status written = WriteViewStatus(json, database, plan, speed_views); !written.ok()) {
      json.BeginObject().Key("error").String(written.ToString()).EndObject();
    }
  }
  json.EndObject();
  WriteAlertsStatus(json, database);
  if (const std::string error = database.speed().sync_error(); !error.empty()) {
    json.Key("speed_error").String(error);
  }
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
