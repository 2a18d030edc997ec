#include "sql/window_assignment.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <ostream>
#include <random>
#include <string_view>
#include <vector>

#include "common/time.h"

namespace braid {
// Readable failures (internal linkage: other test files may print times too).
static void PrintTo(Timestamp t, std::ostream* os) { *os << FormatRfc3339(t); }
}  // namespace braid

namespace braid::sql {
namespace {

Timestamp At(std::string_view rfc3339) {
  Result<Timestamp> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : Timestamp{};
}

// 2026-11-20 at hh:mm:ss(.ffffff): the examples' times of day.
Timestamp ExampleDay(std::string_view time_of_day) {
  return At(std::string("2026-11-20T") + std::string(time_of_day) + "Z");
}

std::vector<Timestamp> Ends(const WindowDefinition& window, Timestamp t) {
  std::vector<Timestamp> ends;
  WindowEnds(window, t, &ends);
  return ends;
}

WindowDefinition Tumbling(Duration size, Duration offset = {}) {
  return WindowDefinition{.kind = WindowKind::kTumbling,
                          .size = size,
                          .hop = size,
                          .max_duration = {},
                          .offset = offset,
                          .partition_by = {}};
}

WindowDefinition Hopping(Duration size, Duration hop, Duration offset = {}) {
  return WindowDefinition{.kind = WindowKind::kHopping,
                          .size = size,
                          .hop = hop,
                          .max_duration = {},
                          .offset = offset,
                          .partition_by = {}};
}

TEST(WindowAssignment, FloorModIsInZeroToDivisor) {
  EXPECT_EQ(FloorMod(7, 5), 2);
  EXPECT_EQ(FloorMod(-7, 5), 3);
  EXPECT_EQ(FloorMod(-5, 5), 0);
  EXPECT_EQ(FloorMod(0, 5), 0);
  EXPECT_EQ(FloorMod(std::numeric_limits<int64_t>::min(), 10), 2);  // -9223372036854775808
  EXPECT_EQ(FloorMod(std::numeric_limits<int64_t>::max(), 10), 7);
}

// Example 1: the end is inside the window, the start is not.
TEST(WindowAssignment, Example1TumblingMinute) {
  WindowDefinition minute = Tumbling(Duration::Minutes(1));
  EXPECT_EQ(Ends(minute, ExampleDay("00:00:59.999999")), std::vector{ExampleDay("00:01:00")});
  EXPECT_EQ(Ends(minute, ExampleDay("00:01:00.000000")), std::vector{ExampleDay("00:01:00")});
  EXPECT_EQ(Ends(minute, ExampleDay("00:01:00.000001")), std::vector{ExampleDay("00:02:00")});
}

// Example 2: Offset(millisecond, -1), given raw or normalized to [0, size).
TEST(WindowAssignment, Example2NegativeOffset) {
  for (Duration offset : {Duration::Millis(-1), Duration::Millis(3599999)}) {
    WindowDefinition hour = Tumbling(Duration::Hours(1), offset);
    EXPECT_EQ(Ends(hour, ExampleDay("12:00:00")), std::vector{ExampleDay("12:59:59.999")});
    EXPECT_EQ(Ends(hour, ExampleDay("12:59:59.999")), std::vector{ExampleDay("12:59:59.999")});
    EXPECT_EQ(Ends(hour, ExampleDay("12:59:59.9995")), std::vector{ExampleDay("13:59:59.999")});
    EXPECT_EQ(Ends(hour, ExampleDay("13:00:00")), std::vector{ExampleDay("13:59:59.999")});
  }
}

// Example 3: weeks on the Unix grid run Thursday to Thursday.
TEST(WindowAssignment, Example3WeekOnUnixGrid) {
  Timestamp t = At("2024-01-03T12:00:00Z");
  EXPECT_EQ(TumblingWindowEnd(t, Duration::Days(7), {}), At("2024-01-04T00:00:00Z"));
  EXPECT_EQ(TumblingWindowEnd(t, Duration::Days(7), Duration::Days(4)), At("2024-01-08T00:00:00Z"));
}

// Example 5: hopping 10 min every 5 min.
TEST(WindowAssignment, Example5Hopping) {
  WindowDefinition hopping = Hopping(Duration::Minutes(10), Duration::Minutes(5));
  EXPECT_EQ(Ends(hopping, ExampleDay("00:07:00")),
            (std::vector{ExampleDay("00:10:00"), ExampleDay("00:15:00")}));
  EXPECT_EQ(Ends(hopping, ExampleDay("00:10:00")),
            (std::vector{ExampleDay("00:10:00"), ExampleDay("00:15:00")}));
  EXPECT_EQ(Ends(hopping, ExampleDay("00:12:30")),
            (std::vector{ExampleDay("00:15:00"), ExampleDay("00:20:00")}));
}

TEST(WindowAssignment, NegativeTimes) {
  Duration minute = Duration::Minutes(1);
  EXPECT_EQ(TumblingWindowEnd(Timestamp{-1}, minute, {}), Timestamp{0});
  EXPECT_EQ(TumblingWindowEnd(Timestamp{-60000000}, minute, {}), Timestamp{-60000000});
  EXPECT_EQ(TumblingWindowEnd(Timestamp{-60000001}, minute, {}), Timestamp{-60000000});
  EXPECT_EQ(TumblingWindowEnd(Timestamp{-59999999}, minute, {}), Timestamp{0});
  EXPECT_EQ(TumblingWindowEnd(At("1969-12-31T23:59:30Z"), minute, {}), Timestamp{0});
  // Far before 1970, where offset - t would overflow int64.
  int64_t min = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(TumblingWindowEnd(Timestamp{min}, Duration{10}, Duration{-3}), Timestamp{min + 5});
  EXPECT_EQ(TumblingWindowEnd(Timestamp{min + 5}, Duration{10}, Duration{7}), Timestamp{min + 5});
  std::vector<Timestamp> ends;
  HoppingWindowEnds(Timestamp{-7}, Duration{10}, Duration{5}, {}, &ends);
  EXPECT_EQ(ends, (std::vector{Timestamp{-5}, Timestamp{0}}));
}

TEST(WindowAssignment, Offsets) {
  Duration size{10};
  EXPECT_EQ(TumblingWindowEnd(Timestamp{3}, size, Duration{3}), Timestamp{3});
  EXPECT_EQ(TumblingWindowEnd(Timestamp{4}, size, Duration{3}), Timestamp{13});
  EXPECT_EQ(TumblingWindowEnd(Timestamp{-7}, size, Duration{3}), Timestamp{-7});
  EXPECT_EQ(TumblingWindowEnd(Timestamp{-8}, size, Duration{3}), Timestamp{-7});
  // Only offset mod size matters.
  EXPECT_EQ(TumblingWindowEnd(Timestamp{4}, size, Duration{23}), Timestamp{13});
  EXPECT_EQ(TumblingWindowEnd(Timestamp{4}, size, Duration{-17}), Timestamp{13});
  std::vector<Timestamp> ends;
  HoppingWindowEnds(Timestamp{4}, size, Duration{5}, Duration{2}, &ends);
  EXPECT_EQ(ends, (std::vector{Timestamp{7}, Timestamp{12}}));
}

TEST(WindowAssignment, HopNotDividingSize) {
  WindowDefinition hopping = Hopping(Duration{10}, Duration{4});
  EXPECT_EQ(Ends(hopping, Timestamp{1}), (std::vector{Timestamp{4}, Timestamp{8}}));
  EXPECT_EQ(Ends(hopping, Timestamp{4}), (std::vector{Timestamp{4}, Timestamp{8}, Timestamp{12}}));
  EXPECT_EQ(Ends(hopping, Timestamp{0}), (std::vector{Timestamp{0}, Timestamp{4}, Timestamp{8}}));
}

// Against brute force: every grid point e (e = offset mod hop) with t <= e < t + size.
TEST(WindowAssignment, MatchesBruteForce) {
  std::mt19937_64 random(42);
  for (int trial = 0; trial < 2000; ++trial) {
    int64_t size = std::uniform_int_distribution<int64_t>(1, 30)(random);
    int64_t hop = std::uniform_int_distribution<int64_t>(1, size)(random);
    int64_t offset = std::uniform_int_distribution<int64_t>(-40, 40)(random);
    int64_t t = std::uniform_int_distribution<int64_t>(-100, 100)(random);
    std::vector<Timestamp> expected;
    for (int64_t e = t; e < t + size; ++e) {
      if (((e - offset) % hop + hop) % hop == 0) expected.push_back(Timestamp{e});
    }
    std::vector<Timestamp> ends;
    HoppingWindowEnds(Timestamp{t}, Duration{size}, Duration{hop}, Duration{offset}, &ends);
    ASSERT_EQ(ends, expected) << "t=" << t << " size=" << size << " hop=" << hop
                              << " offset=" << offset;
    if (hop == size) {
      ASSERT_EQ(TumblingWindowEnd(Timestamp{t}, Duration{size}, Duration{offset}), expected[0]);
    }
  }
}

TEST(WindowAssignment, SessionCutIsNextGridPoint) {
  Duration max = Duration::Seconds(10);
  EXPECT_EQ(SessionCut(Timestamp{0}, max, {}), Timestamp{10000000});
  EXPECT_EQ(SessionCut(Timestamp{1000000}, max, {}), Timestamp{20000000});
  EXPECT_EQ(SessionCut(Timestamp{10000000}, max, {}), Timestamp{20000000});
  EXPECT_EQ(SessionCut(Timestamp{1000000}, max, Duration::Seconds(3)), Timestamp{13000000});
  EXPECT_EQ(SessionCut(Timestamp{-1000000}, max, {}), Timestamp{10000000});
}

struct ExpectedSession {
  Timestamp start;
  bool continuation;
  Timestamp end;
  size_t first;
  size_t count;
};

void ExpectSessions(const std::vector<Session>& actual, const std::vector<ExpectedSession>& want) {
  ASSERT_EQ(actual.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(actual[i].start, want[i].start);
    EXPECT_EQ(actual[i].continuation, want[i].continuation);
    EXPECT_EQ(actual[i].end, want[i].end);
    EXPECT_EQ(actual[i].first, want[i].first);
    EXPECT_EQ(actual[i].count, want[i].count);
  }
}

Timestamp Sec(int64_t s) { return Timestamp{s * 1000000}; }

// Example 6: a gap of exactly the timeout joins; a late event bridges two sessions.
TEST(WindowAssignment, Example6SessionGapInclusive) {
  Duration timeout = Duration::Minutes(5);
  Duration max = Duration::Minutes(60);
  std::vector<Timestamp> times = {ExampleDay("00:00:00"), ExampleDay("00:04:00"),
                                  ExampleDay("00:09:00"), ExampleDay("00:15:00")};
  ExpectSessions(AssignSessions(times, timeout, max, {}),
                 {{ExampleDay("00:00:00"), false, ExampleDay("00:14:00"), 0, 3},
                  {ExampleDay("00:15:00"), false, ExampleDay("00:20:00"), 3, 1}});
  std::vector<Timestamp> bridged = {ExampleDay("00:00:00"), ExampleDay("00:04:00"),
                                    ExampleDay("00:09:00"), ExampleDay("00:12:00"),
                                    ExampleDay("00:15:00")};
  ExpectSessions(AssignSessions(bridged, timeout, max, {}),
                 {{ExampleDay("00:00:00"), false, ExampleDay("00:20:00"), 0, 5}});
}

// Example 7: a session cut at a grid point continues, keeping the last event's timeout.
TEST(WindowAssignment, Example7SessionContinuation) {
  Duration timeout = Duration::Seconds(5);
  Duration max = Duration::Seconds(10);
  std::vector<Timestamp> times = {Sec(1), Sec(5), Sec(9), Sec(13), Sec(17), Sec(21)};
  ExpectSessions(AssignSessions(times, timeout, max, {}),
                 {{Sec(1), false, Sec(20), 0, 5}, {Sec(20), true, Sec(26), 5, 1}});
  std::vector<Timestamp> second = {Sec(0), Sec(4), Sec(8), Sec(12)};
  ExpectSessions(AssignSessions(second, timeout, max, {}),
                 {{Sec(0), false, Sec(10), 0, 3}, {Sec(10), true, Sec(17), 3, 1}});
}

TEST(WindowAssignment, ContinuationWithoutEventHasNoSession) {
  Duration timeout = Duration::Seconds(5);
  Duration max = Duration::Seconds(10);
  // :23 comes after :17 + 5 s: the continuation from :20 gets nothing; a new session opens.
  std::vector<Timestamp> times = {Sec(1), Sec(5), Sec(9), Sec(13), Sec(17), Sec(23)};
  ExpectSessions(AssignSessions(times, timeout, max, {}),
                 {{Sec(1), false, Sec(20), 0, 5}, {Sec(23), false, Sec(28), 5, 1}});
  // The stream ends while the timeout runs past the cut: no continuation row either.
  ExpectSessions(AssignSessions(std::span(times).first(5), timeout, max, {}),
                 {{Sec(1), false, Sec(20), 0, 5}});
  std::vector<Timestamp> at_cut = {Sec(8), Sec(12), Sec(16)};
  ExpectSessions(AssignSessions(at_cut, timeout, max, {}), {{Sec(8), false, Sec(20), 0, 3}});
}

TEST(WindowAssignment, SessionChainOfContinuations) {
  std::vector<Timestamp> times;
  for (int s = 0; s <= 40; s += 4) times.push_back(Sec(s));  // :00 :04 ... :40
  ExpectSessions(AssignSessions(times, Duration::Seconds(5), Duration::Seconds(10), {}),
                 {{Sec(0), false, Sec(10), 0, 3},
                  {Sec(10), true, Sec(20), 3, 3},  // :20 is at the cut and joins
                  {Sec(20), true, Sec(30), 6, 2},
                  {Sec(30), true, Sec(40), 8, 3}});
}

TEST(WindowAssignment, SessionsWithOffsetTiesAndNegativeTimes) {
  Duration timeout = Duration::Seconds(5);
  Duration max = Duration::Seconds(10);
  std::vector<Timestamp> ties = {Sec(2), Sec(2), Sec(7), Sec(7)};
  ExpectSessions(AssignSessions(ties, timeout, max, {}), {{Sec(2), false, Sec(12), 0, 4}});
  // Offset 3 s moves the cut of a session from :02 to :13 (without it, :20).
  std::vector<Timestamp> times = {Sec(2), Sec(6), Sec(10), Sec(14)};
  ExpectSessions(AssignSessions(times, timeout, max, {}), {{Sec(2), false, Sec(19), 0, 4}});
  ExpectSessions(AssignSessions(times, timeout, max, Duration::Seconds(3)),
                 {{Sec(2), false, Sec(13), 0, 3}, {Sec(13), true, Sec(19), 3, 1}});
  // Before 1970: the cut of a session from -5 s is +10 s.
  std::vector<Timestamp> negative = {Sec(-5), Sec(-1), Sec(3), Sec(6)};
  ExpectSessions(AssignSessions(negative, timeout, max, {}), {{Sec(-5), false, Sec(10), 0, 4}});
  EXPECT_TRUE(AssignSessions({}, timeout, max, {}).empty());
}

}  // namespace
}  // namespace braid::sql
