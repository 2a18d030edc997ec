// The SQL logic tests: one test per file of tests/sql/logic/*.test (docs/sql_logic_tests.md), so
// ctest lists each file and a failure points at the .test file's line. Also checks of the format's
// cells and of the runner's own failure reports: a runner that cannot fail would test nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "logic_runner.h"
#include "logic_script.h"
#include "test_paths.h"

namespace braid::sql::logic {
namespace {

std::vector<std::string> LogicTestFiles() {
  std::filesystem::path directory =
      std::filesystem::path(braid::testing::SourceDir()) / "tests" / "sql" / "logic";
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string TestNameOf(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class SqlLogicTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SqlLogicTest, File) {
  std::ifstream in(GetParam(), std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << GetParam();
  std::stringstream text;
  text << in.rdbuf();
  LogicRunner runner;
  for (const Failure& failure : runner.Run(text.str())) {
    ADD_FAILURE_AT(GetParam().c_str(), failure.line) << failure.message;
  }
}

INSTANTIATE_TEST_SUITE_P(Logic, SqlLogicTest, ::testing::ValuesIn(LogicTestFiles()), TestNameOf);

TEST(LogicFiles, AreFound) {
  std::vector<std::string> files = LogicTestFiles();
  auto has = [&](std::string_view stem) {
    return std::any_of(files.begin(), files.end(), [&](const std::string& file) {
      return std::filesystem::path(file).stem() == stem;
    });
  };
  EXPECT_TRUE(has("semantics_examples"));
  EXPECT_TRUE(has("aggregates"));
  EXPECT_TRUE(has("expressions"));
  EXPECT_TRUE(has("errors"));
}

Column DoubleColumn(std::initializer_list<double> values) {
  Column column(DataType::kDouble);
  for (double value : values) column.AppendDouble(value);
  column.AppendNull();
  return column;
}

TEST(LogicCells, DoublesMatchTheDigitsWritten) {
  Column column = DoubleColumn({2.138089935, 4.0, 4.000000000000001, std::nan(""), -0.5});
  EXPECT_TRUE(CellMatches("2.13809", column, 0));
  EXPECT_TRUE(CellMatches("2.1381", column, 0));
  EXPECT_TRUE(CellMatches("213809e-5", column, 0));
  EXPECT_FALSE(CellMatches("2.13808", column, 0));
  EXPECT_FALSE(CellMatches("2.137", column, 0));
  EXPECT_FALSE(CellMatches("2", column, 0));
  EXPECT_TRUE(CellMatches("4", column, 1));
  EXPECT_TRUE(CellMatches("4.0", column, 1));
  EXPECT_FALSE(CellMatches("4", column, 2));  // an integer must be exact
  EXPECT_TRUE(CellMatches("4.000000", column, 2));
  EXPECT_TRUE(CellMatches("nan", column, 3));
  EXPECT_FALSE(CellMatches("NULL", column, 3));
  EXPECT_TRUE(CellMatches("-0.50", column, 4));
  EXPECT_FALSE(CellMatches("0.50", column, 4));
  EXPECT_TRUE(CellMatches("NULL", column, 5));
  EXPECT_FALSE(CellMatches("0", column, 5));
  EXPECT_FALSE(CellMatches("abc", column, 0));
}

TEST(LogicCells, ParseFormatAndMatchEveryType) {
  struct Case {
    DataType type;
    std::string_view cell;
    std::string_view formatted;
  };
  const Case cases[] = {
      {DataType::kBoolean, "true", "true"},
      {DataType::kBigint, "-9223372036854775808", "-9223372036854775808"},
      {DataType::kDouble, "0.25", "0.25"},
      {DataType::kDouble, "-inf", "-inf"},
      {DataType::kString, "a b", "a b"},
      {DataType::kString, "(empty)", "(empty)"},
      {DataType::kTimestamp, "2024-01-01T00:01:00Z", "2024-01-01T00:01:00.000000Z"},
      {DataType::kTimestamp, "NULL", "NULL"},
  };
  for (const Case& c : cases) {
    Column column(c.type);
    ASSERT_TRUE(AppendCell(c.cell, &column).ok()) << c.cell;
    EXPECT_EQ(FormatCell(column, 0), c.formatted);
    EXPECT_TRUE(CellMatches(c.cell, column, 0)) << c.cell;
    EXPECT_TRUE(CellMatches(c.formatted, column, 0)) << c.formatted;
  }
  Column strings(DataType::kString);
  ASSERT_TRUE(AppendCell("(empty)", &strings).ok());
  EXPECT_EQ(strings.StringAt(0), "");
  Column bigints(DataType::kBigint);
  Status bad = AppendCell("1.5", &bigints);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), "'1.5' is not a BIGINT value");
  EXPECT_FALSE(AppendCell("9223372036854775808", &bigints).ok());
  Column timestamps(DataType::kTimestamp);
  EXPECT_FALSE(AppendCell("yesterday", &timestamps).ok());
}

TEST(LogicScript, SplitsRecordsAndCells) {
  std::vector<Record> records = ReadRecords(
      "# comment\nstatement  error 42601 1:8  expected  a\nCREATE\n  STREAM\n\n\n"
      "query v\nk | n\n----\n a |NULL\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].directive.number, 2);
  EXPECT_EQ(records[0].words.size(), 6u);
  EXPECT_EQ(DirectiveRest(records[0], 4), "expected  a");
  ASSERT_EQ(records[0].body.size(), 2u);
  EXPECT_EQ(records[0].body[1].number, 4);
  EXPECT_EQ(records[1].directive.number, 7);
  ASSERT_EQ(records[1].body.size(), 3u);
  EXPECT_EQ(SplitCells(records[1].body[2].text), (std::vector<std::string>{"a", "NULL"}));
}

// Every kind of mistake the runner reports, each at its line. Uses only CREATE STREAM and events,
// which need no view.
TEST(LogicRunnerTest, ReportsEachFailureAtItsLine) {
  constexpr std::string_view kScript = R"(statement ok
CREATE STREAM s (k STRING NOT NULL, v BIGINT, ts TIMESTAMP) WITH (timestamp = 'ts', partitions = 2)

statement error 42601
CREATE STREAM s (k STRING NOT NULL) WITH (timestamp = 'ts')

statement error 42703 1:60 no column
CREATE STREAM t (k STRING NOT NULL) WITH (timestamp = 'ts')

statement ok
CREATE STREAM s (a BIGINT)

events s partition 2
k|v
a|1

events s
k|v|w
a|1|2

events s
k|v
a|x

events s
v
1

explain s
)";
  struct Expected {
    int line;
    std::string_view fragment;
  };
  const Expected expected[] = {
      {4, "expected error 42601; got 42703 undefined_column at 1:55"},
      {7, "expected error 42703 at 1:60 containing 'no column'; got 42703"},
      {10, "expected success; got 42P07 duplicate_object at 1:15: 's' already exists"},
      {13, "events: partition '2': stream s has partitions 0 to 1"},
      {18, "events: no column 'w'; the stream's columns are k, v, ts (and _ingested_at)"},
      {23, "events: column v: 'x' is not a BIGINT value"},
      {25, "events: event 1: column k is NOT NULL"},
      {29, "unknown directive 'explain'"},
  };
  LogicRunner runner;
  std::vector<Failure> failures = runner.Run(kScript);
  ASSERT_EQ(failures.size(), std::size(expected));
  for (size_t i = 0; i < failures.size(); ++i) {
    EXPECT_EQ(failures[i].line, expected[i].line) << failures[i].message;
    EXPECT_NE(failures[i].message.find(expected[i].fragment), std::string::npos)
        << failures[i].message;
  }
}

// Query and ingest failures: a wrong value, a missing or extra row, an unknown column or view, an
// error that did not happen, and a view whose columns do not fit a stream.
TEST(LogicRunnerTest, ReportsQueryFailuresWithBothTables) {
  constexpr std::string_view kScript = R"(statement ok
CREATE STREAM s (k STRING NOT NULL, v BIGINT, ts TIMESTAMP NOT NULL) WITH (timestamp = 'ts')

statement ok
CREATE VIEW c AS SELECT k, COUNT(*) AS n, AVG(v) AS mean FROM s GROUP BY k

events s
k|v|ts
a|1|2024-01-01T00:00:10Z
b|2|2024-01-01T00:00:20Z

query c
k|n|mean
----
a|1|1.0
b|1|2.01

query c
k|n
----
a|1

query c
k|count
----

query nosuch
k
----

query c error 22000

statement ok
CREATE STREAM t (k STRING NOT NULL, total BIGINT)

ingest t from c
)";
  LogicRunner runner;
  std::vector<Failure> failures = runner.Run(kScript);
  ASSERT_EQ(failures.size(), 6u);
  EXPECT_EQ(failures[0].line, 16);
  EXPECT_EQ(failures[0].message,
            "query c: row 2 column mean: expected 2.01, got 2\n"
            "expected:\nk|n|mean\n----\na|1|1.0\nb|1|2.01\n"
            "actual:\nk|n|mean\n----\na|1|1\nb|1|2\n");
  EXPECT_EQ(failures[1].line, 18);
  EXPECT_NE(failures[1].message.find("query c: expected 1 rows, got 2"), std::string::npos);
  EXPECT_EQ(failures[2].line, 24);
  EXPECT_EQ(failures[2].message, "query c: no column 'count'; the columns are: k n mean");
  EXPECT_EQ(failures[3].line, 27);
  EXPECT_EQ(failures[3].message,
            "query nosuch failed: 42P01 undefined_object: no view or alert named 'nosuch'");
  EXPECT_EQ(failures[4].line, 31);
  EXPECT_EQ(failures[4].message, "query c: expected error 22000; it succeeded");
  EXPECT_EQ(failures[5].line, 36);
  EXPECT_EQ(failures[5].message,
            "ingest: c has no BIGINT column total; its columns are k, n, mean");
}

}  // namespace
}  // namespace braid::sql::logic
