#include "server/api.h"

#include <algorithm>
#include <memory>

#include "common/json_writer.h"
#include "server/api_alerts.h"
#include "server/api_capture.h"
#include "server/api_ingest.h"
#include "server/api_lake.h"
#include "server/api_sql.h"
#include "server/api_status.h"
#include "server/api_view_rows.h"
#include "server/api_views.h"

namespace braid::server {

ApiContext::ApiContext(serving::Database& database, const ApiOptions& options)
    : database_(database),
      options_(options),
      started_at_(Now()),
      blocking_(static_cast<size_t>(std::max(1, options.blocking_threads))) {}

ApiContext::~ApiContext() { blocking_.join(); }

Router MakeApiRouter(serving::Database& database, const ApiOptions& options) {
  auto context = std::make_shared<ApiContext>(database, options);
  // Each route's handler holds the context, so it lives as long as the router does.
  auto route = [&context](void (*handle)(ApiContext&, const Request&, Responder)) -> Handler {
    return [context, handle](const Request& request, Responder responder) {
      handle(*context, request, std::move(responder));
    };
  };
  Router router;
  router.Add(HttpVerb::post, "/v1/streams/{stream}/events", route(&HandlePostEvents));
  router.Add(HttpVerb::get, "/v1/streams/{stream}/dead_letters", route(&HandleGetDeadLetters));
  router.Add(HttpVerb::post, "/v1/sql", route(&HandlePostSql));
  router.Add(HttpVerb::get, "/v1/status", route(&HandleGetStatus));
  router.Add(HttpVerb::post, "/v1/capture", route(&HandlePostCapture));
  router.Add(HttpVerb::get, "/v1/lake/{stream}/files", route(&HandleGetLakeFiles));
  router.Add(HttpVerb::post, "/v1/lake/{stream}/optimize", route(&HandlePostOptimize));
  router.Add(HttpVerb::post, "/v1/lake/{stream}/vacuum", route(&HandlePostVacuum));
  router.Add(HttpVerb::get, "/v1/views/{view}", route(&HandleGetViewRows));
  router.Add(HttpVerb::post, "/v1/views/{view}/refresh", route(&HandlePostRefresh));
  router.Add(HttpVerb::post, "/v1/views/{view}/recompute", route(&HandlePostRecompute));
  router.Add(HttpVerb::get, "/v1/jobs/{id}", route(&HandleGetJob));
  router.Add(HttpVerb::get, "/v1/jobs", route(&HandleGetJobs));
  router.Add(HttpVerb::get, "/v1/alerts", route(&HandleGetAlerts));
  router.Add(HttpVerb::get, "/healthz", [](const Request&, Responder responder) {
    JsonWriter json;
    json.BeginObject().Key("status").String("ok").EndObject();
    responder.Send(JsonResponse(200, json.Take()));
  });
  return router;
}

}  // namespace braid::server
