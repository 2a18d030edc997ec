// The SQL value types Braid stores and computes with, and their names in SQL. TIMESTAMP values are
// int64 microseconds since the Unix epoch, UTC (common/time.h). Immutable; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace braid {

enum class DataType : uint8_t {
  kBoolean = 1,
  kBigint = 2,
  kDouble = 3,
  kString = 4,
  kTimestamp = 5,
};

// "BOOLEAN", "BIGINT", "DOUBLE", "STRING", "TIMESTAMP".
std::string_view DataTypeName(DataType type);
// Accepts the canonical names and common synonyms (BOOL, INT, INTEGER, INT64, LONG, FLOAT, REAL,
// FLOAT64, VARCHAR, TEXT, NVARCHAR(MAX) is not accepted: no length), case-insensitively.
std::optional<DataType> DataTypeFromName(std::string_view name);
// The type byte used in serialized formats; nullopt for an unknown byte.
std::optional<DataType> DataTypeFromByte(uint8_t byte);

// BIGINT and DOUBLE: the types arithmetic and numeric aggregates take.
inline bool IsNumeric(DataType type) {
  return type == DataType::kBigint || type == DataType::kDouble;
}

// BIGINT and TIMESTAMP are stored as int64.
inline bool IsInt64Backed(DataType type) {
  return type == DataType::kBigint || type == DataType::kTimestamp;
}

}  // namespace braid
