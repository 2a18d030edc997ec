#include "common/time.h"

#include <gtest/gtest.h>

namespace braid {
namespace {

int64_t Parse(std::string_view s) {
  Result<Timestamp> t = ParseRfc3339(s);
  EXPECT_TRUE(t.ok()) << s << ": " << t.status().ToString();
  return t.ok() ? t->micros : 0;
}

TEST(TimeTest, ParsesRfc3339Forms) {
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Parse("2026-11-23T10:00:00.123Z"), 1795428000123000);
  EXPECT_EQ(Parse("2026-11-23t10:00:00.123z"), 1795428000123000);
  EXPECT_EQ(Parse("2026-11-23 11:00:00.123+01:00"), 1795428000123000);
  EXPECT_EQ(Parse("2026-11-23T05:30:00.123-04:30"), 1795428000123000);
  EXPECT_EQ(Parse("2026-11-23T10:00:00.123456789Z"), 1795428000123456);  // truncated to µs
  EXPECT_EQ(Parse("1969-12-31T23:59:59.999999Z"), -1);
  EXPECT_EQ(Parse("2024-02-29T00:00:00Z"), 1709164800000000);
}

TEST(TimeTest, RejectsMalformedTimestamps) {
  for (const char* bad :
       {"", "2026-11-23", "2026-11-23T10:00:00", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2025-02-29T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T10:00:00.Z",
        "2026-11-23T10:00:00Zjunk", "2026-11-23X10:00:00Z", "2026-11-23T10:00:00+1:00",
        "abcd-11-23T10:00:00Z"}) {
    Result<Timestamp> t = ParseRfc3339(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), StatusCode::kDataError) << bad;
  }
}

TEST(TimeTest, FormatsWithMicrosecondsAndZ) {
  EXPECT_EQ(FormatRfc3339({0}), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatRfc3339({1795428000123000}), "2026-11-23T10:00:00.123000Z");
  EXPECT_EQ(FormatRfc3339({-1}), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatRfc3339({-86400000000}), "1969-12-31T00:00:00.000000Z");
  EXPECT_EQ(FormatDate({1795428000123000}), "2026-11-23");
  EXPECT_EQ(FormatDate({-1}), "1969-12-31");
}

// Each thread keeps the text of the last date it wrote: days in any order, and years that are
// written another way between them, give each timestamp its own date.
TEST(TimeTest, FormatsAlternatingDays) {
  const Timestamp day{1795428000123000}, next_day{1795428000123000 + 86400000000LL};
  const Timestamp far{253402300800000000};  // 10000-01-01
  EXPECT_EQ(FormatRfc3339(day), "2026-11-23T10:00:00.123000Z");
  EXPECT_EQ(FormatRfc3339(next_day), "2026-11-24T10:00:00.123000Z");
  EXPECT_EQ(FormatRfc3339(Timestamp{day.micros + 1}), "2026-11-23T10:00:00.123001Z");
  EXPECT_EQ(FormatRfc3339(far), "10000-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatRfc3339(next_day), "2026-11-24T10:00:00.123000Z");
  EXPECT_EQ(FormatRfc3339(far), "10000-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatRfc3339(Timestamp{-1}), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatRfc3339(Timestamp{0}), "1970-01-01T00:00:00.000000Z");
}

TEST(TimeTest, RoundTripsAcrossCenturies) {
  for (int64_t micros = -62135596800000000; micros < 253402300799000000;
       micros += 86400000000LL * 997 + 3600000000LL * 7 + 123457) {
    Timestamp t{micros};
    Result<Timestamp> back = ParseRfc3339(FormatRfc3339(t));
    ASSERT_TRUE(back.ok()) << FormatRfc3339(t);
    ASSERT_EQ(back->micros, micros) << FormatRfc3339(t);
  }
}

TEST(TimeTest, CivilDaysAgreeWithKnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  CivilDate d = CivilFromDays(19725);  // 2024-01-03, a Wednesday
  EXPECT_EQ(d.year, 2024);
  EXPECT_EQ(d.month, 1u);
  EXPECT_EQ(d.day, 3u);
}

TEST(TimeTest, ParsesAndFormatsDurations) {
  EXPECT_EQ(ParseDuration("10s")->micros, 10000000);
  EXPECT_EQ(ParseDuration("5 min")->micros, 300000000);
  EXPECT_EQ(ParseDuration("250ms")->micros, 250000);
  EXPECT_EQ(ParseDuration("7d")->micros, 604800000000);
  EXPECT_EQ(ParseDuration("2 hours")->micros, 7200000000);
  EXPECT_EQ(ParseDuration("3us")->micros, 3);
  EXPECT_EQ(ParseDuration("0s")->micros, 0);
  for (const char* bad : {"", "s", "10", "-5s", "10 parsecs", "1.5s", "10s extra"}) {
    Result<Duration> d = ParseDuration(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(FormatDuration(Duration::Days(7)), "7d");
  EXPECT_EQ(FormatDuration(Duration::Seconds(90)), "90s");
  EXPECT_EQ(FormatDuration(Duration::Millis(1500)), "1500ms");
  EXPECT_EQ(FormatDuration(Duration::Micros(7)), "7us");
  EXPECT_EQ(FormatDuration(Duration{}), "0s");
  for (Duration d : {Duration::Minutes(5), Duration::Hours(36), Duration::Micros(1234567)}) {
    EXPECT_EQ(ParseDuration(FormatDuration(d))->micros, d.micros);
  }
}

}  // namespace
}  // namespace braid
