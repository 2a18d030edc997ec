#include "common/chunk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "common/chunk_codec.h"

namespace braid {
namespace {

SchemaPtr AllTypes() {
  return std::make_shared<const Schema>(std::vector<Field>{{"flag", DataType::kBoolean, true},
                                                           {"n", DataType::kBigint, false},
                                                           {"x", DataType::kDouble, true},
                                                           {"s", DataType::kString, true},
                                                           {"t", DataType::kTimestamp, false}});
}

Chunk RandomChunk(std::mt19937_64& rng, size_t rows) {
  Chunk c(AllTypes());
  static const char* kStrings[] = {"", "a", "héllo", "日本語", "a\0b", "longer string value"};
  for (size_t r = 0; r < rows; ++r) {
    if (rng() % 4 == 0) c.mutable_column(0).AppendNull(); else c.mutable_column(0).AppendBool(rng() % 2);
    c.mutable_column(1).AppendInt64(static_cast<int64_t>(rng()));
    if (rng() % 5 == 0) c.mutable_column(2).AppendNull(); else c.mutable_column(2).AppendDouble(std::ldexp(static_cast<double>(rng() % 100000), -7));
    if (rng() % 3 == 0) c.mutable_column(3).AppendNull(); else c.mutable_column(3).AppendString(kStrings[rng() % 6]);
    c.mutable_column(4).AppendInt64(static_cast<int64_t>(rng() % 4000000000000000ull));
  }
  return c;
}

TEST(ChunkTest, AppendAndRead) {
  Chunk c(AllTypes());
  c.mutable_column(0).AppendBool(true);
  c.mutable_column(1).AppendInt64(-7);
  c.mutable_column(2).AppendNull();
  c.mutable_column(3).AppendString("héllo");
  c.mutable_column(4).AppendInt64(1000);
  EXPECT_EQ(c.num_rows(), 1u);
  EXPECT_TRUE(c.column(0).bools()[0]);
  EXPECT_EQ(c.column(1).int64s()[0], -7);
  EXPECT_FALSE(c.column(2).IsValid(0));
  EXPECT_EQ(c.column(2).doubles()[0], 0.0);  // NULL slots hold a zero default
  EXPECT_EQ(c.column(2).null_count(), 1u);
  EXPECT_EQ(c.column(3).StringAt(0), "héllo");
}

TEST(ChunkTest, SelectKeepsOrderAndNulls) {
  std::mt19937_64 rng(1);
  Chunk c = RandomChunk(rng, 50);
  std::vector<uint32_t> rows = {49, 0, 7, 7};
  Chunk s = c.Select(rows);
  ASSERT_EQ(s.num_rows(), 4u);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t col = 0; col < c.num_columns(); ++col) {
      ASSERT_EQ(s.column(col).IsValid(i), c.column(col).IsValid(rows[i]));
    }
    EXPECT_EQ(s.column(1).int64s()[i], c.column(1).int64s()[rows[i]]);
    EXPECT_EQ(s.column(3).StringAt(i), c.column(3).StringAt(rows[i]));
  }
}

// AppendRows (bulk, with and without NULLs, appended to in pieces) equals AppendFrom row by row.
TEST(ChunkTest, AppendRowsEqualsAppendFrom) {
  std::mt19937_64 rng(3);
  const Chunk c = RandomChunk(rng, 300);
  Chunk no_nulls(AllTypes());
  for (size_t col = 0; col < c.num_columns(); ++col) {
    for (size_t r = 0; r < c.num_rows(); ++r) {
      if (c.column(col).IsValid(r)) no_nulls.mutable_column(col).AppendFrom(c.column(col), r);
    }
  }
  for (const Chunk* source : std::vector<const Chunk*>{&c, &no_nulls}) {
    for (size_t col = 0; col < source->num_columns(); ++col) {
      const Column& from = source->column(col);
      std::vector<uint32_t> rows;
      for (size_t i = 0; i < 400; ++i) rows.push_back(static_cast<uint32_t>(rng() % from.size()));
      Column bulk(from.type()), one_by_one(from.type());
      for (size_t at = 0; at < rows.size(); at += 37) {
        const size_t n = std::min<size_t>(37, rows.size() - at);
        bulk.AppendRows(from, std::span<const uint32_t>(rows).subspan(at, n));
      }
      for (uint32_t r : rows) one_by_one.AppendFrom(from, r);
      EXPECT_EQ(bulk, one_by_one) << "column " << col;
      EXPECT_EQ(bulk.null_count(), one_by_one.null_count());
    }
  }
}

