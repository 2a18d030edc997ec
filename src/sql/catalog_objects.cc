#include "sql/catalog_objects.h"

#include <fmt/format.h>

#include "sql/parser.h"

namespace braid::sql {
namespace {

template <typename Map>
typename Map::mapped_type Lookup(const Map& map, std::string_view name) {
  auto it = map.find(CanonicalIdentifier(name));
  return it == map.end() ? nullptr : it->second;
}

template <typename Statement>
Result<const Statement*> ParseAs(std::string_view sql, const ParsedStatement& parsed,
                                 std::string_view what) {
  const auto* statement = std::get_if<Statement>(&parsed.statement);
  if (statement == nullptr) {
    return Status(StatusCode::kInternal, fmt::format("not a {}: {}", what, sql.substr(0, 60)));
  }
  return statement;
}

}  // namespace

BindEnvironment CatalogObjects::Environment() const {
  return BindEnvironment{
      .find_stream = [this](std::string_view name) { return Lookup(streams, name); },
      .find_view = [this](std::string_view name) { return Lookup(views, name); },
  };
}

Result<BoundView> CatalogObjects::BindViewSql(std::string_view sql) const {
  ASSIGN_OR_RETURN(ParsedStatement parsed, ParseStatement(sql));
  ASSIGN_OR_RETURN(const CreateViewStatement* view,
                   ParseAs<CreateViewStatement>(sql, parsed, "CREATE VIEW"));
  return BindView(*view, Environment());
}

Result<AlertPlanPtr> CatalogObjects::BindAlertSql(std::string_view sql) const {
  ASSIGN_OR_RETURN(ParsedStatement parsed, ParseStatement(sql));
  ASSIGN_OR_RETURN(const CreateAlertStatement* alert,
                   ParseAs<CreateAlertStatement>(sql, parsed, "CREATE ALERT"));
  return BindAlert(*alert, Environment());
}

Status CatalogObjects::RebindViewsOf(const std::string& stream_key) {
  for (const std::string& view_key : ViewsReading(stream_key)) {
    const ViewPlanPtr& old = views.at(view_key);
    Result<BoundView> bound = BindViewSql(old->sql);
    if (!bound.ok()) {
      return Status(StatusCode::kDependentObjects,
                    fmt::format("view '{}' would no longer bind: {}", old->name,
                                bound.status().message()));
    }
    views[view_key] = bound->plan;
    RETURN_IF_ERROR(RebindAlertsOn(view_key));
  }
  return Status::Ok();
}

Status CatalogObjects::RebindAlertsOn(const std::string& view_key) {
  for (const std::string& alert_key : AlertsOn(view_key)) {
    const AlertPlanPtr& old = alerts.at(alert_key);
    Result<AlertPlanPtr> bound = BindAlertSql(old->sql);
    if (!bound.ok()) {
      return Status(StatusCode::kDependentObjects,
                    fmt::format("alert '{}' would no longer bind: {}", old->name,
                                bound.status().message()));
    }
    alerts[alert_key] = *bound;
  }
  return Status::Ok();
}

std::vector<std::string> CatalogObjects::ViewsReading(const std::string& stream_key) const {
  std::vector<std::string> keys;
  for (const auto& [key, plan] : views) {
    if (CanonicalIdentifier(plan->source) == stream_key) keys.push_back(key);
  }
  return keys;
}

std::vector<std::string> CatalogObjects::AlertsOn(const std::string& view_key) const {
  std::vector<std::string> keys;
  for (const auto& [key, alert] : alerts) {
    if (CanonicalIdentifier(alert->view) == view_key) keys.push_back(key);
  }
  return keys;
}

}  // namespace braid::sql
