// GET /v1/streams/{stream}/dead_letters (declared in api_ingest.h).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "common/chunk_projection.h"
#include "common/json_writer.h"
#include "server/api_ingest.h"

namespace braid::server {
namespace {

// Payload bytes asked of the log per read.
constexpr size_t kReadBytes = 1 << 20;

Result<std::optional<uint64_t>> ParseOffsetParameter(const Request& request,
                                                     std::string_view name) {
  std::optional<std::string_view> text = request.Query(name);
  if (!text) return std::optional<uint64_t>();
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return Status(
        StatusCode::kInvalidArgument,
        fmt::format("query parameter '{}' must be a non-negative integer, got '{}'", name, *text));
  }
  return std::optional<uint64_t>(value);
}

// Column indexes of the dead-letter schema (StreamLog::DeadLetterSchema).
struct DeadLetterColumns {
  size_t received_at, index, raw, field, reason;
};

Result<DeadLetterColumns> FindDeadLetterColumns(const Schema& schema) {
  DeadLetterColumns columns{};
  const std::pair<const char*, size_t*> wanted[] = {{"received_at", &columns.received_at},
                                                    {"request_index", &columns.index},
                                                    {"raw", &columns.raw},
                                                    {"field", &columns.field},
                                                    {"reason", &columns.reason}};
  for (const auto& [name, slot] : wanted) {
    std::optional<size_t> found = schema.FindField(name);
    if (!found) {
      return Status(StatusCode::kInternal,
                    fmt::format("the dead-letter schema has no column '{}'", name));
    }
    *slot = *found;
  }
  return columns;
}

void WriteDeadLetter(JsonWriter& json, const Chunk& rows, size_t row, uint64_t offset,
                     const DeadLetterColumns& c) {
  json.BeginObject().Key("offset").Uint(offset);
  json.Key("received_at")
      .String(FormatRfc3339(Timestamp{rows.column(c.received_at).int64s()[row]}));
  json.Key("index").Int(rows.column(c.index).int64s()[row]);
  json.Key("field").String(rows.column(c.field).StringAt(row));
  json.Key("reason").String(rows.column(c.reason).StringAt(row));
  json.Key("raw").String(rows.column(c.raw).StringAt(row));
  json.EndObject();
}

// Writes the dead letters in [offset, offset + limit) that exist.
Status WriteDeadLetters(log::Partition& partition, uint64_t offset, uint64_t limit,
                        JsonWriter& json) {
  const SchemaPtr schema = log::StreamLog::DeadLetterSchema();
  ASSIGN_OR_RETURN(DeadLetterColumns columns, FindDeadLetterColumns(*schema));
  uint64_t written = 0;
  while (written < limit) {
    ASSIGN_OR_RETURN(std::vector<log::RecordBatch> batches, partition.Read(offset, kReadBytes));
    if (batches.empty()) break;
    for (log::RecordBatch& batch : batches) {
      // Read by column name, so batches kept under an older dead-letter schema stay readable.
      ASSIGN_OR_RETURN(Chunk rows, ProjectChunk(std::move(batch.events), schema));
      for (size_t row = 0; row < rows.num_rows() && written < limit; ++row) {
        WriteDeadLetter(json, rows, row, offset++, columns);
        ++written;
      }
    }
  }
  return Status::Ok();
}

Response ReadDeadLetters(const std::string& stream, log::Partition& partition,
                         std::optional<uint64_t> from, uint64_t limit) {
  const uint64_t start = partition.start_offset();
  const uint64_t end = partition.end_offset();
  uint64_t offset = from ? std::max(*from, start) : std::max(start, end - std::min(end, limit));
  offset = std::min(offset, end);
  JsonWriter json;
  json.BeginObject().Key("stream").String(stream);
  json.Key("start_offset").Uint(start).Key("end_offset").Uint(end);
  json.Key("dead_letters").BeginArray();
  if (Status status = WriteDeadLetters(partition, offset, limit, json); !status.ok()) {
    return ErrorResponse(status.WithContext("reading dead letters"));
  }
  json.EndArray().EndObject();
  return JsonResponse(200, json.Take());
}

}  // namespace

void HandleGetDeadLetters(ApiContext& context, const Request& request, Responder responder) {
  Result<serving::StreamHandle> stream = context.database().FindStream(request.PathParam("stream"));
  if (!stream.ok()) return responder.Send(ErrorResponse(stream.status()));
  Result<std::optional<uint64_t>> limit = ParseOffsetParameter(request, "limit");
  Result<std::optional<uint64_t>> from = ParseOffsetParameter(request, "from");
  for (const Status& status : {limit.status(), from.status()}) {
    if (!status.ok()) return responder.Send(ErrorResponse(status));
  }
  const uint64_t count =
      std::min(limit->value_or(kDefaultDeadLettersPerRead), kMaxDeadLettersPerRead);
  context.RunBlocking([log = std::move(stream->log), name = stream->definition->name, count,
                       from = *from, responder = std::move(responder)]() mutable {
    responder.Send(ReadDeadLetters(name, log->dead_letters(), from, count));
  });
}

}  // namespace braid::server