// AppendRows over runs of consecutive rows (copied in bulk from 8 rows on) between scattered ones,
// with and without NULLs, equals AppendFrom row by row.
TEST(ChunkTest, AppendRowsOfRunsEqualsAppendFrom) {
  std::mt19937_64 rng(6);
  const Chunk c = RandomChunk(rng, 500);
  for (size_t col = 0; col < c.num_columns(); ++col) {
    const Column& from = c.column(col);
    std::vector<uint32_t> rows;
    for (size_t run : {1, 7, 8, 9, 3, 40, 1, 1, 200, 2}) {
      const auto start = static_cast<uint32_t>(rng() % (from.size() - run));
      for (uint32_t r = start; r < start + run; ++r) rows.push_back(r);
    }
    for (uint32_t r = 100; r < 130; ++r) rows.push_back(r);  // a run that ends the rows
    Column bulk(from.type()), one_by_one(from.type());
    bulk.AppendFrom(from, 0);
    one_by_one.AppendFrom(from, 0);
    bulk.AppendRows(from, rows);
    for (uint32_t r : rows) one_by_one.AppendFrom(from, r);
    EXPECT_EQ(bulk, one_by_one) << "column " << col;
    EXPECT_EQ(bulk.null_count(), one_by_one.null_count()) << "column " << col;
  }
}

// AppendRowsOf copies the first columns' values of the rows asked for, in their order, close
// together (a run, prefetched) or strewn, and gives every later (STRING) column empty strings.
TEST(ChunkTest, AppendRowsOfCopiesTheFirstColumnsAndEmptiesTheRest) {
  std::mt19937_64 rng(7);
  const Chunk c = RandomChunk(rng, 300);
  const SchemaPtr schema = std::make_shared<const Schema>(std::vector<Field>{
      c.schema()->field(0), c.schema()->field(1), c.schema()->field(2), c.schema()->field(3)});
  Chunk from(schema);
  for (size_t r = 0; r < c.num_rows(); ++r) {
    for (size_t col = 0; col < 4; ++col) from.mutable_column(col).AppendFrom(c.column(col), r);
  }
  const std::vector<uint32_t> run = {40, 41, 42, 43, 44, 45};
  const std::vector<uint32_t> strewn = {290, 3, 150, 3};
  Chunk appended(schema);
  appended.AppendRowsOf(from, run, 3);
  appended.AppendRowsOf(from, strewn, 3);
  appended.AppendRowsOf(from, {}, 3);
  std::vector<uint32_t> all = run;
  all.insert(all.end(), strewn.begin(), strewn.end());
  ASSERT_EQ(appended.num_rows(), all.size());
  for (size_t k = 0; k < all.size(); ++k) {
    Chunk expected(schema);
    expected.AppendRow(from, all[k]);
    for (size_t col = 0; col < 3; ++col) {
      Column one(from.column(col).type());
      one.AppendFrom(appended.column(col), k);
      EXPECT_EQ(one, expected.column(col)) << "row " << k << " column " << col;
    }
    EXPECT_TRUE(appended.column(3).IsValid(k));
    EXPECT_EQ(appended.column(3).StringAt(k), "");
  }
}

// A STRING column allocates no offsets before its first row, yet reads as one with none: offsets()
// is {0} whether it is new, reserved or given no rows, and rows append alike to each.
TEST(ChunkTest, EmptyStringColumnsReadTheSame) {
  Column fresh(DataType::kString), reserved(DataType::kString), appended(DataType::kString);
  reserved.Reserve(10);
  Column source(DataType::kString);
  source.AppendString("abc");
  appended.AppendRange(source, 1, 0);
  appended.AppendRows(source, {});
  for (const Column* column : {&fresh, &reserved, &appended}) {
    EXPECT_EQ(column->size(), 0u);
    ASSERT_EQ(column->offsets().size(), 1u);
    EXPECT_EQ(column->offsets()[0], 0u);
    EXPECT_EQ(*column, fresh);
  }
  for (Column* column : {&fresh, &reserved, &appended}) {
    column->AppendNull();
    column->AppendString("de");
    column->AppendEmptyStrings(2);
    ASSERT_EQ(column->size(), 4u);
    EXPECT_EQ(std::vector<uint32_t>(column->offsets().begin(), column->offsets().end()),
              (std::vector<uint32_t>{0, 0, 2, 2, 2}));
    EXPECT_FALSE(column->IsValid(0));
    EXPECT_EQ(column->StringAt(1), "de");
  }
}

