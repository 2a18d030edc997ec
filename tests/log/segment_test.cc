#include "log/segment.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "log/segment_index.h"
#include "log_test_util.h"

namespace braid::log {
namespace {

using testing::EventIds;
using testing::MakeEvents;
using testing::Range;
using testing::TempDir;

// Appends batches of `sizes` events (ids continue from 0) to the segment; returns the encoded
// bytes of each batch.
std::vector<std::string> AppendBatches(Segment& segment, const std::vector<size_t>& sizes,
                                       uint64_t key_hash = 0) {
  std::vector<std::string> encoded;
  int64_t next_id = static_cast<int64_t>(segment.end_offset());
  for (size_t i = 0; i < sizes.size(); ++i) {
    BatchHeader header;
    header.base_offset = segment.end_offset();
    header.append_time = Timestamp{1000 + static_cast<int64_t>(i)};
    if (key_hash != 0) header.idempotency = {key_hash + i, 0, 1};
    std::string bytes;
    header = EncodeRecordBatch(header, MakeEvents(next_id, sizes[i]), LogOptions{}, &bytes);
    EXPECT_TRUE(segment.Append(bytes, header).ok());
    next_id += static_cast<int64_t>(sizes[i]);
    encoded.push_back(std::move(bytes));
  }
  return encoded;
}

std::vector<int64_t> ReadIds(const Segment& segment, uint64_t from, uint64_t limit) {
  std::vector<RecordBatch> batches;
  size_t bytes = 0;
  Result<uint64_t> next = segment.ReadBatches(from, limit, 1 << 30, &batches, &bytes);
  EXPECT_TRUE(next.ok()) << next.status().ToString();
  std::vector<int64_t> ids;
  for (const RecordBatch& b : batches) {
    for (int64_t id : EventIds(b.events)) ids.push_back(id);
  }
  return ids;
}

TEST(SegmentTest, AppendsAndReadsByOffset) {
  TempDir dir;
  Result<std::shared_ptr<Segment>> created = Segment::Create(dir.path(), 100, 64);
  ASSERT_TRUE(created.ok());
  Segment& segment = **created;
  EXPECT_EQ(segment.path().filename(), "00000000000000000100.log");
  AppendBatches(segment, {10, 5, 20});
  EXPECT_EQ(segment.base_offset(), 100u);
  EXPECT_EQ(segment.end_offset(), 135u);
  EXPECT_EQ(segment.batch_count(), 3u);
  EXPECT_EQ(segment.max_append_time(), Timestamp{1002});
  EXPECT_EQ(ReadIds(segment, 100, 135), Range(100, 35));
  // From the middle of the second batch: sliced to start exactly there.
  EXPECT_EQ(ReadIds(segment, 112, 135), Range(112, 23));
  // The limit (visible end) hides later batches.
  EXPECT_EQ(ReadIds(segment, 100, 115), Range(100, 15));
  EXPECT_EQ(ReadIds(segment, 100, 110), Range(100, 10));
}

TEST(SegmentTest, ReadStopsAtAboutMaxBytesButReturnsOneBatch) {
  TempDir dir;
  auto segment = Segment::Create(dir.path(), 0, 64).value();
  AppendBatches(*segment, {50, 50, 50});
  std::vector<RecordBatch> batches;
  size_t bytes = 0;
  Result<uint64_t> next = segment->ReadBatches(0, 150, 1, &batches, &bytes);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 50u);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].header.record_count, 50u);
}

TEST(SegmentTest, IndexRoundTripsThroughItsFile) {
  TempDir dir;
  auto segment = Segment::Create(dir.path(), 7, 1).value();  // an entry per batch
  AppendBatches(*segment, {3, 4, 5}, /*key_hash=*/500);
  ASSERT_TRUE(segment->WriteIndex().ok());
  Result<std::shared_ptr<Segment>> reopened = Segment::OpenIndexed(dir.path(), 7, 1);
  ASSERT_TRUE(reopened.ok());
  ASSERT_NE(*reopened, nullptr);
  const Segment& indexed = **reopened;
  EXPECT_EQ(indexed.end_offset(), 19u);
  EXPECT_EQ(indexed.size_bytes(), segment->size_bytes());
  EXPECT_EQ(indexed.batch_count(), 3u);
  EXPECT_EQ(indexed.max_append_time(), Timestamp{1002});
  const std::vector<KeyedBatch> keyed = indexed.keyed_batches();
  ASSERT_EQ(keyed.size(), 3u);
  EXPECT_EQ(keyed[1], (KeyedBatch{10, 4, {501, 0, 1}}));
  EXPECT_EQ(ReadIds(indexed, 12, 19), Range(12, 7));

  const std::string index_bytes = ReadWholeFile(Segment::IndexPath(dir.path(), 7)).value();
  Result<SegmentIndex> decoded = DecodeSegmentIndex(index_bytes);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->entries.size(), 3u);
  EXPECT_EQ(decoded->entries[0], (IndexEntry{7, 0}));
  EXPECT_EQ(decoded->entries[1].offset, 10u);
  EXPECT_EQ(decoded->last_batch_position, decoded->entries[2].position);
}

