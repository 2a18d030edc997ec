#include "batch/lake_scan.h"

#include <fmt/format.h>

#include <utility>

#include "lake/capture_file_writer.h"
#include "lake/parquet_reader.h"
#include "lake/row_group_filter.h"

namespace braid::batch {
namespace {

namespace fs = std::filesystem;

// Marks in `needed` every input column `expr` reads.
void MarkColumns(const sql::BoundExpr* expr, std::vector<bool>* needed) {
  if (expr == nullptr) return;
  auto mark = [&](const sql::BoundExprPtr& child) { MarkColumns(child.get(), needed); };
  std::visit(
      [&](const auto& node) {
        using Node = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<Node, sql::BoundColumn>) {
          if (node.index < needed->size()) (*needed)[node.index] = true;
        } else if constexpr (std::is_same_v<Node, sql::BoundUnary> ||
                             std::is_same_v<Node, sql::BoundIsNull> ||
                             std::is_same_v<Node, sql::BoundCast>) {
          mark(node.operand);
        } else if constexpr (std::is_same_v<Node, sql::BoundBinary>) {
          mark(node.left);
          mark(node.right);
        } else if constexpr (std::is_same_v<Node, sql::BoundInList>) {
          mark(node.operand);
          for (const sql::BoundExprPtr& item : node.list) mark(item);
        } else if constexpr (std::is_same_v<Node, sql::BoundLike>) {
          mark(node.operand);
          mark(node.pattern);
        } else if constexpr (std::is_same_v<Node, sql::BoundCase>) {
          for (const sql::BoundWhen& when : node.whens) {
            mark(when.condition);
            mark(when.result);
          }
          mark(node.else_result);
        } else if constexpr (std::is_same_v<Node, sql::BoundFunction>) {
          for (const sql::BoundExprPtr& argument : node.arguments) mark(argument);
        }
      },
      expr->node);
}

// The input columns the plan's source-side expressions read, plus _partition and _offset (the
// epoch filter reads them, and every lake file holds them).
std::vector<bool> NeededColumns(const sql::ViewPlan& plan) {
  std::vector<bool> needed(plan.input_schema->size(), false);
  MarkColumns(plan.event_time.get(), &needed);
  MarkColumns(plan.filter.get(), &needed);
  for (const sql::GroupKey& key : plan.keys) MarkColumns(key.expr.get(), &needed);
  if (plan.window) {
    for (const sql::BoundExprPtr& part : plan.window->partition_by) {
      MarkColumns(part.get(), &needed);
    }
  }
  for (const sql::ViewAggregate& aggregate : plan.aggregates) {
    MarkColumns(aggregate.input.get(), &needed);
    MarkColumns(aggregate.filter.get(), &needed);
  }
  for (std::string_view name : {sql::kPartitionColumn, sql::kOffsetColumn}) {
    if (std::optional<size_t> index = plan.input_schema->FindField(name)) needed[*index] = true;
  }
  return needed;
}

// The name of the plan's event time column when the event time is a plain column.
std::optional<std::string> EventTimeColumn(const sql::ViewPlan& plan) {
  if (plan.event_time == nullptr) return std::nullopt;
  const auto* column = std::get_if<sql::BoundColumn>(&plan.event_time->node);
  if (column == nullptr || column->index >= plan.input_schema->size()) return std::nullopt;
  return plan.input_schema->field(column->index).name;
}

// Whether the file's epoch tags put every row at or below after_epoch or above through_epoch.
bool OutsideEpochs(const std::optional<lake::FileEpochRange>& epochs, const ScanRange& range) {
  return epochs && (epochs->max <= range.after_epoch || epochs->min > range.through_epoch);
}

// Whether the file's event_date partition lies outside the range's dates.
bool OutsideDates(const lake::DeltaAddFile& add, const ScanRange& range) {
  auto it = add.partition_values.find(std::string(lake::kEventDateColumn));
  if (it == add.partition_values.end() || !it->second) return false;
  const std::string& date = *it->second;
  return (range.min_time && date < FormatDate(*range.min_time)) ||
         (range.max_time && date > FormatDate(*range.max_time));
}

// Rows of `chunk` inside the epoch range: begin[p] <= _offset < end[p].
std::vector<uint32_t> RowsInEpochs(const Chunk& chunk, size_t partition_column,
                                   size_t offset_column, const ScanRange& range) {
  const std::span<const int64_t> partitions = chunk.column(partition_column).int64s();
  const std::span<const int64_t> offsets = chunk.column(offset_column).int64s();
  const std::vector<uint64_t>& begin = range.begin_offsets;
  const std::vector<uint64_t>& end = range.end_offsets;
  std::vector<uint32_t> rows;
  rows.reserve(chunk.num_rows());
  for (size_t row = 0; row < chunk.num_rows(); ++row) {
    const auto p = static_cast<uint64_t>(partitions[row]);
    const auto offset = static_cast<uint64_t>(offsets[row]);
    const uint64_t first = p < begin.size() ? begin[p] : 0;
    const uint64_t last = p < end.size() ? end[p] : 0;
    if (first <= offset && offset < last) rows.push_back(static_cast<uint32_t>(row));
  }
  return rows;
}

// A column of `rows` NULLs, built in bulk (zeroed vectors) rather than row by row.
Result<Column> AllNull(DataType type, size_t rows) {
  const auto rows_if = [rows](bool backs_the_type) { return backs_the_type ? rows : 0; };
  return Column::FromParts(
      type, std::vector<uint8_t>(rows, 0),
      std::vector<int64_t>(rows_if(type == DataType::kBigint || type == DataType::kTimestamp)),
      std::vector<double>(rows_if(type == DataType::kDouble)),
      std::vector<uint8_t>(rows_if(type == DataType::kBoolean)),
      std::vector<uint32_t>(type == DataType::kString ? rows + 1 : 0), std::string());
}

// The plan's column indexes are over the whole input: `read` (the needed columns, in input
// order) becomes an input Chunk whose other columns are all NULL.
Result<Chunk> WidenToInput(Chunk read, const SchemaPtr& input, const std::vector<bool>& needed) {
  const size_t num_rows = read.num_rows();  // before columns move out of `read`
  std::vector<Column> columns;
  columns.reserve(input->size());
  for (size_t c = 0, r = 0; c < input->size(); ++c) {
    if (needed[c]) {
      columns.push_back(std::move(read.mutable_column(r++)));
      continue;
    }
    ASSIGN_OR_RETURN(Column absent, AllNull(input->field(c).type, num_rows));
    columns.push_back(std::move(absent));
  }
  return Chunk::Make(input, std::move(columns));
}

}  // namespace

