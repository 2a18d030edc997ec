#include "duckdb_oracle.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "test_paths.h"

namespace braid::testing {
namespace {

std::filesystem::path OracleDir() {
  return std::filesystem::path(SourceDir()) / "tests" / "oracle";
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// One JSON scalar as an OracleValue; nullopt for arrays and objects.
std::optional<OracleValue> ToOracleValue(simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      return OracleValue{};
    case simdjson::dom::element_type::BOOL:
      return OracleValue{element.get_bool().value_unsafe()};
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      return OracleValue{element.get_double().value_unsafe()};
    case simdjson::dom::element_type::STRING:
      return OracleValue{std::string(element.get_string().value_unsafe())};
    default:
      return std::nullopt;
  }
}

}  // namespace

bool OracleAvailable() {
  return std::filesystem::exists(OracleDir() / "node_modules" / "@duckdb" / "node-api") &&
         std::system("node --version > /dev/null 2>&1") == 0;
}

std::vector<std::string> DuckDbQuery(const std::vector<std::string>& statements) {
  std::string command = "node " + ShellQuote((OracleDir() / "duckdb_query.mjs").string());
  for (const std::string& sql : statements) command += " " + ShellQuote(sql);
  command += " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  if (pipe == nullptr) return {};
  std::string output;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  int rc = pclose(pipe);
  EXPECT_EQ(rc, 0) << command << "\n" << output;
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    lines.push_back(output.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::vector<OracleRow> DuckDbRows(const std::vector<std::string>& statements) {
  std::vector<OracleRow> rows;
  simdjson::dom::parser parser;
  for (const std::string& line : DuckDbQuery(statements)) {
    simdjson::dom::array array;
    simdjson::error_code error = parser.parse(line).get_array().get(array);
    EXPECT_EQ(error, simdjson::SUCCESS) << "not a JSON array: " << line;
    if (error != simdjson::SUCCESS) return {};
    OracleRow row;
    for (simdjson::dom::element element : array) {
      std::optional<OracleValue> value = ToOracleValue(element);
      EXPECT_TRUE(value.has_value()) << "not a scalar in: " << line;
      row.push_back(value.value_or(OracleValue{}));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace braid::testing
