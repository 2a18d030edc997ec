// The text format of the SQL logic tests (docs/sql_logic_tests.md), in the spirit of DuckDB's
// sqllogictest: a .test file is a sequence of records separated by blank lines; lines starting
// with '#' between records are comments. A record is a directive line (statement, events, ingest,
// query) followed by its body lines up to the next blank line. This module only reads the format
// and its cells (values written as text, matched against result columns); logic_runner.h gives
// the records meaning. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"

namespace braid::sql::logic {

struct ScriptLine {
  int number = 0;  // 1-based line in the .test file
  std::string text;
};

struct Record {
  ScriptLine directive;            // "query counts", "statement error 42803 4:8 ..."
  std::vector<std::string> words;  // the directive split on whitespace
  std::vector<ScriptLine> body;    // the lines after the directive, up to a blank line
};

// Splits a .test file into records. Never fails: a directive the runner does not know is its
// failure to report, at the directive's line.
std::vector<Record> ReadRecords(std::string_view text);

// The directive's text after its first `skip` words, without surrounding blanks ("" if none): the
// message fragment of "statement error 42803 4:8 must appear in GROUP BY".
std::string DirectiveRest(const Record& record, size_t skip);

// The cells of a table line: split on '|', each trimmed of spaces and tabs.
std::vector<std::string> SplitCells(std::string_view line);

// Appends a cell parsed as column->type(): NULL is NULL; (empty) is the empty STRING; BOOLEAN
// true/false; BIGINT decimal; DOUBLE decimal, scientific, nan, inf, -inf; TIMESTAMP RFC 3339.
// kInvalidArgument (naming the cell and type) when the text is not a value of the type.
Status AppendCell(std::string_view cell, Column* column);

// Row `row` of `column` as the format writes it: NULL, (empty), true/false, BIGINT decimal,
// DOUBLE shortest round-trip text, TIMESTAMP FormatRfc3339.
std::string FormatCell(const Column& column, size_t row);

// Whether the expected cell text matches row `row` of `column`. TIMESTAMP compares as instants
// (any RFC 3339 spelling). DOUBLE written with a '.' or an exponent matches within half a unit of
// its last written digit (2.13809 matches 2.138089935); written as an integer it must be equal
// exactly; nan, inf and -inf match themselves. Other types compare their formatted text.
bool CellMatches(std::string_view expected, const Column& column, size_t row);

}  // namespace braid::sql::logic
