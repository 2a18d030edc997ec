// Delta's per-file statistics (the `stats` string of an add action, docs/formats/delta.md) from
// what the Parquet writer reports: numRecords, and per column minValues, maxValues and nullCount.
// Values follow Delta's conventions: numbers as JSON numbers, strings as strings, timestamps as
// RFC 3339 strings truncated to milliseconds (readers widen the max by 1 ms, as for Spark's
// stats). Booleans and non-finite doubles get no min/max. Pure; thread-safe.
#pragma once

#include <string>

#include "common/schema.h"
#include "lake/parquet_writer.h"

namespace braid::lake {

// The stats JSON of a file with `schema` (one ColumnStatistics per field in `summary`).
std::string EncodeFileStats(const Schema& schema, const ParquetFileSummary& summary);

}  // namespace braid::lake
