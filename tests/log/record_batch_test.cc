#include "log/record_batch.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "common/byte_io.h"
#include "common/chunk_codec.h"
#include "common/crc32c.h"
#include "log_test_util.h"

namespace braid::log {
namespace {

using testing::MakeEvents;

BatchHeader SampleHeader() {
  BatchHeader header;
  header.base_offset = 4242;
  header.min_event_time = Timestamp{1000};
  header.max_event_time = Timestamp{2000};
  header.append_time = Timestamp{3000};
  header.idempotency = {0xABCDEF0123456789ull, 1, 3};
  return header;
}

Result<RecordBatch> DecodeAll(std::string_view bytes) {
  ASSIGN_OR_RETURN(BatchHeader header, DecodeRecordBatchHeader(bytes));
  return DecodeRecordBatch(header, bytes.substr(0, kBatchHeaderSize),
                           bytes.substr(kBatchHeaderSize));
}

class RecordBatchCompressionTest : public ::testing::TestWithParam<Compression> {};

TEST_P(RecordBatchCompressionTest, RoundTripsEveryField) {
  LogOptions options;
  options.compression = GetParam();
  const Chunk events = MakeEvents(100, 500);
  std::string bytes;
  const BatchHeader written = EncodeRecordBatch(SampleHeader(), events, options, &bytes);
  ASSERT_EQ(bytes.size(), kBatchHeaderSize + written.payload_bytes);
  // These events repeat a lot: every codec pays off, and raw stays raw.
  EXPECT_EQ(written.compression, GetParam());
  std::string serialized;
  SerializeChunk(events, &serialized);
  EXPECT_EQ(written.uncompressed_bytes, serialized.size());
  if (GetParam() != Compression::kNone) {
    EXPECT_LT(written.payload_bytes, serialized.size());
  }

  Result<RecordBatch> batch = DecodeAll(bytes);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->events, events);
  const BatchHeader& h = batch->header;
  EXPECT_EQ(h.base_offset, 4242u);
  EXPECT_EQ(h.record_count, 500u);
  EXPECT_EQ(h.end_offset(), 4742u);
  EXPECT_EQ(h.min_event_time, Timestamp{1000});
  EXPECT_EQ(h.max_event_time, Timestamp{2000});
  EXPECT_EQ(h.append_time, Timestamp{3000});
  EXPECT_EQ(h.idempotency, (IdempotencyTag{0xABCDEF0123456789ull, 1, 3}));
  EXPECT_EQ(h.compression, GetParam());
  EXPECT_EQ(h.crc, written.crc);
}

INSTANTIATE_TEST_SUITE_P(Codecs, RecordBatchCompressionTest,
                         ::testing::Values(Compression::kNone, Compression::kLz4,
                                           Compression::kZstd));

TEST(RecordBatchTest, HeaderLayoutIsTheDocumentedOne) {
  LogOptions options;
  options.compression = Compression::kNone;
  std::string bytes;
  EncodeRecordBatch(SampleHeader(), MakeEvents(0, 3), options, &bytes);
  EXPECT_EQ(bytes.substr(0, 4), "BRLB");
  EXPECT_EQ(bytes[4], 1);  // version
  EXPECT_EQ(bytes[5], 0);  // compression none
  EXPECT_EQ(DecodeU64(bytes.data() + 8), 4242u);
  EXPECT_EQ(DecodeU32(bytes.data() + 16), 3u);
  EXPECT_EQ(DecodeU32(bytes.data() + 20), bytes.size() - kBatchHeaderSize);
  uint16_t part_index, part_count;
  std::memcpy(&part_index, bytes.data() + 28, 2);
  std::memcpy(&part_count, bytes.data() + 30, 2);
  EXPECT_EQ(part_index, 1);
  EXPECT_EQ(part_count, 3);
  EXPECT_EQ(static_cast<int64_t>(DecodeU64(bytes.data() + 32)), 1000);
  EXPECT_EQ(static_cast<int64_t>(DecodeU64(bytes.data() + 48)), 3000);
  EXPECT_EQ(DecodeU64(bytes.data() + 56), 0xABCDEF0123456789ull);
  EXPECT_EQ(bytes.substr(64, 12), std::string(12, '\0'));
  // The CRC covers header bytes 0..75 followed by the payload.
  uint32_t crc = Crc32cExtend(0, bytes.data(), 76);
  crc = Crc32cExtend(crc, bytes.data() + kBatchHeaderSize, bytes.size() - kBatchHeaderSize);
  EXPECT_EQ(DecodeU32(bytes.data() + 76), crc);
}

TEST(RecordBatchTest, IncompressiblePayloadIsStoredRaw) {
  Chunk events(testing::EventSchema());
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string noise(64, '\0');
    for (char& c : noise) c = static_cast<char>(rng());
    events.mutable_column(0).AppendInt64(static_cast<int64_t>(rng()));
    events.mutable_column(1).AppendString(noise);
    events.mutable_column(2).AppendInt64(static_cast<int64_t>(rng()));
    events.mutable_column(3).AppendDouble(static_cast<double>(rng()));
  }
  for (Compression codec : {Compression::kLz4, Compression::kZstd}) {
    LogOptions options;
    options.compression = codec;
    std::string bytes;
    const BatchHeader header = EncodeRecordBatch(SampleHeader(), events, options, &bytes);
    EXPECT_EQ(header.compression, Compression::kNone);
    EXPECT_EQ(header.payload_bytes, header.uncompressed_bytes);
    Result<RecordBatch> batch = DecodeAll(bytes);
    ASSERT_TRUE(batch.ok());
    EXPECT_EQ(batch->events, events);
  }
}

