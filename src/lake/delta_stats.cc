#include "lake/delta_stats.h"

#include <cmath>

#include "common/json_writer.h"
#include "common/time.h"

namespace braid::lake {
namespace {

// Whether `value` has a Delta min/max form for a column of `type`.
bool HasStatForm(DataType type, const StatValue& value) {
  if (type == DataType::kBoolean) return false;
  if (const double* number = std::get_if<double>(&value)) return std::isfinite(*number);
  return true;
}

void WriteValue(JsonWriter& json, DataType type, const StatValue& value) {
  if (type == DataType::kTimestamp) {
    const int64_t micros = std::get<int64_t>(value);
    const int64_t millis = micros >= 0 ? micros / 1000 : -((-micros + 999) / 1000);
    std::string text = FormatRfc3339(Timestamp::FromMillis(millis));  // ...:00.123000Z
    text.erase(text.size() - 4, 3);                                   // ...:00.123Z
    json.String(text);
  } else if (const int64_t* integer = std::get_if<int64_t>(&value)) {
    json.Int(*integer);
  } else if (const double* number = std::get_if<double>(&value)) {
    json.Double(*number);
  } else if (const std::string* text = std::get_if<std::string>(&value)) {
    json.String(*text);
  }
}

// Writes "minValues" or "maxValues" for every column that has one.
template <typename Select>
void WriteBounds(JsonWriter& json, std::string_view key, const Schema& schema,
                 const ParquetFileSummary& summary, Select select) {
  json.Key(key).BeginObject();
  for (size_t i = 0; i < schema.size() && i < summary.columns.size(); ++i) {
    const std::optional<StatValue>& value = select(summary.columns[i]);
    if (!value || !HasStatForm(schema.field(i).type, *value)) continue;
    json.Key(schema.field(i).name);
    WriteValue(json, schema.field(i).type, *value);
  }
  json.EndObject();
}

}  // namespace

std::string EncodeFileStats(const Schema& schema, const ParquetFileSummary& summary) {
  JsonWriter json;
  json.BeginObject().Key("numRecords").Int(summary.num_rows);
  WriteBounds(
      json, "minValues", schema, summary,
      [](const ColumnStatistics& stats) -> const std::optional<StatValue>& { return stats.min; });
  WriteBounds(
      json, "maxValues", schema, summary,
      [](const ColumnStatistics& stats) -> const std::optional<StatValue>& { return stats.max; });
  json.Key("nullCount").BeginObject();
  for (size_t i = 0; i < schema.size() && i < summary.columns.size(); ++i) {
    if (summary.columns[i].null_count) {
      json.Key(schema.field(i).name).Int(*summary.columns[i].null_count);
    }
  }
  json.EndObject().EndObject();
  return json.Take();
}

}  // namespace braid::lake
