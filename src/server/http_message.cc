#include "server/http_message.h"

#include <utility>

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

std::shared_ptr<std::atomic<bool>> Responder::WatchHangUp() {
  auto hung_up = std::make_shared<std::atomic<bool>>(false);
  if (sink_) sink_->WatchHangUp(hung_up);
  return hung_up;
}

std::shared_ptr<StreamWriter> Responder::Stream(StreamHead head) {
  if (!sink_) {
    auto ended = std::make_shared<StreamWriter>(head.max_queued_bytes, [] {});
    ended->End();
    return ended;
  }
  std::shared_ptr<ResponseSink> sink = std::move(sink_);
  return sink->DeliverStream(std::move(head));
}

StreamWriter::StreamWriter(size_t max_queued_bytes, Wake wake)
    : max_queued_bytes_(max_queued_bytes), wake_(std::move(wake)) {}

bool StreamWriter::Write(std::string_view chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kOpen) return false;
  if (queued_.size() + chunk.size() > max_queued_bytes_) {
    state_ = State::kOverflowed;
    std::string().swap(queued_);  // release the memory now, not when the connection takes it
    WakeLocked();
    return false;
  }
  queued_.append(chunk);
  WakeLocked();
  return true;
}

void StreamWriter::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kOpen) return;
  state_ = State::kDraining;
  WakeLocked();
  room_.notify_all();
}

bool StreamWriter::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_ != State::kOpen;
}

bool StreamWriter::AwaitRoom(size_t bytes) {
  std::unique_lock<std::mutex> lock(mu_);
  room_.wait(lock, [&] {
    return state_ != State::kOpen || queued_.size() + bytes <= max_queued_bytes_;
  });
  return state_ == State::kOpen;
}

void StreamWriter::SetOnClosed(std::function<void()> on_closed) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kEnded) {
      on_closed_ = std::move(on_closed);
      return;
    }
  }
  if (on_closed) on_closed();
}

StreamWriter::Pending StreamWriter::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  wake_pending_ = false;
  Pending pending{.bytes = std::move(queued_), .state = state_};
  queued_.clear();
  room_.notify_all();
  return pending;
}

std::function<void()> StreamWriter::End() {
  std::lock_guard<std::mutex> lock(mu_);
  state_ = State::kEnded;
  std::string().swap(queued_);
  room_.notify_all();
  return std::exchange(on_closed_, nullptr);
}

size_t StreamWriter::queued_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queued_.size();
}

void StreamWriter::WakeLocked() {
  if (wake_pending_) return;
  wake_pending_ = true;
  wake_();
}

}  // namespace braid::server
