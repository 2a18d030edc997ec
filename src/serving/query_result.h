// QueryResult: what executing one SQL statement returns to a protocol (HTTP JSON, PostgreSQL
// wire): a result schema and rows as Chunks (empty for statements that return no rows), the
// command tag a PostgreSQL client expects ("CREATE STREAM", "SELECT 3") and a human message.
// A plain value; movable.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "common/time.h"

namespace braid::serving {

// Which layers a query reads (API.md): batch + speed, batch only, or speed only.
enum class Consistency : uint8_t { kMerged, kExact, kSpeed };
std::string_view ConsistencyName(Consistency consistency);  // "merged", "exact", "speed"
// "" (the default) is merged; anything but merged, exact, speed is kInvalidArgument.
Result<Consistency> ParseConsistency(std::string_view text);

// What a query over a view covers (API.md "meta"), for the protocols to report.
struct QueryCoverage {
  Consistency consistency = Consistency::kMerged;  // the layers read
  Consistency requested = Consistency::kMerged;    // what the query asked for
  // Why `consistency` differs from `requested` (a routing hint could not be met), else empty.
  std::string routing;
  // How old the answer may be: now minus the instant up to which every acknowledged event is
  // counted (exact: the batch horizon; merged and speed: the speed layer's backlog). None when
  // nothing is counted yet.
  std::optional<Duration> staleness;
  int64_t batch_epoch = 0;             // B of the batch version read (0: none)
  int64_t batch_version = 0;           // the view version read (0: none)
  std::optional<Timestamp> batch_horizon;    // when capture sealed epoch B (api_status.h)
  std::optional<Timestamp> speed_watermark;  // none without the speed layer
};

struct QueryResult {
  SchemaPtr schema;           // nullptr when the statement returns no rows
  std::vector<Chunk> chunks;  // all with `schema`
  std::string command_tag;    // e.g. "CREATE STREAM", "DROP STREAM", "SHOW", "DESCRIBE"
  std::string message;        // e.g. "stream telemetry created", "stream telemetry unchanged"
  std::optional<QueryCoverage> coverage;  // queries over views only

  size_t num_rows() const {
    size_t n = 0;
    for (const Chunk& c : chunks) n += c.num_rows();
    return n;
  }
};

}  // namespace braid::serving
