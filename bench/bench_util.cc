#include "bench_util.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <fstream>
#include <sstream>
#include <variant>
#include <vector>

#include "sql/parser.h"
#include "sql/view_binder.h"

namespace braid::bench {

Result<IotPlan> BindDeviceMetrics(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  Result<std::vector<sql::ParsedStatement>> statements = sql::ParseScript(text.str());
  if (!statements.ok()) return statements.status().WithContext(file.string());
  IotPlan plan;
  const sql::BindEnvironment environment{
      .find_stream = [&plan](std::string_view) { return plan.stream; },
      .find_view = [](std::string_view) { return sql::ViewPlanPtr(); },
  };
  for (const sql::ParsedStatement& parsed : *statements) {
    if (const auto* stream = std::get_if<sql::CreateStreamStatement>(&parsed.statement)) {
      ASSIGN_OR_RETURN(sql::StreamDefinition definition, sql::BindCreateStream(*stream));
      plan.stream = std::make_shared<const sql::StreamDefinition>(std::move(definition));
    } else if (const auto* view = std::get_if<sql::CreateViewStatement>(&parsed.statement)) {
      if (view->name != "device_metrics") continue;
      ASSIGN_OR_RETURN(sql::BoundView bound, sql::BindView(*view, environment));
      plan.view = bound.plan;
    }
  }
  if (plan.stream == nullptr || plan.view == nullptr) {
    return Status(StatusCode::kInternal, file.string() + ": no telemetry stream or device_metrics");
  }
  return plan;
}

std::string DuckDbDeviceMetrics(const std::string& from) {
  return "SELECT device_id, we - 60000000 AS window_start, we AS window_end, count(*) AS "
         "event_count, avg(temperature) AS avg_temperature, max(temperature) AS max_temperature, "
         "min(temperature) AS min_temperature, stddev_samp(temperature) AS stddev_temperature, "
         "quantile_cont(temperature, 0.95) AS p95_temperature, sum(energy_consumed) AS "
         "total_energy, count(DISTINCT user_id) AS unique_users, CASE WHEN avg(temperature) > 85 "
         "THEN 'HIGH_TEMP' WHEN avg(temperature) < 32 THEN 'LOW_TEMP' ELSE 'NORMAL' END AS "
         "alert_level FROM (SELECT *, (epoch_us(event_ts) // 60000000 + 1) * 60000000 AS we FROM " +
         from + ") GROUP BY device_id, we";
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

void Die(const char* program, const std::string& what, const Status& status) {
  std::fprintf(stderr, "%s: %s: %s\n", program, what.c_str(), status.ToString().c_str());
  std::exit(1);
}

}  // namespace braid::bench
