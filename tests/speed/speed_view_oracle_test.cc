// Speed results against the reference executor (sql/reference_executor.h) for generated events
// with disorder: random batches of three partitions arrive interleaved; an independent model of
// SEMANTICS.md's watermark rules (written here, per event, without the speed layer's code) decides
// which events are late and what `adjust` counts them at or that `drop` leaves them out. The
// reference executor over the events so treated must give exactly the speed layer's rows, and
// every row the speed layer emitted must equal the final row of its window (emitted means final).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "speed/speed_view.h"
#include "speed_test_util.h"
#include "sql/reference_executor.h"
#include "sql/window_assignment.h"

namespace braid::speed {
namespace {

using testing::At;
using testing::Bind;
using testing::BoundView;
using testing::Event;
using testing::InputOf;

struct Arrival {
  int partition;
  std::vector<Event> events;
};

// Batches of 1..12 events per partition; event times advance about 40 ms per event with jitter
// of -25 s..+1 s, so some percent arrive after the watermark passed their windows.
std::vector<Arrival> GenerateArrivals(uint64_t seed, int events) {
  std::mt19937_64 rng(seed);
  std::vector<Arrival> arrivals;
  int64_t clock = At(0, 0, 0).micros;
  int sent = 0;
  for (int p = 0; p < 3; ++p) {  // every partition speaks first, so none holds Wc at -infinity
    arrivals.push_back(Arrival{p, {{"k0", Timestamp{clock}, 1.0}}});
    ++sent;
  }
  while (sent < events) {
    Arrival arrival{static_cast<int>(rng() % 3), {}};
    const int size = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < size && sent < events; ++i, ++sent) {
      clock += 40000;
      const int64_t jitter = -25000000 + static_cast<int64_t>(rng() % 26000000);
      const double value = static_cast<double>(rng() % 1000) / 10.0;
      arrival.events.push_back(
          Event{fmt::format("k{}", rng() % 5), Timestamp{clock + jitter}, value});
    }
    arrivals.push_back(std::move(arrival));
  }
  return arrivals;
}

// The model: per event in arrival order, late when every window holding it ends before
// Wc - lateness (a session view: when t + lateness < Wc); adjust counts it at Wc, drop omits it;
// on-time events raise maxSeen(p) and Wc = max(Wc, min over partitions of maxSeen - delay).
std::vector<Event> TreatedEvents(const sql::ViewPlan& plan, const std::vector<Arrival>& arrivals,
                                 int64_t delay, int64_t lateness, bool drop, int64_t* final_wc) {
  std::vector<int64_t> max_seen(3, INT64_MIN);
  int64_t wc = INT64_MIN;
  std::vector<Event> treated;
  for (const Arrival& arrival : arrivals) {
    for (const Event& event : arrival.events) {
      const int64_t t = event.time.micros;
      int64_t last_end = t;
      if (!plan.has_session_window()) {
        std::vector<Timestamp> ends;
        sql::WindowEnds(*plan.window, event.time, &ends);
        last_end = ends.back().micros;
      }
      const bool late = wc != INT64_MIN && last_end + lateness < wc;
      if (late) {
        if (!drop) treated.push_back(Event{event.key, Timestamp{wc}, event.value});
        continue;
      }
      treated.push_back(event);
      max_seen[arrival.partition] = std::max(max_seen[arrival.partition], t);
      const int64_t low = *std::min_element(max_seen.begin(), max_seen.end());
      if (low != INT64_MIN) wc = std::max(wc, low - delay);
    }
  }
  *final_wc = wc;
  return treated;
}

// Every row as text: keys, window, then each output value (doubles to 9 significant digits).
std::vector<std::string> RowTexts(const sql::ViewPlan& plan, const std::vector<Chunk>& chunks,
                                  bool stored) {
  std::vector<std::string> rows;
  const size_t outputs = plan.output_schema->size();
  for (const Chunk& chunk : chunks) {
    for (size_t row = 0; row < chunk.num_rows(); ++row) {
      if (stored) {  // batch view rows: skip what HAVING rejects
        const Column& having = chunk.column(outputs);
        if (!having.IsValid(row) || !having.bools()[row]) continue;
      }
      std::string text;
      for (size_t c = 0; c < outputs; ++c) {
        const Column& column = chunk.column(c);
        if (!column.IsValid(row)) {
          text += "NULL|";
        } else if (column.type() == DataType::kDouble) {
          text += fmt::format("{:.9g}|", column.doubles()[row]);
        } else if (column.type() == DataType::kString) {
          text += std::string(column.StringAt(row)) + "|";
        } else {
          text += fmt::format("{}|", column.int64s()[row]);
        }
      }
      rows.push_back(text);
    }
  }
  return rows;
}

struct Case {
  std::string name;
  std::string options;
  std::string view;
  bool drop;
};

class SpeedOracleTest : public ::testing::TestWithParam<Case> {};

TEST_P(SpeedOracleTest, SpeedRowsEqualTheReferenceExecutorOverTheTreatedEvents) {
  const Case& c = GetParam();
  BoundView bound = Bind(c.options, c.view);
  const SpeedViewOptions options = SpeedViewOptionsFor(*bound.stream, size_t{1} << 30);
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    const std::vector<Arrival> arrivals = GenerateArrivals(seed, 3000);
    SpeedView view(bound.plan, options, 0);
    std::vector<uint64_t> next(3, 0);
    std::vector<Chunk> emitted;
    // Arrivals 10 ms apart on a clock a day after the events: never idle, never far future.
    int64_t tau = At(0, 0, 0).micros + Duration::Days(1).micros;
    for (const Arrival& arrival : arrivals) {
      tau += 10000;
      Chunk input = InputOf(*bound.plan, arrival.events, arrival.partition,
                            next[arrival.partition], Timestamp{tau});
      next[arrival.partition] += arrival.events.size();
      const int64_t generation = 1 + static_cast<int64_t>(tau / 10000 % 4);  // any split
      ASSERT_TRUE(view.Consume(input, 0, input.num_rows(), arrival.partition, generation,
                               Timestamp{tau}, &emitted)
                      .ok());
    }
    int64_t final_wc = 0;
    std::vector<Event> treated =
        TreatedEvents(*bound.plan, arrivals, options.clock.out_of_order.micros,
                      options.allowed_lateness.micros, c.drop, &final_wc);
    EXPECT_EQ(view.watermark(), final_wc);
    sql::ReferenceExecutor reference(bound.plan);
    ASSERT_TRUE(reference.Consume(InputOf(*bound.plan, treated, 0, 0, Timestamp{tau})).ok());
    Result<Chunk> expected = reference.Finish();
    ASSERT_TRUE(expected.ok()) << expected.status().ToString();
    Result<SpeedRows> actual = view.Rows();
    ASSERT_TRUE(actual.ok()) << actual.status().ToString();
    const std::vector<std::string> expected_rows = RowTexts(*bound.plan, {*expected}, false);
    EXPECT_EQ(RowTexts(*bound.plan, actual->rows, true), expected_rows);

    // Emitted rows are final: each equals its window's final row, once.
    const std::vector<std::string> emitted_rows = RowTexts(*bound.plan, emitted, true);
    std::map<std::string, int> seen;
    for (const std::string& row : emitted_rows) {
      EXPECT_EQ(++seen[row], 1) << row;
      EXPECT_NE(std::find(expected_rows.begin(), expected_rows.end(), row), expected_rows.end())
          << "emitted " << row << " is not a final row";
    }
    const SpeedViewStatus status = view.Describe();
    EXPECT_EQ(status.counters.events, 3000u);
    EXPECT_GT(status.counters.late, 30u) << "the generator should make some events late";
    EXPECT_GT(emitted_rows.size(), expected_rows.size() / 2);
    if (c.drop) {
      EXPECT_EQ(status.counters.counted, treated.size());
      EXPECT_EQ(status.counters.dropped, status.counters.late);
    } else {
      EXPECT_EQ(status.counters.adjusted, status.counters.late);
    }
  }
}

