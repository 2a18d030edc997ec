// CAST kernels of the expression evaluator: between the scalar types, to STRING (text that casts
// back to the same value) and from STRING (parsed strictly; surrounding spaces are ignored).
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string>

#include "common/schema.h"
#include "common/time.h"
#include "sql/evaluator_kernels.h"

namespace braid::sql::evaluator {
namespace {

// Shortest text that parses back to the same double; PostgreSQL's spellings of the specials.
void AppendDoubleText(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value < 0 ? "-Infinity" : "Infinity";
  } else {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out.append(buffer, end);
  }
}

template <typename T>
void AppendText(T value, DataType type, std::string& out) {
  if constexpr (std::is_same_v<T, bool>) {
    out += value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, double>) {
    AppendDoubleText(value, out);
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    out += value;
  } else if (type == DataType::kTimestamp) {
    out += FormatRfc3339(Timestamp{value});
  } else {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out.append(buffer, end);
  }
}

template <typename T>
Status CastError(T value, DataType from, DataType to, SourcePosition position) {
  std::string text;
  AppendText(value, from, text);
  if (from == DataType::kString) text = fmt::format("'{}'", text);
  return DataError(fmt::format("cannot cast {} to {}", text, DataTypeName(to)), position);
}

// The shared cast loop: `convert(value, out)` returns false when the value cannot take the type.
template <typename From, typename To, typename Convert>
Result<Column> CastWith(const Column& in, DataType to, SourcePosition position, Convert convert) {
  const Reader<From> values(in);
  return Generate<To>(
      to, in.size(),
      [&](size_t row, To& out) {
        if (!in.IsValid(row)) return RowResult::kNull;
        return convert(values[row], out) ? RowResult::kValue : RowResult::kError;
      },
      [&](size_t row) { return CastError(values[row], in.type(), to, position); });
}

// DOUBLE -> BIGINT rounds half away from zero; NaN, infinities and values beyond BIGINT fail.
bool RoundToInt64(double value, int64_t& out) {
  const double rounded = std::round(value);
  if (!(rounded >= -0x1p63 && rounded < 0x1p63)) return false;
  out = static_cast<int64_t>(rounded);
  return true;
}

template <typename From, typename To>
bool ConvertScalar(From value, To& out) {
  if constexpr (std::is_same_v<To, double>) {
    out = static_cast<double>(value);
  } else if constexpr (std::is_same_v<To, bool>) {
    out = value != 0;
  } else if constexpr (std::is_same_v<From, double>) {
    return RoundToInt64(value, out);
  } else {
    out = static_cast<int64_t>(value);  // BOOLEAN -> 1/0, BIGINT <-> TIMESTAMP (microseconds)
  }
  return true;
}

std::string_view Trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
  text = Trim(text);
  if (text.size() > 1 && text[0] == '+' && text[1] != '-') text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

bool ParseBool(std::string_view text, bool& out) {
  text = Trim(text);
  if (IdentifierEquals(text, "true") || text == "1") {
    out = true;
  } else if (IdentifierEquals(text, "false") || text == "0") {
    out = false;
  } else {
    return false;
  }
  return true;
}

bool ParseTimestamp(std::string_view text, int64_t& out) {
  Result<Timestamp> parsed = ParseRfc3339(Trim(text));
  if (!parsed.ok()) return false;
  out = parsed->micros;
  return true;
}

Result<Column> CastFromString(const Column& in, DataType to, SourcePosition position) {
  using Text = std::string_view;
  switch (to) {
    case DataType::kBoolean:
      return CastWith<Text, bool>(in, to, position, ParseBool);
    case DataType::kBigint:
      return CastWith<Text, int64_t>(in, to, position, ParseNumber<int64_t>);
    case DataType::kDouble:
      return CastWith<Text, double>(in, to, position, ParseNumber<double>);
    case DataType::kTimestamp:
      return CastWith<Text, int64_t>(in, to, position, ParseTimestamp);
    case DataType::kString:
      break;
  }
  return in;
}

Result<Column> CastToString(const Column& in, SourcePosition position) {
  const DataType from = in.type();
  return VisitStorage(from, [&](auto tag) {
    using From = decltype(tag);
    return CastWith<From, std::string>(in, DataType::kString, position,
                                       [from](From value, std::string& out) {
                                         out.clear();
                                         AppendText(value, from, out);
                                         return true;
                                       });
  });
}

Result<Column> CastBetweenScalars(const Column& in, DataType to, SourcePosition position) {
  const DataType from = in.type();
  if ((from == DataType::kBoolean && to == DataType::kTimestamp) ||
      (from == DataType::kTimestamp && to == DataType::kBoolean)) {
    return Status(StatusCode::kTypeMismatch,
                  fmt::format("cannot cast {} to {}", DataTypeName(from), DataTypeName(to)),
                  position);
  }
  return VisitStorage(from, [&](auto from_tag) {
    return VisitStorage(to, [&](auto to_tag) -> Result<Column> {
      using From = decltype(from_tag);
      using To = decltype(to_tag);
      if constexpr (std::is_same_v<From, std::string_view> ||
                    std::is_same_v<To, std::string_view>) {
        return Status(StatusCode::kInternal, "string cast routed as scalar", position);
      } else {
        return CastWith<From, To>(in, to, position, ConvertScalar<From, To>);
      }
    });
  });
}

}  // namespace

Result<Column> EvaluateCast(const Column& operand, DataType type, SourcePosition position) {
  if (operand.type() == type) return operand;
  if (type == DataType::kString) return CastToString(operand, position);
  if (operand.type() == DataType::kString) return CastFromString(operand, type, position);
  return CastBetweenScalars(operand, type, position);
}

}  // namespace braid::sql::evaluator
