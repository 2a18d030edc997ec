// Damaged files: every truncation of a small file and thousands of random byte flips must give a
// clean error or valid data, never a crash (run under ASan/UBSan); plus the regression corpus in
// tests/lake/corpus/, where valid_* files must read, unsupported_* files must be refused as
// kUnsupported and damaged_* files must fail cleanly.
#include <gtest/gtest.h>

#include "test_paths.h"

#include <fstream>
#include <random>

#include "common/file_util.h"
#include "lake_test_util.h"

namespace braid::lake {
namespace {

using testing::NullPattern;

// Opens and fully reads a file; returns the first error.
Status ReadEverything(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(auto reader, ParquetReader::Open(path));
  for (size_t g = 0; g < reader->num_row_groups(); ++g) {
    RETURN_IF_ERROR(reader->ReadRowGroup(g));
  }
  std::vector<ColumnPredicate> predicates = {{reader->schema()->field(0).name, {}, {}}};
  return reader->SelectRowGroups(predicates).status();
}

std::string SmallFile(const testing::ScratchDir& dir, CompressionCodec codec,
                      DictionaryMode dictionary) {
  SchemaPtr schema = testing::AllTypesSchema();
  Chunk chunk = testing::RandomChunk(schema, 60, NullPattern::kRandom, 11, 8, 10);
  ParquetWriterOptions options;
  options.codec = codec;
  options.dictionary = dictionary;
  options.row_group_rows = 25;
  options.page_bytes = 64;
  auto path = dir.File("small.parquet");
  testing::WriteFile(path, schema, {chunk}, options);
  Result<std::string> bytes = ReadWholeFile(path);
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? *bytes : std::string();
}

class CorruptionTest : public ::testing::TestWithParam<CompressionCodec> {};

TEST_P(CorruptionTest, EveryTruncationFailsCleanly) {
  testing::ScratchDir dir;
  std::string bytes = SmallFile(dir, GetParam(), DictionaryMode::kAuto);
  ASSERT_FALSE(bytes.empty());
  auto path = dir.File("cut.parquet");
  for (size_t size = 0; size < bytes.size(); ++size) {
    ASSERT_TRUE(WriteFileAtomically(path, std::string_view(bytes).substr(0, size)).ok());
    Status status = ReadEverything(path);
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << "size " << size << ": " << status.ToString();
  }
}

TEST_P(CorruptionTest, RandomByteFlipsNeverCrash) {
  testing::ScratchDir dir;
  for (DictionaryMode dictionary : {DictionaryMode::kAuto, DictionaryMode::kDisabled}) {
    std::string bytes = SmallFile(dir, GetParam(), dictionary);
    auto path = dir.File("flip.parquet");
    std::mt19937 rng(42);
    int failures = 0;
    for (int round = 0; round < 1500; ++round) {
      std::string damaged = bytes;
      int flips = 1 + static_cast<int>(rng() % 3);
      for (int f = 0; f < flips; ++f) damaged[rng() % damaged.size()] ^= static_cast<char>(1 + rng() % 255);
      ASSERT_TRUE(WriteFileAtomically(path, damaged).ok());
      Status status = ReadEverything(path);
      if (!status.ok()) {
        ++failures;
        EXPECT_NE(status.code(), StatusCode::kInternal) << status.ToString();
        EXPECT_FALSE(status.message().empty());
      }
    }
    EXPECT_GT(failures, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, CorruptionTest,
                         ::testing::Values(CompressionCodec::kUncompressed,
                                           CompressionCodec::kSnappy, CompressionCodec::kZstd));

TEST(CorpusTest, EveryFileReadsOrFailsCleanly) {
  std::filesystem::path corpus =
      std::filesystem::path(braid::testing::SourceDir()) / "tests" / "lake" / "corpus";
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".parquet") continue;
    ++files;
    Status status = ReadEverything(entry.path());
    if (name.starts_with("valid_")) {
      EXPECT_TRUE(status.ok()) << name << ": " << status.ToString();
    } else if (name.starts_with("unsupported_")) {
      EXPECT_EQ(status.code(), StatusCode::kUnsupported) << name << ": " << status.ToString();
    } else {
      EXPECT_FALSE(status.ok()) << name << " should fail";
      EXPECT_NE(status.code(), StatusCode::kInternal) << name << ": " << status.ToString();
    }
  }
  EXPECT_GE(files, 8u);
}

}  // namespace
}  // namespace braid::lake
