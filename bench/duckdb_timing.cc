#include "duckdb_timing.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace braid::bench {

std::vector<double> DuckDbTimings(const std::filesystem::path& source_dir,
                                  const std::vector<std::string>& statements) {
  // Through a file on stdin (statements separated by lines holding only ';'): no shell quoting,
  // no argument length limit.
  const std::filesystem::path script =
      std::filesystem::temp_directory_path() / fmt::format("braid-bench-{}.sql", ::getpid());
  {
    std::ofstream out(script);
    for (const std::string& statement : statements) out << statement << "\n;\n";
  }
  const std::string command =
      fmt::format("node '{}' --timing < '{}'",
                  (source_dir / "tests/oracle/duckdb_query.mjs").string(), script.string());
  std::vector<double> timings;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe != nullptr) {
    char line[4096];
    while (fgets(line, sizeof(line), pipe) != nullptr) {
      double ms;
      if (std::sscanf(line, "{\"elapsed_ms\":%lf}", &ms) == 1) timings.push_back(ms);
    }
    if (pclose(pipe) != 0) timings.clear();
  }
  std::error_code ignored;
  std::filesystem::remove(script, ignored);
  return timings;
}

}  // namespace braid::bench
