// The HTTP/JSON API of API.md: the routes (ingest, dead letters, SQL, status, liveness) and what
// their handlers share. Handlers only translate between HTTP and the engine (serving::Database); no
// engine logic lives here. Work that blocks (SQL statements, which may fsync the catalog;
// dead-letter appends; reading the log) runs on ApiContext's small pool of blocking threads, so io
// threads only parse, decode and write (a statement there stops when its client hangs up); event
// appends are asynchronous and answer from the log's completion. The exception is the read that
// touches only memory (serving::Database::IsInMemoryRead: a point read whose rows are cached, or a
// SELECT without FROM such as a health check's `SELECT 1`), whose work is a few index lookups: it
// runs on the io thread that received it, which saves two thread hand-offs and the wake-ups they
// cost; a point read that would first load a batch view from its files goes to the blocking threads
// like every other statement, so an io thread never waits for a disk. (Each connection lives on one
// io thread, http_server.h: the connections of that thread wait while it runs a point read, tens of
// microseconds.)
//
// Ownership: the router owns its ApiContext (shared by its handlers); the Database must outlive
// the HttpServer serving the router. Thread-safe.
#pragma once

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <utility>

#include "common/time.h"
#include "server/router.h"
#include "serving/database.h"

namespace braid::server {

struct ApiOptions {
  // Threads for blocking work (SQL statements, dead-letter appends, log reads).
  int blocking_threads = 2;
  // The limits a query runs with unless its request asks for others (braid.toml [query]).
  serving::QueryLimits query_limits;
  // A query answer longer than this is streamed (chunked) in pieces of about this size, so the
  // whole JSON text is never held at once; shorter answers are sent with a Content-Length.
  size_t streamed_answer_bytes = 1 << 20;
  // Whether reads that touch only memory (point reads of cached rows, SELECTs without FROM) run
  // on the io thread that received them (see above); false: every statement runs on a blocking
  // thread.
  bool inline_memory_reads = true;
};

class ApiContext {
 public:
  ApiContext(serving::Database& database, const ApiOptions& options);
  // Waits for queued blocking work.
  ~ApiContext();
  ApiContext(const ApiContext&) = delete;
  ApiContext& operator=(const ApiContext&) = delete;

  serving::Database& database() { return database_; }
  Timestamp started_at() const { return started_at_; }
  const ApiOptions& options() const { return options_; }

  // Runs `work` (a move-only callable is fine) on a blocking thread.
  template <typename Work>
  void RunBlocking(Work&& work) {
    boost::asio::post(blocking_, std::forward<Work>(work));
  }

 private:
  serving::Database& database_;
  const ApiOptions options_;
  Timestamp started_at_;
  boost::asio::thread_pool blocking_;
};

// The router of every endpoint this server implements (`database` must outlive it):
//   POST /v1/streams/{stream}/events      ingest (api_ingest.h)
//   GET  /v1/streams/{stream}/dead_letters  rejected events kept by ?on_error=dead_letter
//   POST /v1/sql                           one SQL statement (api_sql.h)
//   GET  /v1/views/{view}                  a view's rows, filtered by keys and time (api_view_rows.h)
//   GET  /v1/status                        streams, log partitions, capture (api_status.h)
//   POST /v1/capture                       seal a capture epoch now (api_capture.h)
//   GET|POST /v1/lake/{stream}/...         lake files, OPTIMIZE, VACUUM (api_lake.h)
//   POST /v1/views/{view}/refresh|recompute, GET /v1/jobs[/{id}]  batch jobs (api_views.h)
//   GET  /v1/alerts                        alerts as Server-Sent Events (api_alerts.h)
//   GET  /healthz                          liveness
Router MakeApiRouter(serving::Database& database, const ApiOptions& options = {});

}  // namespace braid::server
