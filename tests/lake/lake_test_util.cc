#include "lake_test_util.h"

#include <gtest/gtest.h>

namespace braid::lake::testing {

SchemaPtr AllTypesSchema() {
  return std::make_shared<const Schema>(std::vector<Field>{
      {"b", DataType::kBoolean, true},
      {"i", DataType::kBigint, true},
      {"d", DataType::kDouble, true},
      {"s", DataType::kString, true},
      {"t", DataType::kTimestamp, true},
  });
}

namespace {

const std::vector<std::string>& SampleStrings() {
  static const std::vector<std::string> kSamples = {
      "", "a", "héllo", "日本語テキスト", "emoji 😀 ok", "plain ascii", "ü", "zz",
      "comma,quote\"", "tab\tnewline\n"};
  return kSamples;
}

void AppendRandom(Column* column, std::mt19937_64& rng, size_t distinct_strings,
                  size_t distinct_ints) {
  switch (column->type()) {
    case DataType::kBoolean: column->AppendBool(rng() & 1); break;
    case DataType::kBigint:
      column->AppendInt64(static_cast<int64_t>(rng() % distinct_ints) - 500);
      break;
    case DataType::kTimestamp:
      column->AppendInt64(1'700'000'000'000'000 + static_cast<int64_t>(rng() % 86'400'000'000));
      break;
    case DataType::kDouble:
      column->AppendDouble(static_cast<double>(rng() % 2'000'000) / 1000.0 - 1000.0);
      break;
    case DataType::kString: {
      size_t k = rng() % distinct_strings;
      const auto& samples = SampleStrings();
      column->AppendString(k < samples.size() ? samples[k] : samples[k % samples.size()] + "#" +
                                                                  std::to_string(k));
      break;
    }
  }
}

}  // namespace

Chunk RandomChunk(const SchemaPtr& schema, size_t rows, NullPattern nulls, uint32_t seed,
                  size_t distinct_strings, size_t distinct_ints) {
  std::mt19937_64 rng(seed);
  Chunk chunk(schema);
  for (size_t c = 0; c < schema->size(); ++c) {
    Column& column = chunk.mutable_column(c);
    bool nullable = schema->field(c).nullable;
    for (size_t r = 0; r < rows; ++r) {
      bool null = nullable && (nulls == NullPattern::kAll ||
                               (nulls == NullPattern::kRandom && rng() % 4 == 0));
      if (null) {
        column.AppendNull();
      } else {
        AppendRandom(&column, rng, distinct_strings, distinct_ints);
      }
    }
  }
  return chunk;
}

ParquetFileSummary WriteFile(const std::filesystem::path& path, const SchemaPtr& schema,
                             const std::vector<Chunk>& chunks, ParquetWriterOptions options) {
  auto writer = ParquetWriter::Open(path, schema, std::move(options));
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return {};
  for (const Chunk& chunk : chunks) {
    Status status = (*writer)->Write(chunk);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  auto summary = (*writer)->Close();
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  return summary.ok() ? *summary : ParquetFileSummary{};
}

Chunk Concat(const SchemaPtr& schema, const std::vector<Chunk>& chunks) {
  Chunk all(schema);
  for (const Chunk& chunk : chunks) {
    for (size_t r = 0; r < chunk.num_rows(); ++r) all.AppendRow(chunk, r);
  }
  return all;
}

Result<Chunk> ReadAll(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(auto reader, ParquetReader::Open(path));
  std::vector<Chunk> parts;
  for (size_t g = 0; g < reader->num_row_groups(); ++g) {
    ASSIGN_OR_RETURN(Chunk part, reader->ReadRowGroup(g));
    parts.push_back(std::move(part));
  }
  return Concat(reader->schema(), parts);
}

}  // namespace braid::lake::testing
