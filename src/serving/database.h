// Database: the engine as the protocol servers and the CLI see it. It opens the data directory
// (catalog, ingestion log, capture into the lake, batch jobs, the speed layer), applies --definitions files, executes SQL statements and hands
// out the live objects of a stream. It only wires layers together: statement semantics live in
// StatementExecutor, storage in log/, definitions in sql/. Thread-safe: every method may be
// called concurrently from connection threads.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string_view>

#include "log/log_manager.h"
#include "serving/batch_jobs.h"
#include "serving/batch_view_cache.h"
#include "serving/capture_service.h"
#include "serving/query_result.h"
#include "serving/session.h"
#include "serving/speed_service.h"
#include "serving/view_versions.h"
#include "sql/catalog.h"

namespace braid::serving {

struct DatabaseOptions {
  std::filesystem::path data_dir = "braid-data";
  log::LogOptions log;
  // Capture schedule (Event Hubs Capture defaults); data_dir is filled in from the above.
  Duration capture_interval = Duration::Seconds(300);
  uint64_t capture_max_bytes = 256ull << 20;
  // Batch jobs and their scheduler; data_dir is filled in from the above.
  BatchJobsOptions batch;
  // The speed layer and its alerts; data_dir (and alerts.dir = DATA/alerts) are filled in.
  SpeedServiceOptions speed;
  speed::AlertHubOptions alerts;
  // Memory for served batch views held for queries ([query] cache_bytes, batch_view_cache.h).
  size_t query_cache_bytes = size_t{1} << 30;
};

// A stream's definition together with its log; both stay valid while the handle is held.
struct StreamHandle {
  sql::StreamDefinitionPtr definition;
  std::shared_ptr<log::StreamLog> log;
};

class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options);
  ~Database();

  // Executes one statement. Errors carry SQLSTATE-mapped codes and line:column positions.
  Result<QueryResult> Execute(std::string_view sql);
  // The same, with the consistency a SELECT over a view reads (view_query.h).
  Result<QueryResult> Execute(std::string_view sql, Consistency consistency);
  // The same within a client's session (session.h): SET changes it, SHOW reads it, queries run
  // with its consistency, routing hints and limits, and stop when it is cancelled.
  Result<QueryResult> Execute(std::string_view sql, Session& session);
  // The same for a statement parsed already (sql::ParseStatement).
  Result<QueryResult> Execute(const sql::ParsedStatement& statement, Session& session);
  // Whether `statement` reads nothing but memory, in a few index lookups: a SELECT without FROM
  // (one row of constants, e.g. a client's `SELECT 1` health check), or a point read
  // (point_read.h) whose view's served batch version was read since it was committed, so its
  // rows are cached. A read that would load them, and a read of a view without a batch version
  // (which looks for one), is not.
  bool IsInMemoryRead(const sql::ParsedStatement& statement);
  // Applies every statement of a definitions file; identical re-definitions are no-ops, a
  // conflicting one fails with the file name, line and column.
  Status ApplyDefinitionsFile(const std::filesystem::path& file);

  // The stream named `name` (case-insensitive), or kUndefinedObject.
  Result<StreamHandle> FindStream(std::string_view name) const;

  sql::Catalog& catalog() { return *catalog_; }
  log::LogManager& logs() { return *logs_; }
  // Capture of streams into the lake (the master dataset).
  CaptureService& capture() { return *capture_; }
  // Which batch version of each view is served, and the batch jobs that build them.
  ViewVersions& view_versions() { return *versions_; }
  BatchJobs& batch_jobs() { return *jobs_; }
  // The speed layer: live window states of every view, and the alerts they raise.
  SpeedService& speed() { return *speed_; }
  speed::AlertHub& alerts() { return *alerts_; }
  const DatabaseOptions& options() const { return options_; }

  // Stops appends and wakes readers; called before destruction on shutdown.
  void Close();

 private:
  Database() = default;
  Status OpenCatalogedStreams();
  // Brings the speed layer in line with the catalog after a DDL statement.
  void SyncSpeed();

  DatabaseOptions options_;
  std::mutex ddl_mu_;  // serializes catalog changes (CREATE/DROP) with their log changes
  std::unique_ptr<sql::Catalog> catalog_;
  std::unique_ptr<log::LogManager> logs_;
  std::unique_ptr<CaptureService> capture_;
  std::unique_ptr<ViewVersions> versions_;
  std::unique_ptr<BatchViewCache> view_cache_;
  std::unique_ptr<speed::AlertHub> alerts_;
  std::unique_ptr<SpeedService> speed_;  // its tailers stop before the alert hub and the log go
  std::unique_ptr<BatchJobs> jobs_;  // last: its thread stops first
};

}  // namespace braid::serving
