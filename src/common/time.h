// Time in Braid: int64 microseconds since 1970-01-01T00:00:00Z, UTC, as strong types (Timestamp,
// Duration) so that instants, spans and plain integers cannot be mixed up. RFC 3339 parsing
// accepts 'T'/'t'/' ' separators, any number of fractional digits (rounded toward negative
// infinity to microseconds), 'Z' or a numeric offset; formatting always writes microseconds and
// 'Z' ("2026-11-20T00:01:00.000000Z"). Pure functions; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace braid {

struct Duration {
  int64_t micros = 0;
  auto operator<=>(const Duration&) const = default;

  static constexpr Duration Micros(int64_t n) { return {n}; }
  static constexpr Duration Millis(int64_t n) { return {n * 1000}; }
  static constexpr Duration Seconds(int64_t n) { return {n * 1000000}; }
  static constexpr Duration Minutes(int64_t n) { return {n * 60000000}; }
  static constexpr Duration Hours(int64_t n) { return {n * 3600000000LL}; }
  static constexpr Duration Days(int64_t n) { return {n * 86400000000LL}; }
};

struct Timestamp {
  int64_t micros = 0;
  auto operator<=>(const Timestamp&) const = default;

  static constexpr Timestamp FromMillis(int64_t ms) { return {ms * 1000}; }
  friend constexpr Timestamp operator+(Timestamp t, Duration d) { return {t.micros + d.micros}; }
  friend constexpr Timestamp operator-(Timestamp t, Duration d) { return {t.micros - d.micros}; }
  friend constexpr Duration operator-(Timestamp a, Timestamp b) { return {a.micros - b.micros}; }
};

// The current wall-clock time.
Timestamp Now();

// Parses an RFC 3339 date-time ("2026-11-23T10:00:00.123Z", "2026-11-23 10:00:00+01:00").
Result<Timestamp> ParseRfc3339(std::string_view text);
// "2026-11-23T10:00:00.123000Z".
std::string FormatRfc3339(Timestamp t);
// The same, appended to *out (no allocation of its own).
void AppendRfc3339(Timestamp t, std::string* out);
// The same, written at `out`, which has room for kMaxRfc3339Bytes; returns the end of the text.
inline constexpr size_t kMaxRfc3339Bytes = 40;  // years beyond 9999 take more than 27
char* WriteRfc3339(Timestamp t, char* out);
// "2026-11-23": the UTC calendar date of t (lake partition values).
std::string FormatDate(Timestamp t);

inline constexpr int64_t kMicrosPerDay = Duration::Days(1).micros;
// The UTC day of a time in microseconds since the epoch: days since 1970-01-01, rounded down.
constexpr int64_t DayOf(int64_t micros) {
  return micros >= 0 ? micros / kMicrosPerDay : (micros + 1) / kMicrosPerDay - 1;
}

// Days since 1970-01-01 for a proleptic Gregorian date, and back (Hinnant's algorithms).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};
CivilDate CivilFromDays(int64_t days);

// Parses a duration: a non-negative integer and a unit, with or without a space: "10s", "5 min",
// "250ms", "7d", "2 hours". Units: us/microsecond(s), ms/millisecond(s), s/sec/second(s),
// m/min/minute(s), h/hour(s), d/day(s).
Result<Duration> ParseDuration(std::string_view text);
// The shortest exact form: "10s", "5m", "7d", "250ms", "0s".
std::string FormatDuration(Duration d);

}  // namespace braid
