// Recovery of damaged partitions: torn tails, flipped bytes, garbage, gaps and bad indexes. Each
// test damages the files of a closed partition, reopens it and checks what survived against the
// events it appended (the oracle), and what the RecoveryReport says was dropped.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "common/file_util.h"
#include "log/group_commit.h"
#include "log/partition.h"
#include "log/segment.h"
#include "log_test_util.h"

namespace braid::log {
namespace {

using testing::MakeEvents;
using testing::Range;
using testing::ReadAllIds;
using testing::RequestFor;
using testing::TempDir;
namespace fs = std::filesystem;

class RecoveryTest : public ::testing::Test {
 protected:
  // Appends `batches` batches of 10 events (ids = offsets) and closes the partition. Returns the
  // segment files, oldest first.
  std::vector<fs::path> Fill(int batches, uint64_t segment_bytes = 1 << 20) {
    options_.segment_bytes = segment_bytes;
    auto partition = Open();
    for (int i = 0; i < batches; ++i) {
      const Chunk events = MakeEvents(int64_t{i} * 10, 10);
      EXPECT_TRUE(partition->Append(RequestFor(events)).ok());
    }
    return SegmentFiles();
  }

  std::unique_ptr<Partition> Open() {
    Result<std::unique_ptr<Partition>> partition =
        Partition::Open(dir_.path(), 0, options_, &committer_, &report_);
    EXPECT_TRUE(partition.ok()) << partition.status().ToString();
    return partition.ok() ? std::move(partition).value() : nullptr;
  }

