// The statements built on expressions: SELECT, CREATE VIEW, CREATE ALERT, and SET
// (statement_parsers.h).
#include <fmt/format.h>

#include "sql/expression_parser.h"
#include "sql/statement_parsers.h"

namespace braid::sql {
namespace {

Result<SelectItem> ParseSelectItem(ExpressionParser& expressions, TokenCursor& cursor) {
  SelectItem item;
  item.position = cursor.Peek().position;
  if (cursor.Accept(TokenKind::kStar)) {
    item.expr = MakeExpr(Star{}, item.position);
  } else if (cursor.CheckName() && cursor.Check(TokenKind::kDot, 1) &&
             cursor.Check(TokenKind::kStar, 2)) {
    std::string qualifier = cursor.Advance().text;
    cursor.Advance();
    cursor.Advance();
    item.expr = MakeExpr(Star{std::move(qualifier)}, item.position);
  } else {
    ASSIGN_OR_RETURN(item.expr, expressions.ParseExpression());
  }
  if (cursor.AcceptWord("AS")) {
    ASSIGN_OR_RETURN(Token alias, cursor.ExpectName("an alias after AS"));
    item.alias = alias.text;
  } else if (cursor.CheckName()) {
    item.alias = cursor.Advance().text;  // SELECT a b: an alias without AS
  }
  return item;
}

Result<std::vector<ExprPtr>> ParseExpressionList(ExpressionParser& expressions,
                                                 TokenCursor& cursor) {
  std::vector<ExprPtr> list;
  do {
    ASSIGN_OR_RETURN(ExprPtr expr, expressions.ParseExpression());
    list.push_back(std::move(expr));
  } while (cursor.Accept(TokenKind::kComma));
  return list;
}

Result<int64_t> ParseRowCount(TokenCursor& cursor, std::string_view clause) {
  if (!cursor.Check(TokenKind::kInteger)) {
    return cursor.ErrorExpected(fmt::format("a row count (an integer) after {}", clause));
  }
  const Token& number = cursor.Advance();
  ASSIGN_OR_RETURN(Literal count, NumberLiteral(number, "", number.position));
  return std::get<int64_t>(count.value);
}

// FROM name [TIMESTAMP BY expr] [WHERE expr] [GROUP BY expr, ...] [HAVING expr]
Status ParseFromThroughHaving(ExpressionParser& expressions, TokenCursor& cursor,
                              SelectStatement& select, bool from_optional) {
  if (from_optional && (cursor.AtEnd() || cursor.Check(TokenKind::kSemicolon))) {
    return Status::Ok();  // SELECT 1 + 1, SELECT now(): one row of expressions
  }
  RETURN_IF_ERROR(cursor.ExpectWord("FROM", "',' or FROM after a select item"));
  ASSIGN_OR_RETURN(Token from, cursor.ExpectName("a stream or view name after FROM"));
  select.from = from.text;
  select.from_position = from.position;
  if (cursor.AcceptWord("TIMESTAMP")) {
    RETURN_IF_ERROR(cursor.ExpectWord("BY", "BY after TIMESTAMP"));
    ASSIGN_OR_RETURN(select.timestamp_by, expressions.ParseExpression());
  }
  if (cursor.AcceptWord("WHERE")) {
    ASSIGN_OR_RETURN(select.where, expressions.ParseExpression());
  }
  if (cursor.AcceptWord("GROUP")) {
    RETURN_IF_ERROR(cursor.ExpectWord("BY", "BY after GROUP"));
    ASSIGN_OR_RETURN(select.group_by, ParseExpressionList(expressions, cursor));
  }
  if (cursor.AcceptWord("HAVING")) {
    ASSIGN_OR_RETURN(select.having, expressions.ParseExpression());
  }
  return Status::Ok();
}

// [ORDER BY item, ...] [LIMIT n] [OFFSET n]
Status ParseOrderLimitOffset(ExpressionParser& expressions, TokenCursor& cursor,
                             SelectStatement& select) {
  if (cursor.AcceptWord("ORDER")) {
    RETURN_IF_ERROR(cursor.ExpectWord("BY", "BY after ORDER"));
    ASSIGN_OR_RETURN(select.order_by, expressions.ParseOrderItems());
  }
  if (cursor.AcceptWord("LIMIT")) {
    ASSIGN_OR_RETURN(select.limit, ParseRowCount(cursor, "LIMIT"));
  }
  if (cursor.AcceptWord("OFFSET")) {
    ASSIGN_OR_RETURN(select.offset, ParseRowCount(cursor, "OFFSET"));
  }
  return Status::Ok();
}

Result<SelectStatement> ParseSelectBody(TokenCursor& cursor, bool from_optional) {
  SelectStatement select;
  select.position = cursor.Peek().position;
  RETURN_IF_ERROR(cursor.ExpectWord("SELECT", "SELECT"));
  select.distinct = cursor.AcceptWord("DISTINCT");
  ExpressionParser expressions(cursor);
  do {
    ASSIGN_OR_RETURN(SelectItem item, ParseSelectItem(expressions, cursor));
    select.items.push_back(std::move(item));
  } while (cursor.Accept(TokenKind::kComma));
  RETURN_IF_ERROR(ParseFromThroughHaving(expressions, cursor, select, from_optional));
  RETURN_IF_ERROR(ParseOrderLimitOffset(expressions, cursor, select));
  return select;
}

}  // namespace

Result<Statement> ParseSelect(TokenCursor& cursor) {
  ASSIGN_OR_RETURN(SelectStatement select, ParseSelectBody(cursor, /*from_optional=*/true));
  return Statement(std::move(select));
}

Result<Statement> ParseCreateView(TokenCursor& cursor, CreateHeader header) {
  CreateViewStatement view;
  view.position = header.position;
  view.or_replace = header.or_replace;
  ASSIGN_OR_RETURN(Token name, cursor.ExpectName("a view name"));
  view.name = name.text;
  view.name_position = name.position;
  RETURN_IF_ERROR(cursor.ExpectWord("AS", fmt::format("AS after view '{}'", name.text)));
  if (!cursor.CheckWord("SELECT")) return cursor.ErrorExpected("SELECT after AS");
  ASSIGN_OR_RETURN(view.query, ParseSelectBody(cursor, /*from_optional=*/false));
  return Statement(std::move(view));
}

Result<Statement> ParseCreateAlert(TokenCursor& cursor, CreateHeader header) {
  CreateAlertStatement alert;
  alert.position = header.position;
  alert.or_replace = header.or_replace;
  ASSIGN_OR_RETURN(Token name, cursor.ExpectName("an alert name"));
  alert.name = name.text;
  alert.name_position = name.position;
  RETURN_IF_ERROR(
      cursor.ExpectWord("ON", fmt::format("ON and a view after alert '{}'", name.text)));
  ASSIGN_OR_RETURN(Token view, cursor.ExpectName("a view name after ON"));
  alert.view = view.text;
  alert.view_position = view.position;
  RETURN_IF_ERROR(
      cursor.ExpectWord("WHERE", fmt::format("WHERE and the condition of alert '{}'", name.text)));
  ASSIGN_OR_RETURN(alert.condition, ParseExpression(cursor));
  return Statement(std::move(alert));
}

Result<Statement> ParseSet(TokenCursor& cursor) {
  SetStatement set;
  set.position = cursor.Advance().position;  // SET
  ASSIGN_OR_RETURN(Token name, cursor.ExpectName("a setting name after SET"));
  set.name = name.text;
  set.name_position = name.position;
  if (!cursor.Accept(TokenKind::kEqual) && !cursor.AcceptWord("TO")) {
    return cursor.ErrorExpected(fmt::format("'=' or TO after SET {}", name.text));
  }
  if (cursor.CheckName() && !cursor.CheckWord("TRUE") && !cursor.CheckWord("FALSE")) {
    // SET search_path TO public, SET DateStyle = ISO: a bare word is a string value.
    const Token word = cursor.Advance();
    set.value = OptionValue{word.text, word.position};
    return Statement(std::move(set));
  }
  ASSIGN_OR_RETURN(set.value,
                   ParseLiteral(cursor, fmt::format("a value for setting '{}'", name.text)));
  return Statement(std::move(set));
}

}  // namespace braid::sql
