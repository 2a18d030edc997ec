#include "speed/webhook_delivery.h"

#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "common/hash.h"
#include "speed/alert_file.h"

namespace braid::speed {

namespace fs = std::filesystem;

void CommittedAlerts::Advance(AlertFileExtent extent) {
  {
    std::lock_guard lock(mu_);
    extent_ = extent;
  }
  changed_.notify_all();
}

void CommittedAlerts::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
}

AlertFileExtent CommittedAlerts::extent() const {
  std::lock_guard lock(mu_);
  return extent_;
}

std::optional<AlertFileExtent> CommittedAlerts::WaitForMoreThan(uint64_t alerts) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return stopping_ || extent_.alerts > alerts; });
  if (stopping_) return std::nullopt;
  return extent_;
}

bool CommittedAlerts::SleepUnlessStopped(Duration duration) {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, std::chrono::microseconds(duration.micros), [&] { return stopping_; });
  return stopping_;
}

fs::path WebhookPositionFile(const fs::path& positions_dir, std::string_view url) {
  return positions_dir / fmt::format("{:016x}.pos", Hash64(url));
}

namespace {

Result<uint64_t> ReadPosition(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return uint64_t{0};
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(file));
  uint64_t position = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), position);
  if (error != std::errc() || std::string_view(end, text.data() + text.size()) != "\n") {
    return Status(StatusCode::kCorruption,
                  fmt::format("webhook position file '{}' does not hold a count", file.string()));
  }
  return position;
}

}  // namespace

Result<std::unique_ptr<WebhookDelivery>> WebhookDelivery::Start(WebhookOptions options,
                                                                const fs::path& alerts_file,
                                                                const fs::path& positions_dir,
                                                                CommittedAlerts* committed) {
  std::unique_ptr<WebhookDelivery> delivery(new WebhookDelivery());
  ASSIGN_OR_RETURN(delivery->url_, ParseHttpUrl(options.url));
  if (options.initial_backoff.micros <= 0 || options.max_backoff < options.initial_backoff) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("webhook {}: initial_backoff must be positive and at most "
                              "max_backoff",
                              options.url));
  }
  delivery->position_file_ = WebhookPositionFile(positions_dir, options.url);
  ASSIGN_OR_RETURN(delivery->position_, ReadPosition(delivery->position_file_));
  const AlertFileExtent extent = committed->extent();
  if (delivery->position_ > extent.alerts) {
    return Status(StatusCode::kCorruption,
                  fmt::format("webhook position file '{}' says {} alerts were delivered, but '{}' "
                              "holds {}",
                              delivery->position_file_.string(), delivery->position_,
                              alerts_file.string(), extent.alerts));
  }
  ASSIGN_OR_RETURN(delivery->file_, OpenFile(alerts_file, O_RDONLY));
  uint64_t lines = 0;
  const uint64_t position = delivery->position_;
  ASSIGN_OR_RETURN(delivery->offset_,
                   ForEachStoredLine(delivery->file_.get(), alerts_file, 0, extent.bytes,
                                     [&](std::string_view) { return lines++ < position; }));
  delivery->options_ = std::move(options);
  delivery->alerts_file_ = alerts_file;
  delivery->committed_ = committed;
  delivery->backoff_ = delivery->options_.initial_backoff;
  delivery->status_.url = delivery->options_.url;
  delivery->thread_ = std::thread([raw = delivery.get()] { raw->Run(); });
  return delivery;
}

WebhookDelivery::~WebhookDelivery() {
  if (thread_.joinable()) thread_.join();
}

WebhookStatus WebhookDelivery::status() const {
  const uint64_t stored = committed_->extent().alerts;
  std::lock_guard lock(mu_);
  WebhookStatus status = status_;
  status.pending = stored - std::min(stored, position_);
  return status;
}

void WebhookDelivery::Run() {
  while (std::optional<AlertFileExtent> extent = committed_->WaitForMoreThan(position_)) {
    Result<uint64_t> end =
        ForEachStoredLine(file_.get(), alerts_file_, offset_, extent->bytes,
                          [&](std::string_view line) { return DeliverWithRetries(line); });
    if (!end.ok()) {
      // Reading the file failed: try again after a backoff, from the same alert.
      RecordFailure(end.status());
      if (committed_->SleepUnlessStopped(backoff_)) return;
      backoff_ = std::min(Duration{backoff_.micros * 2}, options_.max_backoff);
    }
  }
}

bool WebhookDelivery::DeliverWithRetries(std::string_view line) {
  while (true) {
    Status sent = Post(line);
    if (sent.ok()) {
      offset_ += line.size() + 1;
      backoff_ = options_.initial_backoff;
      RecordDelivery();
      return true;
    }
    RecordFailure(sent);
    if (committed_->SleepUnlessStopped(backoff_)) return false;
    backoff_ = std::min(Duration{backoff_.micros * 2}, options_.max_backoff);
  }
}

Status WebhookDelivery::Post(std::string_view line) {
  if (client_ == nullptr) {
    ASSIGN_OR_RETURN(client_, HttpClient::Connect(options_.url, {.timeout = options_.timeout,
                                                                 .user_agent = "braid-webhook"}));
  }
  ASSIGN_OR_RETURN(HttpResponse response,
                   client_->Request("POST", url_.target, line, "application/json"));
  if (response.status < 200 || response.status > 299) {
    return Status(StatusCode::kUnavailable,
                  fmt::format("webhook {} answered HTTP {}", options_.url, response.status));
  }
  return Status::Ok();
}

void WebhookDelivery::RecordDelivery() {
  uint64_t position;
  {
    std::lock_guard lock(mu_);
    position = ++position_;
    ++status_.delivered;
  }
  Status persisted = WriteFileAtomically(position_file_, fmt::format("{}\n", position));
  // Not persisting only means a restart sends this alert again (at least once); keep delivering
  // and report it.
  if (!persisted.ok()) {
    std::lock_guard lock(mu_);
    status_.last_error = persisted.WithContext("persisting the webhook position").ToString();
  }
}

void WebhookDelivery::RecordFailure(const Status& error) {
  std::lock_guard lock(mu_);
  ++status_.failures;
  status_.last_error = error.ToString();
}

}  // namespace braid::speed
