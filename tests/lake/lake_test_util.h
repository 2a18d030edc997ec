// Helpers shared by the lake tests: a scratch directory per test, random Chunks of every Braid
// type with a chosen NULL pattern, write/read shortcuts for Parquet files, and the DuckDB oracle
// (tests/oracle/duckdb_query.mjs run through node, found via tests/test_paths.h).
#pragma once

#include "duckdb_oracle.h"
#include "scoped_temp_dir.h"

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/chunk.h"
#include "lake/parquet_reader.h"
#include "lake/parquet_writer.h"

namespace braid::lake::testing {

enum class NullPattern { kNone, kAll, kRandom };

// A fresh empty directory under the system temp dir, removed by the destructor.
// A fresh temporary directory removed with its contents (tests/scoped_temp_dir.h).
using ScratchDir = braid::testing::ScopedTempDir;

// One column per type: b BOOLEAN, i BIGINT, d DOUBLE, s STRING, t TIMESTAMP, all nullable.
SchemaPtr AllTypesSchema();

// `rows` random rows of `schema`; strings are drawn from `distinct_strings` values (multibyte
// UTF-8 and empty strings included) and integers from `distinct_ints` values.
Chunk RandomChunk(const SchemaPtr& schema, size_t rows, NullPattern nulls, uint32_t seed,
                  size_t distinct_strings = 50, size_t distinct_ints = 1000);

// Writes the chunks to `path` and returns the summary (asserting success).
ParquetFileSummary WriteFile(const std::filesystem::path& path, const SchemaPtr& schema,
                             const std::vector<Chunk>& chunks, ParquetWriterOptions options);

// Reads every row group of a file and concatenates the rows into one Chunk.
Result<Chunk> ReadAll(const std::filesystem::path& path);

// Concatenates chunks of one schema.
Chunk Concat(const SchemaPtr& schema, const std::vector<Chunk>& chunks);

// The DuckDB oracle, shared with the other layers' tests.
using braid::testing::DuckDbQuery;
using braid::testing::OracleAvailable;

}  // namespace braid::lake::testing