TEST(RecordBatchTest, EncodesASelectionOfRowsLikeTheSelectedChunk) {
  const Chunk events = MakeEvents(0, 100);
  const std::vector<uint32_t> rows = {99, 3, 7, 14, 50, 0};
  LogOptions options;
  std::string bytes;
  const BatchHeader header = EncodeRecordBatch(SampleHeader(), events, rows, options, &bytes);
  EXPECT_EQ(header.record_count, 6u);
  Result<RecordBatch> batch = DecodeAll(bytes);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->events, events.Select(rows));
  EXPECT_EQ(testing::EventIds(batch->events), (std::vector<int64_t>{99, 3, 7, 14, 50, 0}));
}

TEST(RecordBatchTest, StampingTheBaseOffsetKeepsTheBatchValid) {
  std::string bytes;
  EncodeRecordBatch(SampleHeader(), MakeEvents(0, 10), LogOptions{}, &bytes);
  StampRecordBatchBaseOffset(987654321, &bytes);
  Result<RecordBatch> batch = DecodeAll(bytes);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->header.base_offset, 987654321u);
}

TEST(RecordBatchTest, DetectsDamage) {
  std::string good;
  EncodeRecordBatch(SampleHeader(), MakeEvents(0, 50), LogOptions{}, &good);

  std::string flipped = good;
  flipped[kBatchHeaderSize + 10] ^= 0x20;
  Result<RecordBatch> bad_payload = DecodeAll(flipped);
  ASSERT_FALSE(bad_payload.ok());
  EXPECT_EQ(bad_payload.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad_payload.status().message().find("CRC mismatch"), std::string::npos);

  std::string bad_magic = good;
  bad_magic[0] = 'X';
  EXPECT_EQ(DecodeRecordBatchHeader(bad_magic).status().message(), "log record batch: bad magic");

  std::string future = good;
  future[4] = 9;
  EXPECT_EQ(DecodeRecordBatchHeader(future).status().message(),
            "log record batch: unknown format version 9 (this build reads 1)");

  EXPECT_FALSE(DecodeRecordBatchHeader(std::string_view(good).substr(0, 79)).ok());
  std::string short_payload = good.substr(0, good.size() - 1);
  EXPECT_FALSE(DecodeAll(short_payload).ok());

  std::string zero_count = good;
  std::memset(zero_count.data() + 16, 0, 4);
  EXPECT_EQ(DecodeRecordBatchHeader(zero_count).status().message(),
            "log record batch: record count is zero");
}

}  // namespace
}  // namespace braid::log