Result<LakeScan> LakeScan::Plan(const fs::path& table_dir, const lake::DeltaSnapshot& snapshot,
                                sql::ViewPlanPtr plan, const ScanRange& range) {
  LakeScan scan;
  scan.table_dir_ = table_dir;
  scan.range_ = range;
  const std::optional<std::string> time_column = EventTimeColumn(*plan);
  const bool prune_dates = time_column && !range.date_partition_column.empty() &&
                           IdentifierEquals(*time_column, range.date_partition_column);
  std::vector<lake::ColumnPredicate> predicates;
  if (time_column && (range.min_time || range.max_time)) {
    lake::ColumnPredicate& bound = predicates.emplace_back();
    bound.column = *time_column;
    if (range.min_time) bound.lower = range.min_time->micros;
    if (range.max_time) bound.upper = range.max_time->micros;
  }
  for (const auto& [encoded, add] : snapshot.files()) {
    ++scan.plan_stats_.files_total;
    const std::optional<lake::FileEpochRange> epochs = lake::EpochRangeOf(add);
    if (OutsideEpochs(epochs, range) || (prune_dates && OutsideDates(add, range))) {
      ++scan.plan_stats_.files_skipped;
      continue;
    }
    ScanTask task;
    ASSIGN_OR_RETURN(task.path, lake::DecodeDataFilePath(encoded));
    ASSIGN_OR_RETURN(std::unique_ptr<lake::ParquetReader> reader,
                     lake::ParquetReader::Open(table_dir / task.path));
    // A file written before the time column existed has no statistics for it: no pruning.
    const bool has_time = !predicates.empty() && reader->schema()->FindField(*time_column);
    if (has_time) {
      ASSIGN_OR_RETURN(task.row_groups, reader->SelectRowGroups(predicates));
    } else {
      for (size_t g = 0; g < reader->num_row_groups(); ++g) task.row_groups.push_back(g);
    }
    scan.plan_stats_.row_groups_skipped += reader->num_row_groups() - task.row_groups.size();
    if (task.row_groups.empty()) {
      ++scan.plan_stats_.files_skipped;
      continue;
    }
    task.filter_rows =
        !epochs || epochs->min <= range.after_epoch || epochs->max > range.through_epoch;
    scan.tasks_.push_back(std::move(task));
  }
  scan.plan_ = std::move(plan);
  return scan;
}

Status LakeScan::ReadTask(const ScanTask& task, const std::function<Status(Chunk)>& sink,
                          ScanStats* stats) const {
  const Schema& input = *plan_->input_schema;
  const std::vector<bool> needed = NeededColumns(*plan_);
  std::vector<Field> read_fields;
  for (size_t c = 0; c < input.size(); ++c) {
    if (needed[c]) read_fields.push_back(input.field(c));
  }
  const auto read_schema = std::make_shared<const Schema>(std::move(read_fields));
  const std::optional<size_t> partition_column = input.FindField(sql::kPartitionColumn);
  const std::optional<size_t> offset_column = input.FindField(sql::kOffsetColumn);
  if (!partition_column || !offset_column) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("view {}: its input lacks _partition or _offset", plan_->name));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<lake::ParquetReader> reader,
                   lake::ParquetReader::Open(table_dir_ / task.path));
  for (size_t group : task.row_groups) {
    if (group >= reader->num_row_groups()) {
      return Status(StatusCode::kCorruption, fmt::format("{}: row group {} of {}", task.path, group,
                                                         reader->num_row_groups()));
    }
    ASSIGN_OR_RETURN(Chunk read, reader->ReadRowGroupAs(group, read_schema));
    stats->rows_read += read.num_rows();
    stats->bytes_read += static_cast<uint64_t>(reader->row_group(group).compressed_bytes);
    ASSIGN_OR_RETURN(Chunk rows, WidenToInput(std::move(read), plan_->input_schema, needed));
    if (task.filter_rows) {
      const std::vector<uint32_t> kept =
          RowsInEpochs(rows, *partition_column, *offset_column, range_);
      if (kept.empty()) continue;
      if (kept.size() < rows.num_rows()) rows = rows.Select(kept);
    }
    RETURN_IF_ERROR(sink(std::move(rows)));
  }
  return Status::Ok();
}

}  // namespace braid::batch
