#include "server/http_message.h"

#include "common/json_writer.h"

namespace braid::server {
namespace {

std::optional<std::string_view> FindValue(const NameValues& pairs, std::string_view name) {
  for (const auto& [key, value] : pairs) {
    if (key == name) return std::string_view{value};
  }
  return std::nullopt;
}

void WriteErrorObject(JsonWriter& json, std::string_view code, std::string_view message) {
  json.Key("code").String(code).Key("message").String(message);
}

}  // namespace

std::string_view Request::Header(std::string_view name) const {
  auto it = message_.find(boost::beast::string_view(name.data(), name.size()));
  if (it == message_.end()) return {};
  return std::string_view(it->value().data(), it->value().size());
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  return FindValue(query_, name);
}

std::string_view Request::PathParam(std::string_view name) const {
  return FindValue(path_params_, name).value_or(std::string_view());
}

Response JsonResponse(int status, std::string json) {
  Response response;
  response.status = status;
  response.body = std::move(json);
  return response;
}

Response ErrorResponse(const Status& status) {
  JsonWriter json;
  json.BeginObject().Key("error").BeginObject();
  WriteErrorObject(json, StatusCodeName(status.code()), status.message());
  json.Key("sqlstate").String(SqlState(status.code()));
  if (status.position()) {
    json.Key("line").Int(status.position()->line).Key("column").Int(status.position()->column);
  }
  json.EndObject().EndObject();
  return JsonResponse(HttpStatusOf(status.code()), json.Take());
}

Response ErrorResponse(int http_status, std::string_view code, std::string_view message) {
  JsonWriter json;
  json.BeginObject().Key("error").BeginObject();
  WriteErrorObject(json, code, message);
  json.EndObject().EndObject();
  return JsonResponse(http_status, json.Take());
}

Responder::~Responder() { AnswerIfDropped(); }

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    AnswerIfDropped();
    sink_ = std::move(other.sink_);
  }
  return *this;
}

void Responder::AnswerIfDropped() {
  if (!sink_) return;
  Send(ErrorResponse(Status(StatusCode::kInternal, "the request was dropped without an answer")));
}

void Responder::Send(Response response) {
  if (!sink_) return;
  std::shared_ptr<ResponseSink> sink = std::move(sink_);
  sink->Deliver(std::move(response));
}

}  // namespace braid::server
