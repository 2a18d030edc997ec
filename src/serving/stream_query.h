// Queries over a stream's recent events (API.md: "Queries are standard SELECT over views (and
// over streams' recent events)"): the rows are the events still in the ingestion log, newest
// last per partition, with the stream's columns then _ingested_at (the batch's append time),
// _partition and _offset, as in the lake's files. A query reads at most `scan_events` of the most
// recent events (split evenly over the partitions; QueryLimits::stream_scan_events, default
// 1,000,000) so a query cannot read a week of log by accident: the master dataset (the lake) is
// where history is read, by any Parquet reader. WHERE, GROUP BY with aggregates (event time: the
// stream's timestamp column), ORDER BY and LIMIT work as over a view's rows; there is no
// `_source`. Thread-safe (the log is read through its thread-safe readers).
#pragma once

#include <cstddef>

#include "common/chunk.h"
#include "common/status.h"
#include "log/stream_log.h"
#include "serving/session.h"

namespace braid::serving {

// The most recent events of `log` (at most `scan_events` in all), as one chunk of
// sql::ViewInputSchema(log.schema()), partition by partition in offset order.
Result<Chunk> RecentEvents(const log::StreamLog& log, size_t scan_events,
                           const QueryControl& control);

}  // namespace braid::serving
