// BindView and BindAlert errors: every mistake with its code, line:column and message, over
// binder_test_util.h's catalog.
#include <gtest/gtest.h>

#include "binder_test_util.h"

namespace braid::sql {
namespace {

using testing::BindAlertSql;
using testing::BindViewSql;
using testing::Catalog;
using testing::ErrorCase;
using testing::HasError;

TEST(Binder, ViewErrors) {
  const ErrorCase cases[] = {
      {"CREATE VIEW v AS SELECT COUNT(*) FROM nowhere",
       {StatusCode::kUndefinedObject, 1, 39, "stream nowhere does not exist"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM device_stats",
       {StatusCode::kUnsupported, 1, 39, "a view reads a stream; query views with SELECT"}},
      {"CREATE VIEW v AS SELECT device_id FROM telemetry",
       {StatusCode::kInvalidArgument, 1, 18, "add GROUP BY or an aggregate function"}},
      {"CREATE VIEW v AS SELECT DISTINCT site FROM telemetry GROUP BY site",
       {StatusCode::kUnsupported, 1, 18, "SELECT DISTINCT"}},
      {"CREATE VIEW v AS SELECT site, * FROM telemetry GROUP BY site",
       {StatusCode::kUnsupported, 1, 31, "SELECT *"}},
      {"CREATE VIEW v AS SELECT site FROM telemetry GROUP BY site ORDER BY site",
       {StatusCode::kUnsupported, 1, 68, "ORDER BY"}},
      {"CREATE VIEW v AS SELECT site FROM telemetry GROUP BY site LIMIT 5",
       {StatusCode::kUnsupported, 1, 18, "LIMIT"}},
      {"CREATE VIEW v AS SELECT site, temperature FROM telemetry GROUP BY site",
       {StatusCode::kGroupingError, 1, 31,
        "column temperature must appear in GROUP BY or be used in an aggregate function"}},
      {"CREATE VIEW v AS SELECT site FROM telemetry WHERE AVG(temperature) > 1 GROUP BY site",
       {StatusCode::kGroupingError, 1, 51, "aggregate function AVG is not allowed in WHERE"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry GROUP BY site, MAX(humidity)",
       {StatusCode::kGroupingError, 1, 64, "not allowed in GROUP BY"}},
      {"CREATE VIEW v AS SELECT SUM(AVG(temperature)) FROM telemetry GROUP BY site",
       {StatusCode::kGroupingError, 1, 29, "not allowed in the argument of another aggregate"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FILTER (WHERE MAX(humidity) > 1) FROM telemetry",
       {StatusCode::kGroupingError, 1, 48, "not allowed in FILTER"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry WHERE temperature GROUP BY site",
       {StatusCode::kTypeMismatch, 1, 55, "WHERE: expected BOOLEAN, got DOUBLE"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry GROUP BY site HAVING AVG(temperature)",
       {StatusCode::kTypeMismatch, 1, 70, "HAVING: expected BOOLEAN, got DOUBLE"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry TIMESTAMP BY site GROUP BY site",
       {StatusCode::kTypeMismatch, 1, 62, "TIMESTAMP BY: expected TIMESTAMP, got STRING"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry GROUP BY TumblingWindow(minute, 0)",
       {StatusCode::kInvalidArgument, 1, 58, "the size of TumblingWindow must be positive"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry GROUP BY HoppingWindow(minute, 5, 10)",
       {StatusCode::kInvalidArgument, 1, 58,
        "the hop of HoppingWindow (10 minutes) exceeds its size (5 minutes)"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry GROUP BY HoppingWindow(minute, 5, 0)",
       {StatusCode::kInvalidArgument, 1, 58, "the hop of HoppingWindow must be positive"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry GROUP BY SessionWindow(minute, 10, 5)",
       {StatusCode::kInvalidArgument, 1, 58,
        "the timeout of SessionWindow (10 minutes) exceeds its maximum duration (5 minutes)"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry GROUP BY TumblingWindow(minute, 1), "
       "HoppingWindow(minute, 2, 1)",
       {StatusCode::kInvalidArgument, 1, 85, "at most one window"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry GROUP BY SlidingWindow(minute, 5)",
       {StatusCode::kUnsupported, 1, 58, "SlidingWindow"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry GROUP BY System.Timestamp()",
       {StatusCode::kUnsupported, 1, 58, "snapshot windows"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry GROUP BY TumblingWindow(day, 200000000)",
       {StatusCode::kInvalidArgument, 1, 58, "does not fit in 64-bit microseconds"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry GROUP BY device_id, SessionWindow(minute, "
       "1, 5, PARTITION BY nope)",
       {StatusCode::kUndefinedColumn, 1, 110, "column nope does not exist"}},
      {"CREATE VIEW v AS SELECT site, COUNT(*) AS site FROM telemetry GROUP BY site",
       {StatusCode::kInvalidArgument, 1, 31, "the view has two columns named site"}},
      {"CREATE VIEW v AS SELECT COUNT(*) AS Window_End FROM telemetry GROUP BY "
       "TumblingWindow(minute, 1)",
       {StatusCode::kInvalidArgument, 1, 25, "two columns named Window_End"}},
      {"CREATE VIEW v AS SELECT COUNT(*), COUNT(site) FROM telemetry",
       {StatusCode::kInvalidArgument, 1, 35, "two columns named count"}},
      {"CREATE VIEW v AS SELECT System.Timestamp() AS t, COUNT(*) FROM telemetry GROUP BY site",
       {StatusCode::kInvalidArgument, 1, 25, "GROUP BY needs a window"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry WHERE other.site = 'a'",
       {StatusCode::kUndefinedObject, 1, 55, "'other' is not the relation read here (telemetry)"}},
      {"CREATE VIEW v AS SELECT MEDIAN(temperature) FROM telemetry GROUP BY site",
       {StatusCode::kUndefinedObject, 1, 25, "function MEDIAN does not exist"}},
      {"CREATE VIEW v AS SELECT SUM(site) FROM telemetry",
       {StatusCode::kTypeMismatch, 1, 29, "SUM does not take STRING"}},
      {"CREATE VIEW v AS SELECT SUM(DISTINCT temperature) FROM telemetry",
       {StatusCode::kUnsupported, 1, 25, "COUNT(DISTINCT x)"}},
      {"CREATE VIEW v AS SELECT PERCENTILE_CONT(1.5) OVER (ORDER BY temperature) FROM telemetry",
       {StatusCode::kInvalidArgument, 1, 41, "between 0 and 1"}},
      {"CREATE VIEW v AS SELECT PERCENTILE_CONT(0.5) FROM telemetry",
       {StatusCode::kInvalidArgument, 1, 25, "PERCENTILE_CONT(fraction) OVER (ORDER BY x)"}},
      {"CREATE VIEW v AS SELECT PERCENTILE_DISC(0.5) OVER (ORDER BY temperature DESC) FROM "
       "telemetry",
       {StatusCode::kUnsupported, 1, 61, "ascending"}},
      {"CREATE VIEW v AS SELECT AVG(temperature) OVER (ORDER BY ts) FROM telemetry",
       {StatusCode::kInvalidArgument, 1, 42, "only to PERCENTILE_CONT and PERCENTILE_DISC"}},
      {"CREATE VIEW v AS SELECT PERCENTILE_APPROX(temperature, site) FROM telemetry",
       {StatusCode::kInvalidArgument, 1, 56, "the fraction of PERCENTILE_APPROX"}},
      {"CREATE VIEW v AS SELECT AVG(temperature, humidity) FROM telemetry",
       {StatusCode::kTypeMismatch, 1, 25, "AVG takes 1 argument"}},
      {"CREATE VIEW v AS SELECT COUNT(*) FROM telemetry WHERE ts > '2026-13-01'",
       {StatusCode::kInvalidArgument, 1, 60, "invalid TIMESTAMP '2026-13-01'"}},
  };
  for (const ErrorCase& c : cases) {
    Result<BoundView> bound = BindViewSql(c.sql, Catalog());
    EXPECT_TRUE(HasError(bound.status(), c.error)) << c.sql;
  }
}

TEST(Binder, ErrorsReportTheirLine) {
  Result<BoundView> bound = BindViewSql(
      "CREATE VIEW v AS\nSELECT site,\n       humidity\nFROM telemetry GROUP BY site", Catalog());
  EXPECT_TRUE(HasError(bound.status(), {StatusCode::kGroupingError, 3, 8, "column humidity"}));
}

TEST(Binder, AlertErrors) {
  const ErrorCase cases[] = {
      {"CREATE ALERT a ON nope WHERE x > 1",
       {StatusCode::kUndefinedObject, 1, 19, "view nope does not exist"}},
      {"CREATE ALERT a ON telemetry WHERE site = 'x'",
       {StatusCode::kUndefinedObject, 1, 19, "view telemetry does not exist"}},
      {"CREATE ALERT a ON device_stats WHERE n",
       {StatusCode::kTypeMismatch, 1, 38, "the alert condition: expected BOOLEAN, got BIGINT"}},
      {"CREATE ALERT a ON device_stats WHERE temperature > 1",
       {StatusCode::kUndefinedColumn, 1, 38, "column temperature does not exist"}},
      {"CREATE ALERT a ON device_stats WHERE COUNT(*) > 1",
       {StatusCode::kGroupingError, 1, 38, "not allowed in an alert condition"}},
      {"CREATE ALERT a ON device_stats WHERE System.Timestamp() > window_end",
       {StatusCode::kInvalidArgument, 1, 38, "System.Timestamp() is not allowed"}},
  };
  for (const ErrorCase& c : cases) {
    Result<AlertPlanPtr> alert = BindAlertSql(c.sql, Catalog());
    EXPECT_TRUE(HasError(alert.status(), c.error)) << c.sql;
  }
}

}  // namespace
}  // namespace braid::sql
