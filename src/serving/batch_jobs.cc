#include "serving/batch_jobs.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "batch/view_refresh.h"
#include "common/schema.h"

namespace braid::serving {
namespace {

bool IsFinished(JobState state) {
  return state == JobState::kSucceeded || state == JobState::kFailed;
}

// The backoff before retry number `attempt` + 1: retry_backoff doubled per failed attempt.
Duration Backoff(const BatchJobsOptions& options, int attempt) {
  int64_t micros = options.retry_backoff.micros;
  for (int i = 1; i < attempt && micros < options.max_backoff.micros; ++i) micros *= 2;
  return Duration::Micros(std::min(micros, options.max_backoff.micros));
}

}  // namespace

std::string_view JobKindName(JobKind kind) {
  return kind == JobKind::kRefresh ? "refresh" : "recompute";
}

std::string_view JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kSucceeded:
      return "succeeded";
    case JobState::kFailed:
      return "failed";
  }
  return "unknown";
}

BatchJobs::BatchJobs(BatchJobsOptions options, sql::Catalog& catalog, CaptureService& capture,
                     ViewVersions& versions)
    : options_(std::move(options)), catalog_(catalog), capture_(capture), versions_(versions) {
  runner_ = std::jthread([this](std::stop_token stop) { RunLoop(stop); });
}

BatchJobs::~BatchJobs() {
  runner_.request_stop();
  changed_.notify_all();
}

Result<int64_t> BatchJobs::Submit(JobKind kind, std::string_view view) {
  sql::ViewPlanPtr plan = catalog_.FindView(view);
  if (plan == nullptr) {
    return Status(StatusCode::kUndefinedObject,
                  "view \"" + std::string(view) + "\" does not exist");
  }
  std::lock_guard lock(mu_);
  return EnqueueLocked(kind, plan->name, Now());
}

int64_t BatchJobs::EnqueueLocked(JobKind kind, std::string view, Timestamp now) {
  JobInfo job;
  job.id = next_id_++;
  job.kind = kind;
  job.view = std::move(view);
  job.submitted = now;
  if (kind == JobKind::kRefresh) last_refresh_[CanonicalIdentifier(job.view)] = now;
  jobs_[job.id] = job;
  queue_.push_back(job.id);
  // Forget the oldest finished jobs beyond the limit.
  for (auto it = jobs_.begin(); jobs_.size() > kMaxJobsKept && it != jobs_.end();) {
    it = IsFinished(it->second.state) ? jobs_.erase(it) : std::next(it);
  }
  changed_.notify_all();
  return job.id;
}

Result<JobInfo> BatchJobs::Get(int64_t id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) {
    return Status(StatusCode::kUndefinedObject, "job " + std::to_string(id) + " does not exist");
  }
  return it->second;
}

std::vector<JobInfo> BatchJobs::List() const {
  std::lock_guard lock(mu_);
  std::vector<JobInfo> jobs;
  jobs.reserve(jobs_.size());
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) jobs.push_back(it->second);
  return jobs;
}

Result<JobInfo> BatchJobs::Wait(int64_t id, Duration timeout) const {
  std::unique_lock lock(mu_);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::microseconds(timeout.micros);
  while (true) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) {
      return Status(StatusCode::kUndefinedObject, "job " + std::to_string(id) + " does not exist");
    }
    if (IsFinished(it->second.state)) return it->second;
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) return it->second;
  }
}

std::optional<JobInfo> BatchJobs::NewestJobOf(std::string_view view) const {
  const std::string key = CanonicalIdentifier(view);
  std::lock_guard lock(mu_);
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) {
    if (CanonicalIdentifier(it->second.view) == key) return it->second;
  }
  return std::nullopt;
}

