// EvaluateRows: a view's keys, aggregate inputs and FILTERs over a chunk of source rows, checked
// against evaluating each expression on its own; the columns a key or input merely references
// are the chunk's own (borrowed), not copies.
#include "sql/view_input.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "binder_test_util.h"
#include "sql/expression_evaluator.h"

namespace braid::sql {
namespace {

// `rows` rows of `schema`: every third value of a nullable column NULL (but event times), others
// distinct.
Chunk SourceRows(const SchemaPtr& schema, size_t rows) {
  Chunk chunk(schema);
  for (size_t row = 0; row < rows; ++row) {
    for (size_t c = 0; c < schema->size(); ++c) {
      const Field& field = schema->field(c);
      Column& column = chunk.mutable_column(c);
      if (field.nullable && field.type != DataType::kTimestamp && row % 3 == 2) {
        column.AppendNull();
        continue;
      }
      const int64_t value = static_cast<int64_t>(row * (c + 1));
      switch (field.type) {
        case DataType::kString:
          column.AppendString("s" + std::to_string(value % 4));
          break;
        case DataType::kDouble:
          column.AppendDouble(static_cast<double>(value) * 12.5);
          break;
        case DataType::kBoolean:
          column.AppendBool(value % 2 == 0);
          break;
        case DataType::kBigint:
        case DataType::kTimestamp:
          column.AppendInt64(1794999960000000 + value);
          break;
      }
    }
  }
  return chunk;
}

TEST(EvaluateRows, BorrowsReferencedColumnsAndComputesTheRest) {
  const BoundView view = testing::MustBind(
      "CREATE VIEW mixed AS SELECT device_id, UPPER(site) AS upper_site, COUNT(*) AS n, "
      "SUM(temperature) AS s, MAX(temperature * 2) AS m, "
      "COUNT(*) FILTER (WHERE humidity > 50) AS humid FROM telemetry "
      "GROUP BY device_id, UPPER(site), TumblingWindow(minute, 1)");
  const ViewPlan& plan = *view.plan;
  ASSERT_NE(plan.input_schema, nullptr);
  const Chunk rows = SourceRows(plan.input_schema, 10);
  Result<EvaluatedRows> evaluated = EvaluateRows(plan, rows);
  ASSERT_TRUE(evaluated.ok()) << evaluated.status().ToString();

  ASSERT_EQ(evaluated->keys.size(), plan.keys.size());
  for (size_t k = 0; k < plan.keys.size(); ++k) {
    Result<Column> expected = Evaluate(*plan.keys[k].expr, rows);
    ASSERT_TRUE(expected.ok());
    EXPECT_TRUE(*evaluated->keys[k] == *expected) << "key " << k;
  }
  const std::optional<size_t> device = plan.input_schema->FindField("device_id");
  ASSERT_TRUE(device.has_value());
  EXPECT_EQ(&*evaluated->keys[0], &rows.column(*device));  // a column reference: borrowed
  EXPECT_EQ(evaluated->keys[1]->size(), rows.num_rows());  // UPPER(site): computed

  ASSERT_EQ(evaluated->inputs.size(), plan.aggregates.size());
  for (size_t i = 0; i < plan.aggregates.size(); ++i) {
    const ViewAggregate& aggregate = plan.aggregates[i];
    ASSERT_EQ(evaluated->inputs[i].has_value(), aggregate.input != nullptr) << "aggregate " << i;
    if (aggregate.input) {
      Result<Column> expected = Evaluate(*aggregate.input, rows);
      ASSERT_TRUE(expected.ok());
      EXPECT_TRUE(**evaluated->inputs[i] == *expected) << "aggregate " << i;
    }
    EXPECT_EQ(evaluated->passes[i].size(), aggregate.filter ? rows.num_rows() : 0);
  }
  const std::optional<size_t> temperature = plan.input_schema->FindField("temperature");
  ASSERT_TRUE(temperature.has_value());
  size_t borrowed = 0;
  for (const std::optional<ColumnValues>& input : evaluated->inputs) {
    if (input && &**input == &rows.column(*temperature)) ++borrowed;
  }
  EXPECT_EQ(borrowed, 1u);  // SUM(temperature)'s; temperature * 2 is a column of its own
  Result<Column> times = Evaluate(*plan.event_time, rows);
  ASSERT_TRUE(times.ok());
  EXPECT_TRUE(evaluated->times == *times);
}

}  // namespace
}  // namespace braid::sql
