// What several benchmarks share: examples/iot.sql's telemetry stream and device_metrics view bound
// with the catalog's parser and binder (to run the view outside a Database), timing and medians,
// and a fatal error.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "sql/stream_definition.h"
#include "sql/view_plan.h"

namespace braid::bench {

struct IotPlan {
  std::shared_ptr<const sql::StreamDefinition> stream;
  sql::ViewPlanPtr view;  // device_metrics
};

// Reads and binds `file` (examples/iot.sql).
Result<IotPlan> BindDeviceMetrics(const std::filesystem::path& file);

// device_metrics in DuckDB's SQL (as tests/sql/view_oracle_test.cc checks it) over `from`: a
// table name or a table function such as read_parquet([...]).
std::string DuckDbDeviceMetrics(const std::string& from);

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point start);
// The middle value (the upper one of an even count); 0 for none.
double Median(std::vector<double> values);
// Prints "program: what: status" to stderr and exits with 1.
[[noreturn]] void Die(const char* program, const std::string& what, const Status& status);

}  // namespace braid::bench
