#include "serving/view_versions.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <system_error>

#include "common/file_util.h"
#include "common/hash.h"
#include "common/schema.h"
#include "lake/capture.h"
#include "lake/delta_table.h"

namespace braid::serving {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kCurrentFile = "CURRENT";

// "v12" -> 12; anything else -> 0.
int64_t VersionOfDirectory(std::string_view name) {
  if (name.size() < 2 || name[0] != 'v') return 0;
  int64_t version = 0;
  const auto [end, error] = std::from_chars(name.data() + 1, name.data() + name.size(), version);
  if (error != std::errc() || end != name.data() + name.size()) return 0;
  return version;
}

fs::path VersionDir(const fs::path& view_dir, int64_t version) {
  return view_dir / fmt::format("v{}", version);
}

// Every version directory of a view directory, ascending; none when it does not exist.
Result<std::set<int64_t>> VersionDirectories(const fs::path& view_dir) {
  std::set<int64_t> versions;
  std::error_code error;
  if (!fs::exists(view_dir, error)) return versions;
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(view_dir));
  for (const std::string& name : names) {
    const int64_t version = VersionOfDirectory(name);
    if (version > 0 && fs::is_directory(view_dir / name, error)) versions.insert(version);
  }
  return versions;
}

Status RemoveTree(const fs::path& path) {
  std::error_code error;
  fs::remove_all(path, error);
  if (error) return IoError("remove", path, error.value());
  return Status::Ok();
}

}  // namespace

