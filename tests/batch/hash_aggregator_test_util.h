// Helpers of the hash aggregator's tests: views bound from SQL over the binder tests' catalog
// (telemetry: device_id, site, temperature, humidity, ts; raw: v, tag), random source rows for a
// view's input schema in random chunk sizes, and the comparison of the aggregator's batch view
// rows (after `_having`) with the reference executor's rows: same rows in the same order, every
// value equal, doubles to 1e-12 relative.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "batch/hash_aggregator.h"
#include "common/chunk.h"
#include "sql/binder_test_util.h"
#include "sql/expression_evaluator.h"
#include "sql/reference_executor.h"
#include "sql/reference_executor_test_util.h"

namespace braid::batch::testing {

inline sql::ViewPlanPtr Plan(std::string_view sql) { return sql::testing::MustBind(sql).plan; }

inline constexpr int64_t kBase = 1794999960000000;  // a whole minute on 2026-11-18, in µs

// One random value of `field` (the view input's columns) for source row `offset`.
inline void AppendRandom(const Field& field, int64_t offset, std::mt19937_64& rng, Column* out) {
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  if (field.name == "_offset") return out->AppendInt64(offset);
  if (field.name == "_partition") return out->AppendInt64(pick(4));
  if (field.type == DataType::kTimestamp) {
    return out->AppendInt64(kBase + static_cast<int64_t>(rng() % (3600LL * 1000000)));
  }
  if (field.nullable && pick(10) == 0) return out->AppendNull();
  switch (field.type) {
    case DataType::kString: {
      static const char* const kValues[] = {"d0", "d1", "d2", "", "a", "b", "\xC3\xA9"};
      return out->AppendString(kValues[pick(field.nullable ? 7 : 3)]);
    }
    case DataType::kDouble: {
      static const double kSpecial[] = {0.0, -0.0, 1e300, -2.5};
      if (pick(20) == 0) return out->AppendDouble(kSpecial[pick(4)]);
      return out->AppendDouble(static_cast<double>(pick(20000)) / 100.0 - 40.0);
    }
    case DataType::kBigint:
      return out->AppendInt64(pick(11) - 5);
    case DataType::kBoolean:
      return out->AppendBool(pick(2) == 1);
    case DataType::kTimestamp:
      break;
  }
}

// `total` random source rows of `plan`'s input in chunks of 1 to `max_chunk` rows.
inline std::vector<Chunk> RandomChunks(const sql::ViewPlan& plan, size_t total, uint64_t seed,
                                       size_t max_chunk = 300, int64_t first_offset = 0) {
  std::mt19937_64 rng(seed);
  std::vector<Chunk> chunks;
  int64_t offset = first_offset;
  for (size_t done = 0; done < total;) {
    size_t size = std::min<size_t>(total - done, 1 + rng() % max_chunk);
    Chunk chunk(plan.input_schema);
    for (size_t row = 0; row < size; ++row, ++offset) {
      for (size_t c = 0; c < chunk.num_columns(); ++c) {
        AppendRandom(plan.input_schema->field(c), offset, rng, &chunk.mutable_column(c));
      }
    }
    chunks.push_back(std::move(chunk));
    done += size;
  }
  return chunks;
}

inline Chunk Concat(const SchemaPtr& schema, const std::vector<Chunk>& chunks) {
  Chunk all(schema);
  for (const Chunk& chunk : chunks) {
    for (size_t row = 0; row < chunk.num_rows(); ++row) all.AppendRow(chunk, row);
  }
  return all;
}

// The view's rows (output_schema) of batch view rows: those with `_having` TRUE.
inline Chunk ViewRows(const sql::ViewPlan& plan, const std::vector<Chunk>& batch_rows) {
  Chunk all = Concat(BatchViewSchema(plan), batch_rows);
  size_t having = FirstStateColumn(plan) - 1;
  std::vector<uint32_t> kept;
  for (uint32_t row = 0; row < all.num_rows(); ++row) {
    if (all.column(having).bools()[row] != 0) kept.push_back(row);
  }
  Chunk selected = all.Select(kept);
  std::vector<Column> columns;
  for (size_t c = 0; c < plan.output_schema->size(); ++c) columns.push_back(selected.column(c));
  Result<Chunk> rows = Chunk::Make(plan.output_schema, std::move(columns));
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? std::move(rows).value() : Chunk(plan.output_schema);
}

inline bool SameDouble(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

inline void ExpectSameRows(const Chunk& expected, const Chunk& actual) {
  ASSERT_EQ(expected.num_columns(), actual.num_columns());
  ASSERT_EQ(expected.num_rows(), actual.num_rows());
  for (size_t c = 0; c < expected.num_columns(); ++c) {
    const Column& e = expected.column(c);
    const Column& a = actual.column(c);
    ASSERT_EQ(e.type(), a.type()) << "column " << c;
    for (size_t row = 0; row < expected.num_rows(); ++row) {
      bool same = e.IsValid(row) == a.IsValid(row);
      if (same && e.IsValid(row)) {
        same = e.type() == DataType::kDouble ? SameDouble(e.doubles()[row], a.doubles()[row])
                                             : sql::ValueAt(e, row) == sql::ValueAt(a, row);
      }
      ASSERT_TRUE(same) << "column " << expected.schema()->field(c).name << " row " << row
                        << ": expected " << sql::testing::RenderCell(e, row) << ", got "
                        << sql::testing::RenderCell(a, row);
    }
  }
}

// The reference executor's rows for all of `chunks`.
inline Chunk ReferenceRows(const sql::ViewPlanPtr& plan, const std::vector<Chunk>& chunks) {
  sql::ReferenceExecutor reference(plan);
  for (const Chunk& chunk : chunks) EXPECT_TRUE(reference.Consume(chunk).ok());
  Result<Chunk> rows = reference.Finish();
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? std::move(rows).value() : Chunk(plan->output_schema);
}

}  // namespace braid::batch::testing
