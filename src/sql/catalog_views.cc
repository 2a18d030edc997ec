// The views and alerts of the Catalog (catalog.h): bound against the catalog's own objects under
// its lock, so a view can never refer to a stream that is being dropped.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sql/catalog.h"
#include "sql/keywords.h"

namespace braid::sql {
namespace {

Status Missing(std::string_view kind, std::string_view name) {
  return Status(StatusCode::kUndefinedObject, fmt::format("{} '{}' does not exist", kind, name));
}

template <typename Map>
auto FindIn(const Map& map, std::string_view name) -> typename Map::mapped_type {
  auto it = map.find(CanonicalIdentifier(name));
  return it == map.end() ? nullptr : it->second;
}

template <typename Map>
auto ValuesOf(const Map& map) {
  std::vector<typename Map::mapped_type> values;
  values.reserve(map.size());
  for (const auto& [key, value] : map) values.push_back(value);
  return values;
}

// Whether two canonical texts "CREATE <kind> <name> ..." of objects with the same catalog key
// define the same object: equal but for the case of the object's own name, which is
// case-insensitive like the catalog's keys (as for streams).
bool SameDefinition(std::string_view kind, std::string_view stored_sql,
                    std::string_view stored_name, std::string_view new_sql,
                    std::string_view new_name) {
  const std::string stored_prefix =
      fmt::format("CREATE {} {} ", kind, FormatIdentifier(stored_name));
  const std::string new_prefix = fmt::format("CREATE {} {} ", kind, FormatIdentifier(new_name));
  if (!stored_sql.starts_with(stored_prefix) || !new_sql.starts_with(new_prefix)) {
    return stored_sql == new_sql;
  }
  return stored_sql.substr(stored_prefix.size()) == new_sql.substr(new_prefix.size());
}

}  // namespace

Result<ViewOutcome> Catalog::CreateView(const CreateViewStatement& statement,
                                        OnConflict on_conflict) {
  std::string key = CanonicalIdentifier(statement.name);
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(BoundView bound, BindView(statement, objects_.Environment()));
  if (objects_.streams.contains(key)) {
    return Status(StatusCode::kDuplicateObject,
                  fmt::format("'{}' is already the name of a stream", statement.name),
                  statement.name_position);
  }
  ViewOutcome result{.outcome = ApplyOutcome::kCreated, .plan = bound.plan,
                     .warnings = std::move(bound.warnings)};
  CatalogObjects next = objects_;
  if (auto it = objects_.views.find(key); it != objects_.views.end()) {
    if (SameDefinition("VIEW", it->second->sql, it->second->name, bound.plan->sql,
                       bound.plan->name)) {
      result.outcome = ApplyOutcome::kUnchanged;
      result.plan = it->second;
      return result;
    }
    if (on_conflict == OnConflict::kFail) {
      return Status(StatusCode::kDuplicateObject,
                    fmt::format("view '{}' already exists with a different definition; use "
                                "CREATE OR REPLACE VIEW to change it",
                                it->second->name),
                    statement.name_position);
    }
    result.outcome = ApplyOutcome::kReplaced;
    next.views[key] = bound.plan;
    RETURN_IF_ERROR(next.RebindAlertsOn(key));
  } else {
    next.views.emplace(key, bound.plan);
  }
  RETURN_IF_ERROR(Commit(std::move(next)));
  return result;
}

Status Catalog::DropView(std::string_view name, OnMissing on_missing) {
  std::lock_guard lock(mu_);
  auto it = objects_.views.find(CanonicalIdentifier(name));
  if (it == objects_.views.end()) {
    return on_missing == OnMissing::kIgnore ? Status::Ok() : Missing("view", name);
  }
  if (std::vector<std::string> alerts = objects_.AlertsOn(it->first); !alerts.empty()) {
    return Status(StatusCode::kDependentObjects,
                  fmt::format("cannot drop view '{}': alerts {} are defined on it; drop them first",
                              it->second->name, fmt::join(alerts, ", ")));
  }
  CatalogObjects next = objects_;
  next.views.erase(it->first);
  return Commit(std::move(next));
}

ViewPlanPtr Catalog::FindView(std::string_view name) const {
  std::lock_guard lock(mu_);
  return FindIn(objects_.views, name);
}

std::vector<ViewPlanPtr> Catalog::Views() const {
  std::lock_guard lock(mu_);
  return ValuesOf(objects_.views);
}

Result<ApplyOutcome> Catalog::CreateAlert(const CreateAlertStatement& statement,
                                          OnConflict on_conflict) {
  std::string key = CanonicalIdentifier(statement.name);
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(AlertPlanPtr bound, BindAlert(statement, objects_.Environment()));
  ApplyOutcome outcome = ApplyOutcome::kCreated;
  if (auto it = objects_.alerts.find(key); it != objects_.alerts.end()) {
    if (SameDefinition("ALERT", it->second->sql, it->second->name, bound->sql, bound->name)) {
      return ApplyOutcome::kUnchanged;
    }
    if (on_conflict == OnConflict::kFail) {
      return Status(StatusCode::kDuplicateObject,
                    fmt::format("alert '{}' already exists with a different definition; use "
                                "CREATE OR REPLACE ALERT to change it",
                                it->second->name),
                    statement.name_position);
    }
    outcome = ApplyOutcome::kReplaced;
  }
  CatalogObjects next = objects_;
  next.alerts[key] = std::move(bound);
  RETURN_IF_ERROR(Commit(std::move(next)));
  return outcome;
}

Status Catalog::DropAlert(std::string_view name, OnMissing on_missing) {
  std::lock_guard lock(mu_);
  auto it = objects_.alerts.find(CanonicalIdentifier(name));
  if (it == objects_.alerts.end()) {
    return on_missing == OnMissing::kIgnore ? Status::Ok() : Missing("alert", name);
  }
  CatalogObjects next = objects_;
  next.alerts.erase(it->first);
  return Commit(std::move(next));
}

AlertPlanPtr Catalog::FindAlert(std::string_view name) const {
  std::lock_guard lock(mu_);
  return FindIn(objects_.alerts, name);
}

std::vector<AlertPlanPtr> Catalog::Alerts() const {
  std::lock_guard lock(mu_);
  return ValuesOf(objects_.alerts);
}

}  // namespace braid::sql