// AppendRange (a run copied in bulk: empty, one row, the whole column, ranges with and without
// NULLs, appended after other rows) equals AppendFrom row by row.
TEST(ChunkTest, AppendRangeEqualsAppendFrom) {
  std::mt19937_64 rng(4);
  const Chunk c = RandomChunk(rng, 120);
  const std::vector<std::pair<size_t, size_t>> ranges = {{0, 0},  {0, 1},  {119, 1}, {0, 120},
                                                         {5, 37}, {60, 0}, {42, 78}};
  for (size_t col = 0; col < c.num_columns(); ++col) {
    const Column& from = c.column(col);
    Column bulk(from.type()), one_by_one(from.type());
    bulk.AppendFrom(from, 3);  // appended after a row already there (string offsets shift)
    one_by_one.AppendFrom(from, 3);
    for (const auto& [begin, count] : ranges) {
      bulk.AppendRange(from, begin, count);
      for (size_t r = begin; r < begin + count; ++r) one_by_one.AppendFrom(from, r);
    }
    EXPECT_EQ(bulk, one_by_one) << "column " << col;
    EXPECT_EQ(bulk.null_count(), one_by_one.null_count()) << "column " << col;
  }
}

// TakeColumns: a column named once moves out (the chunk's is left empty), one named twice is
// copied first and moved at its last use, kNoColumn leaves its slot alone.
TEST(ChunkTest, TakeColumnsMovesAtTheLastUse) {
  std::mt19937_64 rng(5);
  const Chunk original = RandomChunk(rng, 40);
  Chunk from = original;
  std::vector<Column> out;
  out.emplace_back(original.column(1).type());
  out.emplace_back(original.column(3).type());
  out.emplace_back(DataType::kBoolean);
  out.back().AppendBool(true);
  out.emplace_back(original.column(1).type());
  const std::vector<size_t> sources = {1, 3, kNoColumn, 1};
  TakeColumns(from, sources, out);
  EXPECT_EQ(out[0], original.column(1));
  EXPECT_EQ(out[1], original.column(3));
  ASSERT_EQ(out[2].size(), 1u);  // left alone
  EXPECT_TRUE(out[2].bools()[0]);
  EXPECT_EQ(out[3], original.column(1));
  EXPECT_EQ(from.column(1).size(), 0u);  // moved out at its last use
  EXPECT_EQ(from.column(3).size(), 0u);
  EXPECT_EQ(from.column(0), original.column(0));  // not named: untouched
}