// The tailer counts consecutive batches of one partition together (BatchMark): the result, the
// counters and the emitted rows must be exactly those of the batches one by one.
TEST(SpeedGroupingTest, GroupedBatchesAreJudgedAsIfEachCameAlone) {
  BoundView bound = Bind("partitions = 3, out_of_order = '5s', idle_timeout = '40ms'",
                         "CREATE VIEW m AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM s "
                         "GROUP BY k, TumblingWindow(second, 10)");
  const SpeedViewOptions options = SpeedViewOptionsFor(*bound.stream, size_t{1} << 30);
  const std::vector<Arrival> arrivals = GenerateArrivals(7, 3000);
  std::mt19937_64 rng(11);
  // Arrival times with gaps now and then longer than idle_timeout, so idleness changes inside
  // groups too.
  std::vector<int64_t> taus;
  int64_t tau = At(0, 0, 0).micros + Duration::Days(1).micros;
  for (size_t i = 0; i < arrivals.size(); ++i) {
    tau += rng() % 8 == 0 ? 50000 : 1000;
    taus.push_back(tau);
  }
  SpeedView alone(bound.plan, options, 0), grouped(bound.plan, options, 0);
  std::vector<Chunk> alone_emitted, grouped_emitted;
  std::vector<uint64_t> next(3, 0);
  for (size_t i = 0; i < arrivals.size(); ++i) {
    const Arrival& arrival = arrivals[i];
    Chunk input = InputOf(*bound.plan, arrival.events, arrival.partition, next[arrival.partition],
                          Timestamp{taus[i]});
    next[arrival.partition] += arrival.events.size();
    ASSERT_TRUE(alone.Consume(input, 0, input.num_rows(), arrival.partition, 1,
                              Timestamp{taus[i]}, &alone_emitted)
                    .ok());
  }
  std::fill(next.begin(), next.end(), 0);
  for (size_t i = 0; i < arrivals.size();) {
    const int partition = arrivals[i].partition;
    std::vector<Event> events;
    std::vector<BatchMark> marks;
    for (; i < arrivals.size() && arrivals[i].partition == partition; ++i) {
      events.insert(events.end(), arrivals[i].events.begin(), arrivals[i].events.end());
      marks.push_back(BatchMark{events.size(), Timestamp{taus[i]}});
    }
    Chunk input = InputOf(*bound.plan, events, partition, next[partition], marks.back().appended);
    next[partition] += events.size();
    ASSERT_TRUE(grouped.Consume(input, 0, input.num_rows(), partition, 1, marks, &grouped_emitted)
                    .ok());
  }
  Result<SpeedRows> a = alone.Rows(), b = grouped.Rows();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(RowTexts(*bound.plan, b->rows, true), RowTexts(*bound.plan, a->rows, true));
  EXPECT_EQ(RowTexts(*bound.plan, grouped_emitted, true), RowTexts(*bound.plan, alone_emitted, true));
  EXPECT_EQ(grouped.watermark(), alone.watermark());
  const SpeedCounters x = alone.Describe().counters, y = grouped.Describe().counters;
  EXPECT_EQ(y.late, x.late);
  EXPECT_EQ(y.adjusted, x.adjusted);
  EXPECT_EQ(y.emitted_rows, x.emitted_rows);
  EXPECT_GT(x.late, 0u);
  EXPECT_GT(x.emitted_rows, 0u);
}

