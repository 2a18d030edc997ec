// SELECT, CREATE VIEW, CREATE ALERT and SET statements that do not parse: each error's code,
// line:column and what it says.
#include <gtest/gtest.h>

#include <span>

#include "sql/parser.h"
#include "sql_test_util.h"

namespace braid::sql {
namespace {

using testing::ErrorCase;
using testing::ExpectedError;
using testing::HasError;
using testing::kSyntax;

void ExpectQueryErrors(std::span<const ErrorCase> cases) {
  for (const ErrorCase& c : cases) {
    EXPECT_TRUE(HasError(ParseStatement(c.sql).status(), c.error)) << c.sql;
  }
}

TEST(QueryErrorTest, Select) {
  const ErrorCase cases[] = {
      {"SELECT FROM t", {kSyntax, 1, 8, "expected an expression, found 'FROM'"}},
      {"SELECT a WHERE TRUE",
       {kSyntax, 1, 10, "expected ',' or FROM after a select item, found 'WHERE'"}},
      {"SELECT a, FROM t", {kSyntax, 1, 11, "expected an expression, found 'FROM'"}},
      {"SELECT a b c FROM t",
       {kSyntax, 1, 12,
        "expected ',' or FROM after a select item, "
        "found 'c'"}},
      {"SELECT a AS FROM t",
       {kSyntax, 1, 13,
        "expected an alias after AS, found reserved word "
        "'FROM'"}},
      {"SELECT a FROM",
       {kSyntax, 1, 14,
        "expected a stream or view name after FROM, found end "
        "of input"}},
      {"SELECT a FROM t WHERE", {kSyntax, 1, 22, "expected an expression, found end of input"}},
      {"SELECT a FROM t TIMESTAMP event_ts",
       {kSyntax, 1, 27,
        "expected BY after TIMESTAMP, "
        "found 'event_ts'"}},
      {"SELECT a FROM t GROUP a", {kSyntax, 1, 23, "expected BY after GROUP, found 'a'"}},
      {"SELECT a FROM t GROUP BY a,",
       {kSyntax, 1, 28,
        "expected an expression, found end of "
        "input"}},
      {"SELECT a FROM t ORDER a", {kSyntax, 1, 23, "expected BY after ORDER, found 'a'"}},
      {"SELECT a FROM t ORDER BY a NULLS", {kSyntax, 1, 33, "expected FIRST or LAST after NULLS"}},
      {"SELECT a FROM t LIMIT x",
       {kSyntax, 1, 23,
        "expected a row count (an integer) after "
        "LIMIT, found 'x'"}},
      {"SELECT a FROM t LIMIT -1",
       {kSyntax, 1, 23,
        "expected a row count (an integer) after "
        "LIMIT, found '-'"}},
      {"SELECT a FROM t LIMIT 5 OFFSET", {kSyntax, 1, 31, "after OFFSET, found end of input"}},
      {"SELECT a FROM t WHERE a = 1 )",
       {kSyntax, 1, 29,
        "expected ';' or end of input after "
        "the statement, found ')'"}},
      {"SELECT a FROM t LIMIT 1 WHERE a", {kSyntax, 1, 25, "after the statement, found 'WHERE'"}},
      {"SELECT a FROM t GROUP BY TumblingWindow(minute 1)",
       {kSyntax, 1, 48, "expected ',' and the size of TumblingWindow, found '1'"}},
      {"SELECT a FROM t GROUP BY b, TumblingWindow(minuet, 1)",
       {kSyntax, 1, 44, "expected a time unit"}},
      {"SELECT COUNT(DISTINCT) FROM t", {kSyntax, 1, 22, "expected an expression, found ')'"}},
  };
  ExpectQueryErrors(cases);
}

TEST(QueryErrorTest, CreateViewAlertAndSet) {
  const ErrorCase cases[] = {
      {"CREATE VIEW v SELECT a FROM t",
       {kSyntax, 1, 15,
        "expected AS after view 'v', found "
        "'SELECT'"}},
      {"CREATE VIEW v AS a", {kSyntax, 1, 18, "expected SELECT after AS, found 'a'"}},
      {"CREATE VIEW AS SELECT a FROM t",
       {kSyntax, 1, 13,
        "expected a view name, found reserved "
        "word 'AS'"}},
      {"CREATE OR VIEW v AS SELECT a FROM t",
       {kSyntax, 1, 11,
        "expected REPLACE after CREATE "
        "OR, found 'VIEW'"}},
      {"CREATE OR REPLACE STREAM s (a BIGINT)",
       {kSyntax, 1, 19, "expected VIEW or ALERT after CREATE OR REPLACE, found 'STREAM'"}},
      {"CREATE ALERT a v WHERE x",
       {kSyntax, 1, 16,
        "expected ON and a view after alert 'a', "
        "found 'v'"}},
      {"CREATE ALERT a ON WHERE x",
       {kSyntax, 1, 19,
        "expected a view name after ON, found "
        "reserved word 'WHERE'"}},
      {"CREATE ALERT a ON v x > 1",
       {kSyntax, 1, 21,
        "expected WHERE and the condition of alert "
        "'a', found 'x'"}},
      {"CREATE ALERT a ON v WHERE",
       {kSyntax, 1, 26,
        "expected an expression, found end of "
        "input"}},
      {"CREATE ALERT a ON v WHERE x > 1 LIMIT 1",
       {kSyntax, 1, 33,
        "after the statement, found "
        "'LIMIT'"}},
      {"SET consistency 'exact'",
       {kSyntax, 1, 17,
        "expected '=' or TO after SET consistency, "
        "found string 'exact'"}},
      {"SET = 1", {kSyntax, 1, 5, "expected a setting name after SET, found '='"}},
      {"SET x = ,",
       {kSyntax, 1, 9,
        "expected a value for setting 'x' (a 'string', a number, "
        "TRUE or FALSE), found ','"}},
  };
  ExpectQueryErrors(cases);
}

TEST(QueryErrorTest, PositionsInMultiLineViews) {
  const ErrorCase cases[] = {
      {"CREATE VIEW v AS\nSELECT device_id,\n  CASE WHEN AVG(t) > 85 THEN 'HOT'\n"
       "FROM telemetry TIMESTAMP BY ts\nGROUP BY device_id, TumblingWindow(minute, 1)",
       {kSyntax, 4, 1, "expected WHEN, ELSE or END in CASE, found 'FROM'"}},
      {"CREATE VIEW v AS\nSELECT device_id, AVG(t +) AS a\nFROM telemetry",
       {kSyntax, 2, 26, "expected an expression, found ')'"}},
      {"CREATE VIEW v AS\nSELECT a\nFROM s\nGROUP BY a,\n  HoppingWindow(minute, 5)",
       {kSyntax, 5, 26, "expected ',' and the hop of HoppingWindow, found ')'"}},
      {"CREATE VIEW v AS\nSELECT (a + b\nFROM s",
       {kSyntax, 3, 1,
        "expected ')' to close the "
        "'(' at 2:8, found 'FROM'"}},
  };
  ExpectQueryErrors(cases);
  EXPECT_TRUE(HasError(ParseScript("SHOW VIEWS;\n\nCREATE ALERT a ON v\n  WHERE x >;").status(),
                       {kSyntax, 4, 12, "expected an expression, found ';'"}));
}

}  // namespace
}  // namespace braid::sql
