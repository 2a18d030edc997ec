#include "serving/view_query.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "batch/hash_aggregator.h"
#include "serving/query_pushdown.h"
#include "serving/row_answer.h"
#include "serving/stream_query.h"
#include "serving/view_cells.h"
#include "serving/view_rollup.h"
#include "sql/expression_evaluator.h"
#include "sql/parser.h"
#include "sql/printer.h"
#include "sql/view_binder.h"
#include "sql/view_plan.h"

namespace braid::serving {
namespace {

Status CheckSupported(const sql::SelectStatement& select) {
  if (select.timestamp_by) {
    return Status(StatusCode::kInvalidArgument,
                  "TIMESTAMP BY belongs in a view's definition, not in a query over a view",
                  select.timestamp_by->position);
  }
  return Status::Ok();
}

// The view's rows (output columns then `_source`) of the cells whose HAVING held, column by
// column (the cells' chunks are consumed).
Chunk ViewRows(ViewCells& cells) {
  const sql::ViewPlan& plan = *cells.plan;
  const size_t outputs = plan.output_schema->size();
  Chunk rows(plan.row_schema);
  std::vector<std::vector<uint32_t>> kept(cells.rows.size());
  size_t total = 0;
  std::vector<uint8_t> whole(cells.rows.size(), 1);  // every row of the chunk is kept
  for (size_t i = 0; i < cells.rows.size(); ++i) {
    const Chunk& chunk = cells.rows[i];
    const Column& having = chunk.column(outputs);
    const std::span<const uint8_t> holds = having.bools();
    if (!having.HasNulls() && std::find(holds.begin(), holds.end(), 0) == holds.end()) {
      total += chunk.num_rows();  // the usual case: no row listed
      continue;
    }
    whole[i] = 0;
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      if (having.IsValid(r) && holds[r]) kept[i].push_back(static_cast<uint32_t>(r));
    }
    total += kept[i].size();
  }
  // The output columns and `_source` only: moved when one chunk holds every row, else the kept
  // rows copied into columns sized once for all of them.
  const bool move = cells.rows.size() == 1 && whole[0];
  for (size_t out = 0; out <= outputs && !move; ++out) {
    Column& to = rows.mutable_column(out);
    to.Reserve(total);
    if (to.type() != DataType::kString) continue;
    size_t bytes = 0;
    for (const Chunk& chunk : cells.rows) {
      bytes += chunk.column(out < outputs ? out : chunk.num_columns() - 1).arena().size();
    }
    to.ReserveBytes(bytes);
  }
  for (size_t i = 0; i < cells.rows.size(); ++i) {
    Chunk& chunk = cells.rows[i];
    const size_t source = chunk.num_columns() - 1;
    for (size_t out = 0; out <= outputs; ++out) {
      Column& from = chunk.mutable_column(out < outputs ? out : source);
      Column& to = rows.mutable_column(out);
      if (move) {
        to = std::move(from);
      } else if (whole[i]) {
        to.AppendColumn(from);
      } else {
        to.AppendRows(from, kept[i]);
      }
    }
    chunk = Chunk();
  }
  return rows;
}

// The cells whose HAVING held and that the query's WHERE keeps (roll-ups).
Result<std::vector<Chunk>> KeptCells(const sql::SelectStatement& select, const ViewCells& cells) {
  const size_t having = cells.plan->output_schema->size();
  std::vector<Chunk> kept;
  for (const Chunk& chunk : cells.rows) {
    std::vector<uint32_t> rows;
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      if (chunk.column(having).IsValid(r) && chunk.column(having).bools()[r]) {
        rows.push_back(static_cast<uint32_t>(r));
      }
    }
    Chunk visible = chunk.Select(rows);
    if (select.where) {
      ASSIGN_OR_RETURN(sql::BoundExprPtr where, sql::BindScalar(*select.where, *chunk.schema()));
      ASSIGN_OR_RETURN(std::vector<uint32_t> selected, sql::SelectTrue(*where, visible));
      visible = visible.Select(selected);
    }
    kept.push_back(std::move(visible));
  }
  return kept;
}

