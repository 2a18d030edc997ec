#include "common/json_writer.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstring>
#include <optional>
#include <span>

#include "common/float_text.h"
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

// Which bytes a JSON string cannot hold as they are: control characters, '"', '\\' and every
// byte of a multi-byte sequence (checked, and written as they are when valid UTF-8).
constexpr std::array<bool, 256> kNotPlain = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
  return table;
}();

// Whether the eight bytes at `p` are all plain (kNotPlain): none at or above 0x80, below 0x20
// (x - 0x20 borrows into the high bit; a borrow from a lower byte comes only from a byte that
// is not plain either), '"' or '\\' (a zero byte in x ^ that byte, found exactly).
bool PlainWord(const char* p) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  constexpr uint64_t kHigh = 0x8080808080808080;
  uint64_t x;
  std::memcpy(&x, p, sizeof(x));
  auto has_zero = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  return (((x - 0x20 * kOnes) | x | has_zero(x ^ ('"' * kOnes)) | has_zero(x ^ ('\\' * kOnes))) &
          kHigh) == 0;
}

// The most bytes WriteJsonString writes for `s`: quotes, and six per byte that is not plain
// (\u00XX) at worst; short strings are not counted.
size_t JsonStringBound(std::string_view s) {
  if (s.size() <= 64) return 2 + 6 * s.size();
  size_t not_plain = 0;
  for (const char c : s) not_plain += kNotPlain[static_cast<unsigned char>(c)] ? 1 : 0;
  return 2 + s.size() + 5 * not_plain;
}

// Writes `s` as a quoted, escaped JSON string at `out` (room for JsonStringBound(s)); returns
// the end.
char* WriteJsonString(char* out, std::string_view s) {
  *out++ = '"';
  size_t i = 0;
  while (i < s.size()) {
    // The run of characters written as they are, copied at once: found eight bytes at a time,
    // then byte by byte from the first eight that hold one that is not plain.
    size_t plain = i;
    while (plain + 8 <= s.size() && PlainWord(s.data() + plain)) plain += 8;
    while (plain < s.size() && !kNotPlain[static_cast<unsigned char>(s[plain])]) ++plain;
    std::memcpy(out, s.data() + i, plain - i);
    out += plain - i;
    i = plain;
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    const char* escape = nullptr;
    switch (c) {
      case '"':
        escape = "\\\"";
        break;
      case '\\':
        escape = "\\\\";
        break;
      case '\n':
        escape = "\\n";
        break;
      case '\r':
        escape = "\\r";
        break;
      case '\t':
        escape = "\\t";
        break;
      default: break;
    }
    if (escape != nullptr) {
      *out++ = escape[0];
      *out++ = escape[1];
      ++i;
      continue;
    }
    if (c < 0x20) {
      out = fmt::format_to(out, FMT_COMPILE("\\u{:04x}"), c);
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      std::memcpy(out, "\xEF\xBF\xBD", 3);  // U+FFFD replacement character
      out += 3;
      ++i;
    } else {
      std::memcpy(out, s.data() + i, len);
      out += len;
      i += len;
    }
  }
  *out++ = '"';
  return out;
}

// A double at `out` (room for kMaxDoubleTextBytes), laid out as fmt's "{}" does, or null for NaN
// and infinities (JSON has no such numbers); returns the end.
char* WriteDouble(char* out, double value) {
  if (std::isfinite(value)) return WriteShortestDouble(out, value, 16);
  std::memcpy(out, "null", 4);
  return out + 4;
}

// A TIMESTAMP as a quoted RFC 3339 string at `out` (room for 2 + kMaxRfc3339Bytes); returns the
// end.
char* WriteTime(char* out, Timestamp value) {
  *out++ = '"';
  out = WriteRfc3339(value, out);
  *out++ = '"';
  return out;
}

// Appends what `write(char* at)` writes there (at most `bound` bytes; it returns the end): the
// room is made once, the text written in place, the rest cut off.
template <typename Write>
void AppendWritten(std::string* out, size_t bound, Write write) {
  const size_t base = out->size();
  out->resize(base + bound);
  char* end = write(out->data() + base);
  out->resize(static_cast<size_t>(end - out->data()));
}

constexpr size_t kNullBytes = 4;  // null

// The most bytes a cell of `type`, not STRING (whose bound is its string's), takes (WriteCell).
size_t FixedCellBound(DataType type) {
  switch (type) {
    case DataType::kBoolean:
      return 5;
    case DataType::kBigint:
      return 20;
    case DataType::kDouble:
      return kMaxDoubleTextBytes;
    case DataType::kTimestamp:
      return 2 + kMaxRfc3339Bytes;
    case DataType::kString:
      break;
  }
  return 0;
}

