// Row-group pruning by statistics: a ColumnPredicate bounds one column (inclusive lower and/or
// upper bound; equality is lower == upper), and a row group may be skipped when its min/max
// statistics show no row can satisfy it. NULL satisfies no bound, so an all-NULL column chunk
// never matches. Missing statistics never prune. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "common/types.h"
#include "lake/column_statistics.h"

namespace braid::lake {

struct ColumnPredicate {
  std::string column;
  std::optional<StatValue> lower;  // inclusive
  std::optional<StatValue> upper;  // inclusive

  static ColumnPredicate Equals(std::string column, StatValue value) {
    return {std::move(column), value, value};
  }
};

// kTypeMismatch when a bound's kind does not fit the column's type (BIGINT and TIMESTAMP take
// int64, DOUBLE double, STRING string, BOOLEAN bool).
Status CheckPredicate(const ColumnPredicate& predicate, DataType type);

// False only when the statistics prove no row of the group satisfies the predicate.
bool MayMatch(const ColumnPredicate& predicate, const ColumnStatistics& stats, int64_t num_rows);

}  // namespace braid::lake