// A column keeps validity bytes only once it has a NULL: every way of appending leaves a column
// without NULLs with an empty validity(), and the first NULL gives every earlier row its byte.
TEST(ChunkTest, ValidityIsKeptOnlyFromTheFirstNull) {
  auto bytes = [](const Column& c) {
    return std::vector<uint8_t>(c.validity().begin(), c.validity().end());
  };
  Column ints(DataType::kBigint);
  ints.Reserve(8);
  for (int64_t v : {1, 2, 3}) ints.AppendInt64(v);
  EXPECT_TRUE(ints.validity().empty());
  EXPECT_FALSE(ints.HasNulls());
  EXPECT_TRUE(ints.IsValid(2));
  ints.AppendNull();
  ints.AppendInt64(5);
  EXPECT_EQ(bytes(ints), (std::vector<uint8_t>{1, 1, 1, 0, 1}));
  EXPECT_EQ(ints.null_count(), 1u);

  // Rows without a NULL, taken from a column that has one, keep the target without bytes.
  Column range(DataType::kBigint), rows(DataType::kBigint), each(DataType::kBigint);
  range.AppendRange(ints, 0, 3);
  rows.AppendRows(ints, std::vector<uint32_t>{0, 1, 2, 4, 2, 1, 0, 1, 2});
  each.AppendFrom(ints, 4);
  for (const Column* column : {&range, &rows, &each}) {
    EXPECT_TRUE(column->validity().empty());
    EXPECT_EQ(column->null_count(), 0u);
  }
  // A NULL among them materializes the bytes of the rows before it.
  range.AppendRange(ints, 2, 3);
  EXPECT_EQ(bytes(range), (std::vector<uint8_t>{1, 1, 1, 1, 0, 1}));
  rows.AppendRows(ints, std::vector<uint32_t>{3, 0});
  EXPECT_EQ(bytes(rows), (std::vector<uint8_t>{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1}));
  each.AppendFrom(ints, 3);
  EXPECT_EQ(bytes(each), (std::vector<uint8_t>{1, 0}));

  // FromParts drops validity bytes that are all 1; the column equals one built by appends.
  Result<Column> parts = Column::FromParts(DataType::kDouble, {1, 1}, {}, {0.5, 1.5}, {}, {}, {});
  ASSERT_TRUE(parts.ok());
  EXPECT_TRUE(parts->validity().empty());
  Column doubles(DataType::kDouble);
  doubles.AppendDouble(0.5);
  doubles.AppendDouble(1.5);
  EXPECT_EQ(*parts, doubles);
  Result<Column> with_null =
      Column::FromParts(DataType::kDouble, {1, 0}, {}, {0.5, 0.0}, {}, {}, {});
  ASSERT_TRUE(with_null.ok());
  EXPECT_EQ(bytes(*with_null), (std::vector<uint8_t>{1, 0}));
  EXPECT_NE(*with_null, doubles);

  // A copy keeps the bytes; a column moved from has no rows and takes new ones.
  const Column copy = ints;
  EXPECT_EQ(copy, ints);
  Column moved = std::move(ints);
  EXPECT_EQ(moved, copy);
  EXPECT_EQ(ints.size(), 0u);  // NOLINT(bugprone-use-after-move): documented to be empty
  EXPECT_EQ(ints.null_count(), 0u);
  ints.AppendInt64(7);
  EXPECT_EQ(ints.size(), 1u);
  EXPECT_TRUE(ints.validity().empty());
}

// AddColumn puts a column after the others under a schema of one more field; a column of the
// wrong type or length, or a schema that does not extend the chunk's, is refused.
TEST(ChunkTest, AddColumnExtendsTheChunk) {
  std::mt19937_64 rng(7);
  const Chunk original = RandomChunk(rng, 30);
  std::vector<Field> fields = original.schema()->fields();
  fields.push_back({"extra", DataType::kBigint, false});
  const auto wider = std::make_shared<const Schema>(fields);
  Column extra(DataType::kBigint);
  for (int64_t i = 0; i < 30; ++i) extra.AppendInt64(i);

  Chunk chunk = original;
  ASSERT_TRUE(chunk.AddColumn(wider, extra).ok());
  ASSERT_EQ(chunk.num_columns(), original.num_columns() + 1);
  EXPECT_EQ(chunk.schema(), wider);
  EXPECT_EQ(chunk.column(original.num_columns()), extra);
  for (size_t c = 0; c < original.num_columns(); ++c)
    EXPECT_EQ(chunk.column(c), original.column(c));

  Chunk short_column = original;
  Column two(DataType::kBigint);
  two.AppendInt64(1);
  two.AppendInt64(2);
  EXPECT_EQ(short_column.AddColumn(wider, two).code(), StatusCode::kCorruption);
  Chunk wrong_type = original;
  Column doubles(DataType::kDouble);
  for (int i = 0; i < 30; ++i) doubles.AppendDouble(i);
  const Status wrong_added = wrong_type.AddColumn(wider, doubles);
  EXPECT_EQ(wrong_added.code(), StatusCode::kCorruption);
  EXPECT_EQ(wrong_added.message(), "column 'extra' has type DOUBLE, schema says BIGINT");
  // A schema that gives one of the chunk's own columns another type is refused by name too.
  std::vector<Field> retyped = fields;
  retyped[2].type = DataType::kString;
  const Status retyped_added = wrong_type.AddColumn(std::make_shared<const Schema>(retyped), extra);
  EXPECT_EQ(retyped_added.code(), StatusCode::kCorruption);
  EXPECT_EQ(retyped_added.message(), "column 'x' has type DOUBLE, schema says STRING");
  EXPECT_EQ(wrong_type, original);
  Chunk same_width = original;
  EXPECT_EQ(same_width.AddColumn(original.schema(), extra).code(), StatusCode::kCorruption);
  EXPECT_EQ(same_width, original);  // a refused column changes nothing
}

