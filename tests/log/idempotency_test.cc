#include "log/idempotency.h"

#include <gtest/gtest.h>

#include "log/stream_files.h"

namespace braid::log {
namespace {

TEST(IdempotencyTableTest, ClaimsExcludeConcurrentTries) {
  IdempotencyTable table;
  Result<KeyState> first = table.Claim(77);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->part_count, 0);
  Result<KeyState> second = table.Claim(77);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kDuplicateObject);
  EXPECT_EQ(second.status().message(), "request with this Idempotency-Key is in progress");
  EXPECT_TRUE(table.Claim(78).ok());  // another key is independent

  const std::vector<KeyedPart> appended = {{0, 3, 100, 10}};
  table.Release(77, 2, appended);
  Result<KeyState> retry = table.Claim(77);
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->part_count, 2);
  EXPECT_EQ(retry->parts, appended);
  EXPECT_FALSE(retry->complete());
  table.Release(77, 2, std::vector<KeyedPart>{{1, 5, 40, 4}});
  EXPECT_TRUE(table.Claim(77)->complete());
}

TEST(IdempotencyTableTest, RecoveredPartsAndRetention) {
  IdempotencyTable table;
  table.AddRecovered(0, KeyedBatch{10, 5, {111, 0, 2}});
  table.AddRecovered(1, KeyedBatch{20, 5, {111, 1, 2}});
  table.AddRecovered(1, KeyedBatch{50, 5, {222, 0, 1}});
  EXPECT_EQ(table.size(), 2u);
  EXPECT_TRUE(table.Claim(111)->complete());
  // Partition 1 now starts at 30: key 111 lost a part to retention, key 222 did not.
  const std::vector<uint64_t> starts = {0, 30};
  table.ForgetBelow(starts);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_TRUE(table.Claim(222)->complete());
}

TEST(StreamFilesTest, ConsumerOffsetsRoundTripAndRejectDamage) {
  ConsumerOffsets consumers;
  consumers["capture"] = {1, 2, 3};
  consumers["speed"] = {0, 0, 9};
  const std::string bytes = EncodeConsumerOffsets(consumers, 3);
  EXPECT_EQ(bytes.substr(0, 4), "BRLC");
  EXPECT_EQ(bytes[4], 1);
  Result<ConsumerOffsets> decoded = DecodeConsumerOffsets(bytes, 3);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, consumers);
  EXPECT_EQ(DecodeConsumerOffsets(bytes, 4).status().message(),
            "log consumers file: written for 3 partitions, the stream has 4");
  std::string flipped = bytes;
  flipped[12] ^= 1;
  EXPECT_EQ(DecodeConsumerOffsets(flipped, 3).status().message(),
            "log consumers file: CRC mismatch");
}

TEST(StreamFilesTest, StreamMetaRoundTrips) {
  const std::string bytes = EncodeStreamMeta(16);
  EXPECT_EQ(DecodeStreamMeta(bytes).value(), 16u);
  EXPECT_FALSE(DecodeStreamMeta(bytes.substr(1)).ok());
}

}  // namespace
}  // namespace braid::log
