#include "common/chunk_projection.h"

#include <fmt/format.h>

#include <vector>

namespace braid {
namespace {

Status Mismatch(std::string_view what) {
  return Status(StatusCode::kTypeMismatch, fmt::format("schema evolution: {}", what));
}

Column NullColumn(DataType type, size_t rows) {
  Column column(type);
  column.Reserve(rows);
  for (size_t row = 0; row < rows; ++row) column.AppendNull();
  return column;
}

// Every column of `source` must have a place in `target`, or projecting would lose it.
Status CheckNothingDropped(const Schema& source, const Schema& target) {
  for (const Field& field : source.fields()) {
    if (!target.FindField(field.name)) {
      return Mismatch(fmt::format("column '{}' is not in the current schema", field.name));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Chunk> ProjectChunk(Chunk chunk, const SchemaPtr& target) {
  const SchemaPtr source = chunk.schema();
  if (source == target) return chunk;
  RETURN_IF_ERROR(CheckNothingDropped(*source, *target));
  const size_t rows = chunk.num_rows();
  std::vector<Column> columns;
  columns.reserve(target->size());
  for (const Field& field : target->fields()) {
    std::optional<size_t> index = source->FindField(field.name);
    if (!index) {
      if (!field.nullable) {
        return Mismatch(fmt::format("column '{}' is NOT NULL but the events lack it", field.name));
      }
      columns.push_back(NullColumn(field.type, rows));
      continue;
    }
    Column& column = chunk.mutable_column(*index);
    if (column.type() != field.type) {
      return Mismatch(fmt::format("column '{}' is {}, the current schema says {}", field.name,
                                  DataTypeName(column.type()), DataTypeName(field.type)));
    }
    if (!field.nullable && column.HasNulls()) {
      return Mismatch(fmt::format("column '{}' is NOT NULL but holds NULLs", field.name));
    }
    columns.push_back(std::move(column));
  }
  return Chunk::Make(target, std::move(columns));
}

bool SchemaExtends(const Schema& next, const Schema& current) {
  if (next.size() < current.size()) return false;
  for (size_t i = 0; i < next.size(); ++i) {
    if (i < current.size() ? !(next.field(i) == current.field(i)) : !next.field(i).nullable) {
      return false;
    }
  }
  return true;
}

}  // namespace braid
