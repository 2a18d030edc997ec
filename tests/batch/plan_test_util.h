// Binding view plans in batch tests: a CREATE STREAM and a CREATE VIEW text become the ViewPlan
// the batch layer runs (the same parser and binder the catalog uses). Test-only.
#pragma once

#include <string_view>

#include "common/status.h"
#include "sql/view_plan.h"

namespace braid::batch::testing {

// The telemetry stream of lake/capture_test_util.h (TelemetrySchema()), 3 partitions, event time
// event_ts.
inline constexpr std::string_view kTelemetryStreamSql =
    "CREATE STREAM telemetry (device_id STRING NOT NULL, event_ts TIMESTAMP, temperature DOUBLE, "
    "n BIGINT, ok BOOLEAN) WITH (partitions = 3, partition_key = 'device_id', "
    "timestamp = 'event_ts')";

// Binds `view_sql` over the stream `stream_sql` declares.
Result<sql::ViewPlanPtr> BindViewPlan(std::string_view stream_sql, std::string_view view_sql);

}  // namespace braid::batch::testing
