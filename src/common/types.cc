#include "common/types.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace braid {

std::string_view DataTypeName(DataType type) {
  switch (type) {
    case DataType::kBoolean: return "BOOLEAN";
    case DataType::kBigint: return "BIGINT";
    case DataType::kDouble: return "DOUBLE";
    case DataType::kString: return "STRING";
    case DataType::kTimestamp: return "TIMESTAMP";
  }
  return "UNKNOWN";
}

std::optional<DataType> DataTypeFromName(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  struct Entry {
    std::string_view name;
    DataType type;
  };
  static constexpr std::array<Entry, 15> kNames = {{
      {"BOOLEAN", DataType::kBoolean},   {"BOOL", DataType::kBoolean},
      {"BIGINT", DataType::kBigint},     {"INT", DataType::kBigint},
      {"INTEGER", DataType::kBigint},    {"INT64", DataType::kBigint},
      {"LONG", DataType::kBigint},       {"DOUBLE", DataType::kDouble},
      {"FLOAT", DataType::kDouble},      {"FLOAT64", DataType::kDouble},
      {"REAL", DataType::kDouble},       {"STRING", DataType::kString},
      {"VARCHAR", DataType::kString},    {"TEXT", DataType::kString},
      {"TIMESTAMP", DataType::kTimestamp},
  }};
  for (const Entry& e : kNames) {
    if (e.name == upper) return e.type;
  }
  if (upper == "DATETIME" || upper == "TIMESTAMPTZ") return DataType::kTimestamp;
  return std::nullopt;
}

std::optional<DataType> DataTypeFromByte(uint8_t byte) {
  if (byte >= 1 && byte <= 5) return static_cast<DataType>(byte);
  return std::nullopt;
}

}  // namespace braid
