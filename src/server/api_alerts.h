// GET /v1/alerts: the speed layer's alerts as Server-Sent Events (text/event-stream), written as
// they fire (speed/alert_hub.h). The stream begins with the comment `: connected`, sent once the
// subscription is in place (an alert fired after a client has read it reaches that client); then
// each alert is one event
//     id: <sequence>
//     event: alert
//     data: <the alert's JSON, one line>
// followed by a blank line, and while nothing else is written a `: keep-alive` comment every
// 15 s so that proxies keep the connection. A client resumes with the standard `Last-Event-ID`
// header (browsers send it when they reconnect) or `?after=N` (the header wins): the stored alerts
// with a greater sequence are replayed first, in order, then the stream continues live; without
// either only new alerts are sent. A bad value is 400 before the stream starts.
//
// A client that reads too slowly for the stream's bound (StreamHead::max_queued_bytes) is
// disconnected, and a replay larger than the bound is cut at the bound (the stream ends cleanly
// after the last whole event that fits); either way the client reconnects with Last-Event-ID and
// continues where it stopped, so no alert is lost. The subscription ends when the stream does
// (client gone, server stopping).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "server/api.h"
#include "speed/alert_hub.h"

namespace braid::server {

struct AlertStreamOptions {
  Duration keep_alive_interval = Duration::Seconds(15);
  size_t max_queued_bytes = 8 << 20;
  // Called once the stream has ended and its subscription is gone from the hub (tests, metrics).
  std::function<void()> on_unsubscribed;
};

// The sequence to resume after: Last-Event-ID, else ?after=N, else none (only new alerts).
Result<std::optional<uint64_t>> AlertsResumePoint(const Request& request);

// Answers with the event stream of `hub`'s alerts (see above), replaying those after `after`.
// Subscribing may read the alert file when resuming: call it on a thread that may block. `hub`
// must outlive the stream (HttpServer::Stop ends every stream).
void ServeAlerts(speed::AlertHub& hub, std::optional<uint64_t> after, Responder responder,
                 const AlertStreamOptions& options = {});

// GET /v1/alerts over the Database's AlertHub; subscribes on a blocking thread.
void HandleGetAlerts(ApiContext& api, const Request& request, Responder responder);

}  // namespace braid::server
