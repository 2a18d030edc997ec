#include "server/api_views.h"

#include <charconv>
#include <string_view>
#include <system_error>

#include "common/json_writer.h"
#include "common/time.h"

namespace braid::server {
namespace {

void OptionalTime(JsonWriter& json, std::string_view key, const std::optional<Timestamp>& time) {
  json.Key(key);
  if (time) {
    json.String(FormatRfc3339(*time));
  } else {
    json.Null();
  }
}

void OptionalId(JsonWriter& json, std::string_view key, const std::optional<int64_t>& id) {
  json.Key(key);
  if (id) {
    json.Int(*id);
  } else {
    json.Null();
  }
}

void WriteJob(JsonWriter& json, const serving::JobInfo& job) {
  json.BeginObject();
  json.Key("id").Int(job.id);
  json.Key("kind").String(serving::JobKindName(job.kind));
  json.Key("view").String(job.view);
  json.Key("state").String(serving::JobStateName(job.state));
  json.Key("progress").Double(job.progress);
  OptionalTime(json, "submitted", job.submitted);
  OptionalTime(json, "not_before", job.not_before);
  OptionalTime(json, "started", job.started);
  OptionalTime(json, "finished", job.finished);
  json.Key("duration_ms");
  if (auto duration = job.duration()) {
    json.Double(static_cast<double>(duration->micros) / 1000.0);
  } else {
    json.Null();
  }
  json.Key("version").Int(job.version);
  json.Key("from_epoch").Int(job.from_epoch);
  json.Key("to_epoch").Int(job.to_epoch);
  json.Key("rows_read").Uint(job.rows_read);
  json.Key("bytes_read").Uint(job.bytes_read);
  json.Key("rows_written").Uint(job.rows_written);
  json.Key("scheduled").Bool(job.scheduled);
  json.Key("attempt").Int(job.attempt);
  OptionalId(json, "retry_of", job.retry_of);
  OptionalId(json, "retried_by", job.retried_by);
  json.Key("error");
  if (job.error.empty()) {
    json.Null();
  } else {
    json.String(job.error);
  }
  json.EndObject();
}

void Submit(ApiContext& context, const Request& request, Responder responder,
            serving::JobKind kind) {
  Result<int64_t> id = context.database().batch_jobs().Submit(kind, request.PathParam("view"));
  if (!id.ok()) return responder.Send(ErrorResponse(id.status()));
  JsonWriter json;
  json.BeginObject().Key("job").Int(*id).EndObject();
  responder.Send(JsonResponse(202, json.Take()));
}

}  // namespace

std::string JobJson(const serving::JobInfo& job) {
  JsonWriter json;
  WriteJob(json, job);
  return json.Take();
}

void HandlePostRefresh(ApiContext& context, const Request& request, Responder responder) {
  Submit(context, request, std::move(responder), serving::JobKind::kRefresh);
}

void HandlePostRecompute(ApiContext& context, const Request& request, Responder responder) {
  Submit(context, request, std::move(responder), serving::JobKind::kRecompute);
}

void HandleGetJob(ApiContext& context, const Request& request, Responder responder) {
  const std::string_view text = request.PathParam("id");
  int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size()) {
    return responder.Send(ErrorResponse(
        Status(StatusCode::kUndefinedObject, "job '" + std::string(text) + "' does not exist")));
  }
  Result<serving::JobInfo> job = context.database().batch_jobs().Get(id);
  if (!job.ok()) return responder.Send(ErrorResponse(job.status()));
  responder.Send(JsonResponse(200, JobJson(*job)));
}

void HandleGetJobs(ApiContext& context, const Request&, Responder responder) {
  JsonWriter json;
  json.BeginObject().Key("jobs").BeginArray();
  for (const serving::JobInfo& job : context.database().batch_jobs().List()) WriteJob(json, job);
  json.EndArray().EndObject();
  responder.Send(JsonResponse(200, json.Take()));
}

}  // namespace braid::server
