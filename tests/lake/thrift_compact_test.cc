// The Thrift compact codec and the RLE/bit-packed hybrid on their own: round trips, skipping of
// unknown fields of every type, and rejection of malformed input.
#include <gtest/gtest.h>

#include <random>

#include "lake/parquet_metadata.h"
#include "lake/rle_hybrid.h"
#include "lake/thrift_compact.h"

namespace braid::lake {
namespace {

TEST(ThriftCompact, PageHeaderRoundTripsAndSkipsUnknownFields) {
  PageHeader header;
  header.type = PageType::kDataPageV2;
  header.uncompressed_page_size = 1 << 20;
  header.compressed_page_size = 12345;
  header.data_page_header_v2 = DataPageHeaderV2{.num_values = 70000, .num_nulls = 3,
                                                .num_rows = 70000, .encoding = Encoding::kPlain,
                                                .definition_levels_byte_length = 17,
                                                .repetition_levels_byte_length = 0,
                                                .is_compressed = false};
  std::string bytes;
  EncodePageHeader(header, &bytes);
  // Splice unknown fields before the stop byte: id 20 list<struct{i64, map<binary,binary>,
  // double}>, id 21 set<i32>, id 300 (long-form header) i32.
  bytes.pop_back();
  const unsigned char kUnknown[] = {
      0xC9, 0x1C,                                  // field 20: list of 1 struct
      0x16, 0x09,                                  //   field 1 i64 -5
      0x1B, 0x01, 0x88, 0x01, 'a', 0x02, 'b', 'c', //   field 2 map {"a": "bc"}
      0x17, 1, 2, 3, 4, 5, 6, 7, 8,                //   field 3 double
      0x00,                                        //   end of struct
      0x1A, 0x25, 0x02, 0x04,                      // field 21: set<i32> {1, 2}
      0x05, 0xD8, 0x04, 0x02,                      // field 300: i32 1
      0x00};                                       // end of PageHeader
  bytes.append(reinterpret_cast<const char*>(kUnknown), sizeof(kUnknown));
  size_t used = 0;
  Result<PageHeader> back = DecodePageHeader(bytes + "trailing", &used);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(used, bytes.size());
  EXPECT_EQ(back->compressed_page_size, 12345);
  ASSERT_TRUE(back->data_page_header_v2.has_value());
  EXPECT_EQ(back->data_page_header_v2->num_values, 70000);
  EXPECT_FALSE(back->data_page_header_v2->is_compressed);
  EXPECT_EQ(back->data_page_header_v2->definition_levels_byte_length, 17);
}

TEST(ThriftCompact, EveryTruncationIsCorruption) {
  FileMetaData metadata;
  SchemaElement& root = metadata.schema.emplace_back();
  root.name = "root";
  root.num_children = 1;
  SchemaElement& leaf = metadata.schema.emplace_back();
  leaf.type = PhysicalType::kInt64;
  leaf.repetition = Repetition::kOptional;
  leaf.name = "x";
  metadata.num_rows = 0;
  metadata.created_by = "braid version test";
  metadata.column_orders = 1;
  std::string bytes;
  EncodeFileMetaData(metadata, &bytes);
  ASSERT_TRUE(DecodeFileMetaData(bytes).ok());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(DecodeFileMetaData(bytes.substr(0, n)).status().code(), StatusCode::kCorruption)
        << n;
  }
}

TEST(ThriftCompact, RejectsHugeListsAndDeepNesting) {
  // schema: list header claiming 2^40 structs in a 10-byte input.
  std::string huge = "\x19\xfc\x80\x80\x80\x80\x80\x20";
  EXPECT_EQ(DecodeFileMetaData(huge).status().code(), StatusCode::kCorruption);
  std::string deep = "\x1c";  // field 1: struct, nested 100 times
  for (int i = 0; i < 100; ++i) deep += "\x1c";
  EXPECT_EQ(DecodeFileMetaData(deep).status().code(), StatusCode::kCorruption);
}

TEST(RleHybrid, RoundTripsRunsAndLiterals) {
  std::mt19937 rng(1);
  for (int bit_width : {1, 3, 8, 17, 32}) {
    std::vector<uint32_t> values;
    uint64_t limit = bit_width == 32 ? 0xFFFFFFFFull : (1ull << bit_width) - 1;
    for (int run = 0; run < 200; ++run) {
      uint32_t v = static_cast<uint32_t>(rng() % (limit + 1));
      size_t length = rng() % 3 == 0 ? 1 + rng() % 40 : 1;
      values.insert(values.end(), length, v);
    }
    std::string encoded;
    EncodeRleHybrid(values, bit_width, &encoded);
    std::vector<uint32_t> decoded(values.size());
    RleHybridDecoder decoder(encoded, bit_width);
    // Decode in uneven batches to exercise state kept between calls.
    size_t done = 0;
    while (done < decoded.size()) {
      size_t n = std::min<size_t>(decoded.size() - done, 1 + rng() % 50);
      ASSERT_TRUE(decoder.Decode(std::span(decoded).subspan(done, n)).ok());
      done += n;
    }
    EXPECT_EQ(decoded, values) << "bit width " << bit_width;
  }
}

TEST(RleHybrid, ShortStreamIsCorruption) {
  std::vector<uint8_t> levels(100, 1);
  levels[50] = 0;
  std::string encoded;
  EncodeRleHybridBits(levels, &encoded);
  std::vector<uint8_t> decoded(100);
  for (size_t n = 0; n < encoded.size(); ++n) {
    RleHybridDecoder decoder(std::string_view(encoded).substr(0, n), 1);
    EXPECT_FALSE(decoder.DecodeBits(decoded).ok()) << n;
  }
  RleHybridDecoder bad("\x02\x05", 1);  // an RLE run of value 5 at width 1
  EXPECT_EQ(bad.DecodeBits(std::span(decoded).subspan(0, 1)).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace braid::lake
