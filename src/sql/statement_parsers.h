// The per-statement parse functions behind ParseStatement / ParseScript (parser.h), internal to
// braid_sql. Each one is entered with the cursor on the statement's first word, consumes the
// statement up to (not including) its terminating ';' or end of input, and returns the AST node
// or a kSyntaxError at the offending token. parser.cc dispatches on the first word through one
// table, so a new statement (CREATE VIEW, SELECT) is one more parse function and one more table
// row; ParseLiteral is the literal grammar of WITH options and SET; expressions have their own
// grammar (expression_parser.h).
// Pure functions over a caller-owned cursor.
#pragma once

#include "sql/ast.h"
#include "sql/token_cursor.h"

namespace braid::sql {

// CREATE STREAM [IF NOT EXISTS] name (column TYPE [NOT NULL | NULL], ...) [WITH (opt = lit, ...)]
// CREATE [OR REPLACE] VIEW ... | ALERT ... (below)
Result<Statement> ParseCreate(TokenCursor& cursor);

// What CREATE [OR REPLACE] said before the object kind; the cursor is after VIEW or ALERT.
struct CreateHeader {
  SourcePosition position;  // of CREATE
  bool or_replace = false;
};
// CREATE [OR REPLACE] VIEW name AS select
Result<Statement> ParseCreateView(TokenCursor& cursor, CreateHeader header);
// CREATE [OR REPLACE] ALERT name ON view WHERE condition
Result<Statement> ParseCreateAlert(TokenCursor& cursor, CreateHeader header);
// SELECT [DISTINCT] items FROM name [TIMESTAMP BY e] [WHERE e] [GROUP BY e, ...] [HAVING e]
// [ORDER BY item, ...] [LIMIT n] [OFFSET n]
Result<Statement> ParseSelect(TokenCursor& cursor);
// SET name = literal | SET name TO literal
Result<Statement> ParseSet(TokenCursor& cursor);
// ALTER STREAM name ADD [COLUMN] [IF NOT EXISTS] column TYPE [NULL]; NOT NULL is
// kInvalidArgument at NOT.
Result<Statement> ParseAlter(TokenCursor& cursor);
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
