// Recursive-descent parser for Braid's SQL dialect, written by hand (no SQL parser library for
// this dialect ships with the platform). Keywords are case-insensitive; identifiers may be quoted
// with "double quotes" or [brackets] (Stream Analytics style); strings use 'single quotes' with ''
// as an escaped quote; comments are -- to end of line and /* ... */. Every error carries the
// 1-based line and column of the offending token and a message that says what was expected
// ("expected ',' or ')' after column 'a', found 'b'"): kSyntaxError for the grammar,
// kInvalidArgument for a literal out of range (a number, TIMESTAMP '...', INTERVAL '...'),
// kTooLarge for an expression nested beyond kMaxExpressionDepth. Parsing does not look at the
// catalog; binding (stream_definition.h, and later views) checks meaning. Pure functions;
// thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "sql/ast.h"
#include "sql/expression.h"

namespace braid::sql {

// Parses exactly one statement (an optional trailing ';' is allowed).
Result<ParsedStatement> ParseStatement(std::string_view text);
// Parses a script of ';'-separated statements (a --definitions file). Empty statements are skipped;
// each statement's text runs from its first token to its last, comments before it excluded.
Result<std::vector<ParsedStatement>> ParseScript(std::string_view text);
// Parses a text that is exactly one expression (a filter, a persisted view's part, a test).
Result<ExprPtr> ParseStandaloneExpression(std::string_view text);

}  // namespace braid::sql
