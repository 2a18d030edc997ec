#include "batch/kept_rows.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace braid::batch {
namespace {

SchemaPtr RowSchema() {
  return std::make_shared<Schema>(std::vector<Field>{{"cell", DataType::kBigint, false},
                                                     {"label", DataType::kString, true},
                                                     {"_state_0", DataType::kString, false}});
}

// Rows (cell, label, '') with label "<cell>@<version>", so a row found names what it was kept as.
Chunk Rows(const std::vector<uint32_t>& cells, uint64_t version) {
  Chunk rows(RowSchema());
  for (const uint32_t cell : cells) {
    rows.mutable_column(0).AppendInt64(cell);
    rows.mutable_column(1).AppendString(std::to_string(cell) + "@" + std::to_string(version));
    rows.mutable_column(2).AppendString("");
  }
  return rows;
}

void Keep(KeptRows& kept, const std::vector<uint32_t>& cells, uint64_t version,
          uint64_t stored = 0) {
  const Chunk rows = Rows(cells, version);
  std::vector<uint32_t> positions;
  for (uint32_t r = 0; r < cells.size(); ++r) positions.push_back(r);
  kept.Keep(rows, positions, cells, std::vector<uint64_t>(cells.size(), version), stored);
}

// What Find gives for `cells` at `versions` (beside stored rows `stored`): the labels found,
// then the indices missing.
std::pair<std::vector<std::string>, std::vector<uint32_t>> Find(
    KeptRows& kept, const std::vector<uint32_t>& cells, const std::vector<uint64_t>& versions,
    uint64_t stored = 0) {
  Chunk found(RowSchema());
  std::vector<uint32_t> missing;
  kept.Find(cells, versions, &found, &missing, stored);
  std::vector<std::string> labels;
  for (size_t r = 0; r < found.num_rows(); ++r) {
    labels.emplace_back(found.column(1).StringAt(r));
    EXPECT_EQ(found.column(2).StringAt(r), "");
  }
  EXPECT_EQ(found.column(2).size(), found.num_rows());
  return {labels, missing};
}

TEST(KeptRowsTest, GivesARowOnlyAtTheVersionItWasKeptAt) {
  KeptRows kept(RowSchema(), 2, 100);
  Keep(kept, {3, 5, 8}, 1);
  auto [labels, missing] = Find(kept, {8, 4, 3, 5}, {1, 1, 2, 1});
  EXPECT_EQ(labels, (std::vector<std::string>{"8@1", "5@1"}));
  EXPECT_EQ(missing, (std::vector<uint32_t>{1, 2}));  // 4 never kept, 3 changed since
  Keep(kept, {3}, 2);                                 // replaces cell 3's row
  std::tie(labels, missing) = Find(kept, {3, 5}, {2, 1});
  EXPECT_EQ(labels, (std::vector<std::string>{"3@2", "5@1"}));
  EXPECT_TRUE(missing.empty());
  EXPECT_EQ(kept.rows(), 4u);  // the replaced row stays until room is needed
  EXPECT_EQ(kept.hits(), 4u);
  EXPECT_EQ(kept.misses(), 4u);
  EXPECT_GT(kept.memory_bytes(), 0u);
}

// A row kept beside stored rows is given only beside the same ones, and a row kept beside none
// only beside none; keeping a cell's row beside other stored rows replaces it.
TEST(KeptRowsTest, GivesARowOnlyBesideTheStoredRowsItWasKeptBeside) {
  KeptRows kept(RowSchema(), 2, 100);
  Keep(kept, {1, 2}, 5, /*stored=*/7);
  Keep(kept, {3}, 5);
  auto [labels, missing] = Find(kept, {1, 2, 3}, {5, 5, 5}, 7);
  EXPECT_EQ(labels, (std::vector<std::string>{"1@5", "2@5"}));
  EXPECT_EQ(missing, (std::vector<uint32_t>{2}));
  std::tie(labels, missing) = Find(kept, {1, 2, 3}, {5, 5, 5}, 8);
  EXPECT_TRUE(labels.empty());
  EXPECT_EQ(missing, (std::vector<uint32_t>{0, 1, 2}));
  std::tie(labels, missing) = Find(kept, {1, 2, 3}, {5, 5, 5});
  EXPECT_EQ(labels, (std::vector<std::string>{"3@5"}));
  EXPECT_EQ(missing, (std::vector<uint32_t>{0, 1}));
  Keep(kept, {1}, 6, /*stored=*/8);
  std::tie(labels, missing) = Find(kept, {1}, {6}, 7);
  EXPECT_EQ(missing, (std::vector<uint32_t>{0}));
  std::tie(labels, missing) = Find(kept, {1}, {6}, 8);
  EXPECT_EQ(labels, (std::vector<std::string>{"1@6"}));
}

// Past the bound, replaced rows are dropped and the others still found; when the others fill more
// than half of the bound, every row goes; more rows than the bound are not kept.
TEST(KeptRowsTest, MakesRoomByDroppingReplacedRowsThenAll) {
  KeptRows kept(RowSchema(), 2, 10);
  Keep(kept, {1, 2, 3}, 1);
  Keep(kept, {1, 2, 3}, 2);
  Keep(kept, {1, 2, 3}, 3);
  EXPECT_EQ(kept.rows(), 9u);
  Keep(kept, {4}, 1);  // 10 rows: fits
  Keep(kept, {5}, 1);  // 11: the 6 replaced rows go
  EXPECT_EQ(kept.rows(), 5u);
  auto [labels, missing] = Find(kept, {1, 2, 3, 4, 5}, {3, 3, 3, 1, 1});
  EXPECT_EQ(labels, (std::vector<std::string>{"1@3", "2@3", "3@3", "4@1", "5@1"}));
  EXPECT_TRUE(missing.empty());
  Keep(kept, {6, 7, 8, 9, 10}, 1);  // 10 again
  EXPECT_EQ(kept.rows(), 10u);
  Keep(kept, {11}, 1);  // 11, and the 10 kept ones fill more than half: all go
  EXPECT_EQ(kept.rows(), 1u);
  std::tie(labels, missing) = Find(kept, {1, 6, 11}, {3, 1, 1});
  EXPECT_EQ(labels, (std::vector<std::string>{"11@1"}));
  EXPECT_EQ(missing, (std::vector<uint32_t>{0, 1}));
  std::vector<uint32_t> many;
  for (uint32_t cell = 20; cell < 31; ++cell) many.push_back(cell);
  Keep(kept, many, 1);
  EXPECT_EQ(kept.rows(), 1u);
  std::tie(labels, missing) = Find(kept, {20}, {1});
  EXPECT_TRUE(labels.empty());
}

// When the rows still named fill more than half of the bound, those found since the last drop
// stay and the others go (then every row found counts afresh); every row goes only when even the
// found ones fill more than half.
TEST(KeptRowsTest, KeepsTheRowsFoundSinceTheLastDrop) {
  KeptRows kept(RowSchema(), 2, 10);
  Keep(kept, {1, 2, 3, 4, 5, 6, 7, 8}, 1);
  EXPECT_EQ(Find(kept, {1, 2}, {1, 1}).first, (std::vector<std::string>{"1@1", "2@1"}));
  Keep(kept, {9, 10}, 1);  // 10 rows: fits
  Keep(kept, {11}, 1);     // 11: 10 named rows fill more than half; 1 and 2 were found
  EXPECT_EQ(kept.rows(), 3u);
  EXPECT_EQ(Find(kept, {1}, {1}).first, std::vector<std::string>{"1@1"});
  Keep(kept, {12, 13, 14, 15, 16, 17, 18}, 1);  // 10 again
  Keep(kept, {19}, 1);  // only 1 was found since the last drop: 2 and 11 go too
  EXPECT_EQ(kept.rows(), 2u);
  auto [labels, missing] = Find(kept, {1, 2, 11, 19}, {1, 1, 1, 1});
  EXPECT_EQ(labels, (std::vector<std::string>{"1@1", "19@1"}));
  EXPECT_EQ(missing, (std::vector<uint32_t>{1, 2}));
}

}  // namespace
}  // namespace braid::batch