VersionLease::VersionLease(VersionLease&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      view_(std::move(other.view_)),
      version_(other.version_),
      id_(other.id_) {}

VersionLease::~VersionLease() {
  if (owner_ != nullptr) owner_->Release(*this);
}

fs::path ViewVersions::ViewDir(std::string_view view) const {
  return data_dir_ / "views" / CanonicalIdentifier(view);
}

Result<int64_t> ViewVersions::CurrentNumber(std::string_view view) const {
  const fs::path path = ViewDir(view) / kCurrentFile;
  std::error_code error;
  if (!fs::exists(path, error)) return int64_t{0};
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  int64_t version = 0;
  const auto [end, parse_error] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (parse_error != std::errc() || end != text.data() + text.size() || version < 1) {
    return Status(StatusCode::kCorruption,
                  path.string() + ": not a view version number: \"" + text + "\"");
  }
  return version;
}

Result<ViewVersions::ViewState*> ViewVersions::StateLocked(const std::string& key) {
  ViewState& state = views_[key];
  if (state.cleaned) return &state;
  // What an earlier process left: keep CURRENT and the version below it (the previous one).
  ASSIGN_OR_RETURN(int64_t current, CurrentNumber(key));
  ASSIGN_OR_RETURN(std::set<int64_t> versions, VersionDirectories(ViewDir(key)));
  std::set<int64_t> keep = {current};
  auto below = versions.lower_bound(current);
  if (current > 0 && below != versions.begin()) keep.insert(*std::prev(below));
  RETURN_IF_ERROR(DeleteVersionsLocked(key, state, keep));
  state.cleaned = true;
  return &state;
}

Status ViewVersions::DeleteVersionsLocked(const std::string& key, const ViewState& state,
                                          const std::set<int64_t>& keep) {
  const fs::path dir = ViewDir(key);
  ASSIGN_OR_RETURN(std::set<int64_t> versions, VersionDirectories(dir));
  for (int64_t version : versions) {
    if (keep.contains(version)) continue;
    const bool leased =
        std::any_of(state.leases.begin(), state.leases.end(),
                    [&](const auto& lease) { return lease.second.version == version; });
    if (!leased) RETURN_IF_ERROR(RemoveTree(VersionDir(dir, version)));
  }
  return Status::Ok();
}

Result<std::optional<ServedVersion>> ViewVersions::Served(const sql::ViewPlanPtr& current_plan) {
  const std::string key = CanonicalIdentifier(current_plan->name);
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(ViewState * state, StateLocked(key));
  if (state->served) return state->served;
  ASSIGN_OR_RETURN(int64_t number, CurrentNumber(key));
  if (number == 0) return std::optional<ServedVersion>();
  // Published before this process started: servable only with the definition it was built from.
  Result<batch::BatchViewTable> table =
      batch::BatchViewTable::Open(data_dir_, current_plan, number);
  // Another definition's columns: that version cannot be read with the current plan.
  if (!table.ok() && table.status().code() == StatusCode::kTypeMismatch) {
    return std::optional<ServedVersion>();
  }
  if (!table.ok()) return table.status();
  ASSIGN_OR_RETURN(batch::BatchHorizon horizon, table->Horizon());
  if (horizon.definition_hash != Hash64(current_plan->sql)) return std::optional<ServedVersion>();
  state->served = ServedVersion{number, current_plan};
  return state->served;
}

VersionLease ViewVersions::NewLeaseLocked(const std::string& key, ViewState& state, int64_t version,
                                          VersionWrite write) {
  const uint64_t id = next_lease_id_++;
  state.leases[id] = Lease{version, write, state.incarnation};
  return VersionLease(this, key, version, id);
}

Result<VersionLease> ViewVersions::ReserveNewVersion(std::string_view view) {
  const std::string key = CanonicalIdentifier(view);
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(ViewState * state, StateLocked(key));
  ASSIGN_OR_RETURN(std::set<int64_t> versions, VersionDirectories(ViewDir(key)));
  ASSIGN_OR_RETURN(int64_t highest, CurrentNumber(key));
  if (!versions.empty()) highest = std::max(highest, *versions.rbegin());
  for (const auto& [id, lease] : state->leases) highest = std::max(highest, lease.version);
  return NewLeaseLocked(key, *state, highest + 1, VersionWrite::kBuild);
}

Result<VersionLease> ViewVersions::HoldServed(const ServedVersion& served) {
  const std::string key = CanonicalIdentifier(served.plan->name);
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(ViewState * state, StateLocked(key));
  if (!state->served || state->served->version != served.version) {
    return Status(StatusCode::kUnavailable, "version " + std::to_string(served.version) +
                                                " of view " + served.plan->name +
                                                " is no longer served");
  }
  return NewLeaseLocked(key, *state, served.version, VersionWrite::kUpdate);
}

std::optional<int64_t> ViewVersions::Building(std::string_view view) const {
  std::lock_guard lock(mu_);
  auto it = views_.find(CanonicalIdentifier(view));
  if (it == views_.end()) return std::nullopt;
  std::optional<int64_t> building;
  for (const auto& [id, lease] : it->second.leases) {
    if (lease.write != VersionWrite::kBuild || lease.incarnation != it->second.incarnation) {
      continue;
    }
    building = std::max(building.value_or(0), lease.version);
  }
  return building;
}

Status ViewVersions::Publish(const sql::ViewPlanPtr& plan, const VersionLease& lease) {
  const std::string key = CanonicalIdentifier(plan->name);
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(ViewState * state, StateLocked(key));
  auto held = state->leases.find(lease.id_);
  if (lease.owner_ != this || lease.view_ != key || held == state->leases.end() ||
      held->second.incarnation != state->incarnation) {
    return Status(StatusCode::kUndefinedObject,
                  "view " + plan->name + " was dropped while version " +
                      std::to_string(lease.version()) + " was written");
  }
  ASSIGN_OR_RETURN(int64_t previous, CurrentNumber(key));
  RETURN_IF_ERROR(CreateDirectoriesDurably(ViewDir(key)));
  RETURN_IF_ERROR(
      WriteFileAtomically(ViewDir(key) / kCurrentFile, std::to_string(lease.version()) + "\n"));
  state->served = ServedVersion{lease.version(), plan};
  // Served from here on: the publish succeeded even if a deletion below fails (a leftover
  // version is never served, and the next Publish or start deletes it), so that failure must
  // not fail the job and start another recompute.
  Status cleanup = DeleteVersionsLocked(key, *state, {lease.version(), previous});
  static_cast<void>(cleanup);
  return Status::Ok();
}

void ViewVersions::Release(const VersionLease& lease) {
  std::lock_guard lock(mu_);
  auto it = views_.find(lease.view_);
  if (it == views_.end()) return;
  ViewState& state = it->second;
  auto held = state.leases.find(lease.id_);
  if (held == state.leases.end()) return;
  const bool dropped = held->second.incarnation != state.incarnation;
  state.leases.erase(held);
  if (!dropped) return;
  // Best effort (a destructor cannot report): a leftover is never served, since the view's
  // CURRENT is gone or names a later version, and the next Publish or start deletes it.
  const fs::path dir = ViewDir(lease.view_);
  std::error_code error;
  fs::remove_all(VersionDir(dir, lease.version()), error);
  fs::remove(dir, error);  // only if empty: a view created again under the name keeps its own
}

Status ViewVersions::Drop(std::string_view view) {
  const std::string key = CanonicalIdentifier(view);
  std::lock_guard lock(mu_);
  ViewState& state = views_[key];
  state.incarnation++;
  state.served.reset();
  state.coverage.reset();
  state.cleaned = true;  // whatever is left below is deleted now
  const fs::path dir = ViewDir(key);
  std::error_code error;
  if (!fs::exists(dir, error)) return Status::Ok();
  fs::remove(dir / kCurrentFile, error);
  if (error) return IoError("remove", dir / kCurrentFile, error.value());
  RETURN_IF_ERROR(SyncDirectory(dir));
  if (state.leases.empty()) return RemoveTree(dir);
  return DeleteVersionsLocked(key, state, {});
}

Status ViewVersions::DropAllBut(const std::set<std::string>& views) {
  const fs::path root = data_dir_ / "views";
  std::error_code error;
  if (!fs::exists(root, error)) return Status::Ok();
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(root));
  for (const std::string& name : names) {
    if (views.contains(name) || !fs::is_directory(root / name, error)) continue;
    RETURN_IF_ERROR(Drop(name));
  }
  return Status::Ok();
}

