// StreamDefinition: a bound, validated CREATE STREAM: the schema and every option with its
// default filled in (SEMANTICS.md for the time options). Binding checks option names and types,
// that partition_key and timestamp name existing columns of the right kind, and reports each
// mistake at its line:column. Definitions are immutable values; equality means "the same stream"
// (re-applying an identical definition is a no-op, a different one is a conflict).
//
// Binding rules beyond the grammar: a stream name is also a directory name (DATA/log/{stream}), so
// it may not contain '/', '\\' or control characters, be "." or "..", or exceed 128 bytes; column
// names are unique case-insensitively and may not be the lake's ingestion metadata columns
// (_ingested_at, _partition, _offset). A nullable timestamp column is allowed: a NULL timestamp is
// a data error rejected at ingest (SEMANTICS.md), not a definition error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/schema.h"
#include "common/time.h"
#include "sql/ast.h"

namespace braid::sql {

enum class OutOfOrderPolicy : uint8_t { kAdjust, kDrop };
// "adjust" or "drop", as written in the out_of_order_policy option.
std::string_view OutOfOrderPolicyName(OutOfOrderPolicy policy);

struct StreamDefinition {
  std::string name;
  SchemaPtr schema;
  int partitions = 4;                        // 1..1024
  std::optional<std::string> partition_key;  // a column name; none = round-robin
  std::optional<std::string> timestamp;      // a TIMESTAMP column; none = ingestion time
  Duration out_of_order = Duration::Seconds(0);
  Duration allowed_lateness = Duration::Seconds(0);
  OutOfOrderPolicy out_of_order_policy = OutOfOrderPolicy::kAdjust;
  Duration max_future = Duration::Minutes(5);
  Duration idle_timeout = Duration::Seconds(5);
  std::optional<Duration> retention;        // by age; none = keep until captured and forever
  std::optional<uint64_t> retention_bytes;  // per partition

  // Canonical CREATE STREAM text: parsing and binding it gives an equal definition. The catalog
  // persists this, and DESCRIBE shows it.
  std::string ToSql() const;

  bool operator==(const StreamDefinition& other) const;
};

// Validates a parsed CREATE STREAM and fills in defaults. Errors carry the position of the
// offending name or value: kInvalidArgument (unknown or duplicate option, bad option value, bad
// stream name, duplicate or reserved column name), kUndefinedColumn (partition_key or timestamp
// naming no column), kTypeMismatch (a DOUBLE partition key, a timestamp column not TIMESTAMP).
// Column names given in options are stored as the column is declared.
Result<StreamDefinition> BindCreateStream(const CreateStreamStatement& statement);

// The definition of `existing` after ALTER STREAM ... ADD COLUMN: the same stream with the new
// nullable column appended (the statement's stream name is the caller's to match). A name that
// is already a column (case-insensitively) or an ingestion metadata column is kInvalidArgument
// at the column, as in CREATE STREAM; with IF NOT EXISTS, an existing nullable column of the
// same type gives `existing` back unchanged.
Result<StreamDefinition> BindAlterStream(const StreamDefinition& existing,
                                         const AlterStreamStatement& statement);

// What differs between two definitions of one stream, one phrase per difference, each naming the
// requested value first: "partitions 16 vs existing 8", "column 3 temperature DOUBLE vs existing
// temperature BIGINT". Empty exactly when the definitions are equal.
std::vector<std::string> DescribeDifferences(const StreamDefinition& requested,
                                             const StreamDefinition& existing);

}  // namespace braid::sql
