// Epoch tags of data files (Delta `tags` braid.epochMin / braid.epochMax): their JSON encoding in
// add actions, capture tagging every file with its epoch, OPTIMIZE widening them to its inputs'
// range (or dropping them when an input has none); and binary columns of the Parquet writer:
// plain BYTE_ARRAY without the UTF8 annotation, read back byte for byte as STRING.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "lake/capture.h"
#include "lake/capture_test_util.h"
#include "lake/data_file.h"
#include "lake/delta_actions.h"
#include "lake/delta_table.h"
#include "lake/lake_test_util.h"
#include "lake/optimize.h"
#include "lake/parquet_reader.h"
#include "lake/parquet_writer.h"

namespace braid::lake {
namespace {

using testing::FakeCaptureSource;
using testing::ScratchDir;

constexpr Timestamp kEpochTagsIngested{1'795'400'000'000'000};

TEST(EpochTagsTest, AddActionTagsRoundTripAsAMapOfStrings) {
  DeltaCommit commit;
  DeltaAddFile& add = commit.adds.emplace_back();
  add.path = "event_date=2026-11-23/part-1.parquet";
  add.partition_values = {{"event_date", "2026-11-23"}};
  SetEpochRange({.min = 3, .max = 17}, &add);
  add.tags["other"] = "x\"y";
  const std::map<std::string, std::string> tags = add.tags;
  commit.adds.emplace_back().path = "untagged.parquet";  // invalidates `add`
  const std::string text = EncodeCommit(commit);
  EXPECT_NE(text.find(R"("tags":{"braid.epochMax":"17","braid.epochMin":"3","other":"x\"y"})"),
            std::string::npos)
      << text;
  Result<DeltaCommit> decoded = DecodeCommit(text, "test");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->adds.size(), 2u);
  EXPECT_EQ(decoded->adds[0].tags, tags);
  ASSERT_TRUE(EpochRangeOf(decoded->adds[0]).has_value());
  EXPECT_EQ(EpochRangeOf(decoded->adds[0])->min, 3);
  EXPECT_EQ(EpochRangeOf(decoded->adds[0])->max, 17);
  EXPECT_TRUE(decoded->adds[1].tags.empty());
  EXPECT_FALSE(EpochRangeOf(decoded->adds[1]).has_value());
  // A malformed tag is no epoch range; a non-string tag value is a corrupt commit.
  DeltaAddFile bad;
  bad.tags = {{"braid.epochMin", "1x"}, {"braid.epochMax", "2"}};
  EXPECT_FALSE(EpochRangeOf(bad).has_value());
  const std::string numeric =
      R"({"add":{"path":"a.parquet","partitionValues":{},"size":1,"modificationTime":1,)"
      R"("dataChange":true,"tags":{"braid.epochMin":1}}})"
      "\n";
  EXPECT_EQ(DecodeCommit(numeric, "test").status().code(), StatusCode::kCorruption);
}

class EpochTaggedLakeTest : public ::testing::Test {
 protected:
  CaptureOptions Options() const {
    CaptureOptions options;
    options.files.table_dir = dir_.path();
    options.files.stream_schema = testing::TelemetrySchema();
    options.files.timestamp_column = testing::kTimeColumn;
    return options;
  }

  void CaptureNext(size_t per_partition) {
    for (int p = 0; p < 2; ++p) {
      source_.Append(p, testing::TelemetryEvents(next_id_, per_partition), kEpochTagsIngested);
      next_id_ += static_cast<int64_t>(per_partition);
    }
    ASSERT_TRUE(CaptureEpoch(source_, Options()).ok());
  }

  DeltaSnapshot Snapshot() const { return *DeltaTable(dir_.path()).LoadSnapshot(); }

