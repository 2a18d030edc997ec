// StreamDefinition: a bound, validated CREATE STREAM: the schema and every option with its
// default filled in (SEMANTICS.md for the time options). Binding checks option names and types,
// that partition_key and timestamp name existing columns of the right kind, and reports each
// mistake at its line:column. Definitions are immutable values; equality means "the same stream"
// (re-applying an identical definition is a no-op, a different one is a conflict).
#pragma once

#include <optional>
#include <string>

#include "common/schema.h"
#include "common/time.h"
#include "sql/ast.h"

namespace braid::sql {

enum class OutOfOrderPolicy : uint8_t { kAdjust, kDrop };

struct StreamDefinition {
  std::string name;
  SchemaPtr schema;
  int partitions = 4;                         // 1..1024
  std::optional<std::string> partition_key;   // a column name; none = round-robin
  std::optional<std::string> timestamp;       // a TIMESTAMP column; none = ingestion time
  Duration out_of_order = Duration::Seconds(0);
  Duration allowed_lateness = Duration::Seconds(0);
  OutOfOrderPolicy out_of_order_policy = OutOfOrderPolicy::kAdjust;
  Duration max_future = Duration::Minutes(5);
  Duration idle_timeout = Duration::Seconds(5);
  std::optional<Duration> retention;          // by age; none = keep until captured and forever
  std::optional<uint64_t> retention_bytes;    // per partition

  // Canonical CREATE STREAM text: parsing and binding it gives an equal definition. The catalog
  // persists this, and DESCRIBE shows it.
  std::string ToSql() const;

  bool operator==(const StreamDefinition& other) const;
};

Result<StreamDefinition> BindCreateStream(const CreateStreamStatement& statement);

}  // namespace braid::sql
