// AnswerRows (serving/row_answer.h): the select items over rows it consumes. A column one item
// alone reads moves into the answer, one read by several items (or by a computed item) is
// copied, computed items see every column, and WHERE, ORDER BY and LIMIT pick and reorder the
// rows first: every answer is checked value by value.
#include "serving/row_answer.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "sql/parser.h"

namespace braid::serving {
namespace {

Chunk Rows() {
  Chunk rows(std::make_shared<const Schema>(std::vector<Field>{
      Field{"a", DataType::kBigint, true}, Field{"s", DataType::kString, false}}));
  for (int64_t a : {3, 1, 4, 1, 5}) {
    rows.mutable_column(0).AppendInt64(a);
    rows.mutable_column(1).AppendString("s" + std::to_string(a));
  }
  rows.mutable_column(0).AppendNull();
  rows.mutable_column(1).AppendString("none");
  return rows;
}

// The answer as lines of "name=value" cells, a header line of column names first.
std::vector<std::string> Answer(std::string_view sql) {
  Result<sql::ParsedStatement> parsed = sql::ParseStatement(sql);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return {};
  const auto& select = std::get<sql::SelectStatement>(parsed->statement);
  Result<Chunk> answer = AnswerRows(select, Rows());
  EXPECT_TRUE(answer.ok()) << answer.status().ToString();
  if (!answer.ok()) return {};
  std::vector<std::string> lines(1);
  for (const Field& field : answer->schema()->fields()) lines[0] += field.name + " ";
  for (size_t r = 0; r < answer->num_rows(); ++r) {
    std::string line;
    for (size_t c = 0; c < answer->num_columns(); ++c) {
      const Column& column = answer->column(c);
      if (!column.IsValid(r)) {
        line += "NULL ";
      } else if (column.type() == DataType::kString) {
        line += std::string(column.StringAt(r)) + " ";
      } else {
        line += std::to_string(column.int64s()[r]) + " ";
      }
    }
    lines.push_back(line);
  }
  return lines;
}

TEST(RowAnswerTest, ColumnsMoveOnlyWhenOneItemReadsThem) {
  EXPECT_EQ(Answer("SELECT * FROM t"), (std::vector<std::string>{"a s ", "3 s3 ", "1 s1 ", "4 s4 ",
                                                                 "1 s1 ", "5 s5 ", "NULL none "}));
  // `a` is read by two items and by a computed one; `s` by one item, after a computed one.
  EXPECT_EQ(Answer("SELECT a, a + 1 AS b, s, a AS again, LENGTH(s) AS l FROM t"),
            (std::vector<std::string>{"a b s again l ", "3 4 s3 3 2 ", "1 2 s1 1 2 ", "4 5 s4 4 2 ",
                                      "1 2 s1 1 2 ", "5 6 s5 5 2 ", "NULL NULL none NULL 4 "}));
  EXPECT_EQ(Answer("SELECT s, s AS t2 FROM t WHERE a > 1 ORDER BY a DESC LIMIT 2"),
            (std::vector<std::string>{"s t2 ", "s5 s5 ", "s4 s4 "}));
  EXPECT_EQ(Answer("SELECT a FROM t WHERE a = 1"), (std::vector<std::string>{"a ", "1 ", "1 "}));
}

// `SELECT *` alone answers every column by its name, nullable (as `*` binds), after WHERE,
// ORDER BY (by any column), OFFSET and LIMIT; an ORDER BY naming no column is an error.
TEST(RowAnswerTest, StarAloneAnswersEveryColumnAfterWhereOrderAndLimit) {
  EXPECT_EQ(Answer("SELECT * FROM t WHERE a >= 1 ORDER BY a DESC, s LIMIT 3 OFFSET 1"),
            (std::vector<std::string>{"a s ", "4 s4 ", "3 s3 ", "1 s1 "}));
  EXPECT_EQ(Answer("SELECT * FROM t ORDER BY s LIMIT 2"),
            (std::vector<std::string>{"a s ", "NULL none ", "1 s1 "}));
  Result<sql::ParsedStatement> parsed = sql::ParseStatement("SELECT * FROM t");
  ASSERT_TRUE(parsed.ok());
  Result<Chunk> answer = AnswerRows(std::get<sql::SelectStatement>(parsed->statement), Rows());
  ASSERT_TRUE(answer.ok());
  for (const Field& field : answer->schema()->fields()) EXPECT_TRUE(field.nullable) << field.name;

  parsed = sql::ParseStatement("SELECT * FROM t ORDER BY missing");
  ASSERT_TRUE(parsed.ok());
  const Status unknown =
      AnswerRows(std::get<sql::SelectStatement>(parsed->statement), Rows()).status();
  EXPECT_EQ(unknown.code(), StatusCode::kUndefinedColumn) << unknown.ToString();
}

}  // namespace
}  // namespace braid::serving
