// Reading .test files and their cells (logic_script.h).
#include "logic_script.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/time.h"

namespace braid::sql::logic {
namespace {

constexpr std::string_view kNull = "NULL";
constexpr std::string_view kEmpty = "(empty)";
constexpr std::string_view kBlanks = " \t\r";

std::string_view Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(kBlanks);
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(kBlanks);
  return text.substr(begin, end - begin + 1);
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    size_t begin = text.find_first_not_of(kBlanks, i);
    if (begin == std::string_view::npos) break;
    size_t end = text.find_first_of(kBlanks, begin);
    if (end == std::string_view::npos) end = text.size();
    words.emplace_back(text.substr(begin, end - begin));
    i = end;
  }
  return words;
}

bool IsComment(std::string_view line) { return !line.empty() && line.front() == '#'; }

// nan, inf and -inf in any case; nullopt for other text.
std::optional<double> SpecialDouble(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (lower == "inf" || lower == "+inf") return std::numeric_limits<double>::infinity();
  if (lower == "-inf") return -std::numeric_limits<double>::infinity();
  return std::nullopt;
}

std::optional<double> ParseDouble(std::string_view text) {
  if (std::optional<double> special = SpecialDouble(text)) return special;
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<int64_t> ParseInt64(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

Status BadCell(std::string_view cell, DataType type) {
  return Status(StatusCode::kInvalidArgument,
                fmt::format("'{}' is not a {} value", cell, DataTypeName(type)));
}

// Half a unit of the last digit written in `text` (a decimal with '.' or an exponent).
double HalfUnitOfLastDigit(std::string_view text) {
  size_t exponent_at = text.find_first_of("eE");
  std::string_view mantissa = text.substr(0, exponent_at);
  int exponent = 0;
  if (exponent_at != std::string_view::npos) {
    std::string_view digits = text.substr(exponent_at + 1);
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    std::from_chars(digits.data(), digits.data() + digits.size(), exponent);
  }
  size_t point = mantissa.find('.');
  int decimals =
      point == std::string_view::npos ? 0 : static_cast<int>(mantissa.size() - point - 1);
  return 0.5 * std::pow(10.0, exponent - decimals);
}

bool DoubleMatches(std::string_view expected, double actual) {
  std::optional<double> value = ParseDouble(expected);
  if (!value) return false;
  if (std::isnan(*value)) return std::isnan(actual);
  if (std::isinf(*value) || expected.find_first_of(".eE") == std::string_view::npos) {
    return actual == *value;
  }
  // A relative sliver above half a unit absorbs the binary rounding of the written decimal.
  double tolerance = HalfUnitOfLastDigit(expected) * (1 + 1e-9);
  return std::fabs(actual - *value) <= tolerance;
}

}  // namespace

std::vector<Record> ReadRecords(std::string_view text) {
  std::vector<Record> records;
  Record* open = nullptr;
  int number = 0;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++number;
    begin = end + 1;
    if (Trim(line).empty()) {
      open = nullptr;
    } else if (open != nullptr) {
      open->body.push_back({number, std::string(line)});
    } else if (!IsComment(line)) {
      records.push_back(
          Record{.directive = {number, std::string(line)}, .words = SplitWords(line), .body = {}});
      open = &records.back();
    }
  }
  return records;
}

std::string DirectiveRest(const Record& record, size_t skip) {
  std::string_view rest = record.directive.text;
  for (size_t i = 0; i < skip; ++i) {
    size_t begin = rest.find_first_not_of(kBlanks);
    if (begin == std::string_view::npos) return "";
    size_t end = rest.find_first_of(kBlanks, begin);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  return std::string(Trim(rest));
}

std::vector<std::string> SplitCells(std::string_view line) {
  std::vector<std::string> cells;
  size_t begin = 0;
  while (true) {
    size_t end = line.find('|', begin);
    cells.emplace_back(Trim(line.substr(begin, end == std::string_view::npos ? end : end - begin)));
    if (end == std::string_view::npos) return cells;
    begin = end + 1;
  }
}

Status AppendCell(std::string_view cell, Column* column) {
  DataType type = column->type();
  if (cell == kNull) {
    column->AppendNull();
    return Status::Ok();
  }
  switch (type) {
    case DataType::kBoolean:
      if (cell != "true" && cell != "false") return BadCell(cell, type);
      column->AppendBool(cell == "true");
      return Status::Ok();
    case DataType::kBigint: {
      std::optional<int64_t> value = ParseInt64(cell);
      if (!value) return BadCell(cell, type);
      column->AppendInt64(*value);
      return Status::Ok();
    }
    case DataType::kDouble: {
      std::optional<double> value = ParseDouble(cell);
      if (!value) return BadCell(cell, type);
      column->AppendDouble(*value);
      return Status::Ok();
    }
    case DataType::kString:
      column->AppendString(cell == kEmpty ? std::string_view() : cell);
      return Status::Ok();
    case DataType::kTimestamp: {
      Result<Timestamp> value = ParseRfc3339(cell);
      if (!value.ok()) return BadCell(cell, type);
      column->AppendInt64(value->micros);
      return Status::Ok();
    }
  }
  return BadCell(cell, type);
}

std::string FormatCell(const Column& column, size_t row) {
  if (!column.IsValid(row)) return std::string(kNull);
  switch (column.type()) {
    case DataType::kBoolean:
      return column.bools()[row] != 0 ? "true" : "false";
    case DataType::kBigint:
      return std::to_string(column.int64s()[row]);
    case DataType::kDouble: {
      double value = column.doubles()[row];
      if (std::isnan(value)) return "nan";
      if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
      return fmt::format("{}", value);
    }
    case DataType::kString: {
      std::string_view text = column.StringAt(row);
      return text.empty() ? std::string(kEmpty) : std::string(text);
    }
    case DataType::kTimestamp:
      return FormatRfc3339(Timestamp{column.int64s()[row]});
  }
  return "?";
}

bool CellMatches(std::string_view expected, const Column& column, size_t row) {
  if (expected == kNull || !column.IsValid(row)) {
    return expected == kNull && !column.IsValid(row);
  }
  switch (column.type()) {
    case DataType::kDouble:
      return DoubleMatches(expected, column.doubles()[row]);
    case DataType::kTimestamp: {
      Result<Timestamp> value = ParseRfc3339(expected);
      return value.ok() && value->micros == column.int64s()[row];
    }
    default:
      return FormatCell(column, row) == expected;
  }
}

}  // namespace braid::sql::logic
