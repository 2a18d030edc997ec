// The mapping between Braid schemas and flat Parquet schemas. Writing: BOOLEAN -> BOOLEAN,
// BIGINT -> INT64, DOUBLE -> DOUBLE, STRING -> BYTE_ARRAY (UTF8, STRING), TIMESTAMP -> INT64
// TIMESTAMP(MICROS, UTC); nullable fields are OPTIONAL, the others REQUIRED. Reading accepts a
// wider set (INT32 and INT64 integers, FLOAT, timestamps in any unit or INT96, any BYTE_ARRAY
// that is text or plain binary) and names the column in a kUnsupported error for anything else
// (nested or repeated fields, decimals, dates, fixed-length arrays, unsigned 64-bit integers).
// Pure functions over values; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/schema.h"
#include "common/status.h"
#include "lake/parquet_metadata.h"

namespace braid::lake {

// How a stored value becomes a Braid value.
enum class ValueConversion : uint8_t {
  kNone,            // same representation
  kInt32ToInt64,    // sign-extend
  kUint32ToInt64,   // zero-extend
  kFloatToDouble,
  kMillisToMicros,  // INT64 TIMESTAMP(MILLIS)
  kNanosToMicros,   // INT64 TIMESTAMP(NANOS), floor division
  kInt96ToMicros,   // legacy INT96 timestamps (nanos of day, Julian day)
};

// One leaf column of a file as Braid reads it.
struct LeafColumn {
  std::string name;
  DataType type = DataType::kBigint;
  PhysicalType physical = PhysicalType::kInt64;
  bool optional = false;  // maximum definition level 1 rather than 0
  ValueConversion conversion = ValueConversion::kNone;
};

// The Parquet physical type Braid writes for a type.
PhysicalType PhysicalTypeFor(DataType type);

// The root element and one leaf per field.
// `binary_columns` names STRING fields written as plain BYTE_ARRAY, without the UTF8/STRING
// annotation (opaque bytes such as aggregate states); they read back as STRING.
std::vector<SchemaElement> ToParquetSchema(const Schema& schema,
                                           const std::vector<std::string>& binary_columns = {});

// The leaves of a file's schema, in order; kCorruption for a malformed tree, kUnsupported naming
// the first column Braid cannot read.
Result<std::vector<LeafColumn>> MapParquetSchema(const std::vector<SchemaElement>& elements);

}  // namespace braid::lake
