// SpeedService: the speed layer (speed/) wired to the rest of the engine, as CaptureService wires
// capture. It keeps one speed::StreamTailer per stream that has views and one speed::SpeedView
// per view, and connects them to
//   - the catalog: Sync starts the view of every new or changed definition and stops dropped
//     ones (called after every DDL statement and at open);
//   - the batch layer: a view starts from what its served batch version absorbed (the log
//     offsets E(B) of its epoch B, from the lake's commit of that epoch), not from the beginning
//     of the log, and Absorbed(view, plan, B) drops its generations <= B once the batch view that
//     holds them is visible;
//   - capture: BoundariesOf gives the epoch boundaries capture publishes E(k) to before anyone
//     can read past it (speed/epoch_boundaries.h);
//   - alerts: the rows of every window a view emits go through the view's CREATE ALERT rules into
//     the AlertHub (speed/alert_rules.h, speed/alert_hub.h); only views with rules build rows.
//     Emitted rows merge the served batch version's states of the closing windows
//     (MergeWindows, speed/batch_states.h), and each view keeps its emitted frontier in
//     DATA/speed/{view}.frontier, so a restart neither misses nor repeats a window's alert.
// Thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "log/log_manager.h"
#include "serving/view_versions.h"
#include "speed/alert_hub.h"
#include "speed/epoch_boundaries.h"
#include "speed/speed_view.h"
#include "speed/stream_tailer.h"
#include "sql/catalog.h"

namespace braid::serving {

struct SpeedServiceOptions {
  std::filesystem::path data_dir;
  size_t memory_limit = size_t{4} << 30;  // per view ([speed] memory_limit)
  speed::TailerOptions tailer;
};

// One view's speed state as /v1/status reports it.
struct SpeedViewReport {
  std::string view;
  std::string stream;
  speed::SpeedViewStatus state;
};

struct SpeedStreamReport {
  std::string stream;
  speed::TailerStatus tailer;
  int64_t open_generation = 0;
};

class SpeedService : public speed::BatchStates {
 public:
  SpeedService(SpeedServiceOptions options, sql::Catalog& catalog, log::LogManager& logs,
               ViewVersions& versions, speed::AlertHub* alerts);
  ~SpeedService() override;
  SpeedService(const SpeedService&) = delete;
  SpeedService& operator=(const SpeedService&) = delete;

  // Starts, restarts or stops views to match the catalog (see the header comment).
  Status Sync();

  // The epoch boundaries of `stream`, created from its lake table's last sealed epoch.
  Result<std::shared_ptr<speed::EpochBoundaries>> BoundariesOf(
      const sql::StreamDefinition& stream);

  // The batch version of plan->name computed with `plan` now holds every event of epochs <= epoch.
  void Absorbed(const sql::ViewPlan& plan, int64_t epoch);

  // The running speed view of `view` (canonical or as written), nullptr when none.
  std::shared_ptr<speed::SpeedView> FindView(std::string_view view) const;
  // Waits until every view of `stream` has read the log up to its end offsets now (read your
  // writes); false when `timeout` passed first.
  bool WaitUntilCaughtUp(std::string_view stream, Duration timeout) const;

  std::vector<SpeedViewReport> ViewReports() const;
  std::vector<SpeedStreamReport> StreamReports() const;
  // How far the tailer of `stream` is behind its log (nullopt: no tailer reads it); what every
  // query's staleness comes from, without StreamReports' full status of every stream.
  std::optional<speed::TailerLag> StreamLag(std::string_view stream) const;
  uint64_t alert_errors() const;

  // speed::BatchStates: the served batch version's states of plan's windows in [low, high).
  Result<int64_t> MergeWindows(const sql::ViewPlanPtr& plan, int64_t low, int64_t high,
                               batch::HashAggregator& into) override;
  // Why the last Sync could not start some view (empty when it started all).
  std::string sync_error() const;

 private:
  struct StreamSpeed {
    std::shared_ptr<speed::EpochBoundaries> boundaries;
    std::shared_ptr<speed::StreamTailer> tailer;
  };
  // The offsets and epoch `plan`'s served batch version absorbed (zeros and 0 when none).
  Status StartView(const sql::ViewPlanPtr& plan);
  Result<std::shared_ptr<speed::EpochBoundaries>> BoundariesLocked(
      const sql::StreamDefinition& stream);
  void OnEmitted(const std::shared_ptr<speed::SpeedView>& view, std::vector<Chunk> rows);
  std::filesystem::path FrontierFile(std::string_view view) const;

  SpeedServiceOptions options_;
  sql::Catalog& catalog_;
  log::LogManager& logs_;
  ViewVersions& versions_;
  speed::AlertHub* alerts_;

  mutable std::mutex mu_;
  std::map<std::string, StreamSpeed> streams_;                        // by canonical stream name
  std::map<std::string, std::shared_ptr<speed::SpeedView>> views_;   // by canonical view name
  uint64_t alert_errors_ = 0;
  std::string sync_error_;
};

}  // namespace braid::serving
