#include "batch/batch_executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string_view>
#include <utility>
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

// Aggregators of one view fed the chunks round-robin (chunk i to part i % parts).
std::vector<std::unique_ptr<HashAggregator>> RoundRobinParts(const sql::ViewPlanPtr& plan,
                                                             const std::vector<Chunk>& chunks,
                                                             size_t parts) {
  std::vector<std::unique_ptr<HashAggregator>> aggregators;
  for (size_t k = 0; k < parts; ++k) {
    aggregators.push_back(std::make_unique<HashAggregator>(plan, AggregatorOptions{}));
  }
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_TRUE(aggregators[i % parts]->Consume(chunks[i]).ok());
  }
  return aggregators;
}

TEST(BatchExecutor, UnmergedPartsFinishAsMerged) {
  for (std::string_view sql :
       {"CREATE VIEW t AS SELECT device_id, site, COUNT(*) AS n, SUM(temperature) AS s, "
        "COUNT(DISTINCT humidity) AS d, PERCENTILE_CONT(0.9) OVER (ORDER BY humidity) AS p "
        "FROM telemetry GROUP BY device_id, site, HoppingWindow(minute, 4, 2)",
        "CREATE VIEW u AS SELECT site, COUNT(*) AS n, MIN(humidity) AS lo, "
        "COUNT(DISTINCT device_id) AS d FROM telemetry GROUP BY site",
        "CREATE VIEW s AS SELECT device_id, COUNT(*) AS n, MAX(humidity) AS hi FROM telemetry "
        "GROUP BY device_id, SessionWindow(second, 30, 300, PARTITION BY device_id)"}) {
    SCOPED_TRACE(sql);
    sql::ViewPlanPtr plan = Plan(sql);
    std::vector<Chunk> chunks = RandomChunks(*plan, 6000, 33, 200);
    for (size_t threads : {1, 2}) {
      // Three parts share many cells (and cells held by the second and third only).
      std::vector<std::unique_ptr<HashAggregator>> parts = RoundRobinParts(plan, chunks, 3);
      Result<std::vector<Chunk>> unmerged = HashAggregator::FinishParts(parts, 97, threads);
      ASSERT_TRUE(unmerged.ok()) << unmerged.status().ToString();
      Result<std::unique_ptr<HashAggregator>> merged =
          MergeAggregators(RoundRobinParts(plan, chunks, 3));
      ASSERT_TRUE(merged.ok()) << merged.status().ToString();
      Result<std::vector<Chunk>> expected = (*merged)->Finish(97);
      ASSERT_TRUE(expected.ok()) << expected.status().ToString();
      ASSERT_EQ(expected->size(), unmerged->size());
      for (size_t i = 0; i < expected->size(); ++i) {
        EXPECT_EQ((*expected)[i].num_rows(), (*unmerged)[i].num_rows()) << "chunk " << i;
      }
      ExpectSameRows(ViewRows(*plan, *expected), ViewRows(*plan, *unmerged));
      ExpectSameRows(ReferenceRows(plan, chunks), ViewRows(*plan, *unmerged));
    }
  }
}

TEST(BatchExecutor, FinishPartsCountsACellHeldTwiceOnce) {
  sql::ViewPlanPtr plan = Plan(
      "CREATE VIEW t AS SELECT device_id, COUNT(*) AS n, PERCENTILE_DISC(0.5) OVER (ORDER BY "
      "humidity) AS m FROM telemetry GROUP BY device_id, TumblingWindow(minute, 1)");
  std::vector<Chunk> chunks = RandomChunks(*plan, 3000, 5, 100);
  std::vector<std::unique_ptr<HashAggregator>> parts;
  parts.push_back(std::make_unique<HashAggregator>(plan, AggregatorOptions{}));
  Result<std::vector<Chunk>> empty = HashAggregator::FinishParts(parts, 1000, 2);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->empty());
  // The same chunks in two parts: every cell is held twice, and counted once.
  parts = RoundRobinParts(plan, chunks, 1);
  parts.push_back(std::move(RoundRobinParts(plan, chunks, 1).front()));
  Result<std::vector<Chunk>> doubled = HashAggregator::FinishParts(parts, 1000, 2);
  ASSERT_TRUE(doubled.ok()) << doubled.status().ToString();
  std::vector<Chunk> twice = chunks;
  twice.insert(twice.end(), chunks.begin(), chunks.end());
  ExpectSameRows(ReferenceRows(plan, twice), ViewRows(*plan, *doubled));
  // Parts beyond the first one's memory limit fail as the aggregator would.
  parts = RoundRobinParts(plan, chunks, 2);
  parts[0]->set_memory_limit(1024);
  Result<std::vector<Chunk>> small = HashAggregator::FinishParts(parts, 1000, 2);
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.status().code(), StatusCode::kOutOfMemory);
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