  std::vector<fs::path> SegmentFiles() const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir_.path())) {
      if (entry.path().extension() == ".log") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  static void FlipByte(const fs::path& file, uint64_t position) {
    std::string bytes = ReadWholeFile(file).value();
    ASSERT_LT(position, bytes.size());
    bytes[position] ^= 0x5A;
    UniqueFd fd = OpenFile(file, O_WRONLY).value();
    ASSERT_TRUE(PWriteAll(fd.get(), bytes, 0, file).ok());
  }

  static uint64_t FileSize(const fs::path& file) { return fs::file_size(file); }

  // Where each batch of an intact segment file starts, and (last) the file's end.
  static std::vector<uint64_t> BatchStarts(const fs::path& file) {
    const std::string bytes = ReadWholeFile(file).value();
    std::vector<uint64_t> starts;
    uint64_t position = 0;
    while (position < bytes.size()) {
      starts.push_back(position);
      position += DecodeRecordBatchHeader(std::string_view{bytes}.substr(position))->total_bytes();
    }
    starts.push_back(position);
    return starts;
  }

  static uint64_t BaseOf(const fs::path& file) { return std::stoull(file.stem().string()); }

  TempDir dir_;
  LogOptions options_;
  GroupCommitter committer_{Duration::Millis(0)};
  RecoveryReport report_;
};

TEST_F(RecoveryTest, CleanLogReportsNothing) {
  Fill(5);
  auto partition = Open();
  EXPECT_EQ(report_.valid_batches, 5u);
  EXPECT_EQ(report_.end_offset, 50u);
  EXPECT_EQ(report_.truncated_bytes, 0u);
  EXPECT_EQ(report_.removed_segments, 0u);
  EXPECT_EQ(report_.reason, "");
  EXPECT_EQ(ReadAllIds(*partition), Range(0, 50));
}

TEST_F(RecoveryTest, TornTailIsCutAndAppendsContinue) {
  const auto files = Fill(5);
  const std::vector<uint64_t> starts = BatchStarts(files[0]);
  ASSERT_EQ(::truncate(files[0].c_str(), static_cast<off_t>(starts[5] - 7)), 0);
  auto partition = Open();
  EXPECT_EQ(report_.valid_batches, 4u);
  EXPECT_EQ(report_.end_offset, 40u);
  EXPECT_EQ(report_.truncated_bytes, starts[5] - 7 - starts[4]);
  EXPECT_EQ(report_.reason,
            fmt::format("00000000000000000000.log at byte {}: torn batch: {} of {} bytes; cut {} "
                        "bytes",
                        starts[4], starts[5] - 7 - starts[4], starts[5] - starts[4],
                        starts[5] - 7 - starts[4]));
  EXPECT_EQ(FileSize(files[0]), starts[4]);
  EXPECT_EQ(ReadAllIds(*partition), Range(0, 40));
  const Chunk more = MakeEvents(40, 10);
  EXPECT_EQ(partition->Append(RequestFor(more)).value(), 40u);
  EXPECT_EQ(ReadAllIds(*partition), Range(0, 50));
}

TEST_F(RecoveryTest, FlippedByteInTheLastSegmentCutsFromThatBatch) {
  const auto files = Fill(6);
  const std::vector<uint64_t> starts = BatchStarts(files[0]);
  FlipByte(files[0], starts[3] + kBatchHeaderSize + 5);
  auto partition = Open();
  EXPECT_EQ(report_.end_offset, 30u);
  EXPECT_EQ(report_.truncated_bytes, starts[6] - starts[3]);
  const std::string expected_start = fmt::format(
      "00000000000000000000.log at byte {}: log record batch: CRC mismatch at base offset 30",
      starts[3]);
  EXPECT_TRUE(report_.reason.starts_with(expected_start)) << report_.reason;
  EXPECT_TRUE(report_.reason.ends_with(fmt::format("; cut {} bytes", starts[6] - starts[3])));
  EXPECT_EQ(ReadAllIds(*partition), Range(0, 30));
  EXPECT_EQ(FileSize(files[0]), starts[3]);
}

TEST_F(RecoveryTest, GarbageAndZeroTailsAreCut) {
  for (const std::string& tail : {std::string(4096, '\0'), std::string("not a batch at all")}) {
    const auto files = Fill(3);
    const uint64_t valid = FileSize(files[0]);
    UniqueFd fd = OpenFile(files[0], O_WRONLY).value();
    ASSERT_TRUE(PWriteAll(fd.get(), tail, valid, files[0]).ok());
    auto partition = Open();
    EXPECT_EQ(report_.truncated_bytes, tail.size());
    EXPECT_EQ(report_.end_offset, 30u);
    EXPECT_EQ(ReadAllIds(*partition), Range(0, 30));
    partition.reset();
    fs::remove_all(dir_.path());
  }
}

TEST_F(RecoveryTest, DamageInASealedSegmentWithoutIndexRemovesLaterSegments) {
  const auto files = Fill(30, 1500);
  ASSERT_GE(files.size(), 4u);
  // The second segment loses its index (so it is scanned) and a byte of its second batch.
  const uint64_t second_base = BaseOf(files[1]);
  fs::remove(Segment::IndexPath(dir_.path(), second_base));
  FlipByte(files[1], BatchStarts(files[1])[1] + 40);
  auto partition = Open();
  EXPECT_EQ(report_.end_offset, second_base + 10);
  EXPECT_EQ(report_.removed_segments, files.size() - 2);
  EXPECT_NE(report_.reason.find(fmt::format("removed {} later segment(s)", files.size() - 2)),
            std::string::npos)
      << report_.reason;
  EXPECT_EQ(ReadAllIds(*partition), Range(0, static_cast<int64_t>(second_base) + 10));
  EXPECT_EQ(SegmentFiles().size(), 2u);
  // The damaged segment is now the active one: appends continue there.
  const Chunk more = MakeEvents(static_cast<int64_t>(second_base) + 10, 10);
  EXPECT_EQ(partition->Append(RequestFor(more)).value(), second_base + 10);
}

TEST_F(RecoveryTest, DamageInAnIndexedSealedSegmentIsReportedOnRead) {
  const auto files = Fill(30, 1500);
  ASSERT_GE(files.size(), 3u);
  FlipByte(files[0], FileSize(files[0]) - 3);  // payload of the first segment's last batch
  auto partition = Open();
  EXPECT_EQ(report_.reason, "");  // sealed and indexed: trusted at open
  EXPECT_EQ(report_.end_offset, 300u);
  Result<std::vector<RecordBatch>> read = partition->Read(0, 1 << 20);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kCorruption);
  EXPECT_NE(read.status().message().find("CRC mismatch"), std::string::npos);
  // Everything after the damaged batch still reads.
  const uint64_t second_base = BaseOf(files[1]);
  EXPECT_EQ(ReadAllIds(*partition, second_base),
            Range(static_cast<int64_t>(second_base), 300 - static_cast<int64_t>(second_base)));
}

