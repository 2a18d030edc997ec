// The contents of the catalog as one value (streams, views, alerts, each keyed by the lower-cased
// name) and the binding that ties them together: a view is bound against the streams, an alert
// against the views, and a change to a stream or a view re-binds what depends on it, so a plan
// never refers to a schema that no longer exists. Internal to the catalog (catalog.h); a plain
// value, copied on every change and swapped in after the file is written.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/stream_definition.h"
#include "sql/view_binder.h"
#include "sql/view_plan.h"

namespace braid::sql {

using StreamDefinitionPtr = std::shared_ptr<const StreamDefinition>;

struct CatalogObjects {
  std::map<std::string, StreamDefinitionPtr> streams;
  std::map<std::string, ViewPlanPtr> views;
  std::map<std::string, AlertPlanPtr> alerts;

  // Lookups over these objects, for the binder.
  BindEnvironment Environment() const;

  // Binds the SQL of a view (or alert) against these objects.
  Result<BoundView> BindViewSql(std::string_view sql) const;
  Result<AlertPlanPtr> BindAlertSql(std::string_view sql) const;

  // Re-binds every view reading `stream_key`, then the alerts on them; the first failure is
  // returned (kDependentObjects naming the view) and leaves *this partly updated: callers work on
  // a copy.
  Status RebindViewsOf(const std::string& stream_key);
  // Re-binds every alert on `view_key`.
  Status RebindAlertsOn(const std::string& view_key);

  // The names of the views reading the stream, and of the alerts on the view.
  std::vector<std::string> ViewsReading(const std::string& stream_key) const;
  std::vector<std::string> AlertsOn(const std::string& view_key) const;
};

}  // namespace braid::sql
