// Statements that parse: the AST each gives, statement texts and positions in scripts.
#include "sql/parser.h"

#include <gtest/gtest.h>

#include "sql_test_util.h"

namespace braid::sql {
namespace {

template <typename T>
T ParseAs(std::string_view sql) {
  Result<ParsedStatement> parsed = ParseStatement(sql);
  EXPECT_TRUE(parsed.ok()) << sql << ": " << parsed.status().ToString();
  if (!parsed.ok()) return T{};
  const T* statement = std::get_if<T>(&parsed->statement);
  EXPECT_NE(statement, nullptr) << sql;
  return statement != nullptr ? *statement : T{};
}

TEST(ParserTest, ParsesCreateStreamColumnsAndOptions) {
  auto s = ParseAs<CreateStreamStatement>(
      "create stream Sensors (\n"
      "  id BIGINT NOT NULL, ok bool NULL, v Float, name varchar, ts Timestamp not null, null_x_ok"
      " int\n"
      ") with (partitions = 8, Retention = '1d', x = -2.5e1, y = +3, z = TRUE, w = false)");
  EXPECT_EQ(s.name, "Sensors");
  EXPECT_FALSE(s.if_not_exists);
  EXPECT_EQ(s.position.line, 1);
  EXPECT_EQ(s.position.column, 1);
  EXPECT_EQ(s.name_position.column, 15);
  ASSERT_EQ(s.columns.size(), 6u);
  EXPECT_EQ(s.columns[0].name, "id");
  EXPECT_EQ(s.columns[0].type, DataType::kBigint);
  EXPECT_TRUE(s.columns[0].not_null);
  EXPECT_EQ(s.columns[0].position.line, 2);
  EXPECT_EQ(s.columns[0].position.column, 3);
  EXPECT_EQ(s.columns[1].type, DataType::kBoolean);
  EXPECT_FALSE(s.columns[1].not_null);
  EXPECT_EQ(s.columns[2].type, DataType::kDouble);
  EXPECT_EQ(s.columns[3].type, DataType::kString);
  EXPECT_EQ(s.columns[4].type, DataType::kTimestamp);
  EXPECT_TRUE(s.columns[4].not_null);
  EXPECT_EQ(s.columns[5].name, "null_x_ok");
  ASSERT_EQ(s.options.size(), 6u);
  EXPECT_EQ(s.options[0].name, "partitions");
  EXPECT_EQ(std::get<int64_t>(s.options[0].value.value), 8);
  EXPECT_EQ(s.options[1].name, "Retention");
  EXPECT_EQ(std::get<std::string>(s.options[1].value.value), "1d");
  EXPECT_EQ(std::get<double>(s.options[2].value.value), -25.0);
  EXPECT_EQ(s.options[2].value.position.column, 47);  // at the sign
  EXPECT_EQ(std::get<int64_t>(s.options[3].value.value), 3);
  EXPECT_EQ(std::get<bool>(s.options[4].value.value), true);
  EXPECT_EQ(std::get<bool>(s.options[5].value.value), false);
  EXPECT_EQ(s.options[5].position.line, 3);
}

TEST(ParserTest, ParsesIfNotExistsAndQuotedNames) {
  auto s = ParseAs<CreateStreamStatement>(
      "CREATE STREAM IF NOT EXISTS [My Stream] (\"select\" STRING, [a]]b] BIGINT)");
  EXPECT_TRUE(s.if_not_exists);
  EXPECT_EQ(s.name, "My Stream");
  ASSERT_EQ(s.columns.size(), 2u);
  EXPECT_EQ(s.columns[0].name, "select");
  EXPECT_EQ(s.columns[1].name, "a]b");
  // "if" is not reserved: without NOT EXISTS it is the stream's name.
  EXPECT_EQ(ParseAs<CreateStreamStatement>("CREATE STREAM if (a BIGINT)").name, "if");
}

TEST(ParserTest, ParsesDrop) {
  auto d = ParseAs<DropStatement>("DROP STREAM telemetry");
  EXPECT_EQ(d.kind, ObjectKind::kStream);
  EXPECT_EQ(d.name, "telemetry");
  EXPECT_FALSE(d.if_exists);
  d = ParseAs<DropStatement>("drop view if exists \"Device Metrics\";");
  EXPECT_EQ(d.kind, ObjectKind::kView);
  EXPECT_EQ(d.name, "Device Metrics");
  EXPECT_TRUE(d.if_exists);
  EXPECT_EQ(d.name_position.column, 21);
  d = ParseAs<DropStatement>("DROP ALERT if");
  EXPECT_EQ(d.kind, ObjectKind::kAlert);
  EXPECT_EQ(d.name, "if");
  EXPECT_FALSE(d.if_exists);
}

TEST(ParserTest, ParsesShowAndDescribe) {
  EXPECT_EQ(ParseAs<ShowStatement>("SHOW STREAMS").kind, ObjectKind::kStream);
  EXPECT_EQ(ParseAs<ShowStatement>("show views;").kind, ObjectKind::kView);
  EXPECT_EQ(ParseAs<ShowStatement>("Show Alerts").kind, ObjectKind::kAlert);

  auto d = ParseAs<DescribeStatement>("DESCRIBE telemetry");
  EXPECT_EQ(d.name, "telemetry");
  EXPECT_FALSE(d.kind.has_value());
  d = ParseAs<DescribeStatement>("describe stream telemetry");
  EXPECT_EQ(d.name, "telemetry");
  EXPECT_EQ(d.kind, ObjectKind::kStream);
  d = ParseAs<DescribeStatement>("DESCRIBE VIEW [v 1]");
  EXPECT_EQ(d.kind, ObjectKind::kView);
  EXPECT_EQ(d.name, "v 1");
  // A lone kind word is the name of the object to describe.
  d = ParseAs<DescribeStatement>("DESCRIBE stream");
  EXPECT_EQ(d.name, "stream");
  EXPECT_FALSE(d.kind.has_value());
}

TEST(ParserTest, ParseStatementAllowsTrailingSemicolonsAndComments) {
  Result<ParsedStatement> parsed = ParseStatement("  -- hello\n  SHOW STREAMS ; ; -- bye\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->text, "SHOW STREAMS");
  EXPECT_EQ(parsed->position.line, 2);
  EXPECT_EQ(parsed->position.column, 3);
}

TEST(ParserTest, ParseScriptSplitsStatementsWithExactText) {
  std::string_view script =
      "-- definitions\n"
      "CREATE STREAM a (x BIGINT) /* kept: inside the statement */ WITH (partitions = 2);\n"
      ";;\n"
      "DROP STREAM IF EXISTS b;\n"
      "SHOW STREAMS";
  Result<std::vector<ParsedStatement>> parsed = ParseScript(script);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[0].text,
            "CREATE STREAM a (x BIGINT) /* kept: inside the statement */ WITH (partitions = 2)");
  EXPECT_EQ((*parsed)[0].position.line, 2);
  EXPECT_EQ((*parsed)[1].text, "DROP STREAM IF EXISTS b");
  EXPECT_EQ((*parsed)[1].position.line, 4);
  EXPECT_TRUE(std::holds_alternative<DropStatement>((*parsed)[1].statement));
  EXPECT_EQ((*parsed)[2].text, "SHOW STREAMS");
  EXPECT_EQ((*parsed)[2].position.line, 5);
}

TEST(ParserTest, EmptyScriptsHaveNoStatements) {
  for (std::string_view script : {"", "  \n", "-- only a comment", ";;;", "/* x */ ;"}) {
    Result<std::vector<ParsedStatement>> parsed = ParseScript(script);
    ASSERT_TRUE(parsed.ok()) << script;
    EXPECT_TRUE(parsed->empty()) << script;
  }
}

}  // namespace
}  // namespace braid::sql
