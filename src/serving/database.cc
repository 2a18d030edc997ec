#include "serving/database.h"

#include <fmt/format.h>

#include <set>
#include <system_error>
#include <variant>

#include "common/file_util.h"
#include "serving/catalog_statements.h"
#include "serving/point_read.h"
#include "serving/view_query.h"
#include "serving/view_statements.h"
#include "sql/parser.h"

namespace braid::serving {

namespace fs = std::filesystem;

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  RETURN_IF_ERROR(CreateDirectoriesDurably(options.data_dir));
  std::unique_ptr<Database> db(new Database());
  db->options_ = options;
  ASSIGN_OR_RETURN(db->catalog_, sql::Catalog::Open(options.data_dir));
  ASSIGN_OR_RETURN(db->logs_, log::LogManager::Open(options.data_dir / "log", options.log));
  RETURN_IF_ERROR(db->OpenCatalogedStreams());
  CaptureServiceOptions capture;
  capture.data_dir = options.data_dir;
  capture.interval = options.capture_interval;
  capture.max_bytes = options.capture_max_bytes;
  db->capture_ = std::make_unique<CaptureService>(capture, *db->catalog_, *db->logs_);
  db->versions_ = std::make_unique<ViewVersions>(options.data_dir);
  db->view_cache_ = std::make_unique<BatchViewCache>(options.query_cache_bytes);
  // Finish a DROP VIEW that committed in the catalog before the process died (as for streams).
  std::set<std::string> views;
  for (const sql::ViewPlanPtr& view : db->catalog_->Views()) {
    views.insert(CanonicalIdentifier(view->name));
  }
  RETURN_IF_ERROR(db->versions_->DropAllBut(views));
  speed::AlertHubOptions alerts = options.alerts;
  alerts.dir = options.data_dir / "alerts";
  ASSIGN_OR_RETURN(db->alerts_, speed::AlertHub::Open(alerts));
  SpeedServiceOptions speed = options.speed;
  speed.data_dir = options.data_dir;
  db->speed_ = std::make_unique<SpeedService>(speed, *db->catalog_, *db->logs_, *db->versions_,
                                              db->alerts_.get());
  SpeedService* speed_service = db->speed_.get();
  db->capture_->SetBoundariesProvider(
      [speed_service](const sql::StreamDefinition& stream) {
        return speed_service->BoundariesOf(stream);
      });
  BatchJobsOptions batch = options.batch;
  batch.data_dir = options.data_dir;
  db->jobs_ = std::make_unique<BatchJobs>(batch, *db->catalog_, *db->capture_, *db->versions_);
  BatchViewCache* cache = db->view_cache_.get();
  db->jobs_->SetAbsorbedListener(
      [speed_service, cache](const sql::ViewPlan& plan, int64_t epoch) {
        cache->Invalidate(plan.name);  // before the speed layer drops what the new version holds
        speed_service->Absorbed(plan, epoch);
      });
  db->SyncSpeed();
  return db;
}

Database::~Database() { Close(); }

Status Database::OpenCatalogedStreams() {
  std::set<std::string> cataloged;
  for (const sql::StreamDefinitionPtr& stream : catalog_->Streams()) {
    cataloged.insert(CanonicalIdentifier(stream->name));
    RETURN_IF_ERROR(logs_->OpenStream(LogConfigFor(*stream)));
  }
  // A log directory without a catalog entry belongs to a stream whose DROP committed in the
  // catalog before the process died: finish the drop.
  ASSIGN_OR_RETURN(std::vector<std::string> entries, ListDirectory(options_.data_dir / "log"));
  for (const std::string& entry : entries) {
    std::error_code ec;
    if (!fs::is_directory(options_.data_dir / "log" / entry, ec)) continue;
    if (cataloged.count(CanonicalIdentifier(entry)) == 0) {
      fs::remove_all(options_.data_dir / "log" / entry, ec);
      if (ec) return IoError("remove dropped stream's log", options_.data_dir / "log" / entry,
                             ec.value());
    }
  }
  return Status::Ok();
}

Result<QueryResult> Database::Execute(std::string_view sql_text) {
  return Execute(sql_text, Consistency::kMerged);
}

Result<QueryResult> Database::Execute(std::string_view sql_text, Consistency consistency) {
  Session session;
  session.consistency = consistency;
  return Execute(sql_text, session);
}

Result<QueryResult> Database::Execute(std::string_view sql_text, Session& session) {
  ASSIGN_OR_RETURN(sql::ParsedStatement parsed, sql::ParseStatement(sql_text));
  return Execute(parsed, session);
}

