// The PostgreSQL protocol's pure helpers (server/pg_types.h, server/pg_sql_text.h): value
// formats, parameter literals, statement splitting, parameter substitution and error positions,
// against values worked out by hand from PostgreSQL's documented behaviour.
#include "server/pg_types.h"

#include <gtest/gtest.h>

#include <cmath>

#include "server/pg_sql_text.h"

namespace braid::server {
namespace {

TEST(PgTypesTest, Float8TextIsPostgresShortestRoundTrip) {
  EXPECT_EQ(FormatFloat8(0.1), "0.1");
  EXPECT_EQ(FormatFloat8(21), "21");
  EXPECT_EQ(FormatFloat8(-2.5), "-2.5");
  EXPECT_EQ(FormatFloat8(100), "100");
  EXPECT_EQ(FormatFloat8(0.0001), "0.0001");
  EXPECT_EQ(FormatFloat8(0.00001), "1e-05");
  EXPECT_EQ(FormatFloat8(123456789012345.0), "123456789012345");
  EXPECT_EQ(FormatFloat8(1e15), "1e+15");
  EXPECT_EQ(FormatFloat8(1.5e300), "1.5e+300");
  EXPECT_EQ(FormatFloat8(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(FormatFloat8(12.25), "12.25");
  EXPECT_EQ(FormatFloat8(0), "0");
  EXPECT_EQ(FormatFloat8(1.0 / 0.0), "Infinity");
  EXPECT_EQ(FormatFloat8(-1.0 / 0.0), "-Infinity");
  EXPECT_EQ(FormatFloat8(std::nan("")), "NaN");
}

TEST(PgTypesTest, TimestamptzTextTrimsTheFraction) {
  EXPECT_EQ(FormatTimestamptz(*ParseRfc3339("2026-11-20T00:01:00.5Z")), "2026-11-20 00:01:00.5+00");
  EXPECT_EQ(FormatTimestamptz(*ParseRfc3339("2026-11-20T00:01:00Z")), "2026-11-20 00:01:00+00");
  EXPECT_EQ(FormatTimestamptz(*ParseRfc3339("2026-11-20T23:59:59.000123Z")),
            "2026-11-20 23:59:59.000123+00");
  EXPECT_EQ(FormatTimestamptz(Timestamp{-1}), "1969-12-31 23:59:59.999999+00");
}

TEST(PgTypesTest, TypeNamesAreFormatTypes) {
  EXPECT_EQ(TypeDisplayName(DataType::kBoolean), "boolean");
  EXPECT_EQ(TypeDisplayName(DataType::kBigint), "bigint");
  EXPECT_EQ(TypeDisplayName(DataType::kDouble), "double precision");
  EXPECT_EQ(TypeDisplayName(DataType::kString), "text");
  EXPECT_EQ(TypeDisplayName(DataType::kTimestamp), "timestamp with time zone");
  EXPECT_EQ(TypeOidDisplayName(pg_oid::kInt4), "integer");
  EXPECT_EQ(TypeOidDisplayName(pg_oid::kVarchar), "character varying");
  EXPECT_EQ(TypeOidDisplayName(pg_oid::kTimestamp), "timestamp without time zone");
  EXPECT_EQ(TypeOidDisplayName(pg_oid::kChar), "\"char\"");
  EXPECT_EQ(TypeOidDisplayName(999999), "???");
}

TEST(PgTypesTest, ParameterLiterals) {
  EXPECT_EQ(*ParameterLiteral("42", PgFormat::kText, 0), "42");
  EXPECT_EQ(*ParameterLiteral("-1.5e3", PgFormat::kText, 0), "-1.5e3");
  EXPECT_EQ(*ParameterLiteral("4 2", PgFormat::kText, 0), "'4 2'");
  EXPECT_EQ(*ParameterLiteral("it's", PgFormat::kText, 25), "'it''s'");
  EXPECT_EQ(*ParameterLiteral("42", PgFormat::kText, 25), "'42'");
  EXPECT_EQ(*ParameterLiteral("t", PgFormat::kText, 16), "TRUE");
  EXPECT_EQ(*ParameterLiteral("2026-11-20 00:01:00", PgFormat::kText, 1114),
            "'2026-11-20T00:01:00.000000Z'");
  EXPECT_EQ(*ParameterLiteral("2026-11-20 01:01:00+01", PgFormat::kText, 1184),
            "'2026-11-20T00:01:00.000000Z'");
  EXPECT_EQ(ParameterLiteral("x1", PgFormat::kText, 20).status().code(),
            StatusCode::kInvalidArgument);
  const char int4[] = {0, 0, 1, 0};
  EXPECT_EQ(*ParameterLiteral(std::string_view(int4, 4), PgFormat::kBinary, 23), "256");
  const char int2[] = {'\xff', '\xfe'};
  EXPECT_EQ(*ParameterLiteral(std::string_view(int2, 2), PgFormat::kBinary, 21), "-2");
  EXPECT_EQ(ParameterLiteral(std::string_view(int4, 4), PgFormat::kBinary, 20).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(PgSqlTextTest, SplitsStatementsOutsideQuotesAndComments) {
  const std::string_view query =
      " SELECT ';' AS \"a;b\"; -- one; two\n/* x; /* nested; */ */ SHOW STREAMS ;; ";
  std::vector<StatementText> statements = SplitStatements(query);
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0].text, "SELECT ';' AS \"a;b\"");
  EXPECT_EQ(statements[0].offset, 1u);
  EXPECT_EQ(statements[1].text, "SHOW STREAMS");
  EXPECT_EQ(statements[1].offset, query.find("SHOW"));
  EXPECT_TRUE(SplitStatements(" -- nothing\n ; /* */").empty());
}

TEST(PgSqlTextTest, SubstitutesParametersAndMapsPositionsBack) {
  const std::string_view sql = "SELECT '$1', $2 FROM v WHERE a = $1 -- $2";
  EXPECT_EQ(CountParameters(sql), 2);
  Result<SubstitutedSql> substituted = SubstituteParameters(sql, {"'long value'", "7"});
  ASSERT_TRUE(substituted.ok());
  EXPECT_EQ(substituted->text, "SELECT '$1', 7 FROM v WHERE a = 'long value' -- $2");
  // "FROM" moves back by 0 bytes, "WHERE" too; the literal maps to its '$'; after it, -10.
  EXPECT_EQ(substituted->OriginalOffset(substituted->text.find("FROM")), sql.find("FROM"));
  EXPECT_EQ(substituted->OriginalOffset(substituted->text.find("long")), sql.find("$1 --"));
  EXPECT_EQ(substituted->OriginalOffset(substituted->text.find("--")), sql.find("--"));
  Result<SubstitutedSql> missing = SubstituteParameters("SELECT $3", {"1"});
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CharacterPosition("é€x", std::string_view("é€x").find('x')), 3);
  EXPECT_EQ(ByteOffsetOf("ab\ncd\nef", SourcePosition{3, 2}), 7u);
}

}  // namespace
}  // namespace braid::server
