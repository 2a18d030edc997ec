// BatchJobs: the batch layer's jobs and their scheduler (issue 5 item 5). A job is one batch run
// of one view: `refresh` (seal an epoch of the view's stream, then fold the new epochs into the
// served version, batch/view_refresh.h) or `recompute` (every epoch into a new version, published
// through ViewVersions only once it committed). A refresh of a view that has no served version
// for its current definition (a new view, or CREATE OR REPLACE VIEW changed it) builds a new
// version the same way, so the old version is served until the new one commits.
//
// Jobs run one at a time on the runner's own thread, in submission order, so two runs of one view
// never overlap (the batch table's horizon check would catch it anyway). A failed job records its
// error and leaves the served version untouched; it is retried by a new job (`retry_of` names the
// failed one) after a backoff that doubles from retry_backoff up to max_backoff, at most
// max_attempts runs in all. The scheduler (Tick, called by the server on a timer) submits a
// refresh of every view whose last refresh is older than refresh_interval ([batch]
// refresh_interval in braid.toml, default 5 min; a view first seen by Tick waits one interval).
// Finished jobs are kept in memory (the newest kMaxJobsKept) for GET /v1/jobs.
//
// A job writes a version only under a ViewVersions lease (view_versions.h): a refresh holds the
// served version, a recompute reserves a new one, so version cleanup never deletes what a job is
// writing, and a recompute of a view dropped meanwhile cannot publish.
//
// After a job's version is committed and served, the absorbed listener learns the epoch B it now
// holds (the speed layer drops its generations <= B).
//
// Thread-safe: every method may be called from any thread; the destructor stops the runner after
// the job in progress.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "batch/hash_aggregator.h"
#include "batch/view_refresh.h"
#include "common/status.h"
#include "common/time.h"
#include "serving/capture_service.h"
#include "serving/view_versions.h"
#include "sql/catalog.h"

namespace braid::serving {

enum class JobKind : uint8_t { kRefresh, kRecompute };
enum class JobState : uint8_t { kQueued, kRunning, kSucceeded, kFailed };
std::string_view JobKindName(JobKind kind);     // "refresh", "recompute"
std::string_view JobStateName(JobState state);  // "queued", "running", "succeeded", "failed"

struct JobInfo {
  int64_t id = 0;
  JobKind kind = JobKind::kRefresh;
  std::string view;
  JobState state = JobState::kQueued;
  double progress = 0;  // 0..1: scan tasks done
  Timestamp submitted;
  std::optional<Timestamp> not_before;  // a retry waits for its backoff
  std::optional<Timestamp> started;
  std::optional<Timestamp> finished;
  int64_t version = 0;  // the view version written
  int64_t from_epoch = 0;
  int64_t to_epoch = 0;
  uint64_t rows_read = 0;
  uint64_t bytes_read = 0;
  uint64_t rows_written = 0;
  bool scheduled = false;  // by the interval scheduler: folds what capture sealed, seals nothing
  int attempt = 1;
  std::optional<int64_t> retry_of;  // the failed job this one retries
  std::optional<int64_t> retried_by;
  std::string error;  // Status::ToString() of a failed job

  std::optional<Duration> duration() const {
    if (!started || !finished) return std::nullopt;
    return *finished - *started;
  }
};

struct BatchJobsOptions {
  std::filesystem::path data_dir;
  Duration refresh_interval = Duration::Minutes(5);  // 0 = no scheduled refreshes
  size_t threads = 1;
  batch::AggregatorOptions aggregator;
  Duration retry_backoff = Duration::Seconds(5);
  Duration max_backoff = Duration::Minutes(5);
  int max_attempts = 5;
};

class BatchJobs {
 public:
  static constexpr size_t kMaxJobsKept = 1000;

  BatchJobs(BatchJobsOptions options, sql::Catalog& catalog, CaptureService& capture,
            ViewVersions& versions);
  ~BatchJobs();
  BatchJobs(const BatchJobs&) = delete;
  BatchJobs& operator=(const BatchJobs&) = delete;

  // Queues a job for `view` (kUndefinedObject when it is not a view) and returns its id.
  Result<int64_t> Submit(JobKind kind, std::string_view view);
  // kUndefinedObject for an unknown (or forgotten) id.
  Result<JobInfo> Get(int64_t id) const;
  // Every kept job, newest first.
  std::vector<JobInfo> List() const;
  // Waits until job `id` finished (succeeded or failed) or `timeout` passed; returns its state.
  Result<JobInfo> Wait(int64_t id, Duration timeout) const;
  // The most recently submitted kept job of `view` (any kind and state), nullopt when none.
  std::optional<JobInfo> NewestJobOf(std::string_view view) const;

  // Submits the refreshes that are due at `now`.
  void Tick(Timestamp now);

  // Set once, before the first job runs: called on the runner's thread with the plan a job
  // computed and the epoch B its version now holds.
  using AbsorbedListener = std::function<void(const sql::ViewPlan& plan, int64_t epoch)>;
  void SetAbsorbedListener(AbsorbedListener listener) { absorbed_ = std::move(listener); }

 private:
  void RunLoop(std::stop_token stop);
  // Runs job `id` (state running) and records its outcome.
  void Execute(int64_t id);
  Result<JobInfo> RunRefresh(const JobInfo& job);
  Result<JobInfo> RunRecompute(const JobInfo& job, const sql::ViewPlanPtr& plan);
  void RecordOutcome(int64_t id, Result<JobInfo> outcome);
  int64_t EnqueueLocked(JobKind kind, std::string view, Timestamp now);
  void SetProgress(int64_t id, double progress);
  // Scan options reporting progress into job `id`.
  batch::RefreshOptions RefreshOptionsFor(int64_t id);

  BatchJobsOptions options_;
  AbsorbedListener absorbed_;
  sql::Catalog& catalog_;
  CaptureService& capture_;
  ViewVersions& versions_;

  mutable std::mutex mu_;
  mutable std::condition_variable_any changed_;
  int64_t next_id_ = 1;
  std::map<int64_t, JobInfo> jobs_;
  std::deque<int64_t> queue_;
  std::map<std::string, Timestamp> last_refresh_;  // by canonical view name: when submitted
  std::jthread runner_;                            // last: started after every field above is ready
};

}  // namespace braid::serving
