#include "lake/column_builder.h"

namespace braid::lake {

void ColumnBuilder::Reserve(size_t rows) {
  validity.reserve(rows);
  switch (type) {
    case DataType::kBigint:
    case DataType::kTimestamp: i64.reserve(rows); break;
    case DataType::kDouble: f64.reserve(rows); break;
    case DataType::kBoolean: b8.reserve(rows); break;
    case DataType::kString: offsets.reserve(rows + 1); break;
  }
}

void ColumnBuilder::Resize(size_t rows) {
  validity.resize(rows);
  switch (type) {
    case DataType::kBigint:
    case DataType::kTimestamp: i64.resize(rows); break;
    case DataType::kDouble: f64.resize(rows); break;
    case DataType::kBoolean: b8.resize(rows); break;
    case DataType::kString: offsets.resize(rows + 1, static_cast<uint32_t>(arena.size())); break;
  }
}

Result<Column> ColumnBuilder::Finish() && {
  if (type != DataType::kString) {
    offsets.clear();
    arena.clear();
  }
  return Column::FromParts(type, std::move(validity), std::move(i64), std::move(f64),
                           std::move(b8), std::move(offsets), std::move(arena));
}

}  // namespace braid::lake