TEST(SegmentTest, SparseIndexHasOneEntryPerInterval) {
  TempDir dir;
  auto segment = Segment::Create(dir.path(), 0, 1 << 30).value();
  AppendBatches(*segment, {5, 5, 5, 5});
  ASSERT_TRUE(segment->WriteIndex().ok());
  auto index = DecodeSegmentIndex(ReadWholeFile(Segment::IndexPath(dir.path(), 0)).value());
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->entries, (std::vector<IndexEntry>{{0, 0}}));
  // Reads still find every batch by walking headers from the one entry.
  EXPECT_EQ(ReadIds(*segment, 17, 20), Range(17, 3));
}

TEST(SegmentTest, AnIndexThatDoesNotMatchTheFileIsNotTrusted) {
  TempDir dir;
  auto segment = Segment::Create(dir.path(), 0, 64).value();
  AppendBatches(*segment, {5, 5});
  ASSERT_TRUE(segment->WriteIndex().ok());
  AppendBatches(*segment, {5});  // the file grew after the index was written
  Result<std::shared_ptr<Segment>> reopened = Segment::OpenIndexed(dir.path(), 0, 64);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*reopened, nullptr);

  // A corrupt index file is ignored the same way.
  ASSERT_TRUE(WriteFileAtomically(Segment::IndexPath(dir.path(), 0), "garbage").ok());
  EXPECT_EQ(Segment::OpenIndexed(dir.path(), 0, 64).value(), nullptr);
  ASSERT_TRUE(segment->RemoveIndexFile().ok());
  EXPECT_EQ(Segment::OpenIndexed(dir.path(), 0, 64).value(), nullptr);
}

TEST(SegmentTest, ScanFindsTheValidPrefix) {
  TempDir dir;
  auto segment = Segment::Create(dir.path(), 0, 64).value();
  const auto encoded = AppendBatches(*segment, {5, 6, 7});
  const uint64_t two_batches = encoded[0].size() + encoded[1].size();
  // Tear the third batch.
  ASSERT_EQ(::truncate(segment->path().c_str(), static_cast<off_t>(two_batches + 100)), 0);
  Result<SegmentScan> scan = Segment::OpenAndScan(dir.path(), 0, 64);
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->valid_bytes, two_batches);
  EXPECT_EQ(scan->file_bytes, two_batches + 100);
  EXPECT_EQ(scan->segment->end_offset(), 11u);
  EXPECT_EQ(scan->damage, fmt::format("00000000000000000000.log at byte {}: torn batch: 100 of {} "
                                      "bytes",
                                      two_batches, encoded[2].size()));
  // Fewer bytes than a header are a torn header.
  ASSERT_EQ(::truncate(segment->path().c_str(), static_cast<off_t>(two_batches + 30)), 0);
  EXPECT_EQ(Segment::OpenAndScan(dir.path(), 0, 64)->damage,
            fmt::format("00000000000000000000.log at byte {}: torn batch header", two_batches));
  ASSERT_TRUE(scan->segment->TruncateTo(scan->valid_bytes).ok());
  Result<SegmentScan> again = Segment::OpenAndScan(dir.path(), 0, 64);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->damage, "");
  EXPECT_EQ(again->segment->end_offset(), 11u);
}

TEST(SegmentTest, RemoveUnlinksButKeepsTheDescriptorReadable) {
  TempDir dir;
  auto segment = Segment::Create(dir.path(), 0, 64).value();
  AppendBatches(*segment, {5});
  ASSERT_TRUE(segment->WriteIndex().ok());
  ASSERT_TRUE(segment->Remove().ok());
  EXPECT_FALSE(std::filesystem::exists(segment->path()));
  EXPECT_FALSE(std::filesystem::exists(Segment::IndexPath(dir.path(), 0)));
  EXPECT_EQ(ReadIds(*segment, 0, 5), Range(0, 5));
}

TEST(SegmentIndexTest, RejectsDamageAndUnknownVersions) {
  SegmentIndex index;
  index.base_offset = 10;
  index.end_offset = 30;
  index.segment_bytes = 1000;
  index.batch_count = 2;
  index.last_batch_position = 500;
  index.max_append_time = Timestamp{77};
  index.entries = {{10, 0}, {20, 500}};
  index.keyed_batches = {{20, 10, {9, 1, 2}}};
  const std::string bytes = EncodeSegmentIndex(index);
  Result<SegmentIndex> decoded = DecodeSegmentIndex(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, index);

  std::string flipped = bytes;
  flipped[20] ^= 1;
  EXPECT_EQ(DecodeSegmentIndex(flipped).status().message(), "segment index: CRC mismatch");
  EXPECT_FALSE(DecodeSegmentIndex(bytes.substr(0, bytes.size() - 1)).ok());

  index.entries = {{20, 500}, {10, 0}};
  EXPECT_EQ(DecodeSegmentIndex(EncodeSegmentIndex(index)).status().message(),
            "segment index: entry 1 is not after entry 0");
}

}  // namespace
}  // namespace braid::log
