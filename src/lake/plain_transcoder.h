// Transcoding of the Parquet value encodings other writers use in data pages v2 —
// DELTA_BINARY_PACKED (INT32/INT64), DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY (BYTE_ARRAY),
// BYTE_STREAM_SPLIT (FLOAT/DOUBLE/INT32/INT64) — into PLAIN bytes, which the PLAIN page decoder
// then turns into Braid values. Braid never writes these encodings; reading them lets it read
// files DuckDB writes with PARQUET_VERSION v2. Written by hand (Encodings.md) because no Parquet
// library ships with the platform. Every header, bit width and length is checked against the
// page: malformed input is kCorruption. Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "lake/parquet_metadata.h"
#include "lake/parquet_schema.h"

namespace braid::lake {

// Whether TranscodeToPlain handles `encoding` for columns stored as `physical`.
bool IsTranscodable(Encoding encoding, PhysicalType physical);

// Replaces *plain with the PLAIN encoding of the `count` values encoded in `data`.
Status TranscodeToPlain(Encoding encoding, std::string_view data, PhysicalType physical,
                        size_t count, std::string* plain);

}  // namespace braid::lake
