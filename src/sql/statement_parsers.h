// The per-statement parse functions behind ParseStatement / ParseScript (parser.h), internal to
// braid_sql. Each one is entered with the cursor on the statement's first word, consumes the
// statement up to (not including) its terminating ';' or end of input, and returns the AST node
// or a kSyntaxError at the offending token. parser.cc dispatches on the first word through one
// table, so a new statement (CREATE VIEW, SELECT) is one more parse function and one more table
// row; ParseLiteral is the literal grammar shared with WITH options and, later, expressions.
// Pure functions over a caller-owned cursor.
#pragma once

#include "sql/ast.h"
#include "sql/token_cursor.h"

namespace braid::sql {

// CREATE STREAM [IF NOT EXISTS] name (column TYPE [NOT NULL | NULL], ...) [WITH (opt = lit, ...)]
Result<Statement> ParseCreate(TokenCursor& cursor);
// DROP STREAM|VIEW|ALERT [IF EXISTS] name
Result<Statement> ParseDrop(TokenCursor& cursor);
// SHOW STREAMS|VIEWS|ALERTS
Result<Statement> ParseShow(TokenCursor& cursor);
// DESCRIBE [STREAM|VIEW|ALERT] name
Result<Statement> ParseDescribe(TokenCursor& cursor);

// A literal: 'string', an optionally signed integer or decimal number, TRUE or FALSE. `context`
// completes the error message ("a value for option 'partitions'"). An integer outside int64 or a
// number outside double is kInvalidArgument at the literal.
Result<OptionValue> ParseLiteral(TokenCursor& cursor, std::string_view context);

}  // namespace braid::sql
