#include "lake/parquet_schema.h"

#include <algorithm>

#include <fmt/format.h>

namespace braid::lake {
namespace {

Status Unsupported(const SchemaElement& element, std::string_view what) {
  return Status(StatusCode::kUnsupported,
                fmt::format("parquet column '{}': {} is not supported", element.name, what));
}

// Converted types that leave an INT32/INT64 an integer Braid can hold as BIGINT.
bool IsIntegerConvertedType(ConvertedType type) {
  switch (type) {
    case ConvertedType::kInt8:
    case ConvertedType::kInt16:
    case ConvertedType::kInt32:
    case ConvertedType::kInt64:
    case ConvertedType::kUint8:
    case ConvertedType::kUint16:
    case ConvertedType::kUint32:
      return true;
    default:
      return false;
  }
}

Result<LeafColumn> MapInt64(const SchemaElement& e, LeafColumn leaf) {
  if (e.logical_type) {
    const LogicalType& logical = *e.logical_type;
    if (logical.kind == LogicalType::Kind::kTimestamp) {
      leaf.type = DataType::kTimestamp;
      leaf.conversion = logical.unit == TimeUnit::kMillis  ? ValueConversion::kMillisToMicros
                        : logical.unit == TimeUnit::kNanos ? ValueConversion::kNanosToMicros
                                                           : ValueConversion::kNone;
      return leaf;
    }
    if (logical.kind == LogicalType::Kind::kInteger && logical.is_signed) return leaf;
    if (logical.kind == LogicalType::Kind::kInteger) return Unsupported(e, "UINT64");
    return Unsupported(e, fmt::format("INT64 with logical type {}", logical.union_id));
  }
  if (!e.converted_type || *e.converted_type == ConvertedType::kInt64) return leaf;
  if (*e.converted_type == ConvertedType::kTimestampMicros ||
      *e.converted_type == ConvertedType::kTimestampMillis) {
    leaf.type = DataType::kTimestamp;
    if (*e.converted_type == ConvertedType::kTimestampMillis) {
      leaf.conversion = ValueConversion::kMillisToMicros;
    }
    return leaf;
  }
  return Unsupported(e, fmt::format("INT64 with converted type {}",
                                    static_cast<int32_t>(*e.converted_type)));
}

Result<LeafColumn> MapInt32(const SchemaElement& e, LeafColumn leaf) {
  leaf.conversion = ValueConversion::kInt32ToInt64;
  if (e.logical_type) {
    const LogicalType& logical = *e.logical_type;
    if (logical.kind != LogicalType::Kind::kInteger) {
      return Unsupported(e, fmt::format("INT32 with logical type {}", logical.union_id));
    }
    if (!logical.is_signed) leaf.conversion = ValueConversion::kUint32ToInt64;
    return leaf;
  }
  if (!e.converted_type) return leaf;
  if (!IsIntegerConvertedType(*e.converted_type)) {
    return Unsupported(e, fmt::format("INT32 with converted type {}",
                                      static_cast<int32_t>(*e.converted_type)));
  }
  if (*e.converted_type == ConvertedType::kUint32) {
    leaf.conversion = ValueConversion::kUint32ToInt64;
  }
  return leaf;
}

Result<LeafColumn> MapByteArray(const SchemaElement& e, LeafColumn leaf) {
  leaf.type = DataType::kString;
  if (e.logical_type && e.logical_type->kind != LogicalType::Kind::kString &&
      e.logical_type->union_id != 4 && e.logical_type->union_id != 12) {  // ENUM, JSON
    return Unsupported(e, fmt::format("BYTE_ARRAY with logical type {}",
                                      e.logical_type->union_id));
  }
  if (e.converted_type && *e.converted_type != ConvertedType::kUtf8 &&
      *e.converted_type != ConvertedType::kEnum && *e.converted_type != ConvertedType::kJson) {
    return Unsupported(e, fmt::format("BYTE_ARRAY with converted type {}",
                                      static_cast<int32_t>(*e.converted_type)));
  }
  return leaf;
}

Result<LeafColumn> MapLeaf(const SchemaElement& e) {
  LeafColumn leaf;
  leaf.name = e.name;
  Repetition repetition = e.repetition.value_or(Repetition::kOptional);
  if (repetition == Repetition::kRepeated) return Unsupported(e, "a repeated field");
  if (repetition != Repetition::kRequired && repetition != Repetition::kOptional) {
    return Status(StatusCode::kCorruption,
                  fmt::format("parquet column '{}': unknown repetition", e.name));
  }
  leaf.optional = repetition == Repetition::kOptional;
  leaf.physical = *e.type;
  switch (*e.type) {
    case PhysicalType::kBoolean:
      leaf.type = DataType::kBoolean;
      return leaf;
    case PhysicalType::kInt32:
      return MapInt32(e, leaf);
    case PhysicalType::kInt64:
      return MapInt64(e, leaf);
    case PhysicalType::kInt96:
      leaf.type = DataType::kTimestamp;
      leaf.conversion = ValueConversion::kInt96ToMicros;
      return leaf;
    case PhysicalType::kFloat:
      leaf.type = DataType::kDouble;
      leaf.conversion = ValueConversion::kFloatToDouble;
      return leaf;
    case PhysicalType::kDouble:
      leaf.type = DataType::kDouble;
      return leaf;
    case PhysicalType::kByteArray:
      return MapByteArray(e, leaf);
    case PhysicalType::kFixedLenByteArray:
      return Unsupported(e, "FIXED_LEN_BYTE_ARRAY");
  }
  return Status(StatusCode::kCorruption,
                fmt::format("parquet column '{}': unknown physical type {}", e.name,
                            static_cast<int32_t>(*e.type)));
}

}  // namespace

PhysicalType PhysicalTypeFor(DataType type) {
  switch (type) {
    case DataType::kBoolean: return PhysicalType::kBoolean;
    case DataType::kDouble: return PhysicalType::kDouble;
    case DataType::kString: return PhysicalType::kByteArray;
    case DataType::kBigint:
    case DataType::kTimestamp: return PhysicalType::kInt64;
  }
  return PhysicalType::kInt64;
}

std::vector<SchemaElement> ToParquetSchema(const Schema& schema,
                                           const std::vector<std::string>& binary_columns) {
  std::vector<SchemaElement> elements;
  SchemaElement& root = elements.emplace_back();
  root.name = "schema";
  root.num_children = static_cast<int32_t>(schema.size());
  for (const Field& field : schema.fields()) {
    SchemaElement& leaf = elements.emplace_back();
    leaf.name = field.name;
    leaf.type = PhysicalTypeFor(field.type);
    leaf.repetition = field.nullable ? Repetition::kOptional : Repetition::kRequired;
    const bool binary = std::find(binary_columns.begin(), binary_columns.end(), field.name) !=
                        binary_columns.end();
    if (field.type == DataType::kString && !binary) {
      leaf.converted_type = ConvertedType::kUtf8;
      leaf.logical_type.emplace().kind = LogicalType::Kind::kString;
    } else if (field.type == DataType::kTimestamp) {
      leaf.converted_type = ConvertedType::kTimestampMicros;
      LogicalType& logical = leaf.logical_type.emplace();
      logical.kind = LogicalType::Kind::kTimestamp;
      logical.is_adjusted_to_utc = true;
      logical.unit = TimeUnit::kMicros;
    }
  }
  return elements;
}

Result<std::vector<LeafColumn>> MapParquetSchema(const std::vector<SchemaElement>& elements) {
  if (elements.empty()) return Status(StatusCode::kCorruption, "parquet schema is empty");
  const SchemaElement& root = elements[0];
  size_t children = static_cast<size_t>(std::max(0, root.num_children.value_or(0)));
  if (children != elements.size() - 1) {
    return Status(StatusCode::kUnsupported,
                  fmt::format("parquet schema is not flat: root has {} children, {} elements "
                              "follow (nested columns are not supported)",
                              children, elements.size() - 1));
  }
  std::vector<LeafColumn> leaves;
  for (size_t i = 1; i < elements.size(); ++i) {
    const SchemaElement& e = elements[i];
    if (e.num_children.value_or(0) != 0 || !e.type) {
      return Unsupported(e, "a nested group column");
    }
    ASSIGN_OR_RETURN(LeafColumn leaf, MapLeaf(e));
    leaves.push_back(std::move(leaf));
  }
  return leaves;
}

}  // namespace braid::lake