  ScratchDir dir_{"epoch-tags"};
  FakeCaptureSource source_{2};
  int64_t next_id_ = 0;
};

// The epoch of a capture file, from its name part-{epoch:08}-{guid}.parquet.
int64_t EpochInName(const std::string& path) {
  const size_t part = path.find("part-");
  return std::stoll(path.substr(part + 5, 8));
}

TEST_F(EpochTaggedLakeTest, CaptureTagsEveryFileWithItsEpochAndOptimizeWidensThem) {
  for (size_t count : {30, 20, 40}) CaptureNext(count);
  DeltaSnapshot captured = Snapshot();
  ASSERT_GE(captured.files().size(), 6u);
  for (const auto& [path, add] : captured.files()) {
    std::optional<FileEpochRange> range = EpochRangeOf(add);
    ASSERT_TRUE(range.has_value()) << path;
    EXPECT_EQ(range->min, EpochInName(path)) << path;
    EXPECT_EQ(range->max, EpochInName(path)) << path;
  }
  // The expected range of each date's compacted file, from the captured files.
  std::map<PartitionValues, FileEpochRange> expected;
  for (const auto& [path, add] : captured.files()) {
    const int64_t epoch = EpochInName(path);
    auto [it, inserted] = expected.try_emplace(add.partition_values, FileEpochRange{epoch, epoch});
    it->second.min = std::min(it->second.min, epoch);
    it->second.max = std::max(it->second.max, epoch);
  }
  OptimizeOptions options;
  options.small_file_bytes = int64_t{1} << 30;
  options.min_files = 1;
  ASSERT_TRUE(Optimize(DeltaTable(dir_.path()), options).ok());
  DeltaSnapshot optimized = Snapshot();
  ASSERT_EQ(optimized.files().size(), expected.size());
  size_t widened = 0;
  for (const auto& [path, add] : optimized.files()) {
    std::optional<FileEpochRange> range = EpochRangeOf(add);
    ASSERT_TRUE(range.has_value()) << path;
    EXPECT_EQ(range->min, expected.at(add.partition_values).min) << path;
    EXPECT_EQ(range->max, expected.at(add.partition_values).max) << path;
    widened += range->min < range->max ? 1 : 0;
  }
  EXPECT_GT(widened, 0u);
}

TEST_F(EpochTaggedLakeTest, OptimizeDropsTagsWhenAnInputHasNone) {
  CaptureNext(30);
  DeltaSnapshot snapshot = Snapshot();
  // An untagged file (as written before tags existed) in the partition of the first file.
  const DeltaAddFile& tagged = snapshot.files().begin()->second;
  DeltaAddFile old;
  old.path = tagged.path.substr(0, tagged.path.find('/')) + "/part-legacy.parquet";
  old.partition_values = tagged.partition_values;
  Result<Chunk> rows = testing::ReadAll(dir_.path() / tagged.path);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  Result<DeltaAddFile> written = WriteDataFile(dir_.path(), old, *rows, {});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  DeltaCommit commit;
  commit.adds.push_back(*written);
  ASSERT_TRUE(DeltaTable(dir_.path()).Commit(snapshot, commit).ok());
  OptimizeOptions options;
  options.small_file_bytes = int64_t{1} << 30;
  ASSERT_TRUE(Optimize(DeltaTable(dir_.path()), options).ok());
  size_t untagged = 0;
  const DeltaSnapshot optimized = Snapshot();
  for (const auto& [path, add] : optimized.files()) {
    if (add.partition_values == tagged.partition_values) {
      EXPECT_TRUE(add.tags.empty()) << path;
      ++untagged;
    } else {
      EXPECT_TRUE(EpochRangeOf(add).has_value()) << path;
    }
  }
  EXPECT_EQ(untagged, 1u);
}

TEST(BinaryColumnTest, WrittenWithoutTextAnnotationAndReadBackByteForByte) {
  ScratchDir dir("binary-column");
  const auto schema = std::make_shared<const Schema>(
      std::vector<Field>{{"name", DataType::kString, false}, {"state", DataType::kString, true}});
  Chunk rows(schema);
  const std::vector<std::string> states = {std::string("\xff\x00\x80", 3), "", "plain",
                                           std::string("\xc3\x28\x00\xfe", 4)};
  for (size_t i = 0; i < states.size(); ++i) {
    rows.mutable_column(0).AppendString("row" + std::to_string(i));
    rows.mutable_column(1).AppendString(states[i]);
  }
  rows.mutable_column(0).AppendString("null");
  rows.mutable_column(1).AppendNull();
  ParquetWriterOptions options;
  options.binary_columns = {"state"};
  const auto path = dir.path() / "binary.parquet";
  const ParquetFileSummary summary = testing::WriteFile(path, schema, {rows}, options);
  EXPECT_FALSE(summary.columns[1].min.has_value());  // no text form for Delta's JSON stats
  EXPECT_EQ(summary.columns[1].null_count, 1);
  EXPECT_TRUE(summary.columns[0].min.has_value());
  Result<std::unique_ptr<ParquetReader>> reader = ParquetReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const std::vector<SchemaElement>& elements = (*reader)->metadata().schema;
  ASSERT_EQ(elements.size(), 3u);
  EXPECT_TRUE(elements[1].converted_type.has_value());   // name: UTF8
  EXPECT_FALSE(elements[2].converted_type.has_value());  // state: plain BYTE_ARRAY
  EXPECT_FALSE(elements[2].logical_type.has_value());
  Result<Chunk> read = testing::ReadAll(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->schema()->field(1).type, DataType::kString);
  EXPECT_EQ(*read, rows);
  // A binary column must be a STRING column of the schema.
  options.binary_columns = {"missing"};
  EXPECT_EQ(ParquetWriter::Open(dir.path() / "bad.parquet", schema, options).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace braid::lake