bool Database::IsInMemoryRead(const sql::ParsedStatement& statement) {
  const auto* select = std::get_if<sql::SelectStatement>(&statement.statement);
  if (select != nullptr && select->from.empty()) return true;
  const sql::ViewPlanPtr plan = PointReadView(statement, *catalog_);
  return plan != nullptr && view_cache_->HoldsRowsOf(plan->name);
}

Result<QueryResult> Database::Execute(const sql::ParsedStatement& parsed, Session& session) {
  return std::visit(
      [&](const auto& statement) -> Result<QueryResult> {
        using T = std::decay_t<decltype(statement)>;
        if constexpr (std::is_same_v<T, sql::CreateStreamStatement>) {
          std::lock_guard<std::mutex> lock(ddl_mu_);
          return ExecuteCreateStream(statement, *catalog_, *logs_);
        } else if constexpr (std::is_same_v<T, sql::AlterStreamStatement>) {
          std::lock_guard<std::mutex> lock(ddl_mu_);
          ASSIGN_OR_RETURN(QueryResult result, ExecuteAlterStream(statement, *catalog_, *logs_));
          SyncSpeed();  // the views of the stream were re-bound
          return result;
        } else if constexpr (std::is_same_v<T, sql::DropStatement>) {
          std::lock_guard<std::mutex> lock(ddl_mu_);
          ASSIGN_OR_RETURN(QueryResult result, ExecuteDrop(statement, *catalog_, *logs_));
          // A view created later under this name must not find the dropped one's versions.
          if (statement.kind == sql::ObjectKind::kView) {
            RETURN_IF_ERROR(versions_->Drop(statement.name));
            view_cache_->Invalidate(statement.name);
          }
          SyncSpeed();
          return result;
        } else if constexpr (std::is_same_v<T, sql::ShowStatement>) {
          if (!statement.setting.empty()) return ExecuteShowSetting(statement, session);
          return ExecuteShow(statement, *catalog_, *logs_);
        } else if constexpr (std::is_same_v<T, sql::DescribeStatement>) {
          return ExecuteDescribe(statement, *catalog_);
        } else if constexpr (std::is_same_v<T, sql::CreateViewStatement>) {
          std::lock_guard<std::mutex> lock(ddl_mu_);
          ASSIGN_OR_RETURN(QueryResult result, ExecuteCreateView(statement, *catalog_));
          SyncSpeed();
          return result;
        } else if constexpr (std::is_same_v<T, sql::CreateAlertStatement>) {
          std::lock_guard<std::mutex> lock(ddl_mu_);
          ASSIGN_OR_RETURN(QueryResult result, ExecuteCreateAlert(statement, *catalog_));
          SyncSpeed();  // the view now builds rows for its alert rules
          return result;
        } else if constexpr (std::is_same_v<T, sql::SelectStatement>) {
          const QueryControl control = session.StartStatement();
          RETURN_IF_ERROR(control.Check());  // cancelled before it started
          return ExecuteViewQuery(statement,
                                  ViewQueryContext{*catalog_, *logs_, *versions_, *speed_, *view_cache_,
                                                   options_.data_dir, session, control});
        } else {
          static_assert(std::is_same_v<T, sql::SetStatement>);
          return ExecuteSet(statement, session);
        }
      },
      parsed.statement);
}

Status Database::ApplyDefinitionsFile(const fs::path& file) {
  Result<std::string> text = ReadWholeFile(file);
  if (!text.ok()) return text.status().WithContext("reading definitions");
  Result<std::vector<sql::ParsedStatement>> statements = sql::ParseScript(*text);
  if (!statements.ok()) return statements.status().WithContext(file.string());
  for (const sql::ParsedStatement& statement : *statements) {
    Result<QueryResult> result = Execute(statement.text);
    if (!result.ok()) {
      // Positions inside statement.text are relative to the statement; report them in the file.
      Status s = result.status();
      if (s.position()) {
        SourcePosition in_file = *s.position();
        if (in_file.line == 1) in_file.column += statement.position.column - 1;
        in_file.line += statement.position.line - 1;
        s = Status(s.code(), s.message(), in_file);
      }
      return s.WithContext(file.string());
    }
  }
  return Status::Ok();
}

Result<StreamHandle> Database::FindStream(std::string_view name) const {
  StreamHandle handle;
  handle.definition = catalog_->FindStream(name);
  handle.log = handle.definition ? logs_->Find(handle.definition->name) : nullptr;
  if (handle.definition == nullptr || handle.log == nullptr) {
    return Status(StatusCode::kUndefinedObject, fmt::format("stream '{}' does not exist", name));
  }
  return handle;
}

void Database::SyncSpeed() {
  // The statement already took effect; a view the speed layer could not start shows its error
  // in /v1/status (SpeedService::sync_error) rather than failing the statement.
  (void)speed_->Sync();
}

void Database::Close() {
  if (logs_) logs_->Close();
}

}  // namespace braid::serving
