// ViewVersions: which version of each view's batch table is served (issue 5 item 4, API.md data
// directory), which versions jobs are writing, and which version directories may go. The served
// version N of a view is recorded in DATA/views/{view}/CURRENT (the decimal number and a
// newline), replaced atomically (temporary file, fsync, rename, fsync the directory), so a crash
// leaves the old or the new version served, never a mix. A recompute builds version N+1 beside N
// and Publish swaps it in only after its table committed: readers keep N until then (human fault
// tolerance: fix the logic, recompute, nothing lost).
//
// A served version also carries the plan its rows were computed with. CREATE OR REPLACE VIEW
// changes the catalog's plan at once, but the old version keeps being served with the plan it
// was published with until the new version commits. After a restart the plan of a served
// version is known only if the catalog's definition still matches the table's recorded
// definition hash; otherwise that version is not served and Served says so (the scheduler's
// next job recomputes it, batch_jobs.h).
//
// Cleanup: a job writes a version only while it holds a VersionLease on it, and no directory
// under a lease, nor the served one, is ever deleted. Publish(N) keeps N and the version served
// before it (for rollback and for reads still in flight) and deletes every other version
// directory of the view. The first use of a view in a process deletes what an earlier process
// left: every v{M} above CURRENT (a recompute killed mid-way) and below the highest version
// under CURRENT (the previous one, kept). Drop (DROP VIEW) deletes the view's directory, so a
// view later created under the same name starts from nothing; a job still writing a dropped
// view's version cannot publish it, and its lease deletes the directory when released.
//
// Coverage: the served version's batch epoch B and batch horizon, the instant up to which the
// version is complete in ingestion time: the sealedAt of the lake commit that sealed epoch B
// (lake/capture.h). Cached per view, keyed by the view table's Delta version, so asking again
// costs one stat of the next commit file.
//
// Thread-safe: one mutex guards the in-memory state; publishing and deleting are serialized with
// it. Reading tables (Served after a restart, coverage) happens outside it where possible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "batch/batch_view_table.h"
#include "common/status.h"
#include "common/time.h"
#include "sql/view_plan.h"

namespace braid::serving {

// The version of a view that answers `exact` queries, with the plan that computed it.
struct ServedVersion {
  int64_t version = 0;  // >= 1
  sql::ViewPlanPtr plan;
};

// What a served version covers (API.md /v1/status "views", query "meta").
struct VersionCoverage {
  int64_t batch_epoch = 0;                 // B: every event of epochs <= B is counted
  std::optional<Timestamp> batch_horizon;  // sealedAt of epoch B; nullopt when B == 0
};

// Why a job writes a version: to build a new one (recompute) or to fold epochs into the served
// one (refresh). /v1/status reports the first kind as "building".
enum class VersionWrite : uint8_t { kBuild, kUpdate };

class ViewVersions;

// A version a job is writing: while the lease lives, cleanup leaves its directory alone.
// Move-only; releasing it (destruction) deletes the directory if the view was dropped meanwhile,
// best effort: what remains is removed by a later Publish or startup cleanup and is never served.
class VersionLease {
 public:
  VersionLease(VersionLease&& other) noexcept;
  VersionLease& operator=(VersionLease&&) = delete;
  VersionLease(const VersionLease&) = delete;
  VersionLease& operator=(const VersionLease&) = delete;
  ~VersionLease();

  int64_t version() const { return version_; }

 private:
  friend class ViewVersions;
  VersionLease(ViewVersions* owner, std::string view, int64_t version, uint64_t id)
      : owner_(owner), view_(std::move(view)), version_(version), id_(id) {}

  ViewVersions* owner_;  // nullptr once moved from
  std::string view_;     // canonical name
  int64_t version_;
  uint64_t id_;
};

class ViewVersions {
 public:
  explicit ViewVersions(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}
  ViewVersions(const ViewVersions&) = delete;
  ViewVersions& operator=(const ViewVersions&) = delete;

