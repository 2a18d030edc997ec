#include "serving/view_query.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "batch/batch_view_table.h"
#include "batch/hash_aggregator.h"
#include "sql/expression_evaluator.h"
#include "sql/printer.h"
#include "sql/view_binder.h"

namespace braid::serving {
namespace {

constexpr std::string_view kSourceColumn = "_source";
constexpr std::string_view kBatchSource = "BATCH";
constexpr std::string_view kSpeedSource = "SPEED";

Status Unsupported(std::string_view what, SourcePosition position) {
  return Status(StatusCode::kUnsupported,
                fmt::format("{} arrives with the serving layer's queries (issue 7)", what),
                position);
}

Status CheckSupported(const sql::SelectStatement& select, Consistency consistency) {
  if (consistency == Consistency::kMerged) {
    return Status(StatusCode::kUnsupported,
                  "consistency 'merged' (batch and speed states merged) arrives with the serving "
                  "layer (issue 7); use consistency 'exact' (the batch view) or 'speed' (the "
                  "speed layer)",
                  select.position);
  }
  if (select.distinct) return Unsupported("SELECT DISTINCT over a view", select.position);
  if (!select.group_by.empty()) return Unsupported("GROUP BY over a view", select.position);
  if (select.having) return Unsupported("HAVING over a view", select.having->position);
  if (select.timestamp_by) return Unsupported("TIMESTAMP BY in a query", select.position);
  return Status::Ok();
}

// The view's rows (output columns, then _source = `source`) from batch view rows (stored, or the
// speed layer's in the same shape): HAVING applied.
Result<Chunk> ViewRows(const sql::ViewPlan& plan, const std::vector<Chunk>& stored,
                       const SchemaPtr& schema, std::string_view source) {
  const size_t outputs = plan.output_schema->size();
  Chunk rows(schema);
  for (const Chunk& chunk : stored) {
    const Column& having = chunk.column(outputs);
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      if (!having.IsValid(r) || !having.bools()[r]) continue;
      for (size_t c = 0; c < outputs; ++c) rows.mutable_column(c).AppendFrom(chunk.column(c), r);
      rows.mutable_column(outputs).AppendString(source);
    }
  }
  return rows;
}

SchemaPtr RowSchema(const sql::ViewPlan& plan) {
  std::vector<Field> fields = plan.output_schema->fields();
  fields.push_back(Field{std::string(kSourceColumn), DataType::kString, false});
  return std::make_shared<const Schema>(std::move(fields));
}

// A bound select item and its column name.
struct OutputItem {
  std::string name;
  sql::BoundExprPtr expr;
};

Result<std::vector<OutputItem>> BindItems(const sql::SelectStatement& select,
                                          const Schema& schema) {
  std::vector<OutputItem> items;
  bool has_source = false;
  for (const sql::SelectItem& item : select.items) {
    if (std::holds_alternative<sql::Star>(item.expr->node)) {
      for (size_t c = 0; c < schema.size(); ++c) {
        sql::ColumnRef ref{std::nullopt, schema.fields()[c].name};
        ASSIGN_OR_RETURN(sql::BoundExprPtr bound,
                         sql::BindScalar(sql::Expr{ref, item.position}, schema));
        items.push_back(OutputItem{schema.fields()[c].name, std::move(bound)});
      }
      has_source = true;
      continue;
    }
    ASSIGN_OR_RETURN(sql::BoundExprPtr bound, sql::BindScalar(*item.expr, schema));
    std::string name = item.alias.value_or(std::string());
    if (name.empty()) {
      const auto* ref = std::get_if<sql::ColumnRef>(&item.expr->node);
      name = ref != nullptr ? ref->name : sql::ToSql(*item.expr);
    }
    has_source = has_source || name == kSourceColumn;
    items.push_back(OutputItem{std::move(name), std::move(bound)});
  }
  if (!has_source) {  // API.md: a view's rows carry _source
    sql::ColumnRef ref{std::nullopt, std::string(kSourceColumn)};
    ASSIGN_OR_RETURN(sql::BoundExprPtr bound,
                     sql::BindScalar(sql::Expr{ref, select.position}, schema));
    items.push_back(OutputItem{std::string(kSourceColumn), std::move(bound)});
  }
  return items;
}

// -1, 0, 1 comparing two non-NULL cells of one column; doubles in the aggregates' total order.
int CompareCells(const Column& column, size_t a, size_t b) {
  switch (column.type()) {
    case DataType::kBoolean:
      return static_cast<int>(column.bools()[a]) - static_cast<int>(column.bools()[b]);
    case DataType::kBigint:
    case DataType::kTimestamp: {
      const int64_t x = column.int64s()[a], y = column.int64s()[b];
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case DataType::kDouble: {
      const double x = column.doubles()[a], y = column.doubles()[b];
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) - std::isnan(y);
      if (x == y) return std::signbit(y) - std::signbit(x);  // -0.0 before +0.0
      return x < y ? -1 : 1;
    }
    case DataType::kString: {
      const int c = column.StringAt(a).compare(column.StringAt(b));
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
  return 0;
}

struct SortKey {
  Column values;
  bool descending = false;
  bool nulls_first = false;
};

// ORDER BY over `rows`: an item naming a select alias sorts by that item.
Result<std::vector<SortKey>> EvaluateSortKeys(const sql::SelectStatement& select,
                                              const std::vector<OutputItem>& items,
                                              const Chunk& rows) {
  std::vector<SortKey> keys;
  for (const sql::OrderItem& order : select.order_by) {
    const sql::BoundExpr* expr = nullptr;
    sql::BoundExprPtr bound;
    if (const auto* ref = std::get_if<sql::ColumnRef>(&order.expr->node);
        ref != nullptr && !ref->qualifier && !rows.schema()->FindField(ref->name)) {
      for (const OutputItem& item : items) {
        if (CanonicalIdentifier(item.name) == CanonicalIdentifier(ref->name))
          expr = item.expr.get();
      }
    }
    if (expr == nullptr) {
      ASSIGN_OR_RETURN(bound, sql::BindScalar(*order.expr, *rows.schema()));
      expr = bound.get();
    }
    SortKey key{Column(expr->type)};
    ASSIGN_OR_RETURN(key.values, sql::Evaluate(*expr, rows));
    key.descending = order.direction == sql::SortDirection::kDescending;
    key.nulls_first = order.nulls == sql::NullsOrder::kDefault
                          ? key.descending
                          : order.nulls == sql::NullsOrder::kFirst;
    keys.push_back(std::move(key));
  }
  return keys;
}

void SortRows(const std::vector<SortKey>& keys, std::vector<uint32_t>* order) {
  std::stable_sort(order->begin(), order->end(), [&](uint32_t a, uint32_t b) {
    for (const SortKey& key : keys) {
      const bool a_null = !key.values.IsValid(a), b_null = !key.values.IsValid(b);
      if (a_null || b_null) {
        if (a_null == b_null) continue;
        return a_null == key.nulls_first;
      }
      const int c = CompareCells(key.values, a, b);
      if (c != 0) return key.descending ? c > 0 : c < 0;
    }
    return false;
  });
}

// WHERE, ORDER BY, OFFSET, LIMIT and the select items over the view's rows.
Result<Chunk> Answer(const sql::SelectStatement& select, const Chunk& all_rows) {
  const Schema& schema = *all_rows.schema();
  ASSIGN_OR_RETURN(std::vector<OutputItem> items, BindItems(select, schema));
  Chunk rows = all_rows;
  if (select.where) {
    ASSIGN_OR_RETURN(sql::BoundExprPtr where, sql::BindScalar(*select.where, schema));
    if (where->type != DataType::kBoolean) {
      return Status(StatusCode::kTypeMismatch, "WHERE must be BOOLEAN", select.where->position);
    }
    ASSIGN_OR_RETURN(std::vector<uint32_t> kept, sql::SelectTrue(*where, all_rows));
    rows = all_rows.Select(kept);
  }
  std::vector<uint32_t> order(rows.num_rows());
  std::iota(order.begin(), order.end(), 0u);
  if (!select.order_by.empty()) {
    ASSIGN_OR_RETURN(std::vector<SortKey> keys, EvaluateSortKeys(select, items, rows));
    SortRows(keys, &order);
  }
  const size_t offset = static_cast<size_t>(std::max<int64_t>(0, select.offset.value_or(0)));
  order.erase(order.begin(),
              order.begin() + static_cast<std::ptrdiff_t>(std::min(offset, order.size())));
  if (select.limit && static_cast<size_t>(std::max<int64_t>(0, *select.limit)) < order.size()) {
    order.resize(static_cast<size_t>(std::max<int64_t>(0, *select.limit)));
  }
  const Chunk picked = rows.Select(order);
  std::vector<Field> fields;
  std::vector<Column> columns;
  for (const OutputItem& item : items) {
    ASSIGN_OR_RETURN(Column column, sql::Evaluate(*item.expr, picked));
    fields.push_back(Field{item.name, item.expr->type, true});
    columns.push_back(std::move(column));
  }
  return Chunk::Make(std::make_shared<const Schema>(std::move(fields)), std::move(columns));
}

// The answer to `select` over the view's rows, with what they cover.
Result<QueryResult> AnswerOf(const sql::SelectStatement& select, const Chunk& view_rows,
                             const QueryCoverage& coverage) {
  ASSIGN_OR_RETURN(Chunk answer, Answer(select, view_rows));
  QueryResult result;
  result.schema = answer.schema();
  result.command_tag = fmt::format("SELECT {}", answer.num_rows());
  result.chunks.push_back(std::move(answer));
  result.coverage = coverage;
  return result;
}

}  // namespace

Result<QueryResult> ExecuteViewQuery(const sql::SelectStatement& select,
                                     const ViewQueryContext& context) {
  sql::ViewPlanPtr plan = context.catalog.FindView(select.from);
  if (plan == nullptr) {
    if (context.catalog.FindStream(select.from) != nullptr) {
      return Unsupported("SELECT over a stream", select.from_position);
    }
    return Status(StatusCode::kUndefinedObject,
                  fmt::format("view '{}' does not exist", select.from), select.from_position);
  }
  RETURN_IF_ERROR(CheckSupported(select, context.session.consistency));
  QueryCoverage coverage;
  coverage.consistency = context.session.consistency;
  std::shared_ptr<speed::SpeedView> speed_view = context.speed.FindView(plan->name);
  if (context.session.consistency == Consistency::kSpeed) {
    // The speed layer's generations newer than what the batch view absorbed.
    const sql::ViewPlanPtr& rows_plan = speed_view ? speed_view->plan_ptr() : plan;
    Chunk view_rows(RowSchema(*rows_plan));
    if (speed_view) {
      ASSIGN_OR_RETURN(speed::SpeedRows speed_rows, speed_view->Rows());
      ASSIGN_OR_RETURN(view_rows, ViewRows(*rows_plan, speed_rows.rows, view_rows.schema(),
                                           kSpeedSource));
      coverage.batch_epoch = speed_rows.absorbed_epoch;
      if (speed_rows.watermark != speed::kNoWatermark) {
        coverage.speed_watermark = Timestamp{speed_rows.watermark};
      }
    }
    return AnswerOf(select, view_rows, coverage);
  }
  ASSIGN_OR_RETURN(std::optional<ServedVersion> served, context.versions.Served(plan));
  if (speed_view && speed_view->watermark() != speed::kNoWatermark) {
    coverage.speed_watermark = Timestamp{speed_view->watermark()};
  }
  // The served version's plan: after CREATE OR REPLACE VIEW, the old rows until the new commit.
  const sql::ViewPlanPtr& rows_plan = served ? served->plan : plan;
  Chunk view_rows(RowSchema(*rows_plan));
  if (served) {
    ASSIGN_OR_RETURN(batch::BatchViewTable table,
                     batch::BatchViewTable::Open(context.data_dir, served->plan, served->version));
    ASSIGN_OR_RETURN(batch::BatchHorizon horizon, table.Horizon());
    ASSIGN_OR_RETURN(std::vector<Chunk> stored, table.Read(std::nullopt));
    ASSIGN_OR_RETURN(view_rows,
                     ViewRows(*served->plan, stored, view_rows.schema(), kBatchSource));
    coverage.batch_epoch = horizon.epoch;
    coverage.batch_version = served->version;
    ASSIGN_OR_RETURN(coverage.batch_horizon, context.versions.HorizonOf(*served, horizon));
  }
  return AnswerOf(select, view_rows, coverage);
}

}  // namespace braid::serving