Result<Chunk> FilterRows(const sql::SelectStatement& select, const Chunk& rows) {
  if (!select.where) return rows;
  ASSIGN_OR_RETURN(sql::BoundExprPtr where, sql::BindScalar(*select.where, *rows.schema()));
  if (where->type != DataType::kBoolean) {
    return Status(StatusCode::kTypeMismatch, "WHERE must be BOOLEAN", select.where->position);
  }
  ASSIGN_OR_RETURN(std::vector<uint32_t> kept, sql::SelectTrue(*where, rows));
  return rows.Select(kept);
}

// ORDER BY, OFFSET and LIMIT of `select` over grouped rows whose columns are already the select
// items (SELECT * of them).
Result<Chunk> OrderGrouped(const sql::SelectStatement& select, const Chunk& grouped) {
  sql::SelectStatement last;
  last.position = select.position;
  last.items.push_back(sql::SelectItem{sql::MakeExpr(sql::Star{}, select.position),
                                       std::nullopt, select.position});
  for (const sql::OrderItem& order : select.order_by) {
    ASSIGN_OR_RETURN(sql::ExprPtr expr, sql::ParseStandaloneExpression(sql::ToSql(*order.expr)));
    expr->position = order.expr->position;
    last.order_by.push_back(sql::OrderItem{std::move(expr), order.direction, order.nulls,
                                           order.position});
  }
  last.limit = select.limit;
  last.offset = select.offset;
  return AnswerRows(last, grouped);
}

// The staleness of what `consistency` reads of the view: exact, the age of the batch horizon;
// merged and speed, how far the speed layer is behind the log (backlog over its event rate).
std::optional<Duration> StalenessOf(Consistency consistency, const QueryCoverage& coverage,
                                    const sql::ViewPlan& plan, SpeedService& speed) {
  if (consistency == Consistency::kExact) {
    if (!coverage.batch_horizon) return std::nullopt;
    return std::max(Duration{0}, Now() - *coverage.batch_horizon);
  }
  const std::optional<speed::TailerLag> lag = speed.StreamLag(plan.source);
  if (!lag) return std::nullopt;
  if (lag->backlog == 0) return Duration{0};
  if (lag->events_per_second <= 0) return std::nullopt;
  return Duration::Micros(
      static_cast<int64_t>(1e6 * static_cast<double>(lag->backlog) / lag->events_per_second));
}

bool TooStale(const std::optional<Duration>& staleness, Duration max) {
  return !staleness || *staleness > max;
}

std::string Age(const std::optional<Duration>& staleness) {
  return staleness ? FormatDuration(Duration::Millis(staleness->micros / 1000)) : "unknown";
}

// Reads the view's cells with the session's consistency, routed by max_staleness: an exact
// answer older than it is answered merged instead (coverage.routing says so); a merged or speed
// answer that cannot be fresh enough fails with kUnavailable.
Result<ViewCells> ReadRouted(const sql::ViewPlanPtr& plan, const CellLookup& lookup,
                             bool with_states, const ViewQueryContext& context) {
  const ViewCellsReader reader{context.versions, context.speed, context.cache, context.data_dir,
                               context.control};
  const Session& session = context.session;
  ASSIGN_OR_RETURN(ViewCells cells,
                   ReadViewCells(plan, session.consistency, lookup, with_states, reader));
  cells.coverage.requested = session.consistency;
  cells.coverage.staleness =
      StalenessOf(session.consistency, cells.coverage, *plan, context.speed);
  if (!session.max_staleness || !TooStale(cells.coverage.staleness, *session.max_staleness)) {
    return cells;
  }
  const Duration max = *session.max_staleness;
  if (session.consistency == Consistency::kExact) {
    const std::string why = fmt::format(
        "the batch view of {} is {} old, more than max_staleness {}: answered merged (batch "
        "and speed)",
        plan->name, Age(cells.coverage.staleness), FormatDuration(max));
    ASSIGN_OR_RETURN(cells, ReadViewCells(plan, Consistency::kMerged, lookup, with_states, reader));
    cells.coverage.requested = Consistency::kExact;
    cells.coverage.staleness = StalenessOf(Consistency::kMerged, cells.coverage, *plan,
                                           context.speed);
    if (!TooStale(cells.coverage.staleness, max)) {
      cells.coverage.routing = why;
      return cells;
    }
  }
  return Status(StatusCode::kUnavailable,
                fmt::format("view {}: no layer is fresh enough for max_staleness {} (the speed "
                            "layer is {} behind the log)",
                            plan->name, FormatDuration(max), Age(cells.coverage.staleness)));
}

