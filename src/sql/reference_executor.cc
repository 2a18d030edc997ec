#include "sql/reference_executor.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "sql/expression_evaluator.h"
#include "sql/reference_executor_cells.h"
#include "sql/view_input.h"
#include "sql/window_assignment.h"

namespace braid::sql {

namespace {

using reference::AggregateInputs;
using reference::Cell;
using reference::CellRow;
using reference::CellTable;
using reference::EncodeKeyValue;
using reference::EncodeTime;

// The aggregate inputs of `evaluated`; COUNT(*) counts the rows of `any_column`.
AggregateInputs InputsOf(const EvaluatedRows& evaluated, const Column& any_column) {
  AggregateInputs inputs;
  for (size_t i = 0; i < evaluated.inputs.size(); ++i) {
    inputs.values.push_back(evaluated.inputs[i] ? &**evaluated.inputs[i] : &any_column);
    inputs.passes.push_back(evaluated.passes[i]);
  }
  return inputs;
}

void EncodeKeys(const std::vector<ColumnValues>& keys, size_t row, std::string* out) {
  for (const ColumnValues& key : keys) EncodeKeyValue(*key, row, out);
}

std::vector<Value> KeyValues(const std::vector<ColumnValues>& keys, size_t row) {
  std::vector<Value> values;
  for (const ColumnValues& key : keys) values.push_back(ValueAt(*key, row));
  return values;
}

// Session windows need every event of a key before any cell is known: the rows are kept, reduced
// to what assignment and the aggregates read, until GroupedRows() assigns them.
struct RetainedRows {
  std::vector<Timestamp> times;
  std::vector<int64_t> partitions;
  std::vector<int64_t> offsets;
  EvaluatedRows values;  // all owned, times unused; keys, inputs and passes grow with every chunk
  Column row_ids{DataType::kBigint};  // one value per row: what COUNT(*) counts
};

void AppendColumn(const Column& from, Column* to) {
  for (size_t row = 0; row < from.size(); ++row) to->AppendFrom(from, row);
}

// The ingestion column `name` when the input has it (a view's rows as input do not).
std::optional<size_t> Int64Field(const Schema& schema, std::string_view name) {
  std::optional<size_t> index = schema.FindField(name);
  if (index && !IsInt64Backed(schema.field(*index).type)) return std::nullopt;
  return index;
}

}  // namespace

struct ReferenceExecutor::Impl {
  explicit Impl(const ViewPlan& plan) : cells(plan.aggregates) {}

