// Alert rules over emitted windows (issue 6 item 5, API.md CREATE ALERT): each CREATE ALERT on a
// view is a BOOLEAN condition over the view's output rows; when the speed layer emits a window's
// rows (speed_view.h), every row that passes the view's HAVING and a rule's condition becomes one
// speed::Alert naming the rule, the view, the row's keys, its window and its output values. The
// alert id is a hash of (rule, view, keys, window), so the same window always gives the same id
// and AlertHub fires it once. Pure; thread-safe.
#pragma once

#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "common/time.h"
#include "speed/alert_hub.h"
#include "sql/view_plan.h"

namespace braid::speed {

// The alerts `rules` (all on `plan`'s view) raise over `rows` (batch::BatchViewSchema(plan)),
// stamped `fired_at`. Errors: a condition failing at run time.
Result<std::vector<Alert>> MatchAlerts(const sql::ViewPlan& plan,
                                       const std::vector<sql::AlertPlanPtr>& rules,
                                       const std::vector<Chunk>& rows, Timestamp fired_at);

}  // namespace braid::speed