void BatchJobs::Tick(Timestamp now) {
  if (options_.refresh_interval.micros <= 0) return;
  const std::vector<sql::ViewPlanPtr> views = catalog_.Views();
  std::lock_guard lock(mu_);
  for (const sql::ViewPlanPtr& plan : views) {
    const std::string key = CanonicalIdentifier(plan->name);
    auto last = last_refresh_.find(key);
    if (last == last_refresh_.end()) {  // first seen: due one interval from now
      last_refresh_[key] = now;
      continue;
    }
    if (now - last->second < options_.refresh_interval) continue;
    const bool pending = std::any_of(queue_.begin(), queue_.end(), [&](int64_t id) {
      return CanonicalIdentifier(jobs_[id].view) == key;
    });
    if (!pending) jobs_[EnqueueLocked(JobKind::kRefresh, plan->name, now)].scheduled = true;
  }
}

void BatchJobs::RunLoop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    int64_t id = 0;
    {
      std::unique_lock lock(mu_);
      const Timestamp now = Now();
      std::optional<Timestamp> earliest;
      for (auto it = queue_.begin(); it != queue_.end(); ++it) {
        const JobInfo& job = jobs_[*it];
        if (!job.not_before || *job.not_before <= now) {
          id = *it;
          queue_.erase(it);
          break;
        }
        if (!earliest || *job.not_before < *earliest) earliest = job.not_before;
      }
      if (id == 0) {
        // Sleep until a job is submitted, a retry's backoff ends, or the runner stops.
        const Duration wait = earliest ? *earliest - now : Duration::Seconds(60);
        const size_t queued = queue_.size();
        changed_.wait_for(lock, stop, std::chrono::microseconds(wait.micros),
                          [&] { return queue_.size() != queued; });
        continue;
      }
      JobInfo& job = jobs_[id];
      job.state = JobState::kRunning;
      job.started = now;
      changed_.notify_all();
    }
    Execute(id);
  }
}

void BatchJobs::SetProgress(int64_t id, double progress) {
  std::lock_guard lock(mu_);
  jobs_[id].progress = progress;
}

void BatchJobs::Execute(int64_t id) {
  Result<JobInfo> job = Get(id);
  if (!job.ok()) return;  // forgotten meanwhile: nothing to record
  sql::ViewPlanPtr plan = catalog_.FindView(job->view);
  if (plan == nullptr) {
    RecordOutcome(
        id, Status(StatusCode::kUndefinedObject, "view \"" + job->view + "\" no longer exists"));
    return;
  }
  RecordOutcome(id, job->kind == JobKind::kRefresh ? RunRefresh(*job) : RunRecompute(*job, plan));
}

namespace {

// The stream's lake table as view_refresh reads it.
Result<batch::RefreshSource> SourceOf(const sql::Catalog& catalog,
                                      const std::filesystem::path& data_dir,
                                      const sql::ViewPlan& plan) {
  sql::StreamDefinitionPtr stream = catalog.FindStream(plan.source);
  if (stream == nullptr) {
    return Status(StatusCode::kUndefinedObject,
                  "stream \"" + plan.source + "\" of view " + plan.name + " does not exist");
  }
  return batch::RefreshSource{data_dir / "lake" / CanonicalIdentifier(stream->name),
                              static_cast<size_t>(stream->partitions)};
}

void CopyStats(const batch::RefreshStats& stats, JobInfo* job) {
  job->from_epoch = stats.from_epoch;
  job->to_epoch = stats.to_epoch;
  job->rows_read = stats.rows_read;
  job->bytes_read = stats.bytes_read;
  job->rows_written = stats.rows_written;
}

}  // namespace

