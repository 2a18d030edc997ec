// DATEADD, DATEDIFF and DATEPART kernels of the expression evaluator, with Stream Analytics' (and
// SQL Server's) meaning on the UTC proleptic Gregorian calendar: weeks start on Sunday, DATEDIFF
// counts the part's boundaries crossed from a to b, DATEADD by months clamps the day of month.
// The part is a template parameter, so each part gets its own loop.
#include <fmt/format.h>

#include <limits>
#include <type_traits>

#include "common/time.h"
#include "sql/evaluator_kernels.h"

namespace braid::sql::evaluator {
namespace {

constexpr int64_t kMillisecond = 1000;
constexpr int64_t kSecond = 1000 * kMillisecond;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
// Years that TIMESTAMP (int64 microseconds) can reach, with a margin; beyond is out of range.
constexpr int64_t kMaxYear = 300000;

struct Civil {
  int64_t days;         // since 1970-01-01
  int64_t time_of_day;  // microseconds in [0, kDay)
  CivilDate date;
};

Civil Decompose(int64_t micros) {
  const int64_t days = FloorDiv(micros, kDay);
  return Civil{days, micros - days * kDay, CivilFromDays(days)};
}

// 0 = Sunday ... 6 = Saturday; 1970-01-01 was a Thursday.
int64_t WeekdayFromSunday(int64_t days) { return FloorMod(days + 4, 7); }

int64_t DaysInMonth(int64_t year, unsigned month) {
  const int64_t next =
      month == 12 ? DaysFromCivil(year + 1, 1, 1) : DaysFromCivil(year, month + 1, 1);
  return next - DaysFromCivil(year, month, 1);
}

template <DatePart kPart>
int64_t DatePartOf(int64_t micros) {
  const Civil c = Decompose(micros);
  const int64_t day_of_year = c.days - DaysFromCivil(c.date.year, 1, 1) + 1;
  switch (kPart) {
    case DatePart::kYear:
      return c.date.year;
    case DatePart::kQuarter:
      return (c.date.month - 1) / 3 + 1;
    case DatePart::kMonth:
      return c.date.month;
    case DatePart::kDayOfYear:
      return day_of_year;
    case DatePart::kDay:
      return c.date.day;
    case DatePart::kWeek:  // week 1 holds January 1st; weeks start on Sunday
      return (day_of_year - 1 + WeekdayFromSunday(c.days - day_of_year + 1)) / 7 + 1;
    case DatePart::kWeekday:
      return WeekdayFromSunday(c.days) + 1;
    case DatePart::kHour:
      return c.time_of_day / kHour;
    case DatePart::kMinute:
      return c.time_of_day / kMinute % 60;
    case DatePart::kSecond:
      return c.time_of_day / kSecond % 60;
    case DatePart::kMillisecond:
      return c.time_of_day % kSecond / kMillisecond;
    case DatePart::kMicrosecond:
      return c.time_of_day % kSecond;
  }
  return 0;
}

// The number of the part's boundaries at or before t: DATEDIFF(part, a, b) = index(b) - index(a).
template <DatePart kPart>
int64_t BoundaryIndex(int64_t micros) {
  switch (kPart) {
    case DatePart::kYear:
      return DatePartOf<DatePart::kYear>(micros);
    case DatePart::kQuarter: {
      const CivilDate date = Decompose(micros).date;
      return date.year * 4 + (date.month - 1) / 3;
    }
    case DatePart::kMonth: {
      const CivilDate date = Decompose(micros).date;
      return date.year * 12 + date.month - 1;
    }
    case DatePart::kDayOfYear:
    case DatePart::kDay:
    case DatePart::kWeekday:
      return FloorDiv(micros, kDay);
    case DatePart::kWeek:
      return FloorDiv(FloorDiv(micros, kDay) + 4, 7);  // Sundays
    case DatePart::kHour:
      return FloorDiv(micros, kHour);
    case DatePart::kMinute:
      return FloorDiv(micros, kMinute);
    case DatePart::kSecond:
      return FloorDiv(micros, kSecond);
    case DatePart::kMillisecond:
      return FloorDiv(micros, kMillisecond);
    case DatePart::kMicrosecond:
      return micros;
  }
  return 0;
}

// Calendar months added to t, the day clamped to the new month's length; false when out of range.
bool AddMonths(int64_t micros, int64_t months, int64_t& out) {
  const Civil c = Decompose(micros);
  if (months > kMaxYear * 12 || months < -kMaxYear * 12) return false;
  const int64_t total = c.date.year * 12 + (c.date.month - 1) + months;
  const int64_t year = FloorDiv(total, 12);
  if (year > kMaxYear || year < -kMaxYear) return false;
  const auto month = static_cast<unsigned>(FloorMod(total, 12) + 1);
  const int64_t day = std::min<int64_t>(c.date.day, DaysInMonth(year, month));
  const int64_t days = DaysFromCivil(year, month, static_cast<unsigned>(day));
  int64_t start_of_day = 0;
  return !__builtin_mul_overflow(days, kDay, &start_of_day) &&
         !__builtin_add_overflow(start_of_day, c.time_of_day, &out);
}

// The months (calendar parts) or microseconds (fixed parts) that one unit of the part adds.
struct DateStep {
  int64_t months = 0;
  int64_t micros = 0;
};
template <DatePart kPart>
constexpr DateStep StepOf() {
  switch (kPart) {
    case DatePart::kYear:
      return {12, 0};
    case DatePart::kQuarter:
      return {3, 0};
    case DatePart::kMonth:
      return {1, 0};
    case DatePart::kWeek:
      return {0, 7 * kDay};
    case DatePart::kDayOfYear:
    case DatePart::kDay:
    case DatePart::kWeekday:
      return {0, kDay};
    case DatePart::kHour:
      return {0, kHour};
    case DatePart::kMinute:
      return {0, kMinute};
    case DatePart::kSecond:
      return {0, kSecond};
    case DatePart::kMillisecond:
      return {0, kMillisecond};
    case DatePart::kMicrosecond:
      return {0, 1};
  }
  return {};
}

template <DatePart kPart>
bool DateAdd(int64_t n, int64_t micros, int64_t& out) {
  constexpr DateStep kStep = StepOf<kPart>();
  int64_t amount = 0;
  if constexpr (kStep.months != 0) {
    return !__builtin_mul_overflow(n, kStep.months, &amount) && AddMonths(micros, amount, out);
  } else {
    return !__builtin_mul_overflow(n, kStep.micros, &amount) &&
           !__builtin_add_overflow(micros, amount, &out);
  }
}

// Calls fn(std::integral_constant<DatePart, part>{}).
template <typename Fn>
decltype(auto) VisitDatePart(DatePart part, Fn&& fn) {
  using enum DatePart;
  switch (part) {
    case kYear:
      return fn(std::integral_constant<DatePart, kYear>{});
    case kQuarter:
      return fn(std::integral_constant<DatePart, kQuarter>{});
    case kMonth:
      return fn(std::integral_constant<DatePart, kMonth>{});
    case kDayOfYear:
      return fn(std::integral_constant<DatePart, kDayOfYear>{});
    case kDay:
      return fn(std::integral_constant<DatePart, kDay>{});
    case kWeek:
      return fn(std::integral_constant<DatePart, kWeek>{});
    case kWeekday:
      return fn(std::integral_constant<DatePart, kWeekday>{});
    case kHour:
      return fn(std::integral_constant<DatePart, kHour>{});
    case kMinute:
      return fn(std::integral_constant<DatePart, kMinute>{});
    case kSecond:
      return fn(std::integral_constant<DatePart, kSecond>{});
    case kMillisecond:
      return fn(std::integral_constant<DatePart, kMillisecond>{});
    case kMicrosecond:
      break;
  }
  return fn(std::integral_constant<DatePart, kMicrosecond>{});
}

// The loop of the two-argument date functions: op(a, b, out) over rows where both are valid.
template <typename Op>
Result<Column> DateBinary(DataType type, const Column& a, const Column& b, Op op, Status error) {
  const std::span<const int64_t> left = a.int64s();
  const std::span<const int64_t> right = b.int64s();
  return Generate<int64_t>(
      type, a.size(),
      [&](size_t row, int64_t& out) {
        if (!a.IsValid(row) || !b.IsValid(row)) return RowResult::kNull;
        return op(left[row], right[row], out) ? RowResult::kValue : RowResult::kError;
      },
      [&](size_t) { return error; });
}

}  // namespace

Result<Column> EvaluateDateFunction(const BoundFunction& function,
                                    std::span<const Column* const> arguments,
                                    SourcePosition position) {
  if (!function.part.has_value()) {
    return Status(StatusCode::kInternal, "date function without a date part", position);
  }
  return VisitDatePart(*function.part, [&](auto part) -> Result<Column> {
    constexpr DatePart kPart = decltype(part)::value;
    if (function.function == ScalarFunction::kDatePart) {
      const Column& t = *arguments[0];
      const std::span<const int64_t> values = t.int64s();
      return GenerateTotal<int64_t>(DataType::kBigint, t.size(), [&](size_t row, int64_t& out) {
        if (!t.IsValid(row)) return false;
        out = DatePartOf<kPart>(values[row]);
        return true;
      });
    }
    if (function.function == ScalarFunction::kDateDiff) {
      auto diff = [](int64_t a, int64_t b, int64_t& out) {
        return !__builtin_sub_overflow(BoundaryIndex<kPart>(b), BoundaryIndex<kPart>(a), &out);
      };
      return DateBinary(DataType::kBigint, *arguments[0], *arguments[1], diff,
                        BigintOutOfRange(position));
    }
    return DateBinary(DataType::kTimestamp, *arguments[0], *arguments[1], DateAdd<kPart>,
                      DataError("timestamp out of range", position));
  });
}

}  // namespace braid::sql::evaluator
