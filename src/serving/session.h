// Session: the settings one client's statements run with, and the controls of the statement
// running now. A protocol keeps one Session per connection (PostgreSQL) or per request (HTTP,
// filled from the request's parameters) and passes it to Database::Execute; `SET name = value`
// changes it (session_settings.h lists the settings). Routing hints from the seed: a query asks
// for a consistency and may bound the staleness it accepts (`max_staleness`); the answer's
// coverage says what was used (query_result.h).
//
// QueryControl is what a running statement checks at its steps: the deadline
// (statement_timeout) and the cancel flag a PostgreSQL CancelRequest or a closed connection sets.
// A Session is used by one statement at a time; its cancel flag may be set from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "common/time.h"
#include "serving/query_result.h"
#include "sql/ast.h"

namespace braid::serving {

// Bounds on one query's answer (braid.toml [query], overridable per session).
struct QueryLimits {
  size_t max_result_rows = 1'000'000;   // more: kTooLarge "result exceeds N rows"
  Duration statement_timeout = Duration::Seconds(30);  // 0: none; beyond it kCancelled
  size_t stream_scan_events = 1'000'000;  // a query over a stream reads its newest N events
};

// The deadline and cancel flag of the statement running now.
class QueryControl {
 public:
  QueryControl() = default;
  QueryControl(Duration timeout, std::shared_ptr<std::atomic<bool>> cancelled);
  // kCancelled when the statement was cancelled or ran past its timeout; OK otherwise.
  Status Check() const;

 private:
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  Duration timeout_;
  std::shared_ptr<std::atomic<bool>> cancelled_;
};

struct Session {
  Consistency consistency = Consistency::kMerged;
  // The oldest answer the client accepts: a query whose chosen layers are staler than this is
  // routed to layers that are fresh enough, or fails with kUnavailable (query_result.h).
  std::optional<Duration> max_staleness;
  QueryLimits limits;
  // Settings clients send that change nothing in Braid (client_encoding, DateStyle,
  // application_name, ...), kept so SHOW answers what was set.
  std::map<std::string, std::string> client_settings;
  // Set (by any thread) to cancel the statement running now, or the next one when none runs: a
  // protocol whose cancel applies to one statement (PostgreSQL's CancelRequest) clears it before
  // each; HTTP makes it the request's hang-up flag (Responder::WatchHangUp).
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
  // Set for one statement by a protocol that needs only its columns (PostgreSQL's Describe of a
  // prepared statement): a SELECT then reads no cells of its view and no events of its stream,
  // and answers with the columns a run would have and no rows (or the one row an aggregate
  // without GROUP BY has over nothing). Errors of the statement itself (unknown names, types)
  // are reported as a run reports them; those of reading (max_staleness, limits) are not.
  bool describe_only = false;

  // The control of a statement starting now.
  QueryControl StartStatement() const;
};

// SET name = value: consistency ('merged', 'exact', 'speed'), max_staleness (a duration such as
// '10s'; 'none' or 0 clears it), statement_timeout (a duration or PostgreSQL's milliseconds;
// 0 = none), max_result_rows (> 0), or one of the client settings PostgreSQL drivers send
// (client_encoding, DateStyle, TimeZone, application_name, extra_float_digits, search_path, ...),
// accepted and kept. Anything else is kUndefinedObject (PostgreSQL's "unrecognized
// configuration parameter"); a bad value kInvalidArgument, both at the value's position.
Result<QueryResult> ExecuteSet(const sql::SetStatement& statement, Session& session);
// SHOW name: the setting's current value as one row of one column named after it; SHOW ALL.
Result<QueryResult> ExecuteShowSetting(const sql::ShowStatement& statement,
                                       const Session& session);

}  // namespace braid::serving
