// The catalog statements: CREATE STREAM, ALTER STREAM, DROP, SHOW, DESCRIBE, and the dispatch of
// CREATE (statement_parsers.h).
#include <fmt/format.h>

#include <optional>

#include "common/schema.h"
#include "common/types.h"
#include "sql/expression_parser.h"
#include "sql/statement_parsers.h"

namespace braid::sql {
namespace {

struct ObjectKindWords {
  ObjectKind kind;
  std::string_view singular;
  std::string_view plural;
};
constexpr ObjectKindWords kObjectKinds[] = {
    {ObjectKind::kStream, "STREAM", "STREAMS"},
    {ObjectKind::kView, "VIEW", "VIEWS"},
    {ObjectKind::kAlert, "ALERT", "ALERTS"},
};

enum class WordForm : uint8_t { kSingular, kPlural };

std::optional<ObjectKind> CheckObjectKind(const TokenCursor& cursor, WordForm form) {
  for (const ObjectKindWords& words : kObjectKinds) {
    if (cursor.CheckWord(form == WordForm::kSingular ? words.singular : words.plural)) {
      return words.kind;
    }
  }
  return std::nullopt;
}

std::string_view KindWord(ObjectKind kind) {
  for (const ObjectKindWords& words : kObjectKinds) {
    if (words.kind == kind) return words.singular;
  }
  return "OBJECT";
}

Result<DataType> ParseColumnType(TokenCursor& cursor, std::string_view column) {
  std::string expected = fmt::format("a type for column '{}'", column);
  if (!cursor.CheckName()) return cursor.ErrorExpected(expected);
  const Token& type_token = cursor.Advance();
  std::optional<DataType> type = DataTypeFromName(type_token.text);
  if (!type) {
    return Status(StatusCode::kSyntaxError,
                  fmt::format("unknown type '{}' for column '{}': expected BOOLEAN, BIGINT, "
                              "DOUBLE, STRING or TIMESTAMP",
                              type_token.text, column),
                  type_token.position);
  }
  if (cursor.Check(TokenKind::kLeftParen)) {
    return Status(StatusCode::kSyntaxError,
                  fmt::format("type {} takes no length or precision", type_token.text),
                  cursor.Peek().position);
  }
  return *type;
}

// [NOT NULL | NULL]...: a repeated clause is allowed, a contradicting one is not.
Result<bool> ParseNullability(TokenCursor& cursor, std::string_view column) {
  std::optional<bool> not_null;
  while (cursor.CheckWord("NOT") || cursor.CheckWord("NULL")) {
    SourcePosition at = cursor.Peek().position;
    bool this_not_null = cursor.CheckWord("NOT");
    cursor.Advance();
    if (this_not_null) RETURN_IF_ERROR(cursor.ExpectWord("NULL", "NULL after NOT"));
    if (not_null && *not_null != this_not_null) {
      return Status(StatusCode::kSyntaxError,
                    fmt::format("conflicting NULL and NOT NULL for column '{}'", column), at);
    }
    not_null = this_not_null;
  }
  return not_null.value_or(false);
}

Result<ColumnDefinition> ParseColumn(TokenCursor& cursor) {
  ASSIGN_OR_RETURN(Token name, cursor.ExpectName("a column name"));
  ColumnDefinition column;
  column.name = name.text;
  column.position = name.position;
  ASSIGN_OR_RETURN(column.type, ParseColumnType(cursor, column.name));
  ASSIGN_OR_RETURN(column.not_null, ParseNullability(cursor, column.name));
  return column;
}

Result<std::vector<ColumnDefinition>> ParseColumnList(TokenCursor& cursor) {
  std::vector<ColumnDefinition> columns;
  while (true) {
    ASSIGN_OR_RETURN(ColumnDefinition column, ParseColumn(cursor));
    columns.push_back(std::move(column));
    if (cursor.Accept(TokenKind::kComma)) continue;
    RETURN_IF_ERROR(cursor.Expect(
        TokenKind::kRightParen, fmt::format("',' or ')' after column '{}'", columns.back().name)));
    return columns;
  }
}

Result<std::vector<StreamOption>> ParseOptionList(TokenCursor& cursor) {
  RETURN_IF_ERROR(cursor.Expect(TokenKind::kLeftParen, "'(' after WITH"));
  std::vector<StreamOption> options;
  while (true) {
    ASSIGN_OR_RETURN(Token name, cursor.ExpectName("an option name"));
    RETURN_IF_ERROR(
        cursor.Expect(TokenKind::kEqual, fmt::format("'=' after option '{}'", name.text)));
    ASSIGN_OR_RETURN(OptionValue value,
                     ParseLiteral(cursor, fmt::format("a value for option '{}'", name.text)));
    options.push_back(StreamOption{name.text, std::move(value), name.position});
    if (cursor.Accept(TokenKind::kComma)) continue;
    RETURN_IF_ERROR(cursor.Expect(TokenKind::kRightParen,
                                  fmt::format("',' or ')' after option '{}'", name.text)));
    return options;
  }
}

Result<Statement> ParseCreateStream(TokenCursor& cursor, SourcePosition position) {
  CreateStreamStatement statement;
  statement.position = position;
  if (cursor.CheckWord("IF") && cursor.CheckWord("NOT", 1)) {
    cursor.Advance();
    cursor.Advance();
    RETURN_IF_ERROR(cursor.ExpectWord("EXISTS", "EXISTS after IF NOT"));
    statement.if_not_exists = true;
  }
  ASSIGN_OR_RETURN(Token name, cursor.ExpectName("a stream name"));
  statement.name = name.text;
  statement.name_position = name.position;
  RETURN_IF_ERROR(cursor.Expect(TokenKind::kLeftParen,
                                fmt::format("'(' and the columns of stream '{}'", name.text)));
  ASSIGN_OR_RETURN(statement.columns, ParseColumnList(cursor));
  if (cursor.AcceptWord("WITH")) {
    ASSIGN_OR_RETURN(statement.options, ParseOptionList(cursor));
  } else if (!cursor.AtEnd() && !cursor.Check(TokenKind::kSemicolon)) {
    return cursor.ErrorExpected("WITH, ';' or end of input after the column list");
  }
  return Statement(std::move(statement));
}

bool CheckIfNotExists(const TokenCursor& cursor, size_t ahead) {
  return cursor.CheckWord("IF", ahead) && cursor.CheckWord("NOT", ahead + 1);
}

// [COLUMN] [IF NOT EXISTS] after ALTER STREAM ... ADD; returns whether IF NOT EXISTS was given.
Result<bool> ParseAddPrefix(TokenCursor& cursor) {
  // COLUMN is optional and not reserved: it is the keyword when IF NOT, or a name and a type,
  // follow it; otherwise it names the column.
  if (cursor.CheckWord("COLUMN") &&
      (CheckIfNotExists(cursor, 1) || (cursor.CheckName(1) && cursor.CheckName(2)))) {
    cursor.Advance();
  }
  if (!CheckIfNotExists(cursor, 0)) return false;
  cursor.Advance();
  cursor.Advance();
  RETURN_IF_ERROR(cursor.ExpectWord("EXISTS", "EXISTS after IF NOT"));
  return true;
}

// The column of ALTER STREAM ... ADD: nullable only, since the events already stored have no
// value for it.
Result<ColumnDefinition> ParseAddedColumn(TokenCursor& cursor) {
  ASSIGN_OR_RETURN(Token name, cursor.ExpectName("a column name after ADD"));
  ColumnDefinition column;
  column.name = name.text;
  column.position = name.position;
  ASSIGN_OR_RETURN(column.type, ParseColumnType(cursor, column.name));
  const SourcePosition nullability = cursor.Peek().position;
  ASSIGN_OR_RETURN(bool not_null, ParseNullability(cursor, column.name));
  if (not_null) {
    return Status(StatusCode::kInvalidArgument,
                  "a column added to an existing stream must be nullable: older events have no "
                  "value",
                  nullability);
  }
  return column;
}

}  // namespace

Result<Statement> ParseAlter(TokenCursor& cursor) {
  AlterStreamStatement statement;
  statement.position = cursor.Advance().position;  // ALTER
  RETURN_IF_ERROR(cursor.ExpectWord("STREAM", "STREAM after ALTER"));
  ASSIGN_OR_RETURN(Token name, cursor.ExpectName("the name of the stream to alter"));
  statement.name = name.text;
  statement.name_position = name.position;
  RETURN_IF_ERROR(cursor.ExpectWord("ADD", fmt::format("ADD after ALTER STREAM {}", name.text)));
  ASSIGN_OR_RETURN(statement.if_not_exists, ParseAddPrefix(cursor));
  ASSIGN_OR_RETURN(statement.column, ParseAddedColumn(cursor));
  return Statement(std::move(statement));
}

Result<OptionValue> ParseLiteral(TokenCursor& cursor, std::string_view context) {
  SourcePosition position = cursor.Peek().position;
  if (cursor.Check(TokenKind::kString)) return OptionValue{cursor.Advance().text, position};
  if (cursor.AcceptWord("TRUE")) return OptionValue{true, position};
  if (cursor.AcceptWord("FALSE")) return OptionValue{false, position};
  std::string_view sign;
  if (cursor.Check(TokenKind::kMinus) || cursor.Check(TokenKind::kPlus)) {
    sign = cursor.Advance().text;
  }
  if (cursor.Check(TokenKind::kInteger) || cursor.Check(TokenKind::kDecimal)) {
    ASSIGN_OR_RETURN(Literal number, NumberLiteral(cursor.Advance(), sign, position));
    if (auto* integer = std::get_if<int64_t>(&number.value)) return OptionValue{*integer, position};
    return OptionValue{std::get<double>(number.value), position};
  }
  return cursor.ErrorExpected(fmt::format("{} (a 'string', a number, TRUE or FALSE)", context));
}

Result<Statement> ParseCreate(TokenCursor& cursor) {
  CreateHeader header;
  header.position = cursor.Advance().position;  // CREATE
  if (cursor.AcceptWord("OR")) {
    RETURN_IF_ERROR(cursor.ExpectWord("REPLACE", "REPLACE after CREATE OR"));
    header.or_replace = true;
  }
  if (cursor.AcceptWord("VIEW")) return ParseCreateView(cursor, header);
  if (cursor.AcceptWord("ALERT")) return ParseCreateAlert(cursor, header);
  if (header.or_replace) return cursor.ErrorExpected("VIEW or ALERT after CREATE OR REPLACE");
  if (cursor.AcceptWord("STREAM")) return ParseCreateStream(cursor, header.position);
  return cursor.ErrorExpected("STREAM, VIEW or ALERT after CREATE");
}

Result<Statement> ParseDrop(TokenCursor& cursor) {
  DropStatement statement;
  statement.position = cursor.Advance().position;  // DROP
  std::optional<ObjectKind> kind = CheckObjectKind(cursor, WordForm::kSingular);
  if (!kind) return cursor.ErrorExpected("STREAM, VIEW or ALERT after DROP");
  cursor.Advance();
  statement.kind = *kind;
  if (cursor.CheckWord("IF") && cursor.CheckWord("EXISTS", 1)) {
    cursor.Advance();
    cursor.Advance();
    statement.if_exists = true;
  }
  std::string what =
      fmt::format("the name of the {} to drop", CanonicalIdentifier(KindWord(*kind)));
  ASSIGN_OR_RETURN(Token name, cursor.ExpectName(what));
  statement.name = name.text;
  statement.name_position = name.position;
  return Statement(std::move(statement));
}

Result<Statement> ParseShow(TokenCursor& cursor) {
  ShowStatement statement;
  statement.position = cursor.Advance().position;  // SHOW
  std::optional<ObjectKind> kind = CheckObjectKind(cursor, WordForm::kPlural);
  if (!kind && cursor.CheckName()) {  // SHOW consistency, SHOW server_version, ...
    statement.setting_position = cursor.Peek().position;
    statement.setting = cursor.Advance().text;
    return Statement(statement);
  }
  if (!kind) return cursor.ErrorExpected("STREAMS, VIEWS, ALERTS or a setting name after SHOW");
  cursor.Advance();
  statement.kind = *kind;
  return Statement(statement);
}

Result<Statement> ParseDescribe(TokenCursor& cursor) {
  DescribeStatement statement;
  statement.position = cursor.Advance().position;  // DESCRIBE
  // DESCRIBE STREAM x names a kind; DESCRIBE stream (alone) describes an object named "stream".
  std::optional<ObjectKind> kind = CheckObjectKind(cursor, WordForm::kSingular);
  if (kind && cursor.CheckName(1)) {
    cursor.Advance();
    statement.kind = kind;
  }
  ASSIGN_OR_RETURN(Token name, cursor.ExpectName("the name of a stream, view or alert"));
  statement.name = name.text;
  statement.name_position = name.position;
  return Statement(std::move(statement));
}

}  // namespace braid::sql
