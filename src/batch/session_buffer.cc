#include "batch/session_buffer.h"

#include <algorithm>
#include <span>
#include <string_view>
#include <tuple>
#include <utility>

#include "batch/key_normalizer.h"
#include "common/time.h"
#include "sql/expression_evaluator.h"
#include "sql/window_assignment.h"

namespace braid::batch {

namespace {

std::optional<size_t> Int64Field(const Schema& schema, std::string_view name) {
  std::optional<size_t> index = schema.FindField(name);
  if (index && !IsInt64Backed(schema.field(*index).type)) return std::nullopt;
  return index;
}

void AppendColumn(const Column& from, Column* to) {
  for (size_t row = 0; row < from.size(); ++row) to->AppendFrom(from, row);
}

void AppendValues(const EvaluatedRows& from, EvaluatedRows* to) {
  for (size_t k = 0; k < to->keys.size(); ++k) AppendColumn(*from.keys[k], &to->keys[k].Owned());
  for (size_t k = 0; k < to->partition_by.size(); ++k) {
    AppendColumn(*from.partition_by[k], &to->partition_by[k].Owned());
  }
  for (size_t i = 0; i < to->inputs.size(); ++i) {
    if (to->inputs[i]) AppendColumn(**from.inputs[i], &to->inputs[i]->Owned());
    const std::vector<uint8_t>& passes = from.passes[i];
    to->passes[i].insert(to->passes[i].end(), passes.begin(), passes.end());
  }
}

}  // namespace

SessionBuffer::SessionBuffer(const sql::ViewPlan& plan) : plan_(plan) {
  for (const sql::GroupKey& key : plan.keys) values_.keys.emplace_back(Column(key.expr->type));
  if (plan.has_session_window()) {
    for (const sql::BoundExprPtr& expr : plan.window->partition_by) {
      values_.partition_by.emplace_back(Column(expr->type));
    }
  }
  for (const sql::ViewAggregate& aggregate : plan.aggregates) {
    values_.inputs.push_back(aggregate.input
                                 ? std::optional<sql::ColumnValues>(Column(aggregate.input->type))
                                 : std::nullopt);
    values_.passes.emplace_back();
  }
  if (plan.input_schema) {
    partition_column_ = Int64Field(*plan.input_schema, sql::kPartitionColumn);
    offset_column_ = Int64Field(*plan.input_schema, sql::kOffsetColumn);
  }
}

void SessionBuffer::Append(const EvaluatedRows& rows, const Chunk& kept) {
  std::span<const int64_t> times = rows.times.int64s();
  for (size_t row = 0; row < kept.num_rows(); ++row) {
    int64_t sequence = rows_seen_++;
    times_.push_back(times[row]);
    partitions_.push_back(partition_column_ ? kept.column(*partition_column_).int64s()[row] : 0);
    offsets_.push_back(offset_column_ ? kept.column(*offset_column_).int64s()[row] : sequence);
    row_ids_.AppendInt64(sequence);
  }
  AppendValues(rows, &values_);
}

void SessionBuffer::TakeFrom(SessionBuffer& other) {
  AppendFrom(other);
  other.Clear();
}

void SessionBuffer::AppendFrom(const SessionBuffer& other) {
  times_.insert(times_.end(), other.times_.begin(), other.times_.end());
  partitions_.insert(partitions_.end(), other.partitions_.begin(), other.partitions_.end());
  offsets_.insert(offsets_.end(), other.offsets_.begin(), other.offsets_.end());
  AppendColumn(other.row_ids_, &row_ids_);
  AppendValues(other.values_, &values_);
  rows_seen_ += other.rows_seen_;
}

void SessionBuffer::Clear() {
  times_.clear();
  partitions_.clear();
  offsets_.clear();
  row_ids_ = Column(DataType::kBigint);
  for (sql::ColumnValues& column : values_.keys) column = Column(column->type());
  for (sql::ColumnValues& column : values_.partition_by) column = Column(column->type());
  for (std::optional<sql::ColumnValues>& column : values_.inputs) {
    if (column) column = Column((*column)->type());
  }
  for (std::vector<uint8_t>& passes : values_.passes) passes.clear();
  rows_seen_ = 0;
}

SessionCells SessionBuffer::AssignCells() const {
  const sql::WindowDefinition& window = *plan_.window;
  std::vector<const Column*> partition_columns;
  for (const sql::ColumnValues& column : values_.partition_by) {
    partition_columns.push_back(&*column);
  }
  KeyNormalizer partition_keys;
  partition_keys.Normalize(CellKeySource{.keys = partition_columns, .num_cells = num_rows()});
  std::vector<uint32_t> order(num_rows());
  for (uint32_t row = 0; row < order.size(); ++row) order[row] = row;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return std::forward_as_tuple(partition_keys.key(a), times_[a], partitions_[a], offsets_[a]) <
           std::forward_as_tuple(partition_keys.key(b), times_[b], partitions_[b], offsets_[b]);
  });
  SessionCells cells;
  std::vector<Timestamp> times;
  for (size_t begin = 0; begin < order.size();) {
    size_t end = begin + 1;
    while (end < order.size() &&
           partition_keys.key(order[end]) == partition_keys.key(order[begin])) {
      ++end;
    }
    times.clear();
    for (size_t k = begin; k < end; ++k) times.push_back(Timestamp{times_[order[k]]});
    for (const sql::Session& session :
         sql::AssignSessions(times, window.size, window.max_duration, window.offset)) {
      for (size_t k = session.first; k < session.first + session.count; ++k) {
        cells.rows.push_back(order[begin + k]);
        cells.starts.push_back(session.start.micros);
        cells.ends.push_back(session.end.micros);
      }
    }
    begin = end;
  }
  return cells;
}

size_t SessionBuffer::MemoryBytes() const {
  size_t bytes =
      (times_.capacity() + partitions_.capacity() + offsets_.capacity()) * sizeof(int64_t) +
      row_ids_.MemoryBytes();
  for (const sql::ColumnValues& column : values_.keys) bytes += column->MemoryBytes();
  for (const sql::ColumnValues& column : values_.partition_by) bytes += column->MemoryBytes();
  for (const std::optional<sql::ColumnValues>& column : values_.inputs) {
    if (column) bytes += (*column)->MemoryBytes();
  }
  for (const std::vector<uint8_t>& passes : values_.passes) bytes += passes.capacity();
  return bytes;
}

}  // namespace braid::batch
