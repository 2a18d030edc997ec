// The HTTP/JSON API of API.md: the routes (ingest, dead letters, SQL, status, liveness) and what
// their handlers share. Handlers only translate between HTTP and the engine (serving::Database);
// no engine logic lives here. Work that blocks (SQL statements, which may fsync the catalog;
// dead-letter appends; reading the log) runs on ApiContext's small pool of blocking threads, so
// io threads only parse, decode and write; event appends are asynchronous and answer from the
// log's completion. The exception is the point read (serving/point_read.h), whose work is a few index
// lookups: it runs on the io thread that received it, which saves two thread hand-offs, as long
// as fewer than ApiOptions::inline_statements statements run on io threads at that moment (so a
// slow one, say the first read of a batch view not yet in memory, can occupy only that many io
// threads and the others keep serving every connection) and the blocking threads are idle.
//
// Ownership: the router owns its ApiContext (shared by its handlers); the Database must outlive
// the HttpServer serving the router. Thread-safe.
#pragma once

#include <atomic>
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
  // At most this many point reads run on io threads at once; the others wait for a blocking
  // thread like every other statement. 0: every statement runs on a blocking thread. Keep it
  // below HttpServerOptions::io_threads, so an io thread is always free for I/O.
  int inline_statements = 1;
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
    blocking_pending_.fetch_add(1, std::memory_order_relaxed);
    boost::asio::post(blocking_, [this, work = std::forward<Work>(work)]() mutable {
      work();
      blocking_pending_.fetch_sub(1, std::memory_order_release);
    });
  }

  // A claim on one of the inline_statements slots for running a statement on the calling io
  // thread; empty when every slot is taken, or when the blocking threads have work (a statement
  // that ran inline then would overtake the statements queued before it: under load that only
  // moves latency from some requests to others, and lengthened the tail). The slot is free
  // again when the claim is destroyed.
  class InlineSlot {
   public:
    InlineSlot(InlineSlot&& other) noexcept : running_(std::exchange(other.running_, nullptr)) {}
    InlineSlot& operator=(InlineSlot&&) = delete;
    ~InlineSlot() {
      if (running_ != nullptr) running_->fetch_sub(1, std::memory_order_release);
    }
    explicit operator bool() const { return running_ != nullptr; }

   private:
    friend class ApiContext;
    explicit InlineSlot(std::atomic<int>* running) : running_(running) {}
    std::atomic<int>* running_;  // null: no slot held
  };
  InlineSlot ClaimInlineSlot();

 private:
  serving::Database& database_;
  const ApiOptions options_;
  Timestamp started_at_;
  boost::asio::thread_pool blocking_;
  std::atomic<int> inline_running_{0};    // statements running on io threads now
  std::atomic<int> blocking_pending_{0};  // work posted to blocking_ and not finished
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
