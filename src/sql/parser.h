// Recursive-descent parser for Braid's SQL dialect, written by hand (no SQL parser library for
// this dialect ships with the platform). Keywords are case-insensitive; identifiers may be quoted
// with "double quotes" or [brackets] (Stream Analytics style); strings use 'single quotes' with ''
// as an escaped quote; comments are -- to end of line and /* ... */. Every error is a
// kSyntaxError Status with the 1-based line and column of the offending token and a message that
// says what was expected ("expected ')' after column list, found 'WITH'"). Pure functions;
// thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "sql/ast.h"

namespace braid::sql {

// Parses exactly one statement (an optional trailing ';' is allowed).
Result<ParsedStatement> ParseStatement(std::string_view text);
// Parses a script of ';'-separated statements (a --definitions file). Empty statements are skipped.
Result<std::vector<ParsedStatement>> ParseScript(std::string_view text);

}  // namespace braid::sql
