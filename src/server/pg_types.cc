#include "server/pg_types.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "common/float_text.h"
#include "server/pg_messages.h"

namespace braid::server {

namespace {

// PostgreSQL's binary timestamps count microseconds from 2000-01-01 00:00:00 UTC.
constexpr int64_t kPgEpochMicros = 946684800LL * 1000000;

// Strict number: optional sign, digits, optional fraction and exponent; what PostgreSQL's
// lexer would read as a numeric constant.
bool IsStrictNumber(std::string_view text) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  size_t digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    size_t exponent_digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++exponent_digits;
    if (exponent_digits == 0) return false;
  }
  return i == text.size();
}

Status BadValue(std::string_view type, std::string_view text) {
  return Status(StatusCode::kInvalidArgument,
                fmt::format("invalid input syntax for type {}: \"{}\"", type, text));
}

// PostgreSQL clients send "2026-11-20 00:01:00" (timestamp) and "...+00" (timestamptz); RFC 3339
// wants a zone and "+00:00".
std::string WithUtcOffset(std::string_view text) {
  std::string out(text);
  const size_t zone = out.find_last_of("+-Zz");
  if (zone == std::string::npos || zone < 11) {
    out.push_back('Z');
    return out;
  }
  if (out[zone] == '+' || out[zone] == '-') {
    const size_t digits = out.size() - zone - 1;
    if (digits == 2) out.append(":00");
    if (digits == 4 && out.find(':', zone) == std::string::npos) {
      // "+0530" -> "+05:30", without std::string::insert (GCC 12 -Wrestrict false positive)
      out = out.substr(0, zone + 3).append(":").append(out.substr(zone + 3));
    }
  }
  return out;
}

Result<std::string> TextParameter(std::string_view text, int32_t oid) {
  switch (oid) {
    case pg_oid::kBool: {
      std::string lower = CanonicalIdentifier(text);
      if (lower == "t" || lower == "true" || lower == "1" || lower == "on" || lower == "yes") {
        return std::string("TRUE");
      }
      if (lower == "f" || lower == "false" || lower == "0" || lower == "off" || lower == "no") {
        return std::string("FALSE");
      }
      return BadValue("boolean", text);
    }
    case pg_oid::kInt2:
    case pg_oid::kInt4:
    case pg_oid::kInt8:
    case pg_oid::kOid: {
      int64_t value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size()) return BadValue("bigint", text);
      return std::to_string(value);
    }
    case pg_oid::kFloat4:
    case pg_oid::kFloat8:
      if (!IsStrictNumber(text)) return BadValue("double precision", text);
      return std::string(text);
    case pg_oid::kTimestamp:
    case pg_oid::kTimestamptz: {
      ASSIGN_OR_RETURN(Timestamp t, ParseRfc3339(WithUtcOffset(text)));
      return QuoteString(FormatRfc3339(t));
    }
    case pg_oid::kUnspecified:
      return IsStrictNumber(text) ? std::string(text) : QuoteString(text);
    default:  // text, varchar, bpchar, name and anything else sent as text
      return QuoteString(text);
  }
}

// The byte size of a fixed-size binary value of type `oid`; 0 for any other type.
size_t BinarySize(int32_t oid) {
  switch (oid) {
    case pg_oid::kBool:
      return 1;
    case pg_oid::kInt2:
      return 2;
    case pg_oid::kInt4:
    case pg_oid::kFloat4:
      return 4;
    case pg_oid::kInt8:
    case pg_oid::kFloat8:
    case pg_oid::kTimestamp:
    case pg_oid::kTimestamptz:
      return 8;
    default:
      return 0;
  }
}

Result<std::string> FloatLiteral(double value) {
  if (!std::isfinite(value)) {
    return Status(StatusCode::kUnsupported, "non-finite float parameters are not supported");
  }
  return FormatFloat8(value);
}

Result<std::string> BinaryParameter(std::string_view bytes, int32_t oid) {
  const size_t size = BinarySize(oid);
  if (size != 0 && bytes.size() != size) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("incorrect binary data format in bind parameter: {} bytes for "
                              "type {}",
                              bytes.size(), oid));
  }
  const uint64_t raw = size != 0 ? ReadBigEndian(bytes) : 0;
  switch (oid) {
    case pg_oid::kBool:
      return std::string(raw != 0 ? "TRUE" : "FALSE");
    case pg_oid::kInt2:
      return std::to_string(static_cast<int16_t>(raw));
    case pg_oid::kInt4:
      return std::to_string(static_cast<int32_t>(raw));
    case pg_oid::kInt8:
      return std::to_string(static_cast<int64_t>(raw));
    case pg_oid::kFloat4:
      return FloatLiteral(std::bit_cast<float>(static_cast<uint32_t>(raw)));
    case pg_oid::kFloat8:
      return FloatLiteral(std::bit_cast<double>(raw));
    case pg_oid::kTimestamp:
    case pg_oid::kTimestamptz:
      return QuoteString(FormatRfc3339(Timestamp{static_cast<int64_t>(raw) + kPgEpochMicros}));
    case pg_oid::kText:
    case pg_oid::kVarchar:
    case pg_oid::kBpchar:
    case pg_oid::kName:
    case pg_oid::kUnspecified:
      return QuoteString(bytes);
    default:
      return Status(StatusCode::kUnsupported,
                    fmt::format("binary parameters of type OID {} are not supported", oid));
  }
}

