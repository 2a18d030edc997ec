// PostgreSQL types on the wire: the type OIDs Braid's columns map to (BOOLEAN bool 16, BIGINT int8
// 20, DOUBLE float8 701, STRING text 25, TIMESTAMP timestamptz 1184), values in PostgreSQL's text
// output ('t'/'f', shortest round-trip float8 with Infinity/NaN, '2026-11-20 00:01:00.5+00') and
// binary send formats, and the SQL literal a bound parameter becomes (parameters are substituted
// into the statement's text, pg_sql_text.h). Written by hand after the PostgreSQL documentation.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/chunk.h"
#include "common/status.h"
#include "common/time.h"
#include "common/types.h"

namespace braid::server {

namespace pg_oid {
inline constexpr int32_t kUnspecified = 0;
inline constexpr int32_t kBool = 16;
inline constexpr int32_t kInt8 = 20;
inline constexpr int32_t kInt2 = 21;
inline constexpr int32_t kInt4 = 23;
inline constexpr int32_t kText = 25;
inline constexpr int32_t kOid = 26;
inline constexpr int32_t kFloat4 = 700;
inline constexpr int32_t kFloat8 = 701;
inline constexpr int32_t kBpchar = 1042;
inline constexpr int32_t kVarchar = 1043;
inline constexpr int32_t kTimestamp = 1114;
inline constexpr int32_t kTimestamptz = 1184;
inline constexpr int32_t kName = 19;
inline constexpr int32_t kChar = 18;
}  // namespace pg_oid

// Result column format codes.
enum class PgFormat : int16_t { kText = 0, kBinary = 1 };

int32_t TypeOid(DataType type);
// pg_type.typlen of the OID TypeOid returns (-1 for text).
int16_t TypeLength(DataType type);
// The PostgreSQL name of a type, as format_type prints it ("bigint", "timestamp with time zone").
std::string_view TypeDisplayName(DataType type);

// format_type(oid, -1) for the OIDs in pg_oid ("double precision", "character varying"), "???"
// (as PostgreSQL prints) for any other.
std::string_view TypeOidDisplayName(int32_t oid);

// PostgreSQL's float8 text output: the shortest digits that round-trip, fixed notation for
// decimal exponents in [-4, 15), else "1e+20"; "Infinity", "-Infinity", "NaN". AppendFloat8
// appends the same to `out` (rows' cells, without a string each).
std::string FormatFloat8(double value);
void AppendFloat8(double value, std::string& out);
// "2026-11-20 00:01:00.5+00": UTC, fraction trimmed of trailing zeros, none when zero;
// AppendTimestamptz appends the same to `out`.
std::string FormatTimestamptz(Timestamp t);
void AppendTimestamptz(Timestamp t, std::string& out);

// Appends row `row` of `column` (which must not be NULL there) in the given format.
void AppendValue(const Column& column, size_t row, PgFormat format, std::string& out);

// The SQL literal for one bound parameter: its bytes, the format it was sent in and its declared
// type OID (0 when unspecified: a strict number becomes a number literal, anything else a quoted
// string). kInvalidArgument (22P02-like) for bytes that are not a value of the declared type, and
// kUnsupported for a binary parameter of a type Braid does not know.
Result<std::string> ParameterLiteral(std::string_view bytes, PgFormat format, int32_t type_oid);
// 'text' with quotes doubled.
std::string QuoteString(std::string_view text);

}  // namespace braid::server
