// GroupTable (batch/group_table.h): FindOrCreateAll, which prefetches keys ahead, gives every
// cell the group a one-at-a-time FindOrCreate would give (first appearance order), across many
// table growths and with keys repeated inside one batch; Find and key() agree with it; a view
// without keys and window has one group under the empty key; a small table (a query's scratch
// table: blocks of 16 groups) holds as many groups as a large one, its states apart and kept;
// FindAll equals Find one key at a time.
#include "batch/group_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "batch/key_normalizer.h"
#include "batch/plan_test_util.h"
#include "common/hash.h"

namespace braid::batch {
namespace {

sql::ViewPlanPtr GroupTablePlan(std::string_view view_sql) {
  Result<sql::ViewPlanPtr> plan = testing::BindViewPlan(testing::kTelemetryStreamSql, view_sql);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? *plan : nullptr;
}

TEST(GroupTableTest, FindOrCreateAllEqualsOneAtATime) {
  const sql::ViewPlanPtr plan = GroupTablePlan(
      "CREATE VIEW v AS SELECT device_id, COUNT(*) AS events, COUNT(DISTINCT n) AS ns "
      "FROM telemetry GROUP BY device_id, TumblingWindow(minute, 1)");
  ASSERT_NE(plan, nullptr);
  GroupTable table(plan->aggregates);
  std::unordered_map<std::string, uint32_t> expected;  // key bytes -> group, first seen first
  KeyNormalizer normalizer;
  // Cell i has key i / 2: every key twice in a row, 150,000 keys, the table growing many times.
  constexpr size_t kCells = 300'000, kBatch = 4096;
  for (size_t first = 0; first < kCells; first += kBatch) {
    const size_t n = std::min(kBatch, kCells - first);
    Column devices(DataType::kString);
    std::vector<uint32_t> rows;
    std::vector<int64_t> ends;
    for (size_t i = first; i < first + n; ++i) {
      const size_t key = i / 2;
      devices.AppendString("device-" + std::to_string((key * 7919) % 50'000));
      rows.push_back(static_cast<uint32_t>(i - first));
      ends.push_back(static_cast<int64_t>(key % 3) * 60'000'000);
    }
    const Column* keys[] = {&devices};
    normalizer.Normalize(
        CellKeySource{.keys = keys, .rows = rows, .window_ends = ends, .num_cells = n});
    std::vector<uint64_t> hashes(n);
    for (size_t k = 0; k < n; ++k) hashes[k] = Hash64(normalizer.key(k));
    std::vector<uint32_t> groups(n);
    table.FindOrCreateAll(normalizer, hashes, groups);
    for (size_t k = 0; k < n; ++k) {
      const std::string key(normalizer.key(k));
      const auto [it, inserted] = expected.emplace(key, static_cast<uint32_t>(expected.size()));
      ASSERT_EQ(groups[k], it->second) << "cell " << first + k;
      ASSERT_EQ(table.key(groups[k]), key);
      ASSERT_EQ(table.hash(groups[k]), hashes[k]);
    }
  }
  EXPECT_EQ(table.size(), expected.size());
  EXPECT_EQ(expected.size(), 150'000u);  // 50,000 devices x 3 window ends
  for (const auto& [key, group] : expected) ASSERT_EQ(table.Find(key, Hash64(key)), group);
  const std::string absent = expected.begin()->first + "x";
  EXPECT_EQ(table.Find(absent, Hash64(absent)), GroupTable::kNoGroup);
}

TEST(GroupTableTest, NoKeysNoWindowIsOneGroup) {
  const sql::ViewPlanPtr plan =
      GroupTablePlan("CREATE VIEW v AS SELECT COUNT(*) AS events FROM telemetry");
  ASSERT_NE(plan, nullptr);
  GroupTable table(plan->aggregates);
  KeyNormalizer normalizer;
  normalizer.Normalize(CellKeySource{.num_cells = 100});
  std::vector<uint64_t> hashes(100);
  for (size_t k = 0; k < 100; ++k) hashes[k] = Hash64(normalizer.key(k));
  std::vector<uint32_t> groups(100, GroupTable::kNoGroup);
  table.FindOrCreateAll(normalizer, hashes, groups);
  EXPECT_EQ(table.size(), 1u);
  for (uint32_t group : groups) EXPECT_EQ(group, 0u);
  EXPECT_EQ(table.key(0), "");
  EXPECT_EQ(table.Find("", Hash64(std::string_view())), 0u);
}

TEST(GroupTableTest, SmallTablesGrowAndFindAllEqualsFind) {
  const sql::ViewPlanPtr plan = GroupTablePlan(
      "CREATE VIEW v AS SELECT device_id, COUNT(*) AS events, SUM(n) AS total "
      "FROM telemetry GROUP BY device_id, TumblingWindow(minute, 1)");
  ASSERT_NE(plan, nullptr);
  for (TableSize size : {TableSize::kSmall, TableSize::kLarge}) {
    GroupTable table(plan->aggregates, size);
    const agg::AggregateFunction& count = *table.layout().functions[0];
    constexpr uint32_t kGroups = 5000;  // 313 blocks of 16 in the small table
    std::vector<std::string> keys;
    for (uint32_t g = 0; g < kGroups; ++g) {
      keys.push_back("key-" + std::to_string(g));
      ASSERT_EQ(table.FindOrCreate(keys[g], Hash64(keys[g])), g);
      // Group g counts g + 1 rows: COUNT(*)'s state is updated through its own column.
      Column ones(DataType::kBigint);
      std::vector<uint32_t> rows;
      for (uint32_t r = 0; r <= g % 7; ++r) {
        ones.AppendInt64(1);
        rows.push_back(r);
      }
      std::vector<agg::StatePtr> states(rows.size(), table.state(g, 0));
      count.update(ones, rows, states.data());
    }
    std::vector<std::string_view> probes;
    std::vector<uint64_t> hashes;
    std::vector<uint32_t> expected;
    for (uint32_t g = 0; g < kGroups; g += 3) {
      probes.push_back(keys[g]);
      expected.push_back(g);
    }
    const std::string absent = "key-absent";
    probes.push_back(absent);
    expected.push_back(GroupTable::kNoGroup);
    for (std::string_view probe : probes) hashes.push_back(Hash64(probe));
    std::vector<uint32_t> groups(probes.size());
    table.FindAll(probes, hashes, groups);
    EXPECT_EQ(groups, expected);
    for (size_t k = 0; k < probes.size(); ++k) {
      EXPECT_EQ(table.Find(probes[k], hashes[k]), expected[k]);
    }
    // Every group's states are its own: finalized counts as updated.
    Column counts(DataType::kBigint);
    for (uint32_t g = 0; g < kGroups; ++g) {
      ASSERT_TRUE(count.finalize(table.state(g, 0), {}, &counts).ok());
    }
    for (uint32_t g = 0; g < kGroups; ++g) {
      ASSERT_EQ(counts.int64s()[g], static_cast<int64_t>(g % 7 + 1)) << "group " << g;
    }
    EXPECT_EQ(table.size(), kGroups);
  }
}

}  // namespace
}  // namespace braid::batch
