// BindScalar: the type rules, lowerings and errors of scalar expressions over a view's input rows
// (the telemetry stream's columns then _ingested_at, _partition, _offset).
#include <gtest/gtest.h>

#include "sql/bound_expression.h"
#include "sql/parser.h"
#include "sql/view_binder.h"
#include "sql_test_util.h"

namespace braid::sql {
namespace {

using testing::ErrorCase;
using testing::HasError;

SchemaPtr TelemetryInput() {
  return ViewInputSchema(Schema({{"device_id", DataType::kString, false},
                                 {"site", DataType::kString, true},
                                 {"temperature", DataType::kDouble, true},
                                 {"humidity", DataType::kDouble, true},
                                 {"ts", DataType::kTimestamp, false}}));
}

Result<BoundExprPtr> Bind(std::string_view text) {
  ASSIGN_OR_RETURN(ExprPtr expr, ParseStandaloneExpression(text));
  return BindScalar(*expr, *TelemetryInput());
}

TEST(Binder, InputSchemaEndsWithIngestionColumns) {
  Schema expected({{"device_id", DataType::kString, false},
                   {"site", DataType::kString, true},
                   {"temperature", DataType::kDouble, true},
                   {"humidity", DataType::kDouble, true},
                   {"ts", DataType::kTimestamp, false},
                   {"_ingested_at", DataType::kTimestamp, false},
                   {"_partition", DataType::kBigint, false},
                   {"_offset", DataType::kBigint, false}});
  EXPECT_EQ(*TelemetryInput(), expected);
}

struct ScalarCase {
  std::string_view sql;
  std::string_view bound;
  DataType type;
};

TEST(Binder, ScalarTypeRulesAndLowerings) {
  const ScalarCase cases[] = {
      {"temperature > 30", "(temperature > 30.0)", DataType::kBoolean},
      {"temperature + 1", "(temperature + 1.0)", DataType::kDouble},
      {"_partition * 2 - _offset % 3", "((_partition * 2) - (_offset % 3))", DataType::kBigint},
      {"-temperature", "(-temperature)", DataType::kDouble},
      {"DEVICE_ID = 'd1'", "(device_id = 'd1')", DataType::kBoolean},
      {"ts >= '2026-11-23T10:00:00Z'", "(ts >= TIMESTAMP '2026-11-23T10:00:00.000000Z')",
       DataType::kBoolean},
      {"temperature BETWEEN 10 AND 20.5", "((temperature >= 10.0) AND (temperature <= 20.5))",
       DataType::kBoolean},
      {"humidity NOT BETWEEN 1.5 AND 2.5", "(NOT ((humidity >= 1.5) AND (humidity <= 2.5)))",
       DataType::kBoolean},
      {"site IN ('a', NULL)", "(site IN ('a', NULL))", DataType::kBoolean},
      {"_offset NOT IN (1, 2.5)", "(CAST(_offset AS DOUBLE) NOT IN (1.0, 2.5))",
       DataType::kBoolean},
      {"site LIKE 'a%' AND humidity IS NOT NULL OR NOT TRUE",
       "(((site LIKE 'a%') AND (humidity IS NOT NULL)) OR (NOT TRUE))", DataType::kBoolean},
      {"CASE site WHEN 'x' THEN 1 WHEN 'y' THEN 2.5 END",
       "CASE WHEN (site = 'x') THEN 1.0 WHEN (site = 'y') THEN 2.5 END", DataType::kDouble},
      {"CASE WHEN temperature > 1.0 THEN NULL ELSE 'hot' END",
       "CASE WHEN (temperature > 1.0) THEN NULL ELSE 'hot' END", DataType::kString},
      {"NULL = site", "(NULL = site)", DataType::kBoolean},
      {"NULL", "NULL", DataType::kBoolean},
      {"COALESCE(site, NULL, 'none')", "COALESCE(site, NULL, 'none')", DataType::kString},
      {"COALESCE(_offset, temperature)", "COALESCE(CAST(_offset AS DOUBLE), temperature)",
       DataType::kDouble},
      {"ts + INTERVAL '5' MINUTE", "DATEADD(microsecond, 300000000, ts)", DataType::kTimestamp},
      {"ts - INTERVAL '1 second'", "DATEADD(microsecond, -1000000, ts)", DataType::kTimestamp},
      {"INTERVAL '1' DAY + ts", "DATEADD(microsecond, 86400000000, ts)", DataType::kTimestamp},
      {"DATEADD(mi, 5, ts)", "DATEADD(minute, 5, ts)", DataType::kTimestamp},
      {"DATEDIFF(second, ts, _ingested_at)", "DATEDIFF(second, ts, _ingested_at)",
       DataType::kBigint},
      {"DATEPART(HH, ts)", "DATEPART(hour, ts)", DataType::kBigint},
      {"ROUND(temperature, 1)", "ROUND(temperature, 1)", DataType::kDouble},
      {"ABS(_offset)", "ABS(_offset)", DataType::kBigint},
      {"FLOOR(humidity) + CEILING(_partition)",
       "(FLOOR(humidity) + CAST(CEILING(_partition) AS DOUBLE))", DataType::kDouble},
      {"LEN(UPPER(site))", "LEN(UPPER(site))", DataType::kBigint},
      {"SUBSTRING(LOWER(site), 1, 3)", "SUBSTRING(LOWER(site), 1, 3)", DataType::kString},
      {"CONCAT(device_id, '/', site)", "CONCAT(device_id, '/', site)", DataType::kString},
      {"CAST(_offset AS STRING)", "CAST(_offset AS STRING)", DataType::kString},
      {"CAST(NULL AS BIGINT)", "NULL", DataType::kBigint},
  };
  for (const ScalarCase& c : cases) {
    Result<BoundExprPtr> bound = Bind(c.sql);
    ASSERT_TRUE(bound.ok()) << c.sql << ": " << bound.status().ToString();
    EXPECT_EQ(BoundToString(**bound), c.bound) << c.sql;
    EXPECT_EQ((*bound)->type, c.type) << c.sql;
  }
}

TEST(Binder, ScalarNodesCarryTypesAndColumnIndexes) {
  Result<BoundExprPtr> bound = Bind("humidity > 50");
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  const auto& binary = std::get<BoundBinary>((*bound)->node);
  EXPECT_EQ(binary.op, BinaryOp::kGreater);
  const auto& column = std::get<BoundColumn>(binary.left->node);
  EXPECT_EQ(column.index, 3u);
  EXPECT_EQ(binary.left->type, DataType::kDouble);
  // A BIGINT constant compared with a DOUBLE is a DOUBLE constant, not a cast evaluated per row.
  EXPECT_EQ(binary.right->type, DataType::kDouble);
  EXPECT_EQ(std::get<BoundConstant>(binary.right->node).value, Value(50.0));
  Result<BoundExprPtr> column_cast = Bind("humidity > _offset");  // a column is cast per row
  ASSERT_TRUE(column_cast.ok()) << column_cast.status().ToString();
  const auto& cast = std::get<BoundCast>(std::get<BoundBinary>((*column_cast)->node).right->node);
  EXPECT_EQ(cast.operand->type, DataType::kBigint);

  Result<BoundExprPtr> time = Bind("ts < TIMESTAMP '1970-01-01T00:00:01Z'");
  ASSERT_TRUE(time.ok()) << time.status().ToString();
  const auto& right = std::get<BoundBinary>((*time)->node).right;
  EXPECT_EQ(right->type, DataType::kTimestamp);
  EXPECT_EQ(std::get<BoundConstant>(right->node).value, Value(int64_t{1000000}));
}

TEST(Binder, ScalarErrors) {
  const ErrorCase cases[] = {
      {"nope > 1", {StatusCode::kUndefinedColumn, 1, 1, "column nope does not exist"}},
      {"foo(1)", {StatusCode::kUndefinedObject, 1, 1, "function foo does not exist"}},
      {"site + 1", {StatusCode::kTypeMismatch, 1, 1, "operator +: expected BIGINT or DOUBLE"}},
      {"temperature = 'x'", {StatusCode::kTypeMismatch, 1, 15, "cannot mix DOUBLE and STRING"}},
      {"ts > 'yesterday'", {StatusCode::kInvalidArgument, 1, 6, "invalid TIMESTAMP 'yesterday'"}},
      {"ABS(1, 2)", {StatusCode::kTypeMismatch, 1, 1, "ABS takes 1 argument, got 2"}},
      {"ROUND()", {StatusCode::kTypeMismatch, 1, 1, "ROUND takes 1 or 2 arguments, got 0"}},
      {"UPPER(temperature)",
       {StatusCode::kTypeMismatch, 1, 7, "argument 1 of UPPER: expected STRING, got DOUBLE"}},
      {"SUBSTRING(site, 1.5, 2)",
       {StatusCode::kTypeMismatch, 1, 17, "argument 2 of SUBSTRING: expected BIGINT"}},
      {"1 < AVG(temperature)",
       {StatusCode::kGroupingError, 1, 5, "aggregate function AVG is not allowed"}},
      {"System.Timestamp() > ts",
       {StatusCode::kInvalidArgument, 1, 1, "System.Timestamp() is not allowed"}},
      {"DATEADD(fortnight, 1, ts)", {StatusCode::kInvalidArgument, 1, 9, "expected a date part"}},
      {"DATEPART(hour, site)",
       {StatusCode::kTypeMismatch, 1, 16, "argument 2 of DATEPART: expected TIMESTAMP"}},
      {"TumblingWindow(minute, 1)",
       {StatusCode::kGroupingError, 1, 1, "TumblingWindow is allowed only"}},
      {"site AND TRUE", {StatusCode::kTypeMismatch, 1, 1, "operator AND: expected BOOLEAN"}},
      {"CASE WHEN TRUE THEN 1 ELSE 'a' END",
       {StatusCode::kTypeMismatch, 1, 28, "CASE results: cannot mix BIGINT and STRING"}},
      {"CASE WHEN site THEN 1 END", {StatusCode::kTypeMismatch, 1, 11, "WHEN: expected BOOLEAN"}},
      {"temperature + INTERVAL '1' MINUTE",
       {StatusCode::kTypeMismatch, 1, 1, "operator +: expected TIMESTAMP, got DOUBLE"}},
      {"INTERVAL '1' MINUTE - ts", {StatusCode::kTypeMismatch, 1, 1, "INTERVAL can only"}},
      {"CAST(ts AS DOUBLE)", {StatusCode::kTypeMismatch, 1, 1, "cannot CAST TIMESTAMP AS DOUBLE"}},
      {"telemetry.site = 'a'", {StatusCode::kUndefinedObject, 1, 1, "'telemetry' is not"}},
      {"site IN ('a', 2)", {StatusCode::kTypeMismatch, 1, 15, "IN: cannot mix STRING and BIGINT"}},
      {"ABS(1) FILTER (WHERE TRUE)",
       {StatusCode::kInvalidArgument, 1, 1, "ABS is not an aggregate function"}},
      {"site = 'a'\n  AND humidity > 'x'", {StatusCode::kTypeMismatch, 2, 18, "operator >"}},
  };
  for (const ErrorCase& c : cases) {
    Result<BoundExprPtr> bound = Bind(c.sql);
    EXPECT_TRUE(HasError(bound.status(), c.error)) << c.sql;
  }
}

}  // namespace
}  // namespace braid::sql
