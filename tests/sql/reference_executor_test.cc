#include "sql/reference_executor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "reference_executor_test_util.h"

namespace braid::sql {
namespace {

using testing::Binary;
using testing::Col;
using testing::Constant;
using testing::Day;
using testing::Event;
using testing::Events;
using testing::EventSchema;
using testing::kDevice;
using testing::kTs;
using testing::kV;
using testing::kX;
using testing::PlanBuilder;
using testing::Render;
using testing::Window;
using Rows = std::vector<std::string>;

// Runs `plan` over `events` in one chunk and renders the view's rows.
Rows RunView(ViewPlanPtr plan, const std::vector<Event>& events) {
  ReferenceExecutor executor(std::move(plan));
  Status consumed = executor.Consume(Events(events));
  EXPECT_TRUE(consumed.ok()) << consumed.ToString();
  Result<Chunk> rows = executor.Finish();
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  if (!rows.ok()) return {};
  EXPECT_EQ(*rows->schema(), *executor.plan().output_schema);
  return Render(*rows);
}

ViewPlanPtr CountPerWindow(WindowDefinition window) {
  return PlanBuilder(EventSchema())
      .Windowed(std::move(window))
      .Aggregate("COUNT", std::nullopt, "n")
      .Build();
}

TEST(ReferenceExecutor, Example1TumblingMinute) {
  ViewPlanPtr plan = CountPerWindow(Window(WindowKind::kTumbling, Duration::Minutes(1)));
  EXPECT_EQ(RunView(plan, {{.t = Day("00:00:59.999999")},
                           {.t = Day("00:01:00.000000")},
                           {.t = Day("00:01:00.000001")}}),
            (Rows{"00:00:00 | 00:01:00 | 2", "00:01:00 | 00:02:00 | 1"}));
}

TEST(ReferenceExecutor, Example2OffsetMinusOneMillisecond) {
  // Offset(millisecond, -1), normalized by the binder to [0, size).
  ViewPlanPtr plan = CountPerWindow(
      Window(WindowKind::kTumbling, Duration::Hours(1), {}, {}, Duration::Millis(3599999)));
  EXPECT_EQ(
      RunView(plan, {{.t = Day("12:00:00")},
                     {.t = Day("12:59:59.999")},
                     {.t = Day("12:59:59.9995")},
                     {.t = Day("13:00:00")}}),
      (Rows{"11:59:59.999000 | 12:59:59.999000 | 2", "12:59:59.999000 | 13:59:59.999000 | 2"}));
}

// Example 4: the 5-minute view's rows are the input of an hourly view over their window_end.
TEST(ReferenceExecutor, Example4RollUp) {
  ViewPlanPtr five = CountPerWindow(Window(WindowKind::kTumbling, Duration::Minutes(5)));
  ReferenceExecutor five_minutes(five);
  ASSERT_TRUE(five_minutes.Consume(Events({{.t = Day("00:57:00")}, {.t = Day("01:02:00")}})).ok());
  Result<Chunk> five_rows = five_minutes.Finish();
  ASSERT_TRUE(five_rows.ok());
  EXPECT_EQ(Render(*five_rows), (Rows{"00:55:00 | 01:00:00 | 1", "01:00:00 | 01:05:00 | 1"}));

  ViewPlanPtr hourly = PlanBuilder(five->output_schema, /*time_column=*/1)
                           .Windowed(Window(WindowKind::kTumbling, Duration::Hours(1)))
                           .Aggregate("SUM", 2, "n")
                           .Build();
  ReferenceExecutor hours(hourly);
  ASSERT_TRUE(hours.Consume(*five_rows).ok());
  Result<Chunk> hour_rows = hours.Finish();
  ASSERT_TRUE(hour_rows.ok());
  EXPECT_EQ(Render(*hour_rows), (Rows{"00:00:00 | 01:00:00 | 1", "01:00:00 | 02:00:00 | 1"}));
}

TEST(ReferenceExecutor, Example5HoppingSum) {
  ViewPlanPtr plan =
      PlanBuilder(EventSchema())
          .Windowed(Window(WindowKind::kHopping, Duration::Minutes(10), Duration::Minutes(5)))
          .Aggregate("SUM", kX, "total")
          .Build();
  EXPECT_EQ(
      RunView(plan, {{.t = Day("00:07:00"), .x = 1},
                     {.t = Day("00:10:00"), .x = 2},
                     {.t = Day("00:12:30"), .x = 4}}),
      (Rows{"00:00:00 | 00:10:00 | 3", "00:05:00 | 00:15:00 | 7", "00:10:00 | 00:20:00 | 4"}));
}

WindowDefinition SessionWindow(Duration timeout, Duration max) {
  return Window(WindowKind::kSession, timeout, {}, max);
}

TEST(ReferenceExecutor, Example6SessionsAndALateBridge) {
  ViewPlanPtr plan = CountPerWindow(SessionWindow(Duration::Minutes(5), Duration::Minutes(60)));
  std::vector<Event> events = {{.t = Day("00:00:00")},
                               {.t = Day("00:04:00")},
                               {.t = Day("00:09:00")},
                               {.t = Day("00:15:00")}};
  EXPECT_EQ(RunView(plan, events), (Rows{"00:00:00 | 00:14:00 | 3", "00:15:00 | 00:20:00 | 1"}));
  // 00:12 arrives last (highest offset, second chunk) and bridges the two sessions.
  ReferenceExecutor executor(plan);
  ASSERT_TRUE(executor.Consume(Events(events)).ok());
  ASSERT_TRUE(executor.Consume(Events({{.t = Day("00:12:00"), .offset = 4}})).ok());
  Result<Chunk> rows = executor.Finish();
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(Render(*rows), (Rows{"00:00:00 | 00:20:00 | 5"}));
  EXPECT_EQ(executor.MergeFrom(executor).code(), StatusCode::kUnsupported);
}

TEST(ReferenceExecutor, Example7SessionContinuation) {
  ViewPlanPtr plan = CountPerWindow(SessionWindow(Duration::Seconds(5), Duration::Seconds(10)));
  std::vector<Event> events;
  for (int s : {1, 5, 9, 13, 17, 21})
    events.push_back({.t = Day("00:00:00") + Duration::Seconds(s)});
  EXPECT_EQ(RunView(plan, events), (Rows{"00:00:01 | 00:00:20 | 5", "00:00:20 | 00:00:26 | 1"}));
  events.clear();
  for (int s : {0, 4, 8, 12}) events.push_back({.t = Day("00:00:00") + Duration::Seconds(s)});
  EXPECT_EQ(RunView(plan, events), (Rows{"00:00:00 | 00:00:10 | 3", "00:00:10 | 00:00:17 | 1"}));
}

std::vector<Event> DeviceSessionEvents() {
  return {{.t = Day("00:00:00"), .device = "a"},
          {.t = Day("00:02:00"), .device = "b"},
          {.t = Day("00:03:00"), .device = "a"},
          {.t = Day("00:20:00"), .device = "b"},
          {.t = Day("00:30:00"), .device = "a"}};
}

TEST(ReferenceExecutor, SessionsPartitionedByKey) {
  WindowDefinition window = SessionWindow(Duration::Minutes(5), Duration::Hours(1));
  window.partition_by.push_back(Col(*EventSchema(), kDevice));
  ViewPlanPtr plan = PlanBuilder(EventSchema())
                         .Key(kDevice)
                         .Windowed(std::move(window))
                         .Aggregate("COUNT", std::nullopt, "n")
                         .Build();
  EXPECT_EQ(RunView(plan, DeviceSessionEvents()),
            (Rows{"'b' | 00:02:00 | 00:07:00 | 1", "'a' | 00:00:00 | 00:08:00 | 2",
                  "'b' | 00:20:00 | 00:25:00 | 1", "'a' | 00:30:00 | 00:35:00 | 1"}));
}

// Without PARTITION BY the whole stream forms one sequence of sessions (Stream Analytics); the
// keys then split each session's rows.
TEST(ReferenceExecutor, SessionsOverTheWholeStream) {
  ViewPlanPtr plan = PlanBuilder(EventSchema())
                         .Key(kDevice)
                         .Windowed(SessionWindow(Duration::Minutes(5), Duration::Hours(1)))
                         .Aggregate("COUNT", std::nullopt, "n")
                         .Build();
  EXPECT_EQ(RunView(plan, DeviceSessionEvents()),
            (Rows{"'a' | 00:00:00 | 00:08:00 | 2", "'b' | 00:00:00 | 00:08:00 | 1",
                  "'b' | 00:20:00 | 00:25:00 | 1", "'a' | 00:30:00 | 00:35:00 | 1"}));
}

// Session rows are kept across chunks with their inputs and FILTER results; arrival order does
// not matter.
TEST(ReferenceExecutor, SessionsAcrossChunksWithFilter) {
  ViewPlanPtr plan =
      PlanBuilder(EventSchema())
          .Windowed(SessionWindow(Duration::Minutes(5), Duration::Hours(1)))
          .Aggregate("COUNT", std::nullopt, "n")
          .Aggregate("SUM", kX, "big",
                     Binary(BinaryOp::kGreater, Col(*EventSchema(), kX),
                            Constant(int64_t{1}, DataType::kBigint), DataType::kBoolean))
          .Aggregate("COUNT_DISTINCT", kX, "distinct_x")
          .Build();
  ReferenceExecutor executor(plan);
  ASSERT_TRUE(executor
                  .Consume(Events({{.t = Day("00:20:00"), .x = 5, .offset = 10},
                                   {.t = Day("00:00:00"), .x = 1, .offset = 11}}))
                  .ok());
  ASSERT_TRUE(executor.Consume(Events({})).ok());
  ASSERT_TRUE(executor
                  .Consume(Events({{.t = Day("00:03:00"), .x = 2, .offset = 12},
                                   {.t = Day("00:06:00"), .x = 2, .offset = 13},
                                   {.t = Day("00:22:00"), .offset = 14}}))
                  .ok());
  Result<Chunk> rows = executor.Finish();
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(Render(*rows),
            (Rows{"00:00:00 | 00:11:00 | 3 | 4 | 2", "00:20:00 | 00:27:00 | 2 | 5 | 1"}));
}

TEST(ReferenceExecutor, Example10Counts) {
  ViewPlanPtr plan = PlanBuilder(EventSchema())
                         .Aggregate("COUNT", std::nullopt, "all_rows")
                         .Aggregate("COUNT", kX, "values")
                         .Aggregate("COUNT_DISTINCT", kX, "distinct_values")
                         .Aggregate("SUM", kX, "total")
                         .Build();
  EXPECT_EQ(RunView(plan, {{.t = Day("00:00:00"), .x = 1},
                           {.t = Day("00:00:01"), .x = 1},
                           {.t = Day("00:00:02")},
                           {.t = Day("00:00:03"), .x = 2}}),
            (Rows{"4 | 3 | 2 | 4"}));
  EXPECT_EQ(RunView(plan, {{.t = Day("00:00:00")}, {.t = Day("00:00:01")}}),
            (Rows{"2 | 0 | 0 | NULL"}));
}

// The one row of an unwindowed, ungrouped view over `values` of v, as doubles (NaN for NULL).
std::vector<double> DoubleRow(ViewPlanPtr plan, const std::vector<double>& values) {
  std::vector<Event> events;
  for (double v : values) events.push_back({.t = Day("00:00:00"), .v = v});
  ReferenceExecutor executor(std::move(plan));
  EXPECT_TRUE(executor.Consume(Events(events)).ok());
  Result<Chunk> rows = executor.Finish();
  EXPECT_TRUE(rows.ok() && rows->num_rows() == 1);
  std::vector<double> row;
  if (!rows.ok() || rows->num_rows() != 1) return row;
  for (size_t c = 0; c < rows->num_columns(); ++c) {
    const Column& column = rows->column(c);
    row.push_back(column.IsValid(0) ? column.doubles()[0] : std::nan(""));
  }
  return row;
}

TEST(ReferenceExecutor, Example10Spreads) {
  ViewPlanPtr plan = PlanBuilder(EventSchema())
                         .Aggregate("STDEV", kV, "stdev")
                         .Aggregate("STDEVP", kV, "stdevp")
                         .Aggregate("VAR", kV, "var")
                         .Aggregate("VARP", kV, "varp")
                         .Build();
  std::vector<double> row = DoubleRow(plan, {2, 4, 4, 4, 5, 5, 7, 9});
  ASSERT_EQ(row.size(), 4u);
  EXPECT_NEAR(row[0], 2.13809, 1e-5);
  EXPECT_DOUBLE_EQ(row[1], 2.0);
  EXPECT_NEAR(row[2], 4.571429, 1e-6);
  EXPECT_DOUBLE_EQ(row[3], 4.0);
  row = DoubleRow(plan, {5});
  ASSERT_EQ(row.size(), 4u);
  EXPECT_TRUE(std::isnan(row[0]));  // STDEV of one value is NULL
  EXPECT_EQ(row[1], 0.0);
}

TEST(ReferenceExecutor, Example10Percentiles) {
  ViewPlanPtr plan = PlanBuilder(EventSchema())
                         .Aggregate("PERCENTILE_CONT", kV, "p95", nullptr, {.fraction = 0.95})
                         .Aggregate("PERCENTILE_DISC", kV, "median", nullptr, {.fraction = 0.5})
                         .Build();
  std::vector<double> row = DoubleRow(plan, {0.98, 0.93, 0.78, 0.99, 0.89});
  ASSERT_EQ(row.size(), 2u);
  EXPECT_NEAR(row[0], 0.988, 1e-12);
  EXPECT_EQ(row[1], 0.93);
}

BoundExprPtr XGreaterThan(int64_t bound) {
  return Binary(BinaryOp::kGreater, Col(*EventSchema(), kX), Constant(bound, DataType::kBigint),
                DataType::kBoolean);
}

std::vector<Event> DeviceEvents() {
  return {{.t = Day("00:00:00"), .device = "a", .x = 1},
          {.t = Day("00:00:01"), .device = "a", .x = 2},
          {.t = Day("00:00:02"), .device = "b", .x = 1},
          {.t = Day("00:00:03"), .device = "a", .x = 3},
          {.t = Day("00:00:04"), .device = "a"}};
}

TEST(ReferenceExecutor, AggregateFilter) {
  ViewPlanPtr plan = PlanBuilder(EventSchema())
                         .Key(kDevice)
                         .Aggregate("COUNT", std::nullopt, "n")
                         .Aggregate("COUNT", std::nullopt, "big", XGreaterThan(1))
                         .Aggregate("SUM", kX, "big_total", XGreaterThan(1))
                         .Build();
  EXPECT_EQ(RunView(plan, DeviceEvents()), (Rows{"'a' | 4 | 2 | 5", "'b' | 1 | 0 | NULL"}));
}

TEST(ReferenceExecutor, WhereDropsRowsBeforeGrouping) {
  ViewPlanPtr plan = PlanBuilder(EventSchema())
                         .Key(kDevice)
                         .Where(XGreaterThan(1))
                         .Aggregate("COUNT", std::nullopt, "n")
                         .Build();
  EXPECT_EQ(RunView(plan, DeviceEvents()), (Rows{"'a' | 2"}));
}

TEST(ReferenceExecutor, HavingAndPostAggregateOutputs) {
  std::shared_ptr<ViewPlan> plan = PlanBuilder(EventSchema())
                                       .Key(kDevice)
                                       .Aggregate("COUNT", std::nullopt, "n")
                                       .Aggregate("AVG", kX, "mean")
                                       .Build();
  const Schema& grouped = *plan->grouped_schema;
  plan->having = Binary(BinaryOp::kGreater, Col(grouped, plan->aggregate_index(0)),
                        Constant(int64_t{1}, DataType::kBigint), DataType::kBoolean);
  plan->outputs.push_back(
      ViewOutput{"twice", Binary(BinaryOp::kMultiply, Col(grouped, plan->aggregate_index(0)),
                                 Constant(int64_t{2}, DataType::kBigint), DataType::kBigint)});
  PlanBuilder::SealOutputs(*plan);
  EXPECT_EQ(RunView(plan, DeviceEvents()), (Rows{"'a' | 4 | 2 | 8"}));
}

TEST(ReferenceExecutor, NullKeysSortFirst) {
  ViewPlanPtr plan = PlanBuilder(EventSchema())
                         .Key(kDevice)
                         .Key(kX)
                         .Windowed(Window(WindowKind::kTumbling, Duration::Minutes(1)))
                         .Aggregate("COUNT", std::nullopt, "n")
                         .Build();
  EXPECT_EQ(RunView(plan, {{.t = Day("00:01:30"), .device = "a", .x = 3},
                           {.t = Day("00:00:10"), .device = "a", .x = -5},
                           {.t = Day("00:00:20"), .device = "", .x = 7},
                           {.t = Day("00:00:30"), .x = 7},
                           {.t = Day("00:00:40"), .device = "a"},
                           {.t = Day("00:00:50"), .device = "a", .x = -1},
                           {.t = Day("00:00:55"), .x = 7}}),
            (Rows{"NULL | 7 | 00:00:00 | 00:01:00 | 2", "'' | 7 | 00:00:00 | 00:01:00 | 1",
                  "'a' | NULL | 00:00:00 | 00:01:00 | 1", "'a' | -5 | 00:00:00 | 00:01:00 | 1",
                  "'a' | -1 | 00:00:00 | 00:01:00 | 1", "'a' | 3 | 00:01:00 | 00:02:00 | 1"}));
}

TEST(ReferenceExecutor, DoubleKeysInTotalOrder) {
  ViewPlanPtr plan =
      PlanBuilder(EventSchema()).Key(kV).Aggregate("COUNT", std::nullopt, "n").Build();
  EXPECT_EQ(RunView(plan, {{.t = Day("00:00:00"), .v = NAN},
                           {.t = Day("00:00:00"), .v = 2.5},
                           {.t = Day("00:00:00"), .v = -1e300},
                           {.t = Day("00:00:00"), .v = -INFINITY},
                           {.t = Day("00:00:00")},
                           {.t = Day("00:00:00"), .v = NAN}}),
            (Rows{"NULL | 1", "-inf | 1", "-1e+300 | 1", "2.5 | 1", "nan | 2"}));
}

TEST(ReferenceExecutor, EmptyInputHasNoRows) {
  ViewPlanPtr plan = CountPerWindow(Window(WindowKind::kTumbling, Duration::Minutes(1)));
  EXPECT_EQ(RunView(plan, {}), Rows{});
  ViewPlanPtr sessions = CountPerWindow(SessionWindow(Duration::Seconds(5), Duration::Seconds(10)));
  EXPECT_EQ(RunView(sessions, {}), Rows{});
  ViewPlanPtr totals = PlanBuilder(EventSchema()).Aggregate("COUNT", std::nullopt, "n").Build();
  EXPECT_EQ(RunView(totals, {}), Rows{});  // GROUP BY views have no row without events
}

TEST(ReferenceExecutor, NullEventTimeIsADataError) {
  for (ViewPlanPtr plan :
       {CountPerWindow(Window(WindowKind::kTumbling, Duration::Minutes(1))),
        CountPerWindow(SessionWindow(Duration::Seconds(5), Duration::Seconds(10)))}) {
    ReferenceExecutor executor(plan);
    Status status = executor.Consume(Events({{.t = Day("00:00:00")}, {.device = "a"}}));
    EXPECT_EQ(status.code(), StatusCode::kDataError);
    EXPECT_NE(status.message().find("NULL event time"), std::string::npos) << status.ToString();
  }
}

ViewPlanPtr MergeablePlan(std::optional<WindowDefinition> window) {
  PlanBuilder builder(EventSchema());
  builder.Key(kDevice);
  if (window) builder.Windowed(std::move(*window));
  return builder.Aggregate("COUNT", std::nullopt, "n")
      .Aggregate("COUNT", kX, "xs")
      .Aggregate("MIN", kX, "min_x")
      .Aggregate("MAX", kV, "max_v")
      .Aggregate("COUNT_DISTINCT", kX, "distinct_x")
      .Aggregate("SUM", kX, "big_x", XGreaterThan(5))
      .Aggregate("SUM", kV, "sum_v")
      .Aggregate("AVG", kV, "avg_v")
      .Aggregate("STDEV", kV, "stdev_v")
      .Build();
}

std::vector<Event> RandomEvents(std::mt19937_64& random, size_t count) {
  std::uniform_int_distribution<int64_t> millis(-600000, 2 * 3600000);
  std::uniform_int_distribution<int> pick(0, 9);
  std::uniform_int_distribution<int64_t> small(-20, 20);
  std::normal_distribution<double> gauss(50.0, 30.0);
  const std::vector<std::optional<std::string>> devices = {std::nullopt, "a", "b", ""};
  std::vector<Event> events;
  for (size_t i = 0; i < count; ++i) {
    Event e{.t = Day("00:00:00") + Duration::Millis(millis(random))};
    e.device = devices[pick(random) % devices.size()];
    if (pick(random) != 0) e.x = small(random);
    if (pick(random) != 0) e.v = gauss(random);
    e.partition = pick(random) % 3;
    e.offset = static_cast<int64_t>(i);
    events.push_back(std::move(e));
  }
  return events;
}

// Equal rows; DOUBLE values within a relative 1e-12 (merge order changes only the rounding).
void ExpectSameRows(const Chunk& actual, const Chunk& expected) {
  ASSERT_EQ(*actual.schema(), *expected.schema());
  ASSERT_EQ(actual.num_rows(), expected.num_rows());
  for (size_t c = 0; c < expected.num_columns(); ++c) {
    const Column& a = actual.column(c);
    const Column& e = expected.column(c);
    if (e.type() != DataType::kDouble) {
      EXPECT_TRUE(a == e) << "column " << expected.schema()->field(c).name;
      continue;
    }
    for (size_t row = 0; row < e.size(); ++row) {
      ASSERT_EQ(a.IsValid(row), e.IsValid(row)) << "column " << c << " row " << row;
      double x = a.doubles()[row];
      double y = e.doubles()[row];
      EXPECT_LE(std::abs(x - y), 1e-12 * std::max(std::abs(x), std::abs(y)))
          << "column " << expected.schema()->field(c).name << " row " << row;
    }
  }
}

// Random data split randomly over 2-5 executors, consumed in random chunks, then merged, gives
// what one executor gives over all of it.
TEST(ReferenceExecutor, MergedSplitsEqualOnePass) {
  std::mt19937_64 random(20261124);
  for (int trial = 0; trial < 24; ++trial) {
    SCOPED_TRACE(trial);
    std::optional<WindowDefinition> window;
    if (trial % 3 == 0) window = Window(WindowKind::kTumbling, Duration::Minutes(10));
    if (trial % 3 == 1) {
      window = Window(WindowKind::kHopping, Duration::Minutes(10), Duration::Minutes(3), {},
                      Duration::Minutes(1));
    }
    ViewPlanPtr plan = MergeablePlan(std::move(window));
    std::vector<Event> events = RandomEvents(random, 400);
    ReferenceExecutor whole(plan);
    ASSERT_TRUE(whole.Consume(Events(events)).ok());
    Result<Chunk> expected = whole.Finish();
    ASSERT_TRUE(expected.ok()) << expected.status().ToString();

    size_t parts = std::uniform_int_distribution<size_t>(2, 5)(random);
    std::vector<std::vector<Event>> split(parts);
    for (const Event& e : events) split[random() % parts].push_back(e);
    std::vector<std::unique_ptr<ReferenceExecutor>> executors;
    for (const std::vector<Event>& part : split) {
      executors.push_back(std::make_unique<ReferenceExecutor>(plan));
      for (size_t begin = 0; begin < part.size();) {
        size_t end = std::min(part.size(), begin + 1 + random() % 60);
        std::vector<Event> chunk(part.begin() + begin, part.begin() + end);
        ASSERT_TRUE(executors.back()->Consume(Events(chunk)).ok());
        begin = end;
      }
    }
    ReferenceExecutor merged(plan);  // starts empty: merging into nothing copies
    for (const auto& executor : executors) ASSERT_TRUE(merged.MergeFrom(*executor).ok());
    ASSERT_TRUE(merged.MergeFrom(ReferenceExecutor(plan)).ok());  // an empty merge changes nothing
    Result<Chunk> actual = merged.Finish();
    ASSERT_TRUE(actual.ok()) << actual.status().ToString();
    ExpectSameRows(*actual, *expected);
    EXPECT_GE(expected->num_rows(), 4u);  // four devices (NULL, '', a, b), more when windowed
  }
}

}  // namespace
}  // namespace braid::sql
