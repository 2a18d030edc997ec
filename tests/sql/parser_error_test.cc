// Statements that do not parse: each error's code, line:column and what it says.
#include <gtest/gtest.h>

#include "sql/parser.h"
#include "sql_test_util.h"

namespace braid::sql {
namespace {

using testing::ErrorCase;
using testing::ExpectedError;
using testing::HasError;
using testing::kSyntax;

TEST(ParserErrorTest, StatementLevel) {
  const ErrorCase cases[] = {
      {"", {kSyntax, 1, 1, "expected a statement, found end of input"}},
      {"  ;\n ; ", {kSyntax, 2, 4, "expected a statement, found end of input"}},
      {"SELEC 1",
       {kSyntax, 1, 1,
        "expected a statement (CREATE, ALTER, DROP, SHOW, DESCRIBE, SELECT or SET), "
        "found 'SELEC'"}},
      {"42", {kSyntax, 1, 1, "found '42'"}},
      {"DROP STREAM a; DROP STREAM b",
       {kSyntax, 1, 16, "expected end of input after the statement (one only), found 'DROP'"}},
      {"DROP STREAM a b",
       {kSyntax, 1, 15,
        "expected ';' or end of input after the statement, "
        "found 'b'"}},
      {"SHOW STREAMS\n  LIMIT 3", {kSyntax, 2, 3, "after the statement, found 'LIMIT'"}},
      {"CREATE TABLE t (a INT)",
       {kSyntax, 1, 8, "expected STREAM, VIEW or ALERT after CREATE, found 'TABLE'"}},
      {"CREATE VIEW v AS SELECT 1", {kSyntax, 1, 26, "expected ',' or FROM after a select item"}},
      {"DROP TABLE x", {kSyntax, 1, 6, "expected STREAM, VIEW or ALERT after DROP, found 'TABLE'"}},
      {"DROP STREAM",
       {kSyntax, 1, 12,
        "expected the name of the stream to drop, found end of "
        "input"}},
      {"DROP VIEW IF EXISTS ;",
       {kSyntax, 1, 21,
        "expected the name of the view to drop, found "
        "';'"}},
      // SHOW name reads a session setting (SHOW TABLES fails when executed, not parsed).
      {"SHOW 42",
       {kSyntax, 1, 6, "expected STREAMS, VIEWS, ALERTS or a setting name after SHOW, found "}},
      {"DESCRIBE",
       {kSyntax, 1, 9,
        "expected the name of a stream, view or alert, found end of "
        "input"}},
      {"DESCRIBE STREAM 'x'", {kSyntax, 1, 17, "after the statement, found string 'x'"}},
      {"DESCRIBE from", {kSyntax, 1, 10, "found reserved word 'from' (write \"from\" to use it"}},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_TRUE(HasError(ParseStatement(c.sql).status(), c.error)) << c.sql;
  }
}

TEST(ParserErrorTest, CreateStream) {
  const ErrorCase cases[] = {
      {"CREATE STREAM (a INT)", {kSyntax, 1, 15, "expected a stream name, found '('"}},
      {"CREATE STREAM select (a INT)", {kSyntax, 1, 15, "found reserved word 'select'"}},
      {"CREATE STREAM s a INT",
       {kSyntax, 1, 17,
        "expected '(' and the columns of stream 's', "
        "found 'a'"}},
      {"CREATE STREAM IF NOT s (a INT)",
       {kSyntax, 1, 22,
        "expected EXISTS after IF NOT, found "
        "'s'"}},
      {"CREATE STREAM s ()", {kSyntax, 1, 18, "expected a column name, found ')'"}},
      {"CREATE STREAM s (a BIGINT,)", {kSyntax, 1, 27, "expected a column name, found ')'"}},
      {"CREATE STREAM s (a)", {kSyntax, 1, 19, "expected a type for column 'a', found ')'"}},
      {"CREATE STREAM s (a BIGINT",
       {kSyntax, 1, 26,
        "expected ',' or ')' after column 'a', "
        "found end of input"}},
      {"CREATE STREAM s (a VARCHAR(10))", {kSyntax, 1, 27, "type VARCHAR takes no length"}},
      {"CREATE STREAM s (a DECIMAL)",
       {kSyntax, 1, 20,
        "unknown type 'DECIMAL' for column 'a': "
        "expected BOOLEAN, BIGINT, DOUBLE, STRING "
        "or TIMESTAMP"}},
      {"CREATE STREAM s (a BIGINT NOT)", {kSyntax, 1, 30, "expected NULL after NOT, found ')'"}},
      {"CREATE STREAM s (a BIGINT NOT NULL NULL)",
       {kSyntax, 1, 36,
        "conflicting NULL and NOT "
        "NULL for column 'a'"}},
      {"CREATE STREAM s (a BIGINT PRIMARY KEY)",
       {kSyntax, 1, 27,
        "expected ',' or ')' after "
        "column 'a', found 'PRIMARY'"}},
      {"CREATE STREAM s (a BIGINT) WTIH (x = 1)",
       {kSyntax, 1, 28,
        "expected WITH, ';' or end of "
        "input after the column list, "
        "found 'WTIH'"}},
      {"CREATE STREAM s (a BIGINT) WITH partitions = 4",
       {kSyntax, 1, 33,
        "expected '(' after "
        "WITH, found "
        "'partitions'"}},
      {"CREATE STREAM s (a BIGINT) WITH ()",
       {kSyntax, 1, 34,
        "expected an option name, found "
        "')'"}},
      {"CREATE STREAM s (a BIGINT) WITH (partitions 4)",
       {kSyntax, 1, 45,
        "expected '=' after "
        "option 'partitions', "
        "found '4'"}},
      {"CREATE STREAM s (a BIGINT) WITH (partitions = )",
       {kSyntax, 1, 47,
        "expected a value for option 'partitions' (a 'string', a number, TRUE or "
        "FALSE), found ')'"}},
      {"CREATE STREAM s (a BIGINT) WITH (timestamp = a)", {kSyntax, 1, 46, "found 'a'"}},
      {"CREATE STREAM s (a BIGINT) WITH (timestamp = NULL)", {kSyntax, 1, 46, "found 'NULL'"}},
      {"CREATE STREAM s (a BIGINT) WITH (x = - 'a')", {kSyntax, 1, 40, "found string 'a'"}},
      {"CREATE STREAM s (a BIGINT) WITH (partitions = 4 retention = '1d')",
       {kSyntax, 1, 49, "expected ',' or ')' after option 'partitions', found 'retention'"}},
      {"CREATE STREAM s (a BIGINT) WITH (partitions = 99999999999999999999)",
       {StatusCode::kInvalidArgument, 1, 47, "number 99999999999999999999 is out of range"}},
      {"CREATE STREAM s (a BIGINT) WITH (x = -1e999)",
       {StatusCode::kInvalidArgument, 1, 38, "number -1e999 is out of range"}},
      {"CREATE STREAM s (a BIGINT) WITH (timestamp = 'ts)",
       {kSyntax, 1, 46, "unterminated string literal"}},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_TRUE(HasError(ParseStatement(c.sql).status(), c.error)) << c.sql;
  }
}

TEST(ParserErrorTest, ReportsPositionsInMultiLineStatements) {
  const ErrorCase cases[] = {
      {"CREATE STREAM s (\n  a BIGINT,\n  b FOO\n)",
       {kSyntax, 3, 5,
        "unknown type 'FOO' for "
        "column 'b'"}},
      {"CREATE STREAM s (\n  a BIGINT\n  b STRING\n)",
       {kSyntax, 3, 3,
        "expected ',' or ')' after "
        "column 'a', found 'b'"}},
      {"CREATE STREAM s (\n  a BIGINT\n) WITH (\n  partitions = 4,\n  retention '1d'\n)",
       {kSyntax, 5, 13, "expected '=' after option 'retention', found string '1d'"}},
      {"CREATE STREAM s (\n  a BIGINT /* a\n comment */ NOT NULL\n  b STRING)",
       {kSyntax, 4, 3, "expected ',' or ')' after column 'a', found 'b'"}},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_TRUE(HasError(ParseStatement(c.sql).status(), c.error)) << c.sql;
  }
}

TEST(ParserErrorTest, ScriptErrorsPointIntoTheScript) {
  std::string_view script =
      "DROP STREAM a;\n"
      "SHOW STREAMS;\n"
      "CREATE STREAM s (\n"
      "  a BIGINT,\n"
      "  a2 BOGUS\n"
      ");\n";
  EXPECT_TRUE(HasError(ParseScript(script).status(),
                       {kSyntax, 5, 6, "unknown type 'BOGUS' for column 'a2'"}));
  EXPECT_TRUE(HasError(ParseScript("SHOW STREAMS\nSHOW VIEWS").status(),
                       {kSyntax, 2, 1,
                        "expected ';' or end of input after the statement, found "
                        "'SHOW'"}));
  EXPECT_TRUE(HasError(ParseScript("SHOW VIEWS;\n/* unterminated").status(),
                       {kSyntax, 2, 1, "unterminated /* comment"}));
}

}  // namespace
}  // namespace braid::sql
