// Looking aggregates up by SQL name, argument type and fraction.
#include "agg_test_util.h"

namespace braid::agg {
namespace {

TEST(Registry, FindsByNameAndType) {
  std::vector<DataType> bigint = {DataType::kBigint};
  Result<BoundAggregate> sum = FindAggregate("sum", bigint);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->function->name, "SUM");
  EXPECT_EQ(sum->function->result_type, DataType::kBigint);
  Result<BoundAggregate> star = FindAggregate("count", {});
  ASSERT_TRUE(star.ok());
  EXPECT_EQ(star->function->name, "COUNT_STAR");
  std::vector<DataType> ts = {DataType::kTimestamp};
  EXPECT_EQ(FindAggregate("MAX", ts)->function->result_type, DataType::kTimestamp);
  EXPECT_EQ(FindAggregate("AVG", bigint)->function->result_type, DataType::kDouble);
}

TEST(Registry, Errors) {
  std::vector<DataType> str = {DataType::kString};
  std::vector<DataType> dbl = {DataType::kDouble};
  EXPECT_EQ(FindAggregate("MEDIAN_OF_MEDIANS", dbl).status().code(), StatusCode::kUndefinedObject);
  EXPECT_EQ(FindAggregate("SUM", str).status().code(), StatusCode::kTypeMismatch);
  EXPECT_EQ(FindAggregate("SUM", {}).status().code(), StatusCode::kTypeMismatch);
  EXPECT_EQ(FindAggregate("PERCENTILE_CONT", dbl).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FindAggregate("PERCENTILE_CONT", dbl, {.fraction = 1.5}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FindAggregate("SUM", dbl, {.fraction = 0.5}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(FindAggregate("percentile_cont", dbl, {.fraction = 0.5}).ok());
}

TEST(Registry, EveryDescriptorIsComplete) {
  for (const AggregateFunction& fn : AllAggregates()) {
    EXPECT_TRUE(fn.initialize && fn.update && fn.update_all && fn.merge && fn.serialize &&
                fn.deserialize && fn.finalize && fn.destroy)
        << fn.name;
    EXPECT_GT(fn.state_size, 0u);
  }
}

}  // namespace
}  // namespace braid::agg
