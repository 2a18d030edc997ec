// Scalar function kernels of the expression evaluator (numbers and strings) and LIKE. Strings are
// UTF-8: LEN, SUBSTRING, LIKE's `_` count code points; a byte that starts no valid sequence counts
// as one character. Written by hand: the standard library has no UTF-8 character iteration.
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <string>

#include "sql/evaluator_kernels.h"

namespace braid::sql::evaluator {
namespace {

// The byte length of the UTF-8 character starting at text[pos], clamped to the text.
size_t CharLength(std::string_view text, size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  size_t length = 1;
  if (lead >= 0xF0 && lead <= 0xF7) {
    length = 4;
  } else if (lead >= 0xE0) {
    length = lead <= 0xEF ? 3 : 1;
  } else if (lead >= 0xC0) {
    length = 2;
  }
  return std::min(length, text.size() - pos);
}

size_t CountChars(std::string_view text) {
  size_t count = 0;
  for (size_t pos = 0; pos < text.size(); pos += CharLength(text, pos)) ++count;
  return count;
}

// `%` matches any run of characters, `_` one character, anything else itself; no escape. On a
// mismatch, the last `%` absorbs one more character and matching resumes after it.
bool LikeMatch(std::string_view text, std::string_view pattern) {
  constexpr size_t kNone = std::string_view::npos;
  size_t t = 0, p = 0, star_p = kNone, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (p < pattern.size()) {
      const size_t length = CharLength(pattern, p);
      if (pattern[p] == '_') {
        t += CharLength(text, t);
        ++p;
        continue;
      }
      if (text.substr(t, length) == pattern.substr(p, length)) {
        t += length;
        p += length;
        continue;
      }
    }
    if (star_p == kNone) return false;
    star_t += CharLength(text, star_t);
    t = star_t;
    p = star_p;
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

// ABS, FLOOR, CEILING on BIGINT (ABS(INT64_MIN) overflows) and DOUBLE.
struct AbsOp {
  static RowResult Apply(int64_t v, int64_t& out) {
    if (v == std::numeric_limits<int64_t>::min()) return RowResult::kError;
    out = v < 0 ? -v : v;
    return RowResult::kValue;
  }
  static RowResult Apply(double v, double& out) {
    out = std::fabs(v);
    return RowResult::kValue;
  }
};
template <double (*kRounding)(double)>
struct IntegralOp {
  static RowResult Apply(int64_t v, int64_t& out) {
    out = v;
    return RowResult::kValue;
  }
  static RowResult Apply(double v, double& out) {
    out = kRounding(v);
    return RowResult::kValue;
  }
};
double Floor(double v) { return std::floor(v); }
double Ceiling(double v) { return std::ceil(v); }

// ROUND(v, digits), half away from zero; negative digits round to tens, hundreds, ...
struct RoundOp {
  static RowResult Apply(int64_t v, int64_t digits, int64_t& out) {
    if (digits >= 0) {
      out = v;
      return RowResult::kValue;
    }
    if (digits < -38) {  // 10^39 exceeds __int128; every BIGINT rounds to 0
      out = 0;
      return RowResult::kValue;
    }
    __int128 unit = 1;
    for (int64_t i = 0; i < -digits; ++i) unit *= 10;
    const __int128 remainder = v % unit;
    __int128 rounded = v - remainder;
    if (2 * (remainder < 0 ? -remainder : remainder) >= unit) rounded += v < 0 ? -unit : unit;
    if (rounded < std::numeric_limits<int64_t>::min() ||
        rounded > std::numeric_limits<int64_t>::max()) {
      return RowResult::kError;
    }
    out = static_cast<int64_t>(rounded);
    return RowResult::kValue;
  }
  static RowResult Apply(double v, int64_t digits, double& out) {
    const double unit = std::pow(10.0, static_cast<double>(digits < 0 ? -digits : digits));
    if (digits >= 0 && !(std::fabs(v) < 0x1p52)) {
      out = v;  // already integral (or NaN, infinite)
    } else if (digits >= 0) {
      const double scaled = v * unit;
      out = std::isfinite(scaled) ? std::round(scaled) / unit : v;  // beyond: already exact
    } else {
      out = std::isfinite(unit) ? std::round(v / unit) * unit : std::copysign(0.0, v);
    }
    return RowResult::kValue;
  }
};

template <typename Op>
Result<Column> NumericUnary(const Column& in, SourcePosition position) {
  return VisitStorage(in.type(), [&](auto tag) -> Result<Column> {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
      const Reader<T> values(in);
      return Generate<T>(
          in.type(), in.size(),
          [&](size_t row, T& out) {
            return in.IsValid(row) ? Op::Apply(values[row], out) : RowResult::kNull;
          },
          [&](size_t) { return BigintOutOfRange(position); });
    } else {
      return Status(StatusCode::kInternal, "numeric function on a non-number", position);
    }
  });
}

// ROUND(x) rounds to 0 digits; ROUND(x, digits) is NULL when digits is.
Result<Column> Round(std::span<const Column* const> arguments, SourcePosition position) {
  const Column& in = *arguments[0];
  const Column* digits = arguments.size() > 1 ? arguments[1] : nullptr;
  return VisitStorage(in.type(), [&](auto tag) -> Result<Column> {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
      const Reader<T> values(in);
      return Generate<T>(
          in.type(), in.size(),
          [&](size_t row, T& out) {
            if (!in.IsValid(row) || (digits != nullptr && !digits->IsValid(row))) {
              return RowResult::kNull;
            }
            return RoundOp::Apply(values[row], digits ? digits->int64s()[row] : 0, out);
          },
          [&](size_t) { return BigintOutOfRange(position); });
    } else {
      return Status(StatusCode::kInternal, "ROUND of a non-number", position);
    }
  });
}

// ASCII letters in [kFirst, kLast] shift by kShift; other bytes (UTF-8 included) stay.
template <char kFirst, char kLast, char kShift>
Column MapAscii(const Column& in) {
  auto map = [&](size_t row, std::string& out) {
    if (!in.IsValid(row)) return false;
    out.assign(in.StringAt(row));
    for (char& c : out) {
      if (c >= kFirst && c <= kLast) c = static_cast<char>(c + kShift);
    }
    return true;
  };
  return GenerateTotal<std::string>(DataType::kString, in.size(), map);
}

Column Length(const Column& in) {
  return GenerateTotal<int64_t>(DataType::kBigint, in.size(), [&](size_t row, int64_t& out) {
    if (!in.IsValid(row)) return false;
    out = static_cast<int64_t>(CountChars(in.StringAt(row)));
    return true;
  });
}

// The characters at 1-based positions [start, start + length) that exist, as SQL Server does:
// SUBSTRING('abc', 0, 2) = 'a'. A negative length is an error.
std::string_view Substring(std::string_view text, int64_t start, int64_t length) {
  const __int128 first = std::max<int64_t>(start, 1);           // inclusive
  const __int128 last = static_cast<__int128>(start) + length;  // exclusive
  if (first >= last) return {};
  size_t begin = text.size(), end = text.size();
  int64_t position = 1;
  for (size_t pos = 0; pos < text.size(); pos += CharLength(text, pos), ++position) {
    if (position == first) begin = pos;
    if (position == last) {
      end = pos;
      break;
    }
  }
  return text.substr(begin, end - begin);
}

Result<Column> SubstringColumn(std::span<const Column* const> arguments, SourcePosition position) {
  const Column& text = *arguments[0];
  const Column& start = *arguments[1];
  const Column& length = *arguments[2];
  return Generate<std::string_view>(
      DataType::kString, text.size(),
      [&](size_t row, std::string_view& out) {
        if (!text.IsValid(row) || !start.IsValid(row) || !length.IsValid(row)) {
          return RowResult::kNull;
        }
        if (length.int64s()[row] < 0) return RowResult::kError;
        out = Substring(text.StringAt(row), start.int64s()[row], length.int64s()[row]);
        return RowResult::kValue;
      },
      [&](size_t row) {
        return DataError(fmt::format("SUBSTRING length {} is negative", length.int64s()[row]),
                         position);
      });
}

Column Concat(std::span<const Column* const> arguments, size_t rows) {
  return GenerateTotal<std::string>(DataType::kString, rows, [&](size_t row, std::string& out) {
    out.clear();
    for (const Column* argument : arguments) {
      if (argument->IsValid(row)) out += argument->StringAt(row);
    }
    return true;
  });
}

}  // namespace

