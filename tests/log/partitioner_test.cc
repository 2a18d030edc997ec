#include "log/partitioner.h"

#include <gtest/gtest.h>

#include "common/hash.h"
#include "log_test_util.h"

namespace braid::log {
namespace {

using testing::MakeEvents;

std::vector<uint32_t> Assign(const Chunk& events, const SplitSpec& spec) {
  std::vector<uint32_t> out(events.num_rows());
  AssignPartitions(events, spec, out);
  return out;
}

SchemaPtr KeySchema(DataType type) {
  return std::make_shared<const Schema>(std::vector<Field>{{"k", type, true}});
}

TEST(PartitionerTest, StringKeysHashTheirBytes) {
  const Chunk events = MakeEvents(0, 100);
  SplitSpec spec;
  spec.partitions = 16;
  spec.key_column = 1;  // device_id
  const std::vector<uint32_t> parts = Assign(events, spec);
  for (size_t r = 0; r < events.num_rows(); ++r) {
    const std::string device = fmt::format("device-{}", r % 13);
    EXPECT_EQ(parts[r], Hash64(device) % 16) << device;
  }
  EXPECT_EQ(Assign(events, spec), parts);  // deterministic
}

TEST(PartitionerTest, ScalarKeysAndNulls) {
  Chunk ints(KeySchema(DataType::kBigint));
  ints.mutable_column(0).AppendInt64(-5);
  ints.mutable_column(0).AppendNull();
  ints.mutable_column(0).AppendInt64(1234567);
  SplitSpec spec;
  spec.partitions = 7;
  spec.key_column = 0;
  EXPECT_EQ(Assign(ints, spec),
            (std::vector<uint32_t>{static_cast<uint32_t>(Hash64(int64_t{-5}) % 7), 0,
                                   static_cast<uint32_t>(Hash64(int64_t{1234567}) % 7)}));

  Chunk doubles(KeySchema(DataType::kDouble));
  doubles.mutable_column(0).AppendDouble(0.0);
  doubles.mutable_column(0).AppendDouble(-0.0);
  doubles.mutable_column(0).AppendDouble(std::nan("1"));
  doubles.mutable_column(0).AppendDouble(-std::nan("2"));
  const std::vector<uint32_t> d = Assign(doubles, spec);
  EXPECT_EQ(d[0], d[1]);
  EXPECT_EQ(d[2], d[3]);

  Chunk bools(KeySchema(DataType::kBoolean));
  bools.mutable_column(0).AppendBool(true);
  bools.mutable_column(0).AppendBool(false);
  EXPECT_EQ(Assign(bools, spec),
            (std::vector<uint32_t>{static_cast<uint32_t>(Hash64(int64_t{1}) % 7),
                                   static_cast<uint32_t>(Hash64(int64_t{0}) % 7)}));
}

TEST(PartitionerTest, RoundRobinDealsBlocksFromTheStart) {
  const Chunk events = MakeEvents(0, size_t{2} * kRoundRobinBlockRows + 1);
  SplitSpec spec;
  spec.partitions = 4;
  spec.round_robin_start = 6;  // partition 2
  const std::vector<uint32_t> parts = Assign(events, spec);
  EXPECT_EQ(parts[0], 2u);
  EXPECT_EQ(parts[kRoundRobinBlockRows - 1], 2u);
  EXPECT_EQ(parts[kRoundRobinBlockRows], 3u);
  EXPECT_EQ(parts[size_t{2} * kRoundRobinBlockRows], 0u);
}

TEST(PartitionerTest, SplitGroupsRowsStablyWithTheirTimeRanges) {
  const Chunk events = MakeEvents(0, 60);
  SplitSpec spec;
  spec.partitions = 3;
  spec.key_column = 1;
  spec.time_column = 2;
  const PartitionSplit split = SplitByPartition(events, spec);
  const std::vector<uint32_t> parts = Assign(events, spec);
  size_t total = 0;
  int previous = -1;
  for (const PartitionShare& share : split.shares) {
    EXPECT_GT(share.partition, previous);  // ascending
    previous = share.partition;
    // Oracle: the rows of this partition in input order, and their time range.
    std::vector<uint32_t> expected;
    for (uint32_t r = 0; r < 60; ++r) {
      if (parts[r] == static_cast<uint32_t>(share.partition)) expected.push_back(r);
    }
    EXPECT_EQ(std::vector<uint32_t>(share.rows.begin(), share.rows.end()), expected);
    EXPECT_EQ(share.min_event_time,
              Timestamp{testing::kBaseTime + int64_t{expected.front()} * 1000});
    EXPECT_EQ(share.max_event_time,
              Timestamp{testing::kBaseTime + int64_t{expected.back()} * 1000});
    total += share.rows.size();
  }
  EXPECT_EQ(total, 60u);
}

TEST(PartitionerTest, RowsWithoutTimeCountAtTheDefaultTime) {
  Chunk events(
      std::make_shared<const Schema>(std::vector<Field>{{"t", DataType::kTimestamp, true}}));
  events.mutable_column(0).AppendInt64(500);
  events.mutable_column(0).AppendNull();
  SplitSpec spec;
  spec.time_column = 0;
  spec.default_time = Timestamp{900};
  const PartitionSplit split = SplitByPartition(events, spec);
  ASSERT_EQ(split.shares.size(), 1u);
  EXPECT_EQ(split.shares[0].min_event_time, Timestamp{500});
  EXPECT_EQ(split.shares[0].max_event_time, Timestamp{900});
  spec.time_column.reset();
  const PartitionSplit untimed = SplitByPartition(events, spec);
  EXPECT_EQ(untimed.shares[0].min_event_time, Timestamp{900});
  EXPECT_EQ(untimed.shares[0].max_event_time, Timestamp{900});
}

}  // namespace
}  // namespace braid::log