Result<JobInfo> BatchJobs::RunRefresh(const JobInfo& job) {
  sql::ViewPlanPtr plan = catalog_.FindView(job.view);
  if (plan == nullptr) return Status(StatusCode::kUndefinedObject, "view " + job.view + " is gone");
  // Seal what the log holds now, so that the refresh folds in everything acknowledged so far.
  if (!job.scheduled) RETURN_IF_ERROR(capture_.CaptureStream(plan->source).status());
  ASSIGN_OR_RETURN(std::optional<ServedVersion> served, versions_.Served(plan));
  if (!served || served->plan->sql != plan->sql) {
    // A new view, or a changed definition: build a new version; the old one stays served.
    return RunRecompute(job, plan);
  }
  ASSIGN_OR_RETURN(batch::RefreshSource source, SourceOf(catalog_, options_.data_dir, *plan));
  // Held while the refresh writes, so that no cleanup deletes the version under it.
  ASSIGN_OR_RETURN(VersionLease lease, versions_.HoldServed(*served));
  ASSIGN_OR_RETURN(batch::RefreshStats stats,
                   batch::RefreshView(options_.data_dir, plan, lease.version(), source,
                                      RefreshOptionsFor(job.id)));
  if (absorbed_) absorbed_(*plan, stats.to_epoch);
  JobInfo result = job;
  result.version = served->version;
  CopyStats(stats, &result);
  return result;
}

Result<JobInfo> BatchJobs::RunRecompute(const JobInfo& job, const sql::ViewPlanPtr& plan) {
  ASSIGN_OR_RETURN(batch::RefreshSource source, SourceOf(catalog_, options_.data_dir, *plan));
  ASSIGN_OR_RETURN(VersionLease lease, versions_.ReserveNewVersion(plan->name));
  // Checked after the lease is taken: a DROP VIEW from here on makes Publish refuse, and one
  // before (with the name created again since) shows as another definition now.
  sql::ViewPlanPtr current = catalog_.FindView(plan->name);
  if (current == nullptr || current->sql != plan->sql) {
    return Status(StatusCode::kUndefinedObject,
                  "view " + plan->name + " was dropped or replaced since the job started");
  }
  ASSIGN_OR_RETURN(batch::RefreshStats stats,
                   batch::RecomputeView(options_.data_dir, plan, lease.version(), source,
                                        RefreshOptionsFor(job.id)));
  // Served only now that the whole version is committed.
  RETURN_IF_ERROR(versions_.Publish(plan, lease));
  if (absorbed_) absorbed_(*plan, stats.to_epoch);
  JobInfo result = job;
  result.version = lease.version();
  CopyStats(stats, &result);
  return result;
}

batch::RefreshOptions BatchJobs::RefreshOptionsFor(int64_t id) {
  batch::RefreshOptions refresh;
  refresh.aggregator = options_.aggregator;
  refresh.threads = options_.threads;
  refresh.progress = [this, id](size_t done, size_t total) {
    SetProgress(id, static_cast<double>(done) / static_cast<double>(total));
  };
  return refresh;
}

void BatchJobs::RecordOutcome(int64_t id, Result<JobInfo> outcome) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  JobInfo& job = it->second;
  const Timestamp now = Now();
  job.finished = now;
  if (outcome.ok()) {
    const JobInfo& result = *outcome;
    job.version = result.version;
    job.from_epoch = result.from_epoch;
    job.to_epoch = result.to_epoch;
    job.rows_read = result.rows_read;
    job.bytes_read = result.bytes_read;
    job.rows_written = result.rows_written;
    job.progress = 1;
    job.state = JobState::kSucceeded;
  } else {
    job.state = JobState::kFailed;
    job.error = outcome.status().ToString();
    if (job.attempt < options_.max_attempts) {
      const JobKind kind = job.kind;
      const std::string view = job.view;
      const int attempt = job.attempt;
      const bool scheduled = job.scheduled;
      const int64_t retry = EnqueueLocked(kind, view, now);
      JobInfo& next = jobs_[retry];
      next.attempt = attempt + 1;
      next.scheduled = scheduled;
      next.retry_of = id;
      next.not_before = now + Backoff(options_, attempt);
      // `job` may be gone: the enqueue trims the oldest finished jobs.
      if (auto failed = jobs_.find(id); failed != jobs_.end()) failed->second.retried_by = retry;
    }
  }
  changed_.notify_all();
}

}  // namespace braid::serving