  CellTable cells;                       // tumbling, hopping and unwindowed views
  std::optional<RetainedRows> retained;  // session windows
  std::optional<size_t> partition_column;
  std::optional<size_t> offset_column;
  int64_t rows_seen = 0;  // stands in for _offset when the input has none
};

ReferenceExecutor::ReferenceExecutor(ViewPlanPtr plan)
    : plan_(std::move(plan)), impl_(std::make_unique<Impl>(*plan_)) {
  if (plan_->has_session_window()) {
    RetainedRows retained;
    for (const GroupKey& key : plan_->keys) {
      retained.values.keys.emplace_back(Column(key.expr->type));
    }
    for (const BoundExprPtr& expr : plan_->window->partition_by) {
      retained.values.partition_by.emplace_back(Column(expr->type));
    }
    for (const ViewAggregate& aggregate : plan_->aggregates) {
      retained.values.inputs.push_back(
          aggregate.input ? std::optional<ColumnValues>(Column(aggregate.input->type))
                          : std::nullopt);
      retained.values.passes.emplace_back();
    }
    impl_->retained = std::move(retained);
  }
  if (plan_->input_schema) {
    impl_->partition_column = Int64Field(*plan_->input_schema, kPartitionColumn);
    impl_->offset_column = Int64Field(*plan_->input_schema, kOffsetColumn);
  }
}

ReferenceExecutor::~ReferenceExecutor() = default;

namespace {

// Tumbling, hopping or no window: every row updates the cell of each window it falls in.
void AssignWindows(const ViewPlan& plan, const EvaluatedRows& evaluated, size_t num_rows,
                   CellTable* cells) {
  std::vector<CellRow> cell_rows;
  std::vector<Timestamp> ends;
  std::string encoded;
  for (size_t row = 0; row < num_rows; ++row) {
    ends.clear();
    if (plan.window) {
      WindowEnds(*plan.window, Timestamp{evaluated.times.int64s()[row]}, &ends);
    } else {
      ends.push_back(Timestamp{});  // one cell per key set
    }
    for (Timestamp end : ends) {
      encoded.clear();
      if (plan.window) EncodeTime(end, &encoded);
      EncodeKeys(evaluated.keys, row, &encoded);
      auto [cell, created] = cells->FindOrCreate(encoded);
      if (created) {
        cell->keys = KeyValues(evaluated.keys, row);
        if (plan.window) {
          cell->window_start = end - plan.window->size;
          cell->window_end = end;
        }
      }
      cell_rows.push_back(CellRow{static_cast<uint32_t>(row), cell});
    }
  }
  Column row_ids(DataType::kBigint);
  const Column* any_column = plan.event_time ? &evaluated.times : &row_ids;
  if (!plan.event_time) {
    for (size_t row = 0; row < num_rows; ++row) row_ids.AppendInt64(static_cast<int64_t>(row));
  }
  cells->Update(InputsOf(evaluated, *any_column), cell_rows);
}

}  // namespace

Status ReferenceExecutor::Consume(const Chunk& rows) {
  Chunk filtered;
  ASSIGN_OR_RETURN(const Chunk* kept, KeptRows(*plan_, rows, &filtered));
  if (kept->num_rows() == 0) return Status::Ok();
  ASSIGN_OR_RETURN(EvaluatedRows evaluated, EvaluateRows(*plan_, *kept));
  if (!impl_->retained) {
    AssignWindows(*plan_, evaluated, kept->num_rows(), &impl_->cells);
    return Status::Ok();
  }
  RetainedRows& retained = *impl_->retained;
  for (size_t row = 0; row < kept->num_rows(); ++row) {
    retained.times.push_back(Timestamp{evaluated.times.int64s()[row]});
    int64_t sequence = impl_->rows_seen++;
    retained.partitions.push_back(
        impl_->partition_column ? kept->column(*impl_->partition_column).int64s()[row] : 0);
    retained.offsets.push_back(
        impl_->offset_column ? kept->column(*impl_->offset_column).int64s()[row] : sequence);
    retained.row_ids.AppendInt64(sequence);
  }
  EvaluatedRows& values = retained.values;
  for (size_t k = 0; k < values.keys.size(); ++k) {
    AppendColumn(*evaluated.keys[k], &values.keys[k].Owned());
  }
  for (size_t k = 0; k < values.partition_by.size(); ++k) {
    AppendColumn(*evaluated.partition_by[k], &values.partition_by[k].Owned());
  }
  for (size_t i = 0; i < values.inputs.size(); ++i) {
    if (values.inputs[i]) AppendColumn(**evaluated.inputs[i], &values.inputs[i]->Owned());
    const std::vector<uint8_t>& passes = evaluated.passes[i];
    if (!passes.empty()) {
      values.passes[i].insert(values.passes[i].end(), passes.begin(), passes.end());
    }
  }
  return Status::Ok();
}

Status ReferenceExecutor::MergeFrom(const ReferenceExecutor& other) {
  if (impl_->retained || other.impl_->retained) {
    return Status(StatusCode::kUnsupported,
                  "session windows cannot merge executor states: sessions depend on all events "
                  "of a key");
  }
  if (&other == this) {
    return Status(StatusCode::kInvalidArgument, "an executor cannot merge its own states");
  }
  return impl_->cells.MergeFrom(other.impl_->cells);
}

namespace {

// Session windows: per PARTITION BY value set, events in (t, _partition, _offset) order are cut
// into sessions; each row then updates the cell (keys, session start, session end).
void AssignSessionCells(const WindowDefinition& window, const RetainedRows& retained,
                        CellTable* cells) {
  const EvaluatedRows& values = retained.values;
  std::map<std::string, std::vector<uint32_t>> sequences;
  std::string encoded;
  for (size_t row = 0; row < retained.times.size(); ++row) {
    encoded.clear();
    EncodeKeys(values.partition_by, row, &encoded);
    sequences[encoded].push_back(static_cast<uint32_t>(row));
  }
  std::vector<CellRow> cell_rows;
  std::vector<Timestamp> times;
  for (auto& [partition, rows] : sequences) {
    std::sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
      return std::tie(retained.times[a], retained.partitions[a], retained.offsets[a]) <
             std::tie(retained.times[b], retained.partitions[b], retained.offsets[b]);
    });
    times.clear();
    for (uint32_t row : rows) times.push_back(retained.times[row]);
    for (const Session& session :
         AssignSessions(times, window.size, window.max_duration, window.offset)) {
      for (size_t k = session.first; k < session.first + session.count; ++k) {
        uint32_t row = rows[k];
        encoded.clear();
        EncodeTime(session.end, &encoded);
        EncodeKeys(values.keys, row, &encoded);
        EncodeTime(session.start, &encoded);
        auto [cell, created] = cells->FindOrCreate(encoded);
        if (created) {
          cell->keys = KeyValues(values.keys, row);
          cell->window_start = session.start;
          cell->window_end = session.end;
        }
        cell_rows.push_back(CellRow{row, cell});
      }
    }
  }
  cells->Update(InputsOf(values, retained.row_ids), cell_rows);
}

}  // namespace

Result<Chunk> ReferenceExecutor::GroupedRows() const {
  if (!impl_->retained) return impl_->cells.ToGroupedChunk(*plan_);
  CellTable sessions(plan_->aggregates);
  AssignSessionCells(*plan_->window, *impl_->retained, &sessions);
  return sessions.ToGroupedChunk(*plan_);
}

Result<Chunk> ReferenceExecutor::Finish() const {
  ASSIGN_OR_RETURN(Chunk grouped, GroupedRows());
  if (plan_->having) {
    ASSIGN_OR_RETURN(std::vector<uint32_t> kept, SelectTrue(*plan_->having, grouped));
    grouped = grouped.Select(kept);
  }
  std::vector<Column> columns;
  size_t grouping_columns = plan_->keys.size() + (plan_->window ? 2 : 0);
  for (size_t i = 0; i < grouping_columns; ++i) columns.push_back(grouped.column(i));
  for (const ViewOutput& output : plan_->outputs) {
    ASSIGN_OR_RETURN(Column column, Evaluate(*output.expr, grouped));
    columns.push_back(std::move(column));
  }
  return Chunk::Make(plan_->output_schema, std::move(columns));
}

}  // namespace braid::sql