void AppendTextValue(const Column& column, size_t row, std::string& out) {
  switch (column.type()) {
    case DataType::kBoolean:
      out.push_back(column.bools()[row] != 0 ? 't' : 'f');
      return;
    case DataType::kBigint:
      out.append(std::to_string(column.int64s()[row]));
      return;
    case DataType::kDouble:
      AppendFloat8(column.doubles()[row], out);
      return;
    case DataType::kString:
      out.append(column.StringAt(row));
      return;
    case DataType::kTimestamp:
      AppendTimestamptz(Timestamp{column.int64s()[row]}, out);
      return;
  }
}

void AppendBinaryValue(const Column& column, size_t row, std::string& out) {
  switch (column.type()) {
    case DataType::kBoolean:
      out.push_back(column.bools()[row] != 0 ? 1 : 0);
      return;
    case DataType::kBigint:
      AppendBigEndian64(static_cast<uint64_t>(column.int64s()[row]), out);
      return;
    case DataType::kDouble:
      AppendBigEndian64(std::bit_cast<uint64_t>(column.doubles()[row]), out);
      return;
    case DataType::kString:
      out.append(column.StringAt(row));
      return;
    case DataType::kTimestamp:
      AppendBigEndian64(static_cast<uint64_t>(column.int64s()[row] - kPgEpochMicros), out);
      return;
  }
}

}  // namespace

int32_t TypeOid(DataType type) {
  switch (type) {
    case DataType::kBoolean:
      return pg_oid::kBool;
    case DataType::kBigint:
      return pg_oid::kInt8;
    case DataType::kDouble:
      return pg_oid::kFloat8;
    case DataType::kString:
      return pg_oid::kText;
    case DataType::kTimestamp:
      return pg_oid::kTimestamptz;
  }
  return pg_oid::kText;
}

int16_t TypeLength(DataType type) {
  switch (type) {
    case DataType::kBoolean:
      return 1;
    case DataType::kString:
      return -1;
    default:
      return 8;
  }
}

std::string_view TypeDisplayName(DataType type) { return TypeOidDisplayName(TypeOid(type)); }

std::string_view TypeOidDisplayName(int32_t oid) {
  switch (oid) {
    case pg_oid::kBool:
      return "boolean";
    case pg_oid::kInt8:
      return "bigint";
    case pg_oid::kInt2:
      return "smallint";
    case pg_oid::kInt4:
      return "integer";
    case pg_oid::kText:
      return "text";
    case pg_oid::kOid:
      return "oid";
    case pg_oid::kFloat4:
      return "real";
    case pg_oid::kFloat8:
      return "double precision";
    case pg_oid::kBpchar:
      return "character";
    case pg_oid::kVarchar:
      return "character varying";
    case pg_oid::kTimestamp:
      return "timestamp without time zone";
    case pg_oid::kTimestamptz:
      return "timestamp with time zone";
    case pg_oid::kName:
      return "name";
    case pg_oid::kChar:
      return "\"char\"";
  }
  return "???";
}

void AppendFloat8(double value, std::string& out) {
  if (std::isnan(value)) {
    out.append("NaN");
  } else if (std::isinf(value)) {
    out.append(value > 0 ? "Infinity" : "-Infinity");
  } else {
    // Shortest round-trip digits, in exponent notation from 1e+15 (DBL_DIG) as PostgreSQL does.
    char text[kMaxDoubleTextBytes];
    out.append(text, WriteShortestDouble(text, value, 15));
  }
}

std::string FormatFloat8(double value) {
  std::string text;
  AppendFloat8(value, text);
  return text;
}

void AppendTimestamptz(Timestamp t, std::string& out) {
  // The RFC 3339 text ("2026-11-20T00:01:00.500000Z") with PostgreSQL's separator, its fraction
  // trimmed of trailing zeros (none when zero) and "+00" for the zone.
  char text[kMaxRfc3339Bytes];
  const char* end = WriteRfc3339(t, text);
  const char* fraction = end - 8;  // ".ffffff", then the 'Z'
  const char* fraction_end = end - 1;
  while (fraction_end > fraction + 1 && fraction_end[-1] == '0') --fraction_end;
  if (fraction_end == fraction + 1) fraction_end = fraction;  // a whole second: no point
  const size_t date_time = static_cast<size_t>(fraction - text);
  const size_t base = out.size();
  out.append(text, date_time);
  out[base + static_cast<size_t>(std::find(text, text + date_time, 'T') - text)] = ' ';
  out.append(fraction, fraction_end);
  out.append("+00");
}

std::string FormatTimestamptz(Timestamp t) {
  std::string text;
  AppendTimestamptz(t, text);
  return text;
}

void AppendValue(const Column& column, size_t row, PgFormat format, std::string& out) {
  if (format == PgFormat::kBinary) {
    AppendBinaryValue(column, row, out);
  } else {
    AppendTextValue(column, row, out);
  }
}

Result<std::string> ParameterLiteral(std::string_view bytes, PgFormat format, int32_t type_oid) {
  return format == PgFormat::kBinary ? BinaryParameter(bytes, type_oid)
                                     : TextParameter(bytes, type_oid);
}

std::string QuoteString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

}  // namespace braid::server