// SELECT without FROM: the items over one row.
Result<QueryResult> SelectWithoutFrom(const sql::SelectStatement& select) {
  if (!select.group_by.empty() || select.where || select.having) {
    return Status(StatusCode::kSyntaxError, "WHERE, GROUP BY and HAVING need FROM",
                  select.position);
  }
  const SchemaPtr one_row = std::make_shared<const Schema>(
      std::vector<Field>{Field{"_one_row", DataType::kBoolean, false}});
  Chunk row(one_row);
  row.mutable_column(0).AppendBool(true);
  ASSIGN_OR_RETURN(Chunk answer, AnswerRows(select, std::move(row)));
  QueryResult result;
  result.schema = answer.schema();
  result.command_tag = fmt::format("SELECT {}", answer.num_rows());
  result.chunks.push_back(std::move(answer));
  return result;
}

// SELECT DISTINCT items as GROUP BY items (a copy of the statement).
// (ExecuteViewQuery refuses DISTINCT together with grouping.)
Result<sql::SelectStatement> DistinctAsGroupBy(const sql::SelectStatement& select) {
  ASSIGN_OR_RETURN(sql::ParsedStatement parsed, sql::ParseStatement(sql::ToSql(select)));
  auto* copy = std::get_if<sql::SelectStatement>(&parsed.statement);
  if (copy == nullptr) return Status(StatusCode::kInternal, "a SELECT printed as another statement");
  copy->distinct = false;
  for (const sql::SelectItem& item : copy->items) {
    if (std::holds_alternative<sql::Star>(item.expr->node)) {
      return Status(StatusCode::kUnsupported, "SELECT DISTINCT *: name the columns",
                    item.position);
    }
    ASSIGN_OR_RETURN(sql::ExprPtr key, sql::ParseStandaloneExpression(sql::ToSql(*item.expr)));
    copy->group_by.push_back(std::move(key));
  }
  return std::move(*copy);
}

// The distinct rows of `rows` for the items of a SELECT DISTINCT.
Result<Chunk> DistinctRows(const sql::SelectStatement& select, const std::string& name,
                           const Chunk& rows) {
  ASSIGN_OR_RETURN(sql::SelectStatement grouped, DistinctAsGroupBy(select));
  ASSIGN_OR_RETURN(Chunk kept, FilterRows(select, rows));
  ASSIGN_OR_RETURN(Chunk distinct, AggregateViewRows(grouped, name, kept, std::nullopt));
  return OrderGrouped(select, distinct);
}

