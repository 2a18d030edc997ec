// QueryResult: what executing one SQL statement returns to a protocol (HTTP JSON, PostgreSQL
// wire): a result schema and rows as Chunks (empty for statements that return no rows), the
// command tag a PostgreSQL client expects ("CREATE STREAM", "SELECT 3") and a human message.
// A plain value; movable.
#pragma once

#include <string>
#include <vector>

#include "common/chunk.h"

namespace braid::serving {

struct QueryResult {
  SchemaPtr schema;           // nullptr when the statement returns no rows
  std::vector<Chunk> chunks;  // all with `schema`
  std::string command_tag;    // e.g. "CREATE STREAM", "DROP STREAM", "SHOW", "DESCRIBE"
  std::string message;        // e.g. "stream telemetry created", "stream telemetry unchanged"

  size_t num_rows() const {
    size_t n = 0;
    for (const Chunk& c : chunks) n += c.num_rows();
    return n;
  }
};

}  // namespace braid::serving
