#include "sql/parser.h"

#include "sql/expression_parser.h"
#include "sql/lexer.h"
#include "sql/statement_parsers.h"
#include "sql/token_cursor.h"

namespace braid::sql {
namespace {

// The statements Braid knows, by first word. A new statement is one more row.
struct StatementRule {
  std::string_view first_word;
  Result<Statement> (*parse)(TokenCursor& cursor);
};
constexpr StatementRule kStatementRules[] = {
    {"CREATE", ParseCreate},     {"DROP", ParseDrop},     {"SHOW", ParseShow},
    {"DESCRIBE", ParseDescribe}, {"SELECT", ParseSelect}, {"SET", ParseSet},
    {"ALTER", ParseAlter},
};

// Parses the statement at the cursor, which must be followed by ';' or the end of input.
Result<ParsedStatement> ParseOne(TokenCursor& cursor, std::string_view source) {
  const Token& first = cursor.Peek();
  for (const StatementRule& rule : kStatementRules) {
    if (!cursor.CheckWord(rule.first_word)) continue;
    ASSIGN_OR_RETURN(Statement statement, rule.parse(cursor));
    if (!cursor.AtEnd() && !cursor.Check(TokenKind::kSemicolon)) {
      return cursor.ErrorExpected("';' or end of input after the statement");
    }
    size_t end = cursor.Previous().end;
    return ParsedStatement{std::move(statement),
                           std::string(source.substr(first.begin, end - first.begin)),
                           first.position};
  }
  return cursor.ErrorExpected("a statement (CREATE, ALTER, DROP, SHOW, DESCRIBE, SELECT or SET)");
}

void SkipSemicolons(TokenCursor& cursor) {
  while (cursor.Accept(TokenKind::kSemicolon)) {
  }
}

}  // namespace

Result<ParsedStatement> ParseStatement(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  TokenCursor cursor(tokens);
  SkipSemicolons(cursor);
  if (cursor.AtEnd()) return cursor.ErrorExpected("a statement");
  ASSIGN_OR_RETURN(ParsedStatement statement, ParseOne(cursor, text));
  SkipSemicolons(cursor);
  if (!cursor.AtEnd()) return cursor.ErrorExpected("end of input after the statement (one only)");
  return statement;
}

Result<std::vector<ParsedStatement>> ParseScript(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  TokenCursor cursor(tokens);
  std::vector<ParsedStatement> statements;
  while (true) {
    SkipSemicolons(cursor);
    if (cursor.AtEnd()) return statements;
    ASSIGN_OR_RETURN(ParsedStatement statement, ParseOne(cursor, text));
    statements.push_back(std::move(statement));
  }
}

Result<ExprPtr> ParseStandaloneExpression(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  TokenCursor cursor(tokens);
  ASSIGN_OR_RETURN(ExprPtr expr, ParseExpression(cursor));
  if (!cursor.AtEnd()) {
    return cursor.ErrorExpected("an operator or end of input after the expression");
  }
  return expr;
}

}  // namespace braid::sql
