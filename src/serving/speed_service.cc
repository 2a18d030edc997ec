#include "serving/speed_service.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "batch/batch_view_table.h"
#include "lake/capture.h"
#include "lake/delta_table.h"
#include "serving/stream_capture.h"
#include "speed/alert_rules.h"

namespace braid::serving {

SpeedService::SpeedService(SpeedServiceOptions options, sql::Catalog& catalog,
                           log::LogManager& logs, ViewVersions& versions, speed::AlertHub* alerts)
    : options_(std::move(options)),
      catalog_(catalog),
      logs_(logs),
      versions_(versions),
      alerts_(alerts) {}

SpeedService::~SpeedService() {
  std::map<std::string, StreamSpeed> streams;
  {
    std::lock_guard<std::mutex> lock(mu_);
    streams.swap(streams_);
    views_.clear();
  }
  streams.clear();  // joins the tailers outside the mutex
}

Result<std::shared_ptr<speed::EpochBoundaries>> SpeedService::BoundariesOf(
    const sql::StreamDefinition& stream) {
  std::lock_guard<std::mutex> lock(mu_);
  return BoundariesLocked(stream);
}

Result<std::shared_ptr<speed::EpochBoundaries>> SpeedService::BoundariesLocked(
    const sql::StreamDefinition& stream) {
  StreamSpeed& speed = streams_[CanonicalIdentifier(stream.name)];
  if (speed.boundaries == nullptr) {
    lake::DeltaTable table(CaptureOptionsFor(stream, options_.data_dir).files.table_dir);
    ASSIGN_OR_RETURN(lake::DeltaSnapshot snapshot, table.LoadSnapshot());
    ASSIGN_OR_RETURN(lake::CapturedEpoch last,
                     lake::LastCapturedEpoch(snapshot, static_cast<size_t>(stream.partitions)));
    speed.boundaries =
        std::make_shared<speed::EpochBoundaries>(last.epoch, std::move(last.end_offsets));
  }
  return speed.boundaries;
}

Status SpeedService::StartView(const sql::ViewPlanPtr& plan) {
  sql::StreamDefinitionPtr stream = catalog_.FindStream(plan->source);
  std::shared_ptr<log::StreamLog> log = stream ? logs_.Find(stream->name) : nullptr;
  if (log == nullptr) {
    return Status(StatusCode::kUndefinedObject,
                  fmt::format("view {}: stream '{}' does not exist", plan->name, plan->source));
  }
  // Start from what the served batch version absorbed, if it was computed with this plan.
  int64_t absorbed = 0;
  std::vector<uint64_t> start(static_cast<size_t>(stream->partitions), 0);
  ASSIGN_OR_RETURN(std::optional<ServedVersion> served, versions_.Served(plan));
  if (served && served->plan->sql == plan->sql) {
    ASSIGN_OR_RETURN(VersionCoverage coverage, versions_.CoverageOf(*served));
    absorbed = coverage.batch_epoch;
    if (absorbed > 0) {
      lake::DeltaTable table(CaptureOptionsFor(*stream, options_.data_dir).files.table_dir);
      ASSIGN_OR_RETURN(lake::CapturedEpoch epoch, lake::FindCapturedEpoch(table, absorbed));
      start = epoch.end_offsets;
    }
  }
  ASSIGN_OR_RETURN(std::shared_ptr<speed::EpochBoundaries> boundaries, BoundariesLocked(*stream));
  StreamSpeed& speed = streams_[CanonicalIdentifier(stream->name)];
  if (speed.tailer == nullptr) {
    speed.tailer = std::make_shared<speed::StreamTailer>(
        log, boundaries,
        [this](const std::shared_ptr<speed::SpeedView>& view, std::vector<Chunk> rows) {
          OnEmitted(view, std::move(rows));
        },
        options_.tailer);
  }
  speed::SpeedViewOptions view_options = speed::SpeedViewOptionsFor(*stream, options_.memory_limit);
  view_options.frontier_file = FrontierFile(plan->name);
  auto view = std::make_shared<speed::SpeedView>(plan, std::move(view_options), absorbed, this);
  speed.tailer->AddView(view, std::move(start));
  views_[CanonicalIdentifier(plan->name)] = std::move(view);
  return Status::Ok();
}

Status SpeedService::Sync() {
  std::vector<std::shared_ptr<speed::StreamTailer>> stopped;  // joined outside the mutex
  Status first_error;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<std::string> wanted;
    for (const sql::ViewPlanPtr& plan : catalog_.Views()) {
      const std::string key = CanonicalIdentifier(plan->name);
      wanted.insert(key);
      auto it = views_.find(key);
      if (it != views_.end() && it->second->plan_ptr() == plan) continue;
      if (it != views_.end()) {  // a changed definition: its state starts over
        for (auto& [name, speed] : streams_) {
          if (speed.tailer) speed.tailer->RemoveView(it->second->plan().name);
        }
        views_.erase(it);
      }
      Status started = StartView(plan);
      if (!started.ok() && first_error.ok()) first_error = started;
    }
    for (auto it = views_.begin(); it != views_.end();) {
      if (wanted.count(it->first) != 0) {
        ++it;
        continue;
      }
      for (auto& [name, speed] : streams_) {
        if (speed.tailer) speed.tailer->RemoveView(it->second->plan().name);
      }
      std::error_code ec;  // a view created again under this name starts a new frontier
      std::filesystem::remove(FrontierFile(it->first), ec);
      it = views_.erase(it);
    }
    // Only views with alert rules build emitted rows.
    std::set<std::string> alerted;
    for (const sql::AlertPlanPtr& rule : catalog_.Alerts()) {
      alerted.insert(CanonicalIdentifier(rule->view));
    }
    for (auto& [name, view] : views_) view->set_rows_wanted(alerted.count(name) != 0);
    for (auto it = streams_.begin(); it != streams_.end();) {
      if (catalog_.FindStream(it->first) != nullptr) {
        ++it;
        continue;
      }
      stopped.push_back(std::move(it->second.tailer));
      it = streams_.erase(it);
    }
    sync_error_ = first_error.ok() ? "" : first_error.ToString();
  }
  return first_error;
}

