#include "lake/delta_schema.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <optional>

#include "common/json_writer.h"

namespace braid::lake {
namespace {

namespace dom = simdjson::dom;

std::string_view DeltaTypeName(DataType type) {
  switch (type) {
    case DataType::kBoolean:
      return "boolean";
    case DataType::kBigint:
      return "long";
    case DataType::kDouble:
      return "double";
    case DataType::kString:
      return "string";
    case DataType::kTimestamp:
      return "timestamp";
  }
  return "string";
}

std::optional<DataType> DataTypeOfDelta(std::string_view name) {
  if (name == "boolean") return DataType::kBoolean;
  if (name == "long") return DataType::kBigint;
  if (name == "double") return DataType::kDouble;
  if (name == "string") return DataType::kString;
  if (name == "timestamp") return DataType::kTimestamp;
  return std::nullopt;
}

void WriteField(JsonWriter& json, std::string_view name, std::string_view type, bool nullable) {
  json.BeginObject().Key("name").String(name).Key("type").String(type);
  json.Key("nullable").Bool(nullable).Key("metadata").BeginObject().EndObject().EndObject();
}

Status SchemaError(std::string_view what) {
  return Status(StatusCode::kCorruption, fmt::format("Delta schemaString: {}", what));
}

// Adds one parsed field to `schema` as a data or partition column.
Status AddField(dom::object field, std::span<const std::string> partition_names,
                std::vector<Field>* data, std::vector<PartitionColumn>* partition) {
  std::string_view name;
  std::string_view type;
  bool nullable = true;
  if (field["name"].get_string().get(name) != simdjson::SUCCESS) {
    return SchemaError("a field has no name");
  }
  if (field["type"].get_string().get(type) != simdjson::SUCCESS) {
    return Status(
        StatusCode::kUnsupported,
        fmt::format("Delta column '{}' has a nested type; Braid reads flat tables", name));
  }
  if (field["nullable"].get_bool().get(nullable) != simdjson::SUCCESS) nullable = true;
  const bool is_partition =
      std::find(partition_names.begin(), partition_names.end(), name) != partition_names.end();
  if (is_partition) {
    if (type != "string" && type != "date") {
      return Status(StatusCode::kUnsupported,
                    fmt::format("partition column '{}' of Delta type '{}'", name, type));
    }
    partition->push_back(PartitionColumn{
        std::string(name), type == "date" ? PartitionType::kDate : PartitionType::kString});
    return Status::Ok();
  }
  std::optional<DataType> braid_type = DataTypeOfDelta(type);
  if (!braid_type) {
    return Status(
        StatusCode::kUnsupported,
        fmt::format("Delta column '{}' has type '{}', which Braid does not read", name, type));
  }
  data->push_back(Field{std::string(name), *braid_type, nullable});
  return Status::Ok();
}

}  // namespace

std::string EncodeSchemaString(const TableSchema& schema) {
  JsonWriter json;
  json.BeginObject().Key("type").String("struct").Key("fields").BeginArray();
  for (const Field& field : schema.data->fields()) {
    WriteField(json, field.name, DeltaTypeName(field.type), field.nullable);
  }
  for (const PartitionColumn& column : schema.partition) {
    WriteField(json, column.name, column.type == PartitionType::kDate ? "date" : "string", true);
  }
  json.EndArray().EndObject();
  return json.Take();
}

Result<TableSchema> DecodeSchemaString(std::string_view text,
                                       std::span<const std::string> partition_names) {
  dom::parser parser;
  dom::element root;
  if (auto error = parser.parse(text.data(), text.size()).get(root)) {
    return SchemaError(simdjson::error_message(error));
  }
  dom::array fields;
  if (root["fields"].get_array().get(fields) != simdjson::SUCCESS) {
    return SchemaError("no 'fields' array");
  }
  std::vector<Field> data;
  std::vector<PartitionColumn> unordered;
  for (dom::element element : fields) {
    dom::object field;
    if (element.get_object().get(field) != simdjson::SUCCESS) return SchemaError("bad field");
    RETURN_IF_ERROR(AddField(field, partition_names, &data, &unordered));
  }
  TableSchema schema{std::make_shared<const Schema>(std::move(data)), {}};
  for (const std::string& name : partition_names) {
    auto it = std::find_if(unordered.begin(), unordered.end(),
                           [&](const PartitionColumn& c) { return c.name == name; });
    if (it == unordered.end()) {
      return SchemaError(fmt::format("partition column '{}' is not in the schema", name));
    }
    schema.partition.push_back(*it);
  }
  return schema;
}

}  // namespace braid::lake