  // The served version of `view` for the catalog's `current_plan`: nullopt when no version was
  // ever published, or when the published one was computed from another definition that this
  // process never saw (after a restart). kCorruption for an unreadable CURRENT file.
  Result<std::optional<ServedVersion>> Served(const sql::ViewPlanPtr& current_plan);

  // The version number CURRENT names (0 when none), without any plan check.
  Result<int64_t> CurrentNumber(std::string_view view) const;

  // A lease on a new version number of `view`, above every version directory and every version
  // leased (v1 for a new view), for a recompute to build.
  Result<VersionLease> ReserveNewVersion(std::string_view view);
  // A lease on `served` for a refresh to update; kUnavailable when it is no longer the served
  // version of its view (published over or dropped since it was read).
  Result<VersionLease> HoldServed(const ServedVersion& served);
  // The highest version of `view` being built (a kBuild lease), nullopt when none.
  std::optional<int64_t> Building(std::string_view view) const;

  // Makes the leased version, computed with `plan`, the served version of plan->name, durably,
  // then deletes the view's other version directories but the previously served one and those
  // leased. kUndefinedObject when the view was dropped after the lease was taken.
  Status Publish(const sql::ViewPlanPtr& plan, const VersionLease& lease);

  // What `served` covers; cached by its table's Delta version.
  Result<VersionCoverage> CoverageOf(const ServedVersion& served);
  // The batch horizon of `served` whose table holds `horizon` (just read from it), cached as
  // above: the sealedAt of epoch horizon.epoch of the view's stream, nullopt for epoch 0.
  Result<std::optional<Timestamp>> HorizonOf(const ServedVersion& served,
                                             const batch::BatchHorizon& horizon);

  // DROP VIEW: forgets `view` and deletes its directory (CURRENT first, so a crash midway leaves
  // nothing served); leased versions go when their lease is released.
  Status Drop(std::string_view view);
  // Startup: deletes the directory of every view not in `views` (canonical names), left by a
  // DROP VIEW whose deletion a crash interrupted.
  Status DropAllBut(const std::set<std::string>& views);

  std::filesystem::path ViewDir(std::string_view view) const;

 private:
  friend class VersionLease;

  struct Lease {
    int64_t version;
    VersionWrite write;
    uint64_t incarnation;  // of the view when the lease was taken
  };
  struct CachedCoverage {
    int64_t version = 0;
    int64_t horizon_version = -1;  // the view table's Delta version holding the horizon
    int64_t seen_version = -1;     // the latest Delta version known to hold no newer horizon
    VersionCoverage coverage;
  };
  // Everything known about one view; `incarnation` changes when the view is dropped.
  struct ViewState {
    bool cleaned = false;  // leftovers of earlier processes deleted
    uint64_t incarnation = 0;
    std::optional<ServedVersion> served;
    std::map<uint64_t, Lease> leases;  // by lease id
    std::optional<CachedCoverage> coverage;
  };

  // The state of `key` with an earlier process's leftovers deleted. Requires mu_.
  Result<ViewState*> StateLocked(const std::string& key);
  // Deletes every version directory of `key` but `keep` and the leased ones. Requires mu_.
  Status DeleteVersionsLocked(const std::string& key, const ViewState& state,
                              const std::set<int64_t>& keep);
  // The cached coverage of `served` if no commit after it carries a newer horizon.
  Result<std::optional<VersionCoverage>> CachedCoverageOf(const ServedVersion& served);
  Result<std::optional<Timestamp>> SealedAt(const sql::ViewPlan& plan, int64_t epoch) const;
  VersionLease NewLeaseLocked(const std::string& key, ViewState& state, int64_t version,
                              VersionWrite write);
  void Release(const VersionLease& lease);

  std::filesystem::path data_dir_;
  mutable std::mutex mu_;
  std::map<std::string, ViewState> views_;  // by canonical view name
  uint64_t next_lease_id_ = 1;
};

}  // namespace braid::serving