std::string SpeedService::sync_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sync_error_;
}

void SpeedService::Absorbed(const sql::ViewPlan& plan, int64_t epoch) {
  std::shared_ptr<speed::SpeedView> view = FindView(plan.name);
  if (view == nullptr || view->plan().sql != plan.sql) return;
  view->Absorbed(epoch);
  // Boundaries every view of the stream has absorbed are never asked about again.
  std::lock_guard<std::mutex> lock(mu_);
  auto stream = streams_.find(CanonicalIdentifier(plan.source));
  if (stream == streams_.end() || stream->second.boundaries == nullptr) return;
  int64_t everyone = epoch;
  for (const auto& [name, other] : views_) {
    if (CanonicalIdentifier(other->plan().source) != stream->first) continue;
    everyone = std::min(everyone, other->Describe().absorbed_epoch);
  }
  stream->second.boundaries->ForgetThrough(everyone);
}

std::shared_ptr<speed::SpeedView> SpeedService::FindView(std::string_view view) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = views_.find(CanonicalIdentifier(view));
  return it == views_.end() ? nullptr : it->second;
}

bool SpeedService::WaitUntilCaughtUp(std::string_view stream, Duration timeout) const {
  std::shared_ptr<log::StreamLog> log = logs_.Find(stream);
  if (log == nullptr) return true;
  const std::vector<uint64_t> ends = log->EndOffsets();
  std::shared_ptr<speed::StreamTailer> tailer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = streams_.find(CanonicalIdentifier(stream));
    if (it == streams_.end() || it->second.tailer == nullptr) return true;
    tailer = it->second.tailer;
  }
  return tailer->WaitUntilRead(ends, timeout);
}

std::vector<SpeedViewReport> SpeedService::ViewReports() const {
  std::vector<SpeedViewReport> reports;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, view] : views_) {
    reports.push_back(SpeedViewReport{view->plan().name, view->plan().source, view->Describe()});
  }
  return reports;
}

std::vector<SpeedStreamReport> SpeedService::StreamReports() const {
  std::vector<SpeedStreamReport> reports;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, speed] : streams_) {
    if (speed.tailer == nullptr) continue;
    reports.push_back(SpeedStreamReport{name, speed.tailer->Describe(),
                                        speed.boundaries->open_generation()});
  }
  return reports;
}

std::optional<speed::TailerLag> SpeedService::StreamLag(std::string_view stream) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, speed] : streams_) {
    if (speed.tailer != nullptr && IdentifierEquals(name, stream)) return speed.tailer->Lag();
  }
  return std::nullopt;
}

uint64_t SpeedService::alert_errors() const {
  std::lock_guard<std::mutex> lock(mu_);
  return alert_errors_;
}

std::filesystem::path SpeedService::FrontierFile(std::string_view view) const {
  return options_.data_dir / "speed" / (CanonicalIdentifier(view) + ".frontier");
}

Result<int64_t> SpeedService::MergeWindows(const sql::ViewPlanPtr& plan, int64_t low,
                                           int64_t high, batch::HashAggregator& into) {
  ASSIGN_OR_RETURN(std::optional<ServedVersion> served, versions_.Served(plan));
  if (!served || served->plan->sql != plan->sql) return int64_t{0};
  ASSIGN_OR_RETURN(batch::BatchViewTable table,
                   batch::BatchViewTable::Open(options_.data_dir, served->plan, served->version));
  ASSIGN_OR_RETURN(batch::BatchViewTable::WindowRange range, table.ReadWindowRange(low, high));
  for (const Chunk& rows : range.rows) RETURN_IF_ERROR(into.ConsumeStates(rows));
  return range.horizon.epoch;
}

void SpeedService::OnEmitted(const std::shared_ptr<speed::SpeedView>& view,
                             std::vector<Chunk> rows) {
  if (alerts_ == nullptr) return;
  const sql::ViewPlan& plan = view->plan();
  std::vector<sql::AlertPlanPtr> rules;
  for (const sql::AlertPlanPtr& rule : catalog_.Alerts()) {
    if (CanonicalIdentifier(rule->view) == CanonicalIdentifier(plan.name)) rules.push_back(rule);
  }
  if (rules.empty()) return;
  Result<std::vector<speed::Alert>> alerts = speed::MatchAlerts(plan, rules, rows, Now());
  Status fired = alerts.ok() ? alerts_->Fire(std::move(*alerts)).status() : alerts.status();
  if (!fired.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++alert_errors_;
  }
}

}  // namespace braid::serving
