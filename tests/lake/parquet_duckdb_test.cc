// Interoperability with DuckDB as an independent oracle (tests/oracle): DuckDB reads the files
// Braid writes and reports exactly the values Braid wrote, and Braid reads the files DuckDB
// writes and decodes exactly the values DuckDB reports. Rows are compared one by one through a
// canonical JSON line per row (doubles scaled to exact integers, strings as hex, timestamps as
// epoch microseconds). Skipped when node or the oracle's node_modules are missing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "lake_test_util.h"

namespace braid::lake {
namespace {

using testing::NullPattern;

std::string Hex(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02X}", c);
  return out;
}

// The JSON text DuckDB's oracle prints for one value, in the canonical form the queries select.
std::string CanonicalValue(const Column& column, size_t row, int64_t double_scale) {
  if (!column.IsValid(row)) return "null";
  switch (column.type()) {
    case DataType::kBoolean: return column.bools()[row] ? "true" : "false";
    case DataType::kBigint:
    case DataType::kTimestamp: return fmt::format("\"{}\"", column.int64s()[row]);
    case DataType::kDouble:
      return fmt::format("\"{}\"", std::llround(column.doubles()[row] * double_scale));
    case DataType::kString: return fmt::format("\"{}\"", Hex(column.StringAt(row)));
  }
  return "?";
}

std::vector<std::string> CanonicalRows(const Chunk& chunk, int64_t double_scale) {
  std::vector<std::string> rows;
  for (size_t r = 0; r < chunk.num_rows(); ++r) {
    std::string line = fmt::format("[\"{}\"", r);
    for (size_t c = 0; c < chunk.num_columns(); ++c) {
      line += "," + CanonicalValue(chunk.column(c), r, double_scale);
    }
    rows.push_back(line + "]");
  }
  return rows;
}

// The DuckDB select list producing CanonicalValue for each column of `schema`.
std::string CanonicalSelect(const Schema& schema, const std::string& path, int64_t double_scale) {
  std::string select = "SELECT file_row_number";
  for (const Field& field : schema.fields()) {
    std::string name = "\"" + field.name + "\"";
    switch (field.type) {
      case DataType::kBoolean: select += ", " + name; break;
      case DataType::kBigint: select += ", " + name + "::BIGINT"; break;
      case DataType::kTimestamp: select += ", epoch_us(" + name + ")"; break;
      case DataType::kDouble:
        select += fmt::format(", round({} * {})::BIGINT", name, double_scale);
        break;
      case DataType::kString: select += ", hex(" + name + ")"; break;
    }
  }
  return select + fmt::format(" FROM read_parquet('{}', file_row_number = true) ORDER BY 1", path);
}

class DuckDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::OracleAvailable()) GTEST_SKIP() << "DuckDB oracle not installed (scripts/deps.sh)";
  }
  testing::ScratchDir dir_;
};

struct WriteCase {
  CompressionCodec codec;
  DictionaryMode dictionary;
};

class DuckDbReadsBraidTest : public DuckDbTest, public ::testing::WithParamInterface<WriteCase> {};

TEST_P(DuckDbReadsBraidTest, EveryValueMatches) {
  SchemaPtr schema = testing::AllTypesSchema();
  std::vector<Chunk> chunks = {testing::RandomChunk(schema, 2500, NullPattern::kRandom, 7),
                               testing::RandomChunk(schema, 1500, NullPattern::kNone, 8)};
  ParquetWriterOptions options;
  options.codec = GetParam().codec;
  options.dictionary = GetParam().dictionary;
  options.row_group_rows = 1700;
  options.page_bytes = 4096;
  options.key_value_metadata = {{"braid.test", "yes"}};
  std::string path = dir_.File("braid.parquet").string();
  ParquetFileSummary summary = testing::WriteFile(path, schema, chunks, options);

  std::vector<std::string> got = testing::DuckDbQuery({CanonicalSelect(*schema, path, 1000)});
  std::vector<std::string> want = CanonicalRows(testing::Concat(schema, chunks), 1000);
  ASSERT_EQ(got.size(), want.size());
  for (size_t r = 0; r < want.size(); ++r) ASSERT_EQ(got[r], want[r]) << "row " << r;

  // DuckDB's view of the file-level statistics of column i (BIGINT) equals Braid's summary.
  std::vector<std::string> stats = testing::DuckDbQuery({fmt::format(
      "SELECT min(stats_min_value::BIGINT), max(stats_max_value::BIGINT), "
      "sum(stats_null_count) FROM parquet_metadata('{}') WHERE path_in_schema = 'i'", path)});
  const ColumnStatistics& i_stats = summary.columns[1];
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0], fmt::format("[\"{}\",\"{}\",\"{}\"]", std::get<int64_t>(*i_stats.min),
                                  std::get<int64_t>(*i_stats.max), *i_stats.null_count));
  std::vector<std::string> kv = testing::DuckDbQuery(
      {fmt::format("SELECT decode(value) FROM parquet_kv_metadata('{}') "
                   "WHERE decode(key) = 'braid.test'", path)});
  EXPECT_EQ(kv, std::vector<std::string>{"[\"yes\"]"});
}

