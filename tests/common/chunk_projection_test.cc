// ProjectChunk and SchemaExtends: reading a Chunk stored under an older schema in the current one.
#include "common/chunk_projection.h"

#include <gtest/gtest.h>

namespace braid {
namespace {

const SchemaPtr kOld =
    MakeSchema({{"id", DataType::kBigint, false}, {"name", DataType::kString, true}});
const SchemaPtr kNew = MakeSchema({{"id", DataType::kBigint, false},
                                   {"name", DataType::kString, true},
                                   {"temperature", DataType::kDouble, true},
                                   {"ok", DataType::kBoolean, true}});

Chunk OldRows() {
  Chunk rows(kOld);
  rows.mutable_column(0).AppendInt64(7);
  rows.mutable_column(1).AppendString("a");
  rows.mutable_column(0).AppendInt64(8);
  rows.mutable_column(1).AppendNull();
  return rows;
}

TEST(ChunkProjectionTest, FillsAddedColumnsWithNull) {
  Result<Chunk> projected = ProjectChunk(OldRows(), kNew);
  ASSERT_TRUE(projected.ok()) << projected.status().ToString();
  EXPECT_EQ(projected->schema(), kNew);
  ASSERT_EQ(projected->num_rows(), 2u);
  EXPECT_EQ(projected->column(0).int64s()[1], 8);
  EXPECT_EQ(projected->column(1).StringAt(0), "a");
  EXPECT_FALSE(projected->column(1).IsValid(1));
  for (size_t c : {2, 3}) {
    EXPECT_EQ(projected->column(c).null_count(), 2u);
    EXPECT_FALSE(projected->column(c).IsValid(0));
  }
  EXPECT_EQ(projected->column(2).doubles()[0], 0.0);  // NULL slots hold the zero default
}

TEST(ChunkProjectionTest, MatchesNamesCaseInsensitivelyInTargetOrder) {
  const SchemaPtr reordered = MakeSchema({{"NAME", DataType::kString, true},
                                          {"Id", DataType::kBigint, false},
                                          {"extra", DataType::kTimestamp, true}});
  Result<Chunk> projected = ProjectChunk(OldRows(), reordered);
  ASSERT_TRUE(projected.ok()) << projected.status().ToString();
  EXPECT_EQ(projected->column(0).StringAt(0), "a");
  EXPECT_EQ(projected->column(1).int64s()[0], 7);
  EXPECT_EQ(projected->column(2).type(), DataType::kTimestamp);
}

TEST(ChunkProjectionTest, CurrentChunksPassThroughUnchanged) {
  Chunk rows = OldRows();
  Result<Chunk> same = ProjectChunk(rows, MakeSchema(kOld->fields()));  // equal, not the same ptr
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, rows);
  Result<Chunk> empty = ProjectChunk(Chunk(kOld), kNew);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->num_rows(), 0u);
  EXPECT_EQ(empty->num_columns(), 4u);
}

TEST(ChunkProjectionTest, RefusesWhatWouldLoseOrBreakData) {
  struct Case {
    SchemaPtr target;
    std::string_view fragment;
  };
  const Case cases[] = {
      {MakeSchema({{"id", DataType::kBigint, false}}),
       "column 'name' is not in the current schema"},
      {MakeSchema({{"id", DataType::kDouble, false}, {"name", DataType::kString, true}}),
       "column 'id' is BIGINT, the current schema says DOUBLE"},
      {MakeSchema({{"id", DataType::kBigint, false},
                   {"name", DataType::kString, true},
                   {"x", DataType::kBigint, false}}),
       "column 'x' is NOT NULL but the events lack it"},
      {MakeSchema({{"id", DataType::kBigint, false}, {"name", DataType::kString, false}}),
       "column 'name' is NOT NULL but holds NULLs"},
  };
  for (const Case& c : cases) {
    Result<Chunk> projected = ProjectChunk(OldRows(), c.target);
    ASSERT_FALSE(projected.ok()) << c.fragment;
    EXPECT_EQ(projected.status().code(), StatusCode::kTypeMismatch);
    EXPECT_NE(projected.status().message().find(c.fragment), std::string::npos)
        << projected.status().ToString();
  }
}

TEST(ChunkProjectionTest, SchemaExtendsOnlyByAppendedNullableColumns) {
  EXPECT_TRUE(SchemaExtends(*kNew, *kOld));
  EXPECT_TRUE(SchemaExtends(*kOld, *kOld));
  EXPECT_FALSE(SchemaExtends(*kOld, *kNew));
  Schema not_null({{"id", DataType::kBigint, false},
                   {"name", DataType::kString, true},
                   {"x", DataType::kBigint, false}});
  EXPECT_FALSE(SchemaExtends(not_null, *kOld));
  Schema retyped({{"id", DataType::kBigint, false}, {"name", DataType::kBigint, true}});
  EXPECT_FALSE(SchemaExtends(retyped, *kOld));
  Schema inserted({{"x", DataType::kBigint, true},
                   {"id", DataType::kBigint, false},
                   {"name", DataType::kString, true}});
  EXPECT_FALSE(SchemaExtends(inserted, *kOld));
}

}  // namespace
}  // namespace braid