TEST_F(RecoveryTest, CorruptIndexIsRebuiltFromTheSegment) {
  const auto files = Fill(30, 1500);
  const uint64_t base = BaseOf(files[0]);
  ASSERT_TRUE(WriteFileAtomically(Segment::IndexPath(dir_.path(), base), "junk").ok());
  auto partition = Open();
  EXPECT_EQ(report_.reason, "");
  EXPECT_EQ(ReadAllIds(*partition), Range(0, 300));
  EXPECT_TRUE(Segment::OpenIndexed(dir_.path(), base, options_.index_interval_bytes).value());
}

TEST_F(RecoveryTest, AGapBetweenSegmentsEndsTheLog) {
  const auto files = Fill(30, 1500);
  ASSERT_GE(files.size(), 4u);
  fs::remove(files[1]);
  fs::remove(Segment::IndexPath(dir_.path(), BaseOf(files[1])));
  auto partition = Open();
  const uint64_t second_base = BaseOf(files[1]);
  EXPECT_EQ(report_.end_offset, second_base);
  EXPECT_EQ(report_.removed_segments, files.size() - 2);
  EXPECT_NE(report_.reason.find("expected " + std::to_string(second_base)), std::string::npos);
  EXPECT_EQ(ReadAllIds(*partition), Range(0, static_cast<int64_t>(second_base)));
}

TEST_F(RecoveryTest, LeftoverTemporaryFilesAreRemoved) {
  Fill(2);
  const fs::path leftover = dir_.path() / "00000000000000000000.index.tmp-123";
  ASSERT_TRUE(WriteFileAtomically(dir_.path() / "x", "").ok());
  fs::rename(dir_.path() / "x", leftover);
  auto partition = Open();
  EXPECT_FALSE(fs::exists(leftover));
}

// Random flips and truncations of random segments: recovery never crashes, keeps a prefix of
// the appended events, and the log accepts appends afterwards.
TEST_F(RecoveryTest, RandomDamageKeepsAPrefix) {
  std::mt19937_64 rng(1234);
  for (int round = 0; round < 25; ++round) {
    const auto files = Fill(20, 2000);
    const fs::path& victim = files[rng() % files.size()];
    const uint64_t size = FileSize(victim);
    const bool flip = rng() % 2 == 0;
    const uint64_t at = rng() % size;  // flip position, or new size
    if (flip) {
      FlipByte(victim, at);
    } else {
      ASSERT_EQ(::truncate(victim.c_str(), static_cast<off_t>(at)), 0);
    }
    SCOPED_TRACE(fmt::format("round {}: {} {} of {} at {}", round, flip ? "flip" : "cut",
                             victim.filename().string(), size, at));
    fs::remove(Segment::IndexPath(dir_.path(), BaseOf(victim)));
    auto partition = Open();
    ASSERT_NE(partition, nullptr);
    const std::vector<int64_t> ids = ReadAllIds(*partition);
    EXPECT_EQ(ids, Range(0, static_cast<int64_t>(ids.size())));
    EXPECT_EQ(ids.size(), report_.end_offset);
    EXPECT_EQ(ids.size() % 10, 0u);  // whole batches only
    // Only a cut of the last segment at a batch boundary is indistinguishable from a shorter log.
    if (victim != files.back()) {
      EXPECT_NE(report_.reason, "");
    }
    const Chunk more = MakeEvents(static_cast<int64_t>(ids.size()), 10);
    EXPECT_EQ(partition->Append(RequestFor(more)).value(), ids.size());
    partition.reset();
    fs::remove_all(dir_.path());
  }
}

}  // namespace
}  // namespace braid::log
