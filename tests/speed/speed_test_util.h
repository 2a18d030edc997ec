// Helpers of the speed layer's tests: a stream `s (k STRING NOT NULL, ts TIMESTAMP NOT NULL,
// v DOUBLE)` with options given as SQL, a view over it bound by the catalog's binder, and view
// input chunks (the stream's columns, _ingested_at, _partition, _offset) from a few events.
// Test-only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "common/time.h"
#include "sql/catalog_objects.h"
#include "sql/view_plan.h"

namespace braid::speed::testing {

struct BoundView {
  sql::StreamDefinitionPtr stream;
  sql::ViewPlanPtr plan;
};

// CREATE STREAM s (k STRING NOT NULL, ts TIMESTAMP NOT NULL, v DOUBLE) WITH (timestamp = 'ts',
// <options>) and `view_sql` over it.
BoundView Bind(std::string_view stream_options, std::string_view view_sql);

struct Event {
  std::string key;
  Timestamp time;
  double value = 1;
};

// The view input rows of `events`, consecutive offsets from `first_offset` of `partition`,
// ingested at `ingested_at`.
Chunk InputOf(const sql::ViewPlan& plan, const std::vector<Event>& events, int partition,
              uint64_t first_offset, Timestamp ingested_at);

// 2024-01-01T00:00:00Z plus the given time of day.
Timestamp At(int hours, int minutes, double seconds);

}  // namespace braid::speed::testing