constexpr std::string_view kTumbling =
    "CREATE VIEW m AS SELECT k, COUNT(*) AS n, SUM(v) AS total, AVG(v) AS mean, MIN(v) AS low, "
    "MAX(v) AS high, STDEV(v) AS sd, COUNT(DISTINCT v) AS distinct_v, "
    "CASE WHEN AVG(v) > 50 THEN 'HIGH' ELSE 'LOW' END AS level "
    "FROM s GROUP BY k, TumblingWindow(second, 10) HAVING COUNT(*) > 1";
constexpr std::string_view kSession =
    "CREATE VIEW w AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM s "
    "GROUP BY k, SessionWindow(second, 2, 20)";

INSTANTIATE_TEST_SUITE_P(
    Views, SpeedOracleTest,
    ::testing::Values(
        Case{"TumblingAdjust", "partitions = 3, out_of_order = '5s', allowed_lateness = '2s'",
             std::string(kTumbling), false},
        Case{"TumblingDrop",
             "partitions = 3, out_of_order = '5s', allowed_lateness = '2s', "
             "out_of_order_policy = 'drop'",
             std::string(kTumbling), true},
        Case{"SessionAdjust", "partitions = 3, out_of_order = '4s'", std::string(kSession), false},
        Case{"SessionDrop", "partitions = 3, out_of_order = '4s', out_of_order_policy = 'drop'",
             std::string(kSession), true}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace braid::speed