Column EvaluateLike(const Column& operand, const Column& pattern, bool negated) {
  return GenerateTotal<bool>(DataType::kBoolean, operand.size(), [&](size_t row, bool& out) {
    if (!operand.IsValid(row) || !pattern.IsValid(row)) return false;
    out = LikeMatch(operand.StringAt(row), pattern.StringAt(row)) != negated;
    return true;
  });
}

Result<Column> EvaluateFunction(const BoundFunction& function, DataType type,
                                std::span<const Column* const> arguments, size_t rows,
                                SourcePosition position) {
  switch (function.function) {
    case ScalarFunction::kAbs:
      return NumericUnary<AbsOp>(*arguments[0], position);
    case ScalarFunction::kRound:
      return Round(arguments, position);
    case ScalarFunction::kFloor:
      return NumericUnary<IntegralOp<Floor>>(*arguments[0], position);
    case ScalarFunction::kCeiling:
      return NumericUnary<IntegralOp<Ceiling>>(*arguments[0], position);
    case ScalarFunction::kLower:
      return MapAscii<'A', 'Z', 'a' - 'A'>(*arguments[0]);
    case ScalarFunction::kUpper:
      return MapAscii<'a', 'z', 'A' - 'a'>(*arguments[0]);
    case ScalarFunction::kLength:
      return Length(*arguments[0]);
    case ScalarFunction::kSubstring:
      return SubstringColumn(arguments, position);
    case ScalarFunction::kConcat:
      return Concat(arguments, rows);
    case ScalarFunction::kDateAdd:
    case ScalarFunction::kDateDiff:
    case ScalarFunction::kDatePart:
      return EvaluateDateFunction(function, arguments, position);
    case ScalarFunction::kCoalesce:
      break;
  }
  return Status(StatusCode::kInternal,
                fmt::format("{} of type {} is not a kernel", ScalarFunctionName(function.function),
                            DataTypeName(type)),
                position);
}

}  // namespace braid::sql::evaluator