Result<Chunk> AnswerView(const sql::SelectStatement& select, const sql::ViewPlanPtr& plan,
                         const ViewQueryContext& context, QueryCoverage* coverage) {
  const bool grouped = IsGroupedQuery(select);
  const bool rollup = IsRollUp(select) && !select.distinct;
  ViewCells cells{.plan = plan, .rows = {}, .coverage = {}};
  WhereOnRows where = WhereOnRows::kEvaluate;
  if (context.session.describe_only) {
    cells.rows.emplace_back(plan->cell_schema);  // no cells: the answer's columns only
  } else {
    const CellLookup lookup = LookupOf(select.where.get(), *plan);
    ASSIGN_OR_RETURN(cells, ReadRouted(plan, lookup, rollup, context));
    if (lookup.holds_where && cells.lookup_held) where = WhereOnRows::kHolds;
  }
  *coverage = cells.coverage;
  RETURN_IF_ERROR(context.control.Check());
  if (rollup) {
    ASSIGN_OR_RETURN(std::vector<Chunk> kept, KeptCells(select, cells));
    sql::BindEnvironment environment;
    environment.find_stream = [&context](std::string_view name) {
      return context.catalog.FindStream(name);
    };
    ASSIGN_OR_RETURN(Chunk rolled, RollUpView(select, cells.plan, kept, environment));
    RETURN_IF_ERROR(context.control.Check());
    return OrderGrouped(select, rolled);
  }
  Chunk rows = ViewRows(cells);
  if (select.distinct && !grouped) return DistinctRows(select, cells.plan->name, rows);
  if (!grouped) return AnswerRows(select, std::move(rows), where);
  ASSIGN_OR_RETURN(Chunk kept, FilterRows(select, rows));
  ASSIGN_OR_RETURN(Chunk aggregated,
                   AggregateViewRows(select, cells.plan->name, kept, "window_end"));
  return OrderGrouped(select, aggregated);
}

// The newest events of a stream in the log, queried as rows.
Result<Chunk> AnswerStream(const sql::SelectStatement& select,
                           const sql::StreamDefinition& stream, const ViewQueryContext& context) {
  std::shared_ptr<log::StreamLog> log = context.logs.Find(stream.name);
  if (log == nullptr) {
    return Status(StatusCode::kUndefinedObject, fmt::format("stream {} has no log", stream.name),
                  select.from_position);
  }
  Chunk events(sql::ViewInputSchema(*log->schema()));  // no events: the columns only
  if (!context.session.describe_only) {
    ASSIGN_OR_RETURN(
        events, RecentEvents(*log, context.session.limits.stream_scan_events, context.control));
  }
  const bool grouped = IsGroupedQuery(select);
  if (select.distinct && !grouped) return DistinctRows(select, stream.name, events);
  if (!grouped) return AnswerRows(select, std::move(events));
  ASSIGN_OR_RETURN(Chunk kept, FilterRows(select, events));
  ASSIGN_OR_RETURN(Chunk aggregated,
                   AggregateViewRows(select, stream.name, kept, stream.timestamp));
  return OrderGrouped(select, aggregated);
}

}  // namespace

Result<QueryResult> ExecuteViewQuery(const sql::SelectStatement& select,
                                     const ViewQueryContext& context) {
  if (select.from.empty()) return SelectWithoutFrom(select);
  RETURN_IF_ERROR(CheckSupported(select));
  sql::ViewPlanPtr plan = context.catalog.FindView(select.from);
  sql::StreamDefinitionPtr stream = plan ? nullptr : context.catalog.FindStream(select.from);
  if (plan == nullptr && stream == nullptr) {
    return Status(StatusCode::kUndefinedObject,
                  fmt::format("view '{}' does not exist", select.from), select.from_position);
  }
  if (select.distinct && IsGroupedQuery(select)) {
    return Status(StatusCode::kUnsupported, "SELECT DISTINCT with GROUP BY is not supported",
                  select.position);
  }
  QueryResult result;
  Chunk answer;
  if (plan) {
    result.coverage.emplace();
    ASSIGN_OR_RETURN(answer, AnswerView(select, plan, context, &*result.coverage));
  } else {
    ASSIGN_OR_RETURN(answer, AnswerStream(select, *stream, context));
  }
  const size_t limit = context.session.limits.max_result_rows;
  if (answer.num_rows() > limit) {
    return Status(StatusCode::kTooLarge,
                  fmt::format("the result has {} rows, more than max_result_rows {}: add a LIMIT "
                              "or a WHERE, or raise it (SET max_result_rows = n)",
                              answer.num_rows(), limit),
                  select.position);
  }
  result.schema = answer.schema();
  result.command_tag = fmt::format("SELECT {}", answer.num_rows());
  result.chunks.push_back(std::move(answer));
  return result;
}

}  // namespace braid::serving
