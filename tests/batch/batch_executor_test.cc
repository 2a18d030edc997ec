#include "batch/batch_executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string_view>
#include <vector>

#include "hash_aggregator_test_util.h"

namespace braid::batch {
namespace {

using testing::ExpectSameRows;
using testing::Plan;
using testing::RandomChunks;
using testing::ReferenceRows;
using testing::ViewRows;

std::vector<AggregationTask> ConsumeTasks(const std::vector<Chunk>& chunks) {
  std::vector<AggregationTask> tasks;
  for (const Chunk& chunk : chunks) {
    tasks.push_back([&chunk](HashAggregator& aggregator) { return aggregator.Consume(chunk); });
  }
  return tasks;
}

std::vector<Chunk> RunWithThreads(const sql::ViewPlanPtr& plan, const std::vector<Chunk>& chunks,
                                  size_t threads) {
  Result<std::unique_ptr<HashAggregator>> merged =
      RunAggregation(plan, ConsumeTasks(chunks), BatchExecutorOptions{.threads = threads});
  EXPECT_TRUE(merged.ok()) << merged.status().ToString();
  if (!merged.ok()) return {};
  Result<std::vector<Chunk>> rows = (*merged)->Finish();
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? std::move(rows).value() : std::vector<Chunk>{};
}

TEST(BatchExecutor, TwoThreadsEqualOne) {
  for (std::string_view sql :
       {"CREATE VIEW t AS SELECT device_id, site, COUNT(*) AS n, SUM(temperature) AS s, "
        "COUNT(DISTINCT humidity) AS d, PERCENTILE_DISC(0.5) OVER (ORDER BY humidity) AS m "
        "FROM telemetry GROUP BY device_id, site, HoppingWindow(minute, 4, 2)",
        "CREATE VIEW s AS SELECT device_id, COUNT(*) AS n, MAX(humidity) AS hi FROM telemetry "
        "GROUP BY device_id, SessionWindow(second, 30, 300, PARTITION BY device_id)"}) {
    sql::ViewPlanPtr plan = Plan(sql);
    std::vector<Chunk> chunks = RandomChunks(*plan, 6000, 21, 200);
    std::vector<Chunk> one = RunWithThreads(plan, chunks, 1);
    std::vector<Chunk> two = RunWithThreads(plan, chunks, 2);
    Chunk expected = ReferenceRows(plan, chunks);
    ExpectSameRows(expected, ViewRows(*plan, one));
    ExpectSameRows(ViewRows(*plan, one), ViewRows(*plan, two));
  }
}

TEST(BatchExecutor, FirstErrorWinsAndStopsTheRest) {
  sql::ViewPlanPtr plan =
      Plan("CREATE VIEW n AS SELECT site, COUNT(*) AS n FROM telemetry GROUP BY site");
  std::vector<Chunk> chunks = RandomChunks(*plan, 500, 3, 10);
  std::atomic<size_t> started{0};
  std::vector<AggregationTask> tasks;
  for (size_t i = 0; i < 200; ++i) {
    tasks.push_back([&started, i](HashAggregator&) {
      ++started;
      if (i == 3) return Status(StatusCode::kIoError, "file 3 is unreadable");
      return Status::Ok();
    });
  }
  Result<std::unique_ptr<HashAggregator>> merged =
      RunAggregation(plan, std::move(tasks), BatchExecutorOptions{.threads = 2});
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.status().code(), StatusCode::kIoError);
  EXPECT_EQ(merged.status().message(), "file 3 is unreadable");
  EXPECT_LT(started.load(), 200u);
  // An aggregator error (past the memory limit) comes back the same way.
  Result<std::unique_ptr<HashAggregator>> small =
      RunAggregation(plan, ConsumeTasks(chunks),
                     BatchExecutorOptions{.threads = 2, .aggregator = {.memory_limit = 1024}});
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.status().code(), StatusCode::kOutOfMemory);
}

}  // namespace
}  // namespace braid::batch
