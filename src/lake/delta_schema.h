// A Delta table's schema (metaData.schemaString, docs/formats/delta.md): the data columns, stored
// in the Parquet files, plus the partition columns, which live only in the directory names and
// the log's partitionValues. Types map one to one: STRING string, BIGINT long, DOUBLE double,
// BOOLEAN boolean, TIMESTAMP timestamp; a partition column is a string or a date. Other Delta
// types (nested, decimal, ...) are kUnsupported when read. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/schema.h"
#include "common/status.h"

namespace braid::lake {

// Types a partition column may have. Partition values are strings in the log either way.
enum class PartitionType : uint8_t { kString, kDate };

struct PartitionColumn {
  std::string name;
  PartitionType type = PartitionType::kString;

  bool operator==(const PartitionColumn&) const = default;
};

struct TableSchema {
  SchemaPtr data;                          // columns stored in the data files, in order
  std::vector<PartitionColumn> partition;  // in partitionColumns order
};

// {"type":"struct","fields":[...]}: the data columns, then the partition columns.
std::string EncodeSchemaString(const TableSchema& schema);
// Parses a schemaString; the fields named in `partition_names` become partition columns.
Result<TableSchema> DecodeSchemaString(std::string_view text,
                                       std::span<const std::string> partition_names);

}  // namespace braid::lake