Result<std::optional<Timestamp>> ViewVersions::SealedAt(const sql::ViewPlan& plan,
                                                        int64_t epoch) const {
  if (epoch == 0) return std::optional<Timestamp>();
  const lake::DeltaTable lake_table(data_dir_ / "lake" / CanonicalIdentifier(plan.source));
  ASSIGN_OR_RETURN(lake::CapturedEpoch sealed, lake::FindCapturedEpoch(lake_table, epoch));
  return std::optional<Timestamp>(sealed.sealed_at);
}

Result<std::optional<Timestamp>> ViewVersions::HorizonOf(const ServedVersion& served,
                                                         const batch::BatchHorizon& horizon) {
  const std::string key = CanonicalIdentifier(served.plan->name);
  {
    std::lock_guard lock(mu_);
    const std::optional<CachedCoverage>& cached = views_[key].coverage;
    if (cached && cached->version == served.version &&
        cached->horizon_version == horizon.table_version &&
        cached->coverage.batch_epoch == horizon.epoch) {
      return cached->coverage.batch_horizon;
    }
  }
  // Outside the lock: the lake's commits are immutable, so racing callers compute the same.
  ASSIGN_OR_RETURN(std::optional<Timestamp> sealed_at, SealedAt(*served.plan, horizon.epoch));
  std::lock_guard lock(mu_);
  ViewState& state = views_[key];
  if (!state.served || state.served->version != served.version) return sealed_at;  // moved on
  state.coverage = CachedCoverage{.version = served.version,
                                  .horizon_version = horizon.table_version,
                                  .seen_version = horizon.table_version,
                                  .coverage = {horizon.epoch, sealed_at}};
  return sealed_at;
}

Result<std::optional<VersionCoverage>> ViewVersions::CachedCoverageOf(const ServedVersion& served) {
  const std::string key = CanonicalIdentifier(served.plan->name);
  std::optional<CachedCoverage> cached;
  {
    std::lock_guard lock(mu_);
    cached = views_[key].coverage;
  }
  if (!cached || cached->version != served.version) return std::optional<VersionCoverage>();
  // Commits after the cached one that carry no batch txn leave the horizon as it is.
  const lake::DeltaTable table(VersionDir(ViewDir(key), served.version));
  int64_t seen = cached->seen_version;
  std::error_code error;
  while (fs::exists(table.CommitPath(seen + 1), error)) {
    ASSIGN_OR_RETURN(lake::DeltaCommit commit, table.ReadCommit(seen + 1));
    for (const lake::DeltaTxn& txn : commit.txns) {
      if (txn.app_id == batch::kBatchAppId) return std::optional<VersionCoverage>();
    }
    ++seen;
  }
  if (seen != cached->seen_version) {
    std::lock_guard lock(mu_);
    std::optional<CachedCoverage>& stored = views_[key].coverage;
    if (stored && stored->version == cached->version &&
        stored->horizon_version == cached->horizon_version) {
      stored->seen_version = std::max(stored->seen_version, seen);
    }
  }
  return std::optional<VersionCoverage>(cached->coverage);
}

Result<VersionCoverage> ViewVersions::CoverageOf(const ServedVersion& served) {
  ASSIGN_OR_RETURN(std::optional<VersionCoverage> cached, CachedCoverageOf(served));
  if (cached) return *cached;
  ASSIGN_OR_RETURN(batch::BatchViewTable table,
                   batch::BatchViewTable::Open(data_dir_, served.plan, served.version));
  ASSIGN_OR_RETURN(batch::BatchHorizon horizon, table.Horizon());
  ASSIGN_OR_RETURN(std::optional<Timestamp> sealed_at, HorizonOf(served, horizon));
  return VersionCoverage{horizon.epoch, sealed_at};
}

}  // namespace braid::serving
