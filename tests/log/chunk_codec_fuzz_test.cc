// DeserializeChunk (common) must answer an error, never crash or over-allocate, for any bytes:
// the log hands it whatever a damaged segment holds once the CRC happens to match.
#include <gtest/gtest.h>

#include <random>

#include "common/chunk_codec.h"
#include "log_test_util.h"

namespace braid {
namespace {

std::string Serialized(const Chunk& chunk) {
  std::string bytes;
  SerializeChunk(chunk, &bytes);
  return bytes;
}

TEST(ChunkCodecFuzzTest, EveryTruncationIsAnError) {
  const std::string bytes = Serialized(log::testing::MakeEvents(0, 20));
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<Chunk> chunk = DeserializeChunk(std::string_view{bytes}.substr(0, n));
    ASSERT_FALSE(chunk.ok()) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(chunk.status().code(), StatusCode::kCorruption);
  }
  EXPECT_TRUE(DeserializeChunk(bytes).ok());
}

TEST(ChunkCodecFuzzTest, FlippedBytesNeverCrash) {
  const std::string good = Serialized(log::testing::MakeEvents(0, 40));
  std::mt19937_64 rng(20261120);
  int errors = 0;
  for (int round = 0; round < 5000; ++round) {
    std::string bytes = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
    }
    Result<Chunk> chunk = DeserializeChunk(bytes);
    if (!chunk.ok()) {
      EXPECT_EQ(chunk.status().code(), StatusCode::kCorruption);
      ++errors;
    } else {
      // A flip inside a value decodes; the result must still be a well-formed chunk.
      EXPECT_EQ(chunk->num_rows(), 40u);
    }
  }
  EXPECT_GT(errors, 0);
}

TEST(ChunkCodecFuzzTest, RandomBytesAreErrors) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(rng() % 200, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    if (!bytes.empty()) bytes[0] = 1;  // a known version, to get past the first check
    Result<Chunk> chunk = DeserializeChunk(bytes);
    if (!chunk.ok()) {
      EXPECT_EQ(chunk.status().code(), StatusCode::kCorruption);
    }
  }
}

TEST(ChunkCodecFuzzTest, HugeCountsDoNotAllocate) {
  // version 1, 4 billion rows, 1 column: rejected before any allocation of that size.
  std::string bytes = {1, '\xff', '\xff', '\xff', '\xff', 1, 0};
  bytes += std::string(16, 'a');
  Result<Chunk> chunk = DeserializeChunk(bytes);
  ASSERT_FALSE(chunk.ok());
  EXPECT_EQ(chunk.status().message(), "serialized chunk: row count exceeds input size");
}

TEST(ChunkCodecTest, BytesAreTheDocumentedOnes) {
  // The example of docs/formats/chunk.md.
  Chunk chunk(
      std::make_shared<const Schema>(std::vector<Field>{{"device_id", DataType::kString, false}}));
  chunk.mutable_column(0).AppendString("a");
  chunk.mutable_column(0).AppendString("bc");
  const std::vector<uint8_t> bytes = {
      1, 2, 0, 0, 0,   1,   0,                                  // version, rows, columns
      9, 0, 0, 0, 'd', 'e', 'v', 'i', 'c', 'e', '_', 'i', 'd',  // name
      4, 0, 0,                                                  // STRING, not nullable, no NULLs
      0, 0, 0, 0, 1,   0,   0,   0,   3,   0,   0,   0,         // offsets
      3, 0, 0, 0, 'a', 'b', 'c'};                               // arena
  const std::string expected(bytes.begin(), bytes.end());
  EXPECT_EQ(Serialized(chunk), expected);
  EXPECT_EQ(DeserializeChunk(expected).value(), chunk);
}

TEST(ChunkCodecTest, SerializeChunkRowsMatchesSelect) {
  const Chunk events = log::testing::MakeEvents(0, 64);
  for (const std::vector<uint32_t>& rows :
       {std::vector<uint32_t>{}, std::vector<uint32_t>{5}, std::vector<uint32_t>{63, 0, 7, 14},
        std::vector<uint32_t>{1, 2, 3, 4, 5, 6, 8, 9}}) {
    std::string direct;
    SerializeChunkRows(events, rows, &direct);
    EXPECT_EQ(direct, Serialized(events.Select(rows))) << rows.size() << " rows";
  }
}

}  // namespace
}  // namespace braid
