#include "lake/row_group_filter.h"

#include <fmt/format.h>

namespace braid::lake {
namespace {

bool FitsType(const StatValue& value, DataType type) {
  switch (type) {
    case DataType::kBoolean: return std::holds_alternative<bool>(value);
    case DataType::kBigint:
    case DataType::kTimestamp: return std::holds_alternative<int64_t>(value);
    case DataType::kDouble: return std::holds_alternative<double>(value);
    case DataType::kString: return std::holds_alternative<std::string>(value);
  }
  return false;
}

}  // namespace

Status CheckPredicate(const ColumnPredicate& predicate, DataType type) {
  for (const auto& bound : {predicate.lower, predicate.upper}) {
    if (bound && !FitsType(*bound, type)) {
      return Status(StatusCode::kTypeMismatch,
                    fmt::format("predicate bound on column '{}' does not fit its type {}",
                                predicate.column, DataTypeName(type)));
    }
  }
  return Status::Ok();
}

bool MayMatch(const ColumnPredicate& predicate, const ColumnStatistics& stats, int64_t num_rows) {
  if (!predicate.lower && !predicate.upper) return true;
  if (stats.null_count && *stats.null_count >= num_rows && num_rows > 0) return false;
  if (!stats.min || !stats.max) return true;
  if (stats.min->index() != stats.max->index()) return true;
  if (predicate.lower && predicate.lower->index() == stats.max->index() &&
      *stats.max < *predicate.lower) {
    return false;
  }
  if (predicate.upper && predicate.upper->index() == stats.min->index() &&
      *predicate.upper < *stats.min) {
    return false;
  }
  return true;
}

}  // namespace braid::lake
