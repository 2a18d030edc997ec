// ParquetWriter and ParquetReader at the edges: empty and one-row files, projection, exact
// statistics, dictionary fallback, row-group skipping by predicates, and the errors callers see.
#include <gtest/gtest.h>

#include <cmath>

#include "lake_test_util.h"

namespace braid::lake {
namespace {

using testing::NullPattern;

TEST(ParquetEdgeCases, EmptyFileHasSchemaAndNoRows) {
  testing::ScratchDir dir;
  SchemaPtr schema = testing::AllTypesSchema();
  ParquetFileSummary summary = testing::WriteFile(dir.File("e.parquet"), schema, {}, {});
  EXPECT_EQ(summary.num_rows, 0);
  EXPECT_EQ(summary.num_row_groups, 0u);
  auto reader = ParquetReader::Open(dir.File("e.parquet"));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->num_rows(), 0);
  EXPECT_EQ(*(*reader)->schema(), *schema);
}

TEST(ParquetEdgeCases, OneRowFile) {
  testing::ScratchDir dir;
  SchemaPtr schema = testing::AllTypesSchema();
  std::vector<Chunk> chunks = {testing::RandomChunk(schema, 1, NullPattern::kNone, 3)};
  testing::WriteFile(dir.File("one.parquet"), schema, chunks, {});
  Result<Chunk> back = testing::ReadAll(dir.File("one.parquet"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == chunks[0]);
}

TEST(ParquetEdgeCases, RequiredColumnsRoundTripAndRejectNulls) {
  testing::ScratchDir dir;
  auto schema = std::make_shared<const Schema>(std::vector<Field>{
      {"k", DataType::kString, false}, {"v", DataType::kBigint, false}});
  std::vector<Chunk> chunks = {testing::RandomChunk(schema, 5000, NullPattern::kNone, 4)};
  ParquetWriterOptions options;
  options.page_bytes = 1000;
  testing::WriteFile(dir.File("r.parquet"), schema, chunks, options);
  Result<Chunk> back = testing::ReadAll(dir.File("r.parquet"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == chunks[0]);
  EXPECT_FALSE(back->schema()->field(0).nullable);

  auto nullable = testing::AllTypesSchema();
  auto writer = ParquetWriter::Open(dir.File("bad.parquet"), schema, {});
  ASSERT_TRUE(writer.ok());
  Chunk with_null(schema);
  with_null.mutable_column(0).AppendNull();
  with_null.mutable_column(1).AppendInt64(1);
  EXPECT_EQ((*writer)->Write(with_null).code(), StatusCode::kDataError);
}

TEST(ParquetEdgeCases, ProjectionReadsChosenColumnsInOrder) {
  testing::ScratchDir dir;
  SchemaPtr schema = testing::AllTypesSchema();
  Chunk chunk = testing::RandomChunk(schema, 3000, NullPattern::kRandom, 5);
  testing::WriteFile(dir.File("p.parquet"), schema, {chunk}, {});
  auto reader = ParquetReader::Open(dir.File("p.parquet"));
  ASSERT_TRUE(reader.ok());
  std::vector<size_t> columns = {4, 1};
  Result<Chunk> part = (*reader)->ReadRowGroup(0, columns);
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  ASSERT_EQ(part->num_columns(), 2u);
  EXPECT_EQ(part->schema()->field(0).name, "t");
  EXPECT_TRUE(part->column(0) == chunk.column(4));
  EXPECT_TRUE(part->column(1) == chunk.column(1));
  EXPECT_EQ((*reader)->ReadRowGroup(1).status().code(), StatusCode::kInvalidArgument);
}

TEST(ParquetEdgeCases, StatisticsAreExact) {
  testing::ScratchDir dir;
  auto schema = std::make_shared<const Schema>(std::vector<Field>{
      {"d", DataType::kDouble, true}, {"s", DataType::kString, true},
      {"b", DataType::kBoolean, true}, {"t", DataType::kTimestamp, true}});
  Chunk chunk(schema);
  const double nan = std::nan("");
  std::vector<double> ds = {nan, 2.5, -0.0, -7.25, nan};
  std::vector<std::string> ss = {"b", "\xc3\xa9t\xc3\xa9", "", "zz", "a"};
  for (size_t r = 0; r < ds.size(); ++r) {
    chunk.mutable_column(0).AppendDouble(ds[r]);
    chunk.mutable_column(1).AppendString(ss[r]);
    if (r == 2) {
      chunk.mutable_column(2).AppendNull();
      chunk.mutable_column(3).AppendNull();
    } else {
      chunk.mutable_column(2).AppendBool(true);
      chunk.mutable_column(3).AppendInt64(static_cast<int64_t>(r) * 1000);
    }
  }
  ParquetFileSummary summary = testing::WriteFile(dir.File("s.parquet"), schema, {chunk}, {});
  ASSERT_EQ(summary.columns.size(), 4u);
  EXPECT_EQ(std::get<double>(*summary.columns[0].min), -7.25);  // NaN is never min or max
  EXPECT_EQ(std::get<double>(*summary.columns[0].max), 2.5);
  EXPECT_EQ(std::get<std::string>(*summary.columns[1].min), "");
  EXPECT_EQ(std::get<std::string>(*summary.columns[1].max), "\xc3\xa9t\xc3\xa9");  // raw bytes
  EXPECT_EQ(*summary.columns[2].null_count, 1);
  EXPECT_EQ(std::get<bool>(*summary.columns[2].min), true);
  EXPECT_EQ(std::get<int64_t>(*summary.columns[3].min), 0);
  EXPECT_EQ(std::get<int64_t>(*summary.columns[3].max), 4000);
  auto reader = ParquetReader::Open(dir.File("s.parquet"));
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->row_group(0).columns, summary.columns);  // the footer says the same
  Result<Chunk> back = testing::ReadAll(dir.File("s.parquet"));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(std::isnan(back->column(0).doubles()[0]));
  EXPECT_TRUE(std::signbit(back->column(0).doubles()[2]));
}

TEST(ParquetEdgeCases, DictionaryFallsBackToPlainWhenTooLarge) {
  testing::ScratchDir dir;
  SchemaPtr schema = testing::AllTypesSchema();
  Chunk chunk = testing::RandomChunk(schema, 4000, NullPattern::kRandom, 6, 3000, 100000);
  ParquetWriterOptions options;
  options.dictionary_limits.max_bytes = 2000;
  options.codec = CompressionCodec::kSnappy;
  testing::WriteFile(dir.File("f.parquet"), schema, {chunk}, options);
  auto reader = ParquetReader::Open(dir.File("f.parquet"));
  ASSERT_TRUE(reader.ok());
  const ColumnMetaData& s_meta = *(*reader)->metadata().row_groups[0].columns[3].meta_data;
  EXPECT_FALSE(s_meta.dictionary_page_offset.has_value());
  Result<Chunk> back = testing::ReadAll(dir.File("f.parquet"));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == chunk);
}

TEST(ParquetEdgeCases, ManyRowGroupsAndPages) {
  testing::ScratchDir dir;
  SchemaPtr schema = testing::AllTypesSchema();
  std::vector<Chunk> chunks;
  for (uint32_t i = 0; i < 20; ++i) {
    chunks.push_back(testing::RandomChunk(schema, 997, NullPattern::kRandom, 100 + i));
  }
  ParquetWriterOptions options;
  options.row_group_rows = 1234;
  options.page_bytes = 512;
  ParquetFileSummary summary = testing::WriteFile(dir.File("m.parquet"), schema, chunks, options);
  EXPECT_EQ(summary.num_row_groups, (20 * 997 + 1233) / 1234);
  Result<Chunk> back = testing::ReadAll(dir.File("m.parquet"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == testing::Concat(schema, chunks));
}

TEST(ParquetEdgeCases, SkipsRowGroupsByPredicates) {
  testing::ScratchDir dir;
  auto schema = std::make_shared<const Schema>(std::vector<Field>{
      {"ts", DataType::kTimestamp, false}, {"device", DataType::kString, true},
      {"gone", DataType::kBigint, true}});
  Chunk chunk(schema);
  for (int64_t r = 0; r < 4000; ++r) {  // row group g holds ts in [g*1000, g*1000+999]
    chunk.mutable_column(0).AppendInt64(r);
    chunk.mutable_column(1).AppendString(r < 2000 ? "alpha" : "beta");
    chunk.mutable_column(2).AppendNull();
  }
  ParquetWriterOptions options;
  options.row_group_rows = 1000;
  testing::WriteFile(dir.File("k.parquet"), schema, {chunk}, options);
  auto reader = ParquetReader::Open(dir.File("k.parquet"));
  ASSERT_TRUE(reader.ok());
  auto select = [&](std::vector<ColumnPredicate> predicates) {
    Result<std::vector<size_t>> groups = (*reader)->SelectRowGroups(predicates);
    EXPECT_TRUE(groups.ok()) << groups.status().ToString();
    return groups.ok() ? *groups : std::vector<size_t>{99};
  };
  EXPECT_EQ(select({{"ts", int64_t{1500}, int64_t{2000}}}), (std::vector<size_t>{1, 2}));
  EXPECT_EQ(select({{"ts", int64_t{3999}, std::nullopt}}), (std::vector<size_t>{3}));
  EXPECT_EQ(select({{"ts", std::nullopt, int64_t{-1}}}), (std::vector<size_t>{}));
  EXPECT_EQ(select({ColumnPredicate::Equals("device", std::string("beta"))}),
            (std::vector<size_t>{2, 3}));
  EXPECT_EQ(select({ColumnPredicate::Equals("DEVICE", std::string("alpha")),
                    {"ts", int64_t{999}, std::nullopt}}),
            (std::vector<size_t>{0, 1}));
  EXPECT_EQ(select({ColumnPredicate::Equals("gone", int64_t{1})}), (std::vector<size_t>{}));
  EXPECT_EQ(select({}), (std::vector<size_t>{0, 1, 2, 3}));
  std::vector<ColumnPredicate> unknown = {ColumnPredicate::Equals("nope", int64_t{1})};
  EXPECT_EQ((*reader)->SelectRowGroups(unknown).status().code(), StatusCode::kUndefinedColumn);
  std::vector<ColumnPredicate> mistyped = {ColumnPredicate::Equals("ts", std::string("x"))};
  EXPECT_EQ((*reader)->SelectRowGroups(mistyped).status().code(), StatusCode::kTypeMismatch);
}

TEST(ParquetEdgeCases, WriterRejectsMismatchedChunksAndReuse) {
  testing::ScratchDir dir;
  SchemaPtr schema = testing::AllTypesSchema();
  auto writer = ParquetWriter::Open(dir.File("w.parquet"), schema, {});
  ASSERT_TRUE(writer.ok());
  auto other = std::make_shared<const Schema>(std::vector<Field>{{"x", DataType::kBigint, true}});
  EXPECT_EQ((*writer)->Write(Chunk(other)).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE((*writer)->Close().ok());
  EXPECT_FALSE((*writer)->Close().ok());
  ParquetWriterOptions lz4;
  lz4.codec = CompressionCodec::kLz4;
  EXPECT_EQ(ParquetWriter::Open(dir.File("x.parquet"), schema, lz4).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ParquetEdgeCases, ReaderRejectsNonParquetFiles) {
  testing::ScratchDir dir;
  EXPECT_EQ(ParquetReader::Open(dir.File("missing.parquet")).status().code(),
            StatusCode::kIoError);
  ASSERT_TRUE(WriteFileAtomically(dir.File("text.parquet"), "hello, this is not parquet").ok());
  Status status = ParquetReader::Open(dir.File("text.parquet")).status();
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("text.parquet"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace braid::lake
