// DuckDB as an independent oracle for Braid's tests: tests/oracle/duckdb_query.mjs (npm
// @duckdb/node-api, installed by scripts/deps.sh) run through node, found via tests/test_paths.h.
// Each call starts one in-memory DuckDB, runs the statements in order and returns the rows of all
// of them, one JSON array per row. A test that needs the oracle first checks OracleAvailable()
// and skips without it; a failing statement fails the calling test (gtest assertions inside).
// Thread-compatible: it only spawns a process.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace braid::testing {

// Whether node and the installed oracle are available.
bool OracleAvailable();

// Runs the SQL statements in DuckDB; each output line is one JSON row (array). Asserts success.
std::vector<std::string> DuckDbQuery(const std::vector<std::string>& statements);

// One value of a result row as DuckDB's JSON rendering gives it: NULL, a boolean, a DOUBLE (a
// JSON number), or a string. BIGINT, HUGEINT and DECIMAL values arrive as strings ("42"), which
// keeps 64-bit integers exact; doubles print in their shortest round-trip form.
using OracleValue = std::variant<std::monostate, bool, double, std::string>;
using OracleRow = std::vector<OracleValue>;

// DuckDbQuery, with every output line parsed as a row. A line that is not a JSON array of
// scalars fails the calling test.
std::vector<OracleRow> DuckDbRows(const std::vector<std::string>& statements);

}  // namespace braid::testing
