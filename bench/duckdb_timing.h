// DuckDB as the reference of Braid's benchmarks: runs SQL statements in one in-memory DuckDB
// through tests/oracle/duckdb_query.mjs (node, installed by scripts/deps.sh) and returns each
// statement's wall time in milliseconds as measured inside node. Empty when node, the oracle or a
// statement fails (the benchmark then says DuckDB was not run).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace braid::bench {

// `source_dir` is the source tree (for tests/oracle); statements run in order.
std::vector<double> DuckDbTimings(const std::filesystem::path& source_dir,
                                  const std::vector<std::string>& statements);

}  // namespace braid::bench
