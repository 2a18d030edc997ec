// DictionaryBuilder's early fallback: a column of distinct values gives up long before its
// dictionary reaches the entry limit; a column whose values repeat keeps its dictionary, with
// exact entries and indices, even when most of its first rows are new values.
#include "lake/dictionary_builder.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace braid::lake {
namespace {

constexpr size_t kRows = size_t{1} << 17;  // a batch view file's row group

Column DoubleColumnOf(const std::vector<double>& values) {
  Column column(DataType::kDouble);
  for (double v : values) column.AppendDouble(v);
  return column;
}

TEST(DictionaryBuilder, DistinctValuesGiveUpEarly) {
  std::vector<double> values;
  for (size_t i = 0; i < kRows; ++i) values.push_back(0.5 + static_cast<double>(i));
  const Column column = DoubleColumnOf(values);
  const ColumnSlice slice{&column, 0, kRows};
  DictionaryBuilder dictionary(DataType::kDouble, DictionaryLimits{});
  EXPECT_FALSE(dictionary.Build({&slice, 1}));
  // Stopped a little past a quarter of the entry limit (65536), not at the limit.
  EXPECT_GE(dictionary.size(), DictionaryLimits{}.max_entries / 4);
  EXPECT_LE(dictionary.size(), DictionaryLimits{}.max_entries / 4 + 2 * 4096);
}

TEST(DictionaryBuilder, RepeatingValuesKeepTheirDictionary) {
  // 40,000 distinct values drawn at random: early rows are mostly new values, later ones repeat.
  std::mt19937_64 rng(11);
  std::vector<double> values;
  for (size_t i = 0; i < kRows; ++i) values.push_back(static_cast<double>(rng() % 40000) * 0.25);
  const Column column = DoubleColumnOf(values);
  const ColumnSlice slice{&column, 0, kRows};
  DictionaryBuilder dictionary(DataType::kDouble, DictionaryLimits{});
  ASSERT_TRUE(dictionary.Build({&slice, 1}));
  std::string plain;
  dictionary.EncodePlain(&plain);
  ASSERT_EQ(plain.size(), dictionary.size() * sizeof(double));
  std::vector<double> entries(dictionary.size());
  std::memcpy(entries.data(), plain.data(), plain.size());
  ASSERT_EQ(dictionary.indices().size(), kRows);
  for (size_t row = 0; row < kRows; ++row) {
    ASSERT_EQ(entries[dictionary.indices()[row]], values[row]) << "row " << row;
  }
  EXPECT_EQ(dictionary.size(), std::set<double>(values.begin(), values.end()).size());
}

}  // namespace
}  // namespace braid::lake
