#include "common/json_writer.h"

#include <cmath>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "common/time.h"

namespace braid {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t len;
  uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; }
  else return 0;
  if (i + len > s.size()) return 0;
  uint32_t cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // The run of characters written as they are, appended at once.
    size_t plain = i;
    while (plain < s.size()) {
      const auto c = static_cast<unsigned char>(s[plain]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
      ++plain;
    }
    out->append(s.data() + i, plain - i);
    i = plain;
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out->append("\\\""); ++i; continue;
      case '\\': out->append("\\\\"); ++i; continue;
      case '\n': out->append("\\n"); ++i; continue;
      case '\r': out->append("\\r"); ++i; continue;
      case '\t': out->append("\\t"); ++i; continue;
      default: break;
    }
    if (c < 0x20) {
      out->append(fmt::format("\\u{:04x}", c));
      ++i;
      continue;
    }
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out->append("\xEF\xBF\xBD");  // U+FFFD replacement character
      ++i;
    } else {
      out->append(s.substr(i, len));
      i += len;
    }
  }
  out->push_back('"');
}

namespace {

// Appends the shortest text of a number (formatted on the stack: answers write one per cell).
template <typename Number>
void AppendNumber(std::string* out, Number value) {
  char text[32];  // the longest: a 17-digit double with sign, point and exponent (24)
  const char* end = fmt::format_to(text, FMT_COMPILE("{}"), value);
  out->append(text, static_cast<size_t>(end - text));
}

// A double, or null for NaN and infinities (JSON has no such numbers).
void AppendDouble(std::string* out, double value) {
  if (std::isfinite(value)) {
    AppendNumber(out, value);
  } else {
    out->append("null");
  }
}

void AppendTime(std::string* out, Timestamp value) {
  out->push_back('"');
  AppendRfc3339(value, out);
  out->push_back('"');
}

// Row `row` of `column` as one JSON value (JsonWriter::Cell).
void AppendCell(std::string* out, const Column& column, size_t row) {
  if (!column.IsValid(row)) {
    out->append("null");
    return;
  }
  switch (column.type()) {
    case DataType::kBoolean:
      out->append(column.bools()[row] != 0 ? "true" : "false");
      return;
    case DataType::kBigint:
      AppendNumber(out, column.int64s()[row]);
      return;
    case DataType::kDouble:
      AppendDouble(out, column.doubles()[row]);
      return;
    case DataType::kString:
      AppendJsonString(out, column.StringAt(row));
      return;
    case DataType::kTimestamp:
      AppendTime(out, Timestamp{column.int64s()[row]});
      return;
  }
}

}  // namespace


void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_element_.empty()) {
    if (has_element_.back()) out_.push_back(',');
    has_element_.back() = true;
  }
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  has_element_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_.push_back('}');
  has_element_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  has_element_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_.push_back(']');
  has_element_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendJsonString(&out_, key);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonString(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  BeforeValue();
  AppendNumber(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  AppendNumber(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  BeforeValue();
  AppendDouble(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_.append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
  return *this;
}

JsonWriter& JsonWriter::Time(Timestamp value) {
  BeforeValue();
  AppendTime(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_.append(json);
  return *this;
}

JsonWriter& JsonWriter::Cell(const Column& column, size_t row) {
  BeforeValue();
  AppendCell(&out_, column, row);
  return *this;
}

JsonWriter& JsonWriter::Row(const Chunk& rows, size_t row) {
  BeforeValue();
  out_.push_back('[');
  for (size_t c = 0; c < rows.num_columns(); ++c) {
    if (c > 0) out_.push_back(',');
    AppendCell(&out_, rows.column(c), row);
  }
  out_.push_back(']');
  return *this;
}

}  // namespace braid
