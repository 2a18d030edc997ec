#include "server/api_ingest.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/json_writer.h"
#include "server/event_decoder.h"

namespace braid::server {
namespace {

enum class OnError : uint8_t { kReject, kDeadLetter };

Result<OnError> ParseOnError(std::optional<std::string_view> value) {
  if (!value || *value == "reject") return OnError::kReject;
  if (*value == "dead_letter") return OnError::kDeadLetter;
  return Status(StatusCode::kInvalidArgument,
                fmt::format("unknown on_error '{}': expected 'reject' or 'dead_letter'", *value));
}

Result<log::AppendOptions> AppendOptionsOf(const Request& request) {
  std::string_view key = request.Header("Idempotency-Key");
  if (key.size() > kMaxIdempotencyKeyBytes) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("Idempotency-Key is longer than {} bytes", kMaxIdempotencyKeyBytes));
  }
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) {
      return Status(StatusCode::kInvalidArgument,
                    "Idempotency-Key must be visible ASCII characters");
    }
  }
  return log::AppendOptions{.idempotency_key = std::string(key)};
}

// The 400 answer of an atomic request with bad events.
Response RejectedEventsResponse(const DecodedEvents& decoded) {
  const EventError& first = decoded.errors.front();
  std::string where = first.field.empty()
                          ? fmt::format("event {}", first.index)
                          : fmt::format("event {}, field '{}'", first.index, first.field);
  JsonWriter json;
  json.BeginObject().Key("error").BeginObject();
  json.Key("code").String(StatusCodeName(StatusCode::kDataError));
  json.Key("message").String(
      fmt::format("{} of {} events are invalid and nothing was appended; first: {}: {}",
                  decoded.errors.size(), decoded.total, where, first.message));
  json.Key("events").BeginArray();
  const size_t listed = std::min(decoded.errors.size(), kMaxListedErrors);
  for (size_t i = 0; i < listed; ++i) {
    const EventError& error = decoded.errors[i];
    json.BeginObject().Key("index").Uint(error.index).Key("field").String(error.field);
    json.Key("error").String(error.message).EndObject();
  }
  json.EndArray();
  if (decoded.errors.size() > listed) json.Key("omitted").Uint(decoded.errors.size() - listed);
  json.EndObject().EndObject();
  return JsonResponse(HttpStatusOf(StatusCode::kDataError), json.Take());
}

Response AcceptedResponse(const log::AppendResult& result, uint64_t rejected) {
  JsonWriter json;
  json.BeginObject().Key("accepted").Uint(result.accepted).Key("rejected").Uint(rejected);
  if (result.duplicate) json.Key("duplicate").Bool(true);
  json.Key("partitions").BeginArray();
  for (const auto& [partition, base_offset] : result.batches) {
    json.BeginObject().Key("id").Int(partition).Key("base_offset").Uint(base_offset).EndObject();
  }
  json.EndArray().EndObject();
  return JsonResponse(200, json.Take());
}

// One request's decoded events on their way into the log; shared with the append completion,
// which keeps the Chunk alive until the log is done with it.
struct IngestBatch {
  std::shared_ptr<log::StreamLog> log;
  Chunk events;
  log::AppendOptions options;
  uint64_t rejected = 0;
};

void AppendEvents(std::shared_ptr<IngestBatch> batch, Responder responder) {
  if (batch->events.num_rows() == 0) {
    responder.Send(AcceptedResponse(log::AppendResult{}, batch->rejected));
    return;
  }
  auto pending = std::make_shared<Responder>(std::move(responder));
  log::StreamLog& stream_log = *batch->log;
  const Chunk& events = batch->events;
  const log::AppendOptions& options = batch->options;
  stream_log.AppendAsync(events, options,
                         [batch = std::move(batch), pending](Result<log::AppendResult> result) {
                           pending->Send(result.ok() ? AcceptedResponse(*result, batch->rejected)
                                                     : ErrorResponse(result.status()));
                         });
}

// Runs on a blocking thread: keeps the rejected events, then appends the valid ones.
void DeadLetterThenAppend(std::shared_ptr<IngestBatch> batch, std::vector<EventError> errors,
                          Responder responder) {
  std::vector<log::DeadLetter> letters;
  letters.reserve(errors.size());
  for (EventError& error : errors) {
    letters.push_back(log::DeadLetter{.index = error.index,
                                      .raw = std::move(error.raw),
                                      .field = std::move(error.field),
                                      .reason = std::move(error.message)});
  }
  Result<uint64_t> kept = batch->log->AppendDeadLetters(letters);
  if (!kept.ok()) {
    responder.Send(ErrorResponse(kept.status().WithContext("keeping rejected events")));
    return;
  }
  AppendEvents(std::move(batch), std::move(responder));
}

}  // namespace

void HandlePostEvents(ApiContext& context, const Request& request, Responder responder) {
  Result<serving::StreamHandle> stream = context.database().FindStream(request.PathParam("stream"));
  Result<OnError> on_error = ParseOnError(request.Query("on_error"));
  Result<log::AppendOptions> options = AppendOptionsOf(request);
  for (const Status& status : {stream.status(), on_error.status(), options.status()}) {
    if (!status.ok()) return responder.Send(ErrorResponse(status));
  }
  // The log's current schema: an ALTER STREAM takes effect for the next request.
  EventDecoder decoder(stream->log->schema(), stream->log->config().timestamp_column);
  const EventFormat format =
      DetectEventFormat(request.Header("Content-Type"), request.body().view());
  Result<DecodedEvents> decoded = decoder.Decode(request.body(), format);
  if (!decoded.ok()) return responder.Send(ErrorResponse(decoded.status()));
  if (!decoded->errors.empty() && *on_error == OnError::kReject) {
    return responder.Send(RejectedEventsResponse(*decoded));
  }
  auto batch = std::make_shared<IngestBatch>(IngestBatch{.log = std::move(stream->log),
                                                         .events = std::move(decoded->events),
                                                         .options = std::move(*options),
                                                         .rejected = decoded->errors.size()});
  if (decoded->errors.empty()) return AppendEvents(std::move(batch), std::move(responder));
  context.RunBlocking([batch = std::move(batch), errors = std::move(decoded->errors),
                       responder = std::move(responder)]() mutable {
    DeadLetterThenAppend(std::move(batch), std::move(errors), std::move(responder));
  });
}

}  // namespace braid::server
