#include "server/api_status.h"

#include "common/json_writer.h"
#include "common/version.h"

namespace braid::server {
namespace {

void WriteStreamStatus(JsonWriter& json, log::StreamLog& stream_log) {
  json.BeginObject();
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
  json.EndObject();
}

}  // namespace

void HandleGetStatus(ApiContext& context, const Request& /*request*/, Responder responder) {
  serving::Database& database = context.database();
  JsonWriter json;
  json.BeginObject().Key("streams").BeginObject();
  for (const sql::StreamDefinitionPtr& definition : database.catalog().Streams()) {
    Result<serving::StreamHandle> stream = database.FindStream(definition->name);
    if (!stream.ok()) continue;  // dropped since the catalog was listed
    json.Key(definition->name);
    WriteStreamStatus(json, *stream->log);
  }
  json.EndObject();
  const Duration uptime = Now() - context.started_at();
  json.Key("uptime_s").Double(static_cast<double>(uptime.micros) / 1e6);
  json.Key("version").String(VersionString());
  json.EndObject();
  responder.Send(JsonResponse(200, json.Take()));
}

}  // namespace braid::server
