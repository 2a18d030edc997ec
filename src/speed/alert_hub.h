// AlertHub: where the speed layer's alerts go (issue 6 item 5). When a window of a view closes
// (SEMANTICS.md "Emission"), every CREATE ALERT rule on the view is evaluated over the window's
// row; each row that matches becomes one Alert, handed to Fire. The hub
//   1. drops alerts whose id was fired before (an alert fires once per window, also across
//      restarts and replays: ids are deterministic, rule + view + keys + window),
//   2. appends the rest, one JSON line each, to the append-only file DATA/alerts/alerts.jsonl and
//      makes them durable (fdatasync) before Fire returns,
//   3. hands them to every live subscriber (GET /v1/alerts, Server-Sent Events), and
//   4. to every configured webhook ([[alerts.webhooks]] in braid.toml): one POST of the alert's
//      JSON per alert, in file order, retried with exponential backoff until the receiver answers
//      2xx; each webhook's position in the file is persisted after every delivery, so a receiver
//      that fails and recovers, or a Braid restart, still delivers every alert (at least once;
//      receivers dedupe by "id").
// Every alert carries a sequence number (its line number in the file, from 1), used as the SSE
// event id so a client reconnecting with Last-Event-ID resumes where it stopped.
//
// Thread-safe: Fire, Subscribe and Unsubscribe may be called from any thread. Subscriber callbacks
// run on the thread that called Fire and must not block (post to your own executor).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace braid::speed {

struct Alert {
  std::string id;    // deterministic: the same (rule, view, keys, window) always has the same id
  std::string rule;  // the CREATE ALERT name
  std::string view;
  Timestamp window_end;  // the window's end (a session's end); for pruning remembered ids
  // The whole alert as one JSON object without a trailing newline: {"id", "rule", "view",
  // "keys": {...}, "window_start", "window_end", "values": {...}, "fired_at"}. Fire adds
  // "sequence" as the first member when it stores the alert.
  std::string json;
  uint64_t sequence = 0;  // set by Fire
};

struct WebhookOptions {
  std::string url;  // http://host:port/path (no TLS)
  Duration timeout = Duration::Seconds(5);           // per request
  Duration initial_backoff = Duration::Millis(100);  // doubles after each failure ...
  Duration max_backoff = Duration::Seconds(60);      // ... up to this
};

struct AlertHubOptions {
  std::filesystem::path dir;  // DATA/alerts
  std::vector<WebhookOptions> webhooks;
  // Ids of alerts whose window ended longer than this before the newest alert's window are
  // forgotten (memory bound); a replay older than that could fire them again.
  Duration remember_ids_for = Duration::Days(7);
};

struct WebhookStatus {
  std::string url;
  uint64_t delivered = 0;  // alerts acknowledged by the receiver since start
  uint64_t pending = 0;    // alerts in the file not yet delivered
  uint64_t failures = 0;   // failed attempts since start
  std::string last_error;
};

class AlertHub {
 public:
  // Opens (creating) options.dir, loads the ids of remembered alerts and the next sequence number
  // from the file, and starts one delivery thread per webhook, resuming at its persisted position.
  static Result<std::unique_ptr<AlertHub>> Open(AlertHubOptions options);
  ~AlertHub();  // stops the delivery threads (a delivery in flight is abandoned, retried later)

  // Stores and delivers the alerts not fired before (see the header comment); returns how many
  // were new. An I/O error storing them is returned and none of them is delivered.
  Result<size_t> Fire(std::vector<Alert> alerts);

  using Subscriber = std::function<void(const Alert& alert)>;
  // Calls `subscriber` for every alert stored after this call; first, synchronously, for every
  // stored alert with sequence > *after (when given; Last-Event-ID resumption). Returns a token
  // for Unsubscribe.
  uint64_t Subscribe(Subscriber subscriber, std::optional<uint64_t> after = std::nullopt);
  void Unsubscribe(uint64_t token);

  uint64_t alerts_stored() const;  // alerts in the file (the last sequence number)
  std::vector<WebhookStatus> webhooks() const;

 private:
  AlertHub() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace braid::speed
