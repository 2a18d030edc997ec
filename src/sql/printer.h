// The canonical SQL text of expressions and query statements: one line, upper-case keywords,
// names quoted only when they must be (keywords.h), operators spaced, and only the parentheses
// that the precedence of the grammar (expression_parser.h) needs. Parsing the text again gives
// the same tree (ExprEquals), which is what lets the catalog persist a view as its text and hash
// it. Literals print as they parse back: 2.0 (never 2 for a double), TIMESTAMP
// '2026-11-23T10:00:00.000000Z', INTERVAL '5' MINUTE (the largest unit that divides the value),
// windows as TumblingWindow(minute, 1, Offset(millisecond, -1)). Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "sql/ast.h"
#include "sql/expression.h"

namespace braid::sql {

std::string ToSql(const Expr& expr);
// "a DESC NULLS LAST, b"
std::string ToSql(const std::vector<OrderItem>& items);
std::string ToSql(const SelectStatement& select);
std::string ToSql(const CreateViewStatement& view);
std::string ToSql(const CreateAlertStatement& alert);
// "ALTER STREAM s ADD COLUMN c DOUBLE"
std::string ToSql(const AlterStreamStatement& alter);

}  // namespace braid::sql