// The most bytes a cell of `column` at `row` takes (WriteCell).
size_t CellBound(const Column& column, size_t row) {
  if (!column.IsValid(row)) return kNullBytes;
  if (column.type() == DataType::kString) return JsonStringBound(column.StringAt(row));
  return FixedCellBound(column.type());
}

// Row `row` of `column` as one JSON value at `out` (room for CellBound); returns the end.
char* WriteCell(char* out, const Column& column, size_t row) {
  if (!column.IsValid(row)) {
    std::memcpy(out, "null", 4);
    return out + 4;
  }
  switch (column.type()) {
    case DataType::kBoolean:
      if (column.bools()[row] != 0) {
        std::memcpy(out, "true", 4);
        return out + 4;
      }
      std::memcpy(out, "false", 5);
      return out + 5;
    case DataType::kBigint:
      return fmt::format_to(out, FMT_COMPILE("{}"), column.int64s()[row]);
    case DataType::kDouble:
      return WriteDouble(out, column.doubles()[row]);
    case DataType::kString:
      return WriteJsonString(out, column.StringAt(row));
    case DataType::kTimestamp:
      return WriteTime(out, Timestamp{column.int64s()[row]});
  }
  return out;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  AppendWritten(out, JsonStringBound(s), [s](char* at) { return WriteJsonString(at, s); });
}

namespace {

// Appends an integer (at most 20 digits and a sign).
template <typename Integer>
void AppendInteger(std::string* out, Integer value) {
  AppendWritten(out, 21,
                [value](char* at) { return fmt::format_to(at, FMT_COMPILE("{}"), value); });
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
  AppendInteger(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  AppendInteger(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  BeforeValue();
  AppendWritten(&out_, kMaxDoubleTextBytes, [value](char* at) { return WriteDouble(at, value); });
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
  AppendWritten(&out_, 2 + kMaxRfc3339Bytes, [value](char* at) { return WriteTime(at, value); });
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_.append(json);
  return *this;
}

JsonWriter& JsonWriter::Cell(const Column& column, size_t row) {
  BeforeValue();
  AppendWritten(&out_, CellBound(column, row),
                [&column, row](char* at) { return WriteCell(at, column, row); });
  return *this;
}

namespace {

// The most bytes a cell of `column` among rows [begin, end) takes (WriteCell), found without
// reading a cell: a string column counts six bytes a byte of its longest string (\u00XX at
// worst). nullopt for a string column with a string longer than 64 bytes, whose cells are then
// measured one by one (CellBound) rather than six times their size.
std::optional<size_t> ColumnBound(const Column& column, size_t begin, size_t end) {
  if (column.type() != DataType::kString) {
    return std::max(kNullBytes, FixedCellBound(column.type()));
  }
  const std::span<const uint32_t> offsets = column.offsets();
  uint32_t longest = 0;
  for (size_t r = begin; r < end; ++r) longest = std::max(longest, offsets[r + 1] - offsets[r]);
  if (longest > 64) return std::nullopt;
  return std::max(kNullBytes, 2 + 6 * size_t{longest});
}

}  // namespace

size_t JsonWriter::Rows(const Chunk& rows, size_t begin, size_t until_bytes) {
  BRAID_DCHECK(!has_element_.empty() && !after_key_);  // inside an array
  constexpr size_t kRowsAtOnce = 64;
  const size_t end = rows.num_rows();
  const size_t columns = rows.num_columns();
  size_t row = begin;
  while (row < end && out_.size() < until_bytes) {
    // The room for the next rows: from each column's widest cell among them, or row by row.
    size_t count = std::min(end - row, kRowsAtOnce);
    size_t row_bound = 3 + columns;  // a comma before the row, brackets, commas between cells
    for (size_t c = 0; c < columns && count > 1; ++c) {
      const std::optional<size_t> bound = ColumnBound(rows.column(c), row, row + count);
      if (!bound) count = 1;
      row_bound += bound.value_or(0);
    }
    if (count == 1) {
      row_bound = 3 + columns;
      for (size_t c = 0; c < columns; ++c) row_bound += CellBound(rows.column(c), row);
    }
    AppendWritten(&out_, count * row_bound, [&](char* out) {
      for (size_t r = row; r < row + count; ++r) {
        if (has_element_.back()) *out++ = ',';
        has_element_.back() = true;
        *out++ = '[';
        for (size_t c = 0; c < columns; ++c) {
          if (c > 0) *out++ = ',';
          out = WriteCell(out, rows.column(c), r);
        }
        *out++ = ']';
      }
      return out;
    });
    row += count;
  }
  return row;
}

}  // namespace braid