// Make takes columns only as the schema describes them: as many, of the fields' types, of one
// length; the error names the first column of another type.
TEST(ChunkTest, MakeRefusesColumnsThatDoNotMatchTheSchema) {
  const auto schema = std::make_shared<const Schema>(
      std::vector<Field>{{"a", DataType::kBigint, false}, {"b", DataType::kString, true}});
  // Chunk::Make of NULL columns of the given types and lengths.
  auto make = [&](std::vector<std::pair<DataType, size_t>> shapes) {
    std::vector<Column> columns;
    for (const auto& [type, rows] : shapes) {
      Column& column = columns.emplace_back(type);
      for (size_t r = 0; r < rows; ++r) column.AppendNull();
    }
    return Chunk::Make(schema, std::move(columns)).status();
  };
  EXPECT_TRUE(make({{DataType::kBigint, 2}, {DataType::kString, 2}}).ok());
  const Status too_few = make({{DataType::kBigint, 2}});
  EXPECT_EQ(too_few.code(), StatusCode::kCorruption);
  EXPECT_EQ(too_few.message(), "chunk has 1 columns, schema 2");
  const Status wrong_type = make({{DataType::kBigint, 2}, {DataType::kDouble, 2}});
  EXPECT_EQ(wrong_type.code(), StatusCode::kCorruption);
  EXPECT_EQ(wrong_type.message(), "column 'b' has type DOUBLE, schema says STRING");
  const Status uneven = make({{DataType::kBigint, 2}, {DataType::kString, 3}});
  EXPECT_EQ(uneven.code(), StatusCode::kCorruption);
  EXPECT_EQ(uneven.message(), "chunk columns differ in length");
}

TEST(ChunkTest, AppendEmptyStringsEqualsAppendingThemOneByOne) {
  Column bulk(DataType::kString), one_by_one(DataType::kString);
  for (Column* column : {&bulk, &one_by_one}) {
    column->AppendString("ab");
    column->AppendNull();
  }
  bulk.AppendEmptyStrings(3);
  for (int i = 0; i < 3; ++i) one_by_one.AppendString("");
  bulk.AppendString("c");
  one_by_one.AppendString("c");
  EXPECT_EQ(bulk, one_by_one);
  ASSERT_EQ(bulk.size(), 6u);
  EXPECT_EQ(bulk.StringAt(3), "");
  EXPECT_TRUE(bulk.IsValid(4));
  EXPECT_EQ(bulk.StringAt(5), "c");
  EXPECT_EQ(bulk.null_count(), 1u);
}

TEST(ChunkCodecTest, RoundTripsRandomChunks) {
  std::mt19937_64 rng(7);
  for (size_t rows : {0, 1, 2, 100, 1000}) {
    Chunk c = RandomChunk(rng, rows);
    std::string bytes;
    SerializeChunk(c, &bytes);
    Result<Chunk> back = DeserializeChunk(bytes);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, c);
    EXPECT_EQ(*back->schema(), *c.schema());
  }
}

TEST(ChunkCodecTest, RejectsUnknownVersionAndDamage) {
  std::mt19937_64 rng(9);
  Chunk c = RandomChunk(rng, 30);
  std::string bytes;
  SerializeChunk(c, &bytes);
  std::string bad_version = bytes;
  bad_version[0] = 9;
  Result<Chunk> r = DeserializeChunk(bad_version);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("unknown format version 9"), std::string::npos);
  // Every truncation and many random byte flips give an error or a valid chunk, never a crash.
  for (size_t len = 0; len < bytes.size(); ++len) {
    EXPECT_FALSE(DeserializeChunk(std::string_view(bytes).substr(0, len)).ok()) << len;
  }
  for (int i = 0; i < 2000; ++i) {
    std::string damaged = bytes;
    damaged[rng() % damaged.size()] ^= static_cast<char>(1 + rng() % 255);
    (void)DeserializeChunk(damaged).ok();
  }
}

}  // namespace
}  // namespace braid
