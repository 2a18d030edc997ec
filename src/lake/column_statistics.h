// Column statistics as Braid reports them: null count, minimum and maximum of a column in a row
// group or a whole file, in Braid's types (BIGINT and TIMESTAMP as int64, TIMESTAMP in micros;
// strings compared as raw bytes). NaN is never a minimum or maximum. The accumulator gathers them
// while the writer encodes; the Parquet form (PLAIN bytes in Statistics.min_value/max_value) is
// converted here in both directions. Plain values; not thread-safe to mutate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/status.h"
#include "common/types.h"
#include "lake/column_slice.h"
#include "lake/parquet_metadata.h"
#include "lake/parquet_schema.h"

namespace braid::lake {

using StatValue = std::variant<bool, int64_t, double, std::string>;

struct ColumnStatistics {
  std::optional<int64_t> null_count;  // absent when a foreign file does not say
  std::optional<StatValue> min;       // absent when there is no non-null, non-NaN value
  std::optional<StatValue> max;

  bool operator==(const ColumnStatistics&) const = default;
};

class StatisticsAccumulator {
 public:
  StatisticsAccumulator() { stats_.null_count = 0; }

  // Adds the rows of a slice.
  void Update(const ColumnSlice& slice);
  // Adds the rows of a slice to the null count only (no minimum or maximum).
  void CountNulls(const ColumnSlice& slice);
  // Adds the statistics of another part (row groups into file statistics).
  void Merge(const ColumnStatistics& other);
  const ColumnStatistics& statistics() const { return stats_; }

 private:
  void Consider(const StatValue& value);

  ColumnStatistics stats_;
};

// The Parquet Statistics of a column Braid writes (min/max as PLAIN bytes of the physical type
// Braid writes for it, strings without a length prefix; -0.0/+0.0 widened as the spec asks).
Statistics ToParquetStatistics(const ColumnStatistics& stats);

// Braid statistics from a file's Statistics for a leaf column; min/max are dropped (absent) when
// they cannot be trusted (deprecated byte-array ordering, NaN, a malformed length) rather than
// failing the read.
ColumnStatistics FromParquetStatistics(const Statistics& stats, const LeafColumn& leaf);

}  // namespace braid::lake