INSTANTIATE_TEST_SUITE_P(
    Codecs, DuckDbReadsBraidTest,
    ::testing::Values(WriteCase{CompressionCodec::kUncompressed, DictionaryMode::kDisabled},
                      WriteCase{CompressionCodec::kSnappy, DictionaryMode::kAuto},
                      WriteCase{CompressionCodec::kZstd, DictionaryMode::kAuto},
                      WriteCase{CompressionCodec::kZstd, DictionaryMode::kDisabled},
                      WriteCase{CompressionCodec::kGzip, DictionaryMode::kAuto}));

TEST_F(DuckDbTest, ReadsTypesAndAggregatesLikeDuckDb) {
  SchemaPtr schema = testing::AllTypesSchema();
  std::vector<Chunk> chunks = {testing::RandomChunk(schema, 3000, NullPattern::kRandom, 9)};
  ParquetWriterOptions options;
  std::string path = dir_.File("types.parquet").string();
  testing::WriteFile(path, schema, chunks, options);
  std::vector<std::string> types = testing::DuckDbQuery(
      {fmt::format("SELECT string_agg(column_type, ',') FROM (DESCRIBE SELECT * FROM '{}')",
                   path)});
  EXPECT_EQ(types, std::vector<std::string>{
                       "[\"BOOLEAN,BIGINT,DOUBLE,VARCHAR,TIMESTAMP WITH TIME ZONE\"]"});
  const Chunk& c = chunks[0];
  int64_t sum_i = 0, count_b = 0, trues = 0, bytes = 0;
  for (size_t r = 0; r < c.num_rows(); ++r) {
    if (c.column(1).IsValid(r)) sum_i += c.column(1).int64s()[r];
    if (c.column(0).IsValid(r)) {
      ++count_b;
      trues += c.column(0).bools()[r];
    }
    if (c.column(3).IsValid(r)) bytes += static_cast<int64_t>(c.column(3).StringAt(r).size());
  }
  std::vector<std::string> got = testing::DuckDbQuery({fmt::format(
      "SELECT count(*), count(b), sum(b::INT), sum(i), sum(strlen(s)) FROM '{}'", path)});
  EXPECT_EQ(got, std::vector<std::string>{fmt::format("[\"3000\",\"{}\",\"{}\",\"{}\",\"{}\"]",
                                                      count_b, trues, sum_i, bytes)});
}

struct DuckDbWriteCase {
  std::string compression;
  std::string version;  // PARQUET_VERSION v1 or v2
};

class BraidReadsDuckDbTest : public DuckDbTest,
                             public ::testing::WithParamInterface<DuckDbWriteCase> {};

// Doubles are multiples of 1/8 and floats of 1/2, so scaling by 8 makes them exact integers.
constexpr std::string_view kDuckDbRows = R"(
  SELECT i::BIGINT AS id, (i % 7)::INTEGER AS small, (i % 250)::UTINYINT AS tiny,
         i / 8 AS d, (i * 1.5)::FLOAT AS f,
         'key-' || (i % 13) AS low_card, CASE WHEN i % 5 = 0 THEN NULL ELSE 'välue ' || i END AS s,
         TIMESTAMPTZ '2024-03-01 00:00:00+00' + to_microseconds(i * 1000003) AS tz,
         CASE WHEN i % 3 = 0 THEN NULL ELSE TIMESTAMP '2024-01-01' + to_milliseconds(i) END AS naive,
         i % 2 = 0 AS b, CASE WHEN i % 4 = 1 THEN NULL ELSE i * 3 END AS maybe
  FROM range(20000) t(i))";

TEST_P(BraidReadsDuckDbTest, EveryValueMatches) {
  std::string path = dir_.File("duck.parquet").string();
  testing::DuckDbQuery({fmt::format("COPY ({}) TO '{}' (FORMAT parquet, COMPRESSION {}, "
                                    "PARQUET_VERSION {}, ROW_GROUP_SIZE 6000)",
                                    kDuckDbRows, path, GetParam().compression,
                                    GetParam().version)});
  Result<Chunk> ours = testing::ReadAll(path);
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  const Schema& schema = *ours->schema();
  ASSERT_EQ(schema.size(), 11u);
  EXPECT_EQ(schema.field(0).type, DataType::kBigint);
  EXPECT_EQ(schema.field(1).type, DataType::kBigint);
  EXPECT_EQ(schema.field(3).type, DataType::kDouble);
  EXPECT_EQ(schema.field(5).type, DataType::kString);
  EXPECT_EQ(schema.field(7).type, DataType::kTimestamp);
  EXPECT_EQ(schema.field(8).type, DataType::kTimestamp);
  EXPECT_EQ(schema.field(9).type, DataType::kBoolean);
  std::vector<std::string> got = testing::DuckDbQuery({CanonicalSelect(schema, path, 8)});
  std::vector<std::string> want = CanonicalRows(*ours, 8);
  ASSERT_EQ(got.size(), want.size());
  for (size_t r = 0; r < want.size(); ++r) ASSERT_EQ(want[r], got[r]) << "row " << r;
}

INSTANTIATE_TEST_SUITE_P(Codecs, BraidReadsDuckDbTest,
                         ::testing::Values(DuckDbWriteCase{"zstd", "v1"},
                                           DuckDbWriteCase{"snappy", "v1"},
                                           DuckDbWriteCase{"uncompressed", "v1"},
                                           DuckDbWriteCase{"gzip", "v1"},
                                           DuckDbWriteCase{"zstd", "v2"},
                                           DuckDbWriteCase{"snappy", "v2"}));

}  // namespace
}  // namespace braid::lake
