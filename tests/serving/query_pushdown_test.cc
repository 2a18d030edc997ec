#include "serving/query_pushdown.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../batch/plan_test_util.h"
#include "sql/parser.h"

namespace braid::serving {
namespace {

// Keys of three types (STRING, BIGINT, BOOLEAN) and minute windows.
sql::ViewPlanPtr PushdownPlan() {
  Result<sql::ViewPlanPtr> plan = batch::testing::BindViewPlan(
      batch::testing::kTelemetryStreamSql,
      "CREATE VIEW by_key AS SELECT device_id, n, ok, COUNT(*) AS events FROM telemetry "
      "TIMESTAMP BY event_ts GROUP BY device_id, n, ok, TumblingWindow(minute, 1)");
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? *plan : nullptr;
}

CellLookup LookupOfWhere(const sql::ViewPlan& plan, std::string_view where) {
  Result<sql::ParsedStatement> parsed =
      sql::ParseStatement("SELECT * FROM by_key WHERE " + std::string(where));
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return CellLookup{};
  const auto& select = std::get<sql::SelectStatement>(parsed->statement);
  return LookupOf(select.where.get(), plan);
}

// The values of a key as text ("none" when it is not constrained).
std::string Values(const CellLookup& lookup, size_t key) {
  if (!lookup.key_values[key]) return "none";
  const Column& values = *lookup.key_values[key];
  std::string text;
  for (size_t r = 0; r < values.size(); ++r) {
    if (r > 0) text += ",";
    switch (values.type()) {
      case DataType::kString: text += std::string(values.StringAt(r)); break;
      case DataType::kBigint: text += std::to_string(values.int64s()[r]); break;
      case DataType::kBoolean: text += values.bools()[r] ? "true" : "false"; break;
      default: text += "?"; break;
    }
  }
  return text;
}

constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kAt = 1'795'428'000'000'000;  // 2026-11-23T10:00:00Z

TEST(QueryPushdownTest, LiteralsOfEveryKeyTypeAndWindowBounds) {
  sql::ViewPlanPtr plan = PushdownPlan();
  ASSERT_NE(plan, nullptr);
  CellLookup lookup = LookupOfWhere(
      *plan, "device_id = 'd-1' AND n IN (3, 3, 4) AND ok = TRUE AND "
             "window_end > TIMESTAMP '2026-11-23T10:00:00Z' AND "
             "window_end <= '2026-11-23T10:05:00Z'");
  EXPECT_EQ(Values(lookup, 0), "d-1");
  EXPECT_EQ(Values(lookup, 1), "3,4");  // distinct
  EXPECT_EQ(Values(lookup, 2), "true");
  EXPECT_EQ(lookup.min_window_end, kAt + 1);
  EXPECT_EQ(lookup.max_window_end, kAt + 5 * kMinute);

  lookup = LookupOfWhere(*plan, "'d-2' = device_id AND window_end BETWEEN "
                                "TIMESTAMP '2026-11-23T10:00:00Z' AND "
                                "TIMESTAMP '2026-11-23T10:01:00Z'");
  EXPECT_EQ(Values(lookup, 0), "d-2");
  EXPECT_EQ(Values(lookup, 1), "none");
  EXPECT_EQ(lookup.min_window_end, kAt);
  EXPECT_EQ(lookup.max_window_end, kAt + kMinute);
}

// Constants that are expressions are evaluated; literals of another type than the key's, NULL,
// an INTERVAL alone and conditions under OR are left to the WHERE.
TEST(QueryPushdownTest, ExpressionsEvaluatedAndMismatchesLeftToTheWhere) {
  sql::ViewPlanPtr plan = PushdownPlan();
  ASSERT_NE(plan, nullptr);
  CellLookup lookup = LookupOfWhere(*plan, "device_id = UPPER('d-7') AND n = 40 + 2");
  EXPECT_EQ(Values(lookup, 0), "D-7");
  EXPECT_EQ(Values(lookup, 1), "42");
  lookup = LookupOfWhere(*plan, "device_id = 42 AND n = 'x' AND ok = NULL AND "
                                "window_end > INTERVAL '1' MINUTE");
  EXPECT_EQ(Values(lookup, 0), "none");
  EXPECT_EQ(Values(lookup, 1), "none");
  EXPECT_EQ(Values(lookup, 2), "none");
  EXPECT_FALSE(lookup.min_window_end.has_value());
  lookup = LookupOfWhere(*plan, "device_id = 'a' OR device_id = 'b'");
  EXPECT_EQ(Values(lookup, 0), "none");
  lookup = LookupOfWhere(*plan, "n = 2.5 AND window_end = 'not a time'");
  EXPECT_EQ(Values(lookup, 1), "none");
  EXPECT_FALSE(lookup.min_window_end.has_value());
}

// The lookup holds the whole WHERE only when every AND-ed part is a condition it answers exactly.
TEST(QueryPushdownTest, HoldsTheWhereOnlyWhenEveryPartIsAnsweredExactly) {
  sql::ViewPlanPtr plan = PushdownPlan();
  ASSERT_NE(plan, nullptr);
  for (const std::string_view held : {
           "device_id = 'd-1'",
           "device_id = 'd-1' AND n IN (3, 3, 4) AND ok = TRUE AND "
           "window_end > TIMESTAMP '2026-11-23T10:00:00Z' AND window_end <= '2026-11-23T10:05:00Z'",
           "'d-2' = device_id AND window_end BETWEEN '2026-11-23T10:00:00Z' AND "
           "TIMESTAMP '2026-11-23T10:01:00Z'",
           "device_id = UPPER('d-7') AND n = 40 + 2 AND window_end = '2026-11-23T10:00:00Z'",
           "window_end < '2026-11-23T10:00:00Z'",
       }) {
    EXPECT_TRUE(LookupOfWhere(*plan, held).holds_where) << held;
  }
  for (const std::string_view not_held : {
           "device_id = 'd-1' AND events > 3",            // not a key or window_end
           "device_id = 'a' OR device_id = 'b'",          // OR
           "device_id = 'a' AND device_id = 'b'",         // the second condition on a key
           "device_id = 42",                              // another type than the key's
           "n = 2.5",                                     // widened by the binder
           "ok = NULL",                                   // NULL: never true
           "by_key.device_id = 'a'",                      // a qualifier the index ignores
           "device_id <> 'a'",                            // not equality
           "device_id NOT IN ('a')",                      // negated
           "window_end <> '2026-11-23T10:00:00Z'",        // not a range
           "window_end > LOWER('2026-11-23T10:00:00Z')",  // a string that is no literal
           "window_end = 'not a time'",                   // an error the WHERE reports
           "window_end NOT BETWEEN '2026-11-23T10:00:00Z' AND '2026-11-23T10:01:00Z'",
           "window_end > INTERVAL '1' MINUTE",
       }) {
    EXPECT_FALSE(LookupOfWhere(*plan, not_held).holds_where) << not_held;
  }
  // No WHERE: nothing to hold.
  EXPECT_FALSE(LookupOf(nullptr, *plan).holds_where);
}

// DOUBLE keys are looked up but never held: the index and SQL differ on NaN and -0.0.
TEST(QueryPushdownTest, DoubleKeysAreNeverHeld) {
  Result<sql::ViewPlanPtr> plan = batch::testing::BindViewPlan(
      batch::testing::kTelemetryStreamSql,
      "CREATE VIEW by_key AS SELECT temperature, COUNT(*) AS events FROM telemetry "
      "TIMESTAMP BY event_ts GROUP BY temperature, TumblingWindow(minute, 1)");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const CellLookup lookup = LookupOfWhere(**plan, "temperature = 2.5");
  ASSERT_TRUE(lookup.key_values[0].has_value());
  EXPECT_FALSE(lookup.holds_where);
}

}  // namespace
}  // namespace braid::serving
