#include "common/time.h"

#include <fmt/format.h>

#include <cctype>
#include <chrono>
#include <cstring>
#include <iterator>
#include <limits>

#include "common/decimal_digits.h"

namespace braid {
namespace {

Status TimeError(std::string_view text, std::string_view why) {
  return Status(StatusCode::kDataError,
                fmt::format("invalid timestamp '{}': {}", text.substr(0, 64), why));
}

// Reads exactly n digits at pos; returns -1 if they are not all digits.
int64_t Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

Timestamp Now() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return {std::chrono::duration_cast<std::chrono::microseconds>(now).count()};
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

Result<Timestamp> ParseRfc3339(std::string_view s) {
  // YYYY-MM-DD[Tt ]HH:MM:SS[.f+](Z|z|+HH:MM|-HH:MM)
  if (s.size() < 20) return TimeError(s, "too short for RFC 3339 (YYYY-MM-DDTHH:MM:SSZ)");
  const int64_t year = Digits(s, 0, 4);
  const int64_t month = Digits(s, 5, 2);
  const int64_t day = Digits(s, 8, 2);
  const int64_t hour = Digits(s, 11, 2);
  const int64_t minute = Digits(s, 14, 2);
  const int64_t second = Digits(s, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || s[4] != '-' ||
      s[7] != '-' || s[13] != ':' || s[16] != ':') {
    return TimeError(s, "expected YYYY-MM-DDTHH:MM:SS");
  }
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') {
    return TimeError(s, "expected 'T' between date and time");
  }
  if (month < 1 || month > 12) return TimeError(s, "month out of range");
  if (day < 1 || day > DaysInMonth(year, static_cast<unsigned>(month))) {
    return TimeError(s, "day out of range");
  }
  if (hour > 23 || minute > 59 || second > 60) return TimeError(s, "time of day out of range");
  if (second == 60) return TimeError(s, "leap seconds are not supported");
  size_t pos = 19;
  int64_t frac_micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_micros += (s[pos] - '0') * scale;  // digits beyond microseconds are truncated
      scale /= 10;
      ++pos;
    }
    if (pos == start) return TimeError(s, "expected digits after '.'");
    if (pos - start > 18) return TimeError(s, "too many fractional digits");
  }
  if (pos >= s.size()) return TimeError(s, "missing time zone ('Z' or +HH:MM)");
  int64_t offset_seconds = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '-' ? -1 : 1;
    const int64_t oh = Digits(s, pos + 1, 2);
    const int64_t om = Digits(s, pos + 4, 2);
    if (oh < 0 || om < 0 || pos + 3 >= s.size() || s[pos + 3] != ':' || oh > 23 || om > 59) {
      return TimeError(s, "bad time zone offset (expected +HH:MM)");
    }
    offset_seconds = sign * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return TimeError(s, "bad time zone ('Z' or +HH:MM)");
  }
  if (pos != s.size()) return TimeError(s, "unexpected characters after the time zone");
  const int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  return Timestamp{seconds * 1000000 + frac_micros};
}

std::string FormatRfc3339(Timestamp t) {
  std::string text;
  AppendRfc3339(t, &text);
  return text;
}

char* WriteRfc3339(Timestamp t, char* out) {
  const int64_t days = DayOf(t.micros);
  const int64_t rest = t.micros - days * kMicrosPerDay;  // in [0, one day)
  const auto secs = static_cast<uint32_t>(rest / 1000000);
  const auto frac = static_cast<uint32_t>(rest % 1000000);
  // Answers format every timestamp cell through here, and a column's cells mostly share a day:
  // the text of the last date this thread wrote is kept.
  struct DateText {
    int64_t days = INT64_MIN;
    char text[10];  // YYYY-MM-DD
  };
  thread_local DateText last;
  if (days != last.days) {
    const CivilDate date = CivilFromDays(days);
    if (date.year < 0 || date.year > 9999) {
      return fmt::format_to(out, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", date.year,
                            date.month, date.day, secs / 3600, (secs / 60) % 60, secs % 60, frac);
    }
    const auto year = static_cast<uint32_t>(date.year);
    CopyDigitPair(last.text, year / 100);
    CopyDigitPair(last.text + 2, year % 100);
    last.text[4] = '-';
    CopyDigitPair(last.text + 5, date.month);
    last.text[7] = '-';
    CopyDigitPair(last.text + 8, date.day);
    last.days = days;
  }
  std::memcpy(out, last.text, sizeof(last.text));
  out += sizeof(last.text);
  // Two digits at a time, in place.
  auto pair = [&out](uint32_t value) {  // value < 100
    CopyDigitPair(out, value);
    out += 2;
  };
  *out++ = 'T';
  pair(secs / 3600);
  *out++ = ':';
  pair((secs / 60) % 60);
  *out++ = ':';
  pair(secs % 60);
  *out++ = '.';
  pair(frac / 10000);
  pair(frac / 100 % 100);
  pair(frac % 100);
  *out++ = 'Z';
  return out;
}

void AppendRfc3339(Timestamp t, std::string* out) {
  char text[kMaxRfc3339Bytes];
  out->append(text, static_cast<size_t>(WriteRfc3339(t, text) - text));
}

std::string FormatDate(Timestamp t) {
  const CivilDate date = CivilFromDays(DayOf(t.micros));
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

Result<Duration> ParseDuration(std::string_view text) {
  auto error = [&](std::string_view why) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("invalid duration '{}': {} (examples: '10s', '5 min', '7d')", text,
                              why));
  };
  size_t pos = 0;
  while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
  size_t start = pos;
  int64_t n = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (n > std::numeric_limits<int64_t>::max() / 10 - 9) return error("number too large");
    n = n * 10 + (text[pos] - '0');
    ++pos;
  }
  if (pos == start) return error("expected a non-negative integer");
  while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
  std::string unit;
  while (pos < text.size() && !std::isspace(static_cast<unsigned char>(text[pos]))) {
    unit.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[pos]))));
    ++pos;
  }
  while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
  if (pos != text.size()) return error("unexpected trailing text");
  int64_t scale = 0;
  if (unit == "us" || unit == "microsecond" || unit == "microseconds") scale = 1;
  else if (unit == "ms" || unit == "millisecond" || unit == "milliseconds") scale = 1000;
  else if (unit == "s" || unit == "sec" || unit == "second" || unit == "seconds") scale = 1000000;
  else if (unit == "m" || unit == "min" || unit == "minute" || unit == "minutes") scale = 60000000;
  else if (unit == "h" || unit == "hour" || unit == "hours") scale = 3600000000LL;
  else if (unit == "d" || unit == "day" || unit == "days") scale = 86400000000LL;
  else return error(unit.empty() ? "missing unit" : fmt::format("unknown unit '{}'", unit));
  if (n > std::numeric_limits<int64_t>::max() / scale) return error("duration too large");
  return Duration{n * scale};
}

std::string FormatDuration(Duration d) {
  struct Unit {
    int64_t micros;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {{86400000000LL, "d"}, {3600000000LL, "h"}, {60000000, "m"},
                                    {1000000, "s"},       {1000, "ms"},        {1, "us"}};
  if (d.micros == 0) return "0s";
  for (const Unit& u : kUnits) {
    if (d.micros % u.micros == 0) return fmt::format("{}{}", d.micros / u.micros, u.suffix);
  }
  return fmt::format("{}us", d.micros);
}

}  // namespace braid
