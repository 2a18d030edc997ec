// Webhook delivery for the AlertHub: one thread per configured webhook POSTs every stored alert,
// in file order, to the webhook's URL (the stored line as the body, application/json), retrying an
// alert with exponential backoff until the receiver answers 2xx. The number of alerts delivered
// is the webhook's position, persisted after every delivery in
// DATA/alerts/webhooks/<16 hex digits of Hash64(url)>.pos (the decimal count and '\n', replaced
// atomically), so a restart resumes after the last acknowledged alert (at least once: an alert
// acknowledged just before a crash may be sent again).
//
// CommittedAlerts is how the hub tells the threads that the file grew (and that they must stop);
// it is thread-safe. A WebhookDelivery owns its thread; status() is thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/file_util.h"
#include "common/http_client.h"
#include "common/status.h"
#include "common/time.h"
#include "speed/alert_hub.h"

namespace braid::speed {

// How much of the alerts file is committed (durable, complete lines).
struct AlertFileExtent {
  uint64_t alerts = 0;
  uint64_t bytes = 0;
};

class CommittedAlerts {
 public:
  explicit CommittedAlerts(AlertFileExtent extent) : extent_(extent) {}

  void Advance(AlertFileExtent extent);
  void Stop();  // wakes every waiter; waits return "stopping" from now on

  AlertFileExtent extent() const;
  // Waits until more than `alerts` alerts are committed; nullopt once stopping.
  std::optional<AlertFileExtent> WaitForMoreThan(uint64_t alerts);
  // Waits for `duration` unless stopped first; returns true when stopping.
  bool SleepUnlessStopped(Duration duration);

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  AlertFileExtent extent_;
  bool stopping_ = false;
};

// The position file of the webhook with this URL, inside `positions_dir`.
std::filesystem::path WebhookPositionFile(const std::filesystem::path& positions_dir,
                                          std::string_view url);

class WebhookDelivery {
 public:
  // Validates the URL, reads the persisted position (0 when there is none), finds it in the alerts
  // file and starts the thread. `committed` must outlive this object and be stopped before it is
  // destroyed.
  static Result<std::unique_ptr<WebhookDelivery>> Start(WebhookOptions options,
                                                        const std::filesystem::path& alerts_file,
                                                        const std::filesystem::path& positions_dir,
                                                        CommittedAlerts* committed);
  ~WebhookDelivery();  // joins the thread (returns promptly once `committed` is stopped)
  WebhookDelivery(const WebhookDelivery&) = delete;
  WebhookDelivery& operator=(const WebhookDelivery&) = delete;

  WebhookStatus status() const;

 private:
  WebhookDelivery() = default;
  void Run();
  // Sends one alert until it is acknowledged; false when stopping first.
  bool DeliverWithRetries(std::string_view line);
  Status Post(std::string_view line);
  void RecordDelivery();
  void RecordFailure(const Status& error);

  WebhookOptions options_;
  HttpUrl url_;
  std::filesystem::path alerts_file_;
  std::filesystem::path position_file_;
  CommittedAlerts* committed_ = nullptr;
  UniqueFd file_;                       // read-only, used by the thread only
  uint64_t offset_ = 0;                 // of the next alert to deliver, thread only
  std::unique_ptr<HttpClient> client_;  // thread only; null until connected
  Duration backoff_;                    // thread only

  mutable std::mutex mu_;
  uint64_t position_ = 0;  // alerts delivered in all (the persisted count)
  WebhookStatus status_;   // delivered, failures, last_error (pending is computed)

  std::thread thread_;
};

}  // namespace braid::speed
