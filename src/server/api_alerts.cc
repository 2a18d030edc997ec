#include "server/api_alerts.h"

#include <fmt/format.h>

#include <charconv>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace braid::server {
namespace {

constexpr std::string_view kConnected = ": connected\n\n";
constexpr std::string_view kKeepAlive = ": keep-alive\n\n";

Result<uint64_t> ParseSequence(std::string_view what, std::string_view text) {
  uint64_t sequence = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, sequence);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("{} must be an alert sequence number (a non-negative integer), "
                              "not '{}'",
                              what, text));
  }
  return sequence;
}

// The alert's JSON is one line (it is stored as a JSON line), so one data field carries it.
std::string EventOf(const speed::Alert& alert) {
  return fmt::format("id: {}\nevent: alert\ndata: {}\n\n", alert.sequence, alert.json);
}

// What the hub's subscriber callback, the writer's on_closed and ServeAlerts share. Alerts that
// arrive while Subscribe runs (the replay, and any fired meanwhile) are held, so that they follow
// ": connected", which is written once Subscribe has returned.
class AlertSubscription {
 public:
  explicit AlertSubscription(std::shared_ptr<StreamWriter> writer) : writer_(std::move(writer)) {}

  void Deliver(const speed::Alert& alert) {
    std::string event = EventOf(alert);
    std::lock_guard<std::mutex> lock(mu_);
    if (live_) {
      writer_->Write(event);  // a failure ends the stream; on_closed unsubscribes
    } else if (!held_full_) {
      if (kConnected.size() + held_.size() + event.size() > writer_->max_queued_bytes()) {
        held_full_ = true;  // the client resumes after the last event it gets
      } else {
        held_ += event;
      }
    }
  }

  // After Subscribe returned: sends ": connected" and what was held. Returns the token to
  // unsubscribe now when the stream ended meanwhile.
  std::optional<uint64_t> GoLive(uint64_t token) {
    std::lock_guard<std::mutex> lock(mu_);
    live_ = true;
    writer_->Write(std::string(kConnected) + held_);
    std::string().swap(held_);
    if (held_full_) writer_->Close();
    if (ended_) return token;
    token_ = token;
    return std::nullopt;
  }

  // The stream ended. Returns the token to unsubscribe when subscribed.
  std::optional<uint64_t> End() {
    std::lock_guard<std::mutex> lock(mu_);
    ended_ = true;
    return std::exchange(token_, std::nullopt);
  }

 private:
  const std::shared_ptr<StreamWriter> writer_;
  std::mutex mu_;
  bool live_ = false;              // guarded by mu_
  std::string held_;               // guarded by mu_
  bool held_full_ = false;         // guarded by mu_: held_ reached the stream's bound
  bool ended_ = false;             // guarded by mu_
  std::optional<uint64_t> token_;  // guarded by mu_
};

}  // namespace

Result<std::optional<uint64_t>> AlertsResumePoint(const Request& request) {
  std::string_view last_event_id = request.Header("Last-Event-ID");
  if (!last_event_id.empty()) {
    ASSIGN_OR_RETURN(uint64_t after, ParseSequence("Last-Event-ID", last_event_id));
    return std::optional<uint64_t>(after);
  }
  if (std::optional<std::string_view> query = request.Query("after")) {
    ASSIGN_OR_RETURN(uint64_t after, ParseSequence("after", *query));
    return std::optional<uint64_t>(after);
  }
  return std::optional<uint64_t>();
}

void ServeAlerts(speed::AlertHub& hub, std::optional<uint64_t> after, Responder responder,
                 const AlertStreamOptions& options) {
  std::shared_ptr<StreamWriter> writer = responder.Stream(StreamHead{
      .status = 200,
      .content_type = "text/event-stream",
      .headers = {{"Cache-Control", "no-cache"}},
      .max_queued_bytes = options.max_queued_bytes,
      .idle_interval = options.keep_alive_interval,
      .idle_text = std::string(kKeepAlive),
  });
  auto subscription = std::make_shared<AlertSubscription>(writer);
  // Runs on an io thread, or here when the stream has ended already. Weak: the writer must not
  // keep alive what keeps it alive; the subscription lives while the hub holds its callback.
  writer->SetOnClosed([&hub, weak = std::weak_ptr<AlertSubscription>(subscription),
                       on_unsubscribed = options.on_unsubscribed] {
    std::shared_ptr<AlertSubscription> subscription = weak.lock();
    if (subscription == nullptr) return;
    if (std::optional<uint64_t> token = subscription->End()) {
      hub.Unsubscribe(*token);
      if (on_unsubscribed) on_unsubscribed();
    }
  });
  const uint64_t token = hub.Subscribe(
      [subscription](const speed::Alert& alert) { subscription->Deliver(alert); }, after);
  if (std::optional<uint64_t> ended = subscription->GoLive(token)) {
    hub.Unsubscribe(*ended);
    if (options.on_unsubscribed) options.on_unsubscribed();
  }
}

void HandleGetAlerts(ApiContext& api, const Request& request, Responder responder) {
  Result<std::optional<uint64_t>> after = AlertsResumePoint(request);
  if (!after.ok()) {
    responder.Send(ErrorResponse(after.status()));
    return;
  }
  api.RunBlocking(
      [&hub = api.database().alerts(), after = *after, responder = std::move(responder)]() mutable {
        ServeAlerts(hub, after, std::move(responder));
      });
}

}  // namespace braid::server
