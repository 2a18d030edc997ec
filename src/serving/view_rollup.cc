#include "serving/view_rollup.h"

#include <fmt/format.h>

#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "agg/owned_state.h"
#include "batch/batch_view_rows.h"
#include "batch/hash_aggregator.h"
#include "serving/batch_view_cache.h"
#include "serving/row_answer.h"
#include "sql/expression_evaluator.h"
#include "sql/parser.h"
#include "sql/printer.h"
#include "sql/stream_definition.h"
#include "sql/scalar_binder.h"
#include "sql/view_clauses.h"
#include "sql/window_assignment.h"

namespace braid::serving {
namespace {

using sql::kSourceColumn;


bool IsBareColumn(const sql::Expr& expr, std::string_view name) {
  const auto* ref = std::get_if<sql::ColumnRef>(&expr.node);
  return ref != nullptr && IdentifierEquals(ref->name, name);
}

// Calls `visit` on every sub-expression slot of `expr` (not on `expr` itself), in source order;
// `expr` may be const.
template <typename E, typename Visit>
Status ForChildren(E& expr, Visit&& visit) {
  auto each = [&](auto& child) -> Status { return child ? visit(child) : Status::Ok(); };
  return std::visit(
      [&](auto& node) -> Status {
        using T = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<T, sql::UnaryExpr> || std::is_same_v<T, sql::IsNullExpr> ||
                      std::is_same_v<T, sql::CastExpr>) {
          return each(node.operand);
        } else if constexpr (std::is_same_v<T, sql::BinaryExpr>) {
          RETURN_IF_ERROR(each(node.left));
          return each(node.right);
        } else if constexpr (std::is_same_v<T, sql::InListExpr>) {
          RETURN_IF_ERROR(each(node.operand));
          for (auto& item : node.list) RETURN_IF_ERROR(each(item));
          return Status::Ok();
        } else if constexpr (std::is_same_v<T, sql::BetweenExpr>) {
          RETURN_IF_ERROR(each(node.operand));
          RETURN_IF_ERROR(each(node.low));
          return each(node.high);
        } else if constexpr (std::is_same_v<T, sql::LikeExpr>) {
          RETURN_IF_ERROR(each(node.operand));
          return each(node.pattern);
        } else if constexpr (std::is_same_v<T, sql::CaseExpr>) {
          RETURN_IF_ERROR(each(node.operand));
          for (auto& when : node.whens) {
            RETURN_IF_ERROR(each(when.condition));
            RETURN_IF_ERROR(each(when.result));
          }
          return each(node.else_result);
        } else if constexpr (std::is_same_v<T, sql::FunctionCall>) {
          for (auto& argument : node.arguments) RETURN_IF_ERROR(each(argument));
          RETURN_IF_ERROR(each(node.filter));
          if (node.over) {
            for (auto& item : node.over->order_by) RETURN_IF_ERROR(each(item.expr));
          }
          return Status::Ok();
        } else {
          return Status::Ok();
        }
      },
      expr.node);
}

// Every node of `expr`, in pre-order.
template <typename E>
void Preorder(E& expr, std::vector<E*>* nodes) {
  nodes->push_back(&expr);
  (void)ForChildren(expr, [&](auto& child) {
    Preorder(static_cast<E&>(*child), nodes);
    return Status::Ok();
  });
}

// A deep copy of an expression (through its canonical SQL text), keeping the source positions
// of the original so errors point into the query.
Result<sql::ExprPtr> CopyExpr(const sql::Expr& expr) {
  ASSIGN_OR_RETURN(sql::ExprPtr copy, sql::ParseStandaloneExpression(sql::ToSql(expr)));
  std::vector<const sql::Expr*> from;
  std::vector<sql::Expr*> to;
  Preorder(expr, &from);
  Preorder(*copy, &to);
  for (size_t i = 0; i < to.size(); ++i) {
    to[i]->position = from.size() == to.size() ? from[i]->position : expr.position;
  }
  return copy;
}

// What each column of the base view is, as SQL over its stream (canonical names).
using ColumnSql = std::map<std::string, std::string>;

Result<ColumnSql> BaseColumns(const sql::ViewPlan& base, const sql::SelectStatement& query) {
  ColumnSql columns;
  std::vector<const sql::Expr*> keys;
  for (const sql::ExprPtr& item : query.group_by) {
    if (!std::holds_alternative<sql::WindowSpec>(item->node)) keys.push_back(item.get());
  }
  if (keys.size() != base.keys.size()) {
    return Status(StatusCode::kInternal, fmt::format("view {}: keys do not match", base.name));
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    columns[CanonicalIdentifier(base.keys[k].name)] = sql::ToSql(*keys[k]);
  }
  if (base.window) columns["window_end"] = "System.Timestamp()";
  size_t output = 0;
  for (const sql::SelectItem& item : query.items) {
    bool is_key = false;
    for (const sql::Expr* key : keys) is_key = is_key || sql::ExprEquals(*item.expr, *key);
    if (is_key) continue;
    const auto* call = std::get_if<sql::FunctionCall>(&item.expr->node);
    if (call != nullptr && sql::IsSystemTimestamp(*call) &&
        (!item.alias || IdentifierEquals(*item.alias, "window_end"))) {
      continue;
    }
    if (output >= base.outputs.size()) break;
    columns[CanonicalIdentifier(base.outputs[output++].name)] = sql::ToSql(*item.expr);
  }
  if (output != base.outputs.size()) {
    return Status(StatusCode::kInternal,
                  fmt::format("view {}: its columns could not be matched to its definition",
                              base.name));
  }
  return columns;
}

// Replaces every column of the view in `expr` by its definition. `allowed` (when not null)
// limits which columns may appear (GROUP BY: the keys).
Status Substitute(sql::ExprPtr& expr, const ColumnSql& columns, const sql::ViewPlan& base,
                  const std::vector<std::string>* allowed) {
  if (const auto* ref = std::get_if<sql::ColumnRef>(&expr->node)) {
    const std::string name = CanonicalIdentifier(ref->name);
    auto it = columns.find(name);
    if (it == columns.end()) {
      return Status(StatusCode::kUndefinedColumn,
                    fmt::format("column {} is not a column view {} can re-aggregate (its keys, "
                                "window_end and aggregate columns)",
                                ref->name, base.name),
                    expr->position);
    }
    if (allowed != nullptr && std::find(allowed->begin(), allowed->end(), name) == allowed->end()) {
      return Status(StatusCode::kGroupingError,
                    fmt::format("GROUP BY over view {} takes its key columns and a window; {} "
                                "is an aggregate column",
                                base.name, ref->name),
                    expr->position);
    }
    const SourcePosition position = expr->position;
    ASSIGN_OR_RETURN(expr, sql::ParseStandaloneExpression(it->second));
    expr->position = position;
    return Status::Ok();
  }
  return ForChildren(*expr, [&](sql::ExprPtr& child) {
    return Substitute(child, columns, base, allowed);
  });
}

struct RollUpQuery {
  sql::CreateViewStatement derived;
  std::vector<const sql::Expr*> key_exprs;  // the query's GROUP BY keys (over the view's rows)
  std::vector<std::string> names;           // the select items' column names
};

Result<RollUpQuery> DeriveRollUp(const sql::SelectStatement& select, const sql::ViewPlan& base,
                                 const sql::SelectStatement& base_query,
                                 const ColumnSql& columns) {
  RollUpQuery rollup;
  sql::SelectStatement& derived = rollup.derived.query;
  rollup.derived.name = base.name;
  derived.from = base_query.from;
  derived.position = select.position;
  if (base_query.timestamp_by) {
    ASSIGN_OR_RETURN(derived.timestamp_by, CopyExpr(*base_query.timestamp_by));
  }
  if (base_query.where) {
    ASSIGN_OR_RETURN(derived.where, CopyExpr(*base_query.where));
  }
  std::vector<std::string> keys;
  for (const sql::GroupKey& key : base.keys) keys.push_back(CanonicalIdentifier(key.name));
  for (const sql::ExprPtr& item : select.group_by) {
    ASSIGN_OR_RETURN(sql::ExprPtr copy, CopyExpr(*item));
    if (const auto* window = std::get_if<sql::WindowSpec>(&item->node)) {
      if (!base.window || window->kind == sql::WindowKind::kSession) {
        return Status(StatusCode::kInvalidArgument,
                      base.window ? "a roll-up's window is tumbling or hopping"
                                  : fmt::format("view {} has no window to roll up", base.name),
                      item->position);
      }
    } else {
      rollup.key_exprs.push_back(item.get());
      RETURN_IF_ERROR(Substitute(copy, columns, base, &keys));
    }
    derived.group_by.push_back(std::move(copy));
  }
  for (const sql::SelectItem& item : select.items) {
    if (std::holds_alternative<sql::Star>(item.expr->node)) {
      return Status(StatusCode::kInvalidArgument,
                    "SELECT * with GROUP BY over a view: name the columns to re-aggregate",
                    item.position);
    }
    rollup.names.push_back(ItemName(item));
    if (IsBareColumn(*item.expr, "window_start") || IsBareColumn(*item.expr, kSourceColumn)) {
      continue;
    }
    ASSIGN_OR_RETURN(sql::ExprPtr copy, CopyExpr(*item.expr));
    RETURN_IF_ERROR(Substitute(copy, columns, base, nullptr));
    derived.items.push_back(sql::SelectItem{std::move(copy), rollup.names.back(), item.position});
  }
  if (select.having) {
    ASSIGN_OR_RETURN(derived.having, CopyExpr(*select.having));
    RETURN_IF_ERROR(Substitute(derived.having, columns, base, nullptr));
  }
  return rollup;
}

// For each aggregate of `derived`, the base aggregate whose state it re-aggregates.
Result<std::vector<size_t>> MatchAggregates(const sql::ViewPlan& derived,
                                            const sql::ViewPlan& base) {
  std::vector<size_t> match;
  for (const sql::ViewAggregate& aggregate : derived.aggregates) {
    size_t found = base.aggregates.size();
    for (size_t m = 0; m < base.aggregates.size() && found == base.aggregates.size(); ++m) {
      if (base.aggregates[m].sql == aggregate.sql) found = m;
    }
    if (found == base.aggregates.size()) {
      return Status(StatusCode::kInvalidArgument,
                    fmt::format("{} is not an aggregate of view {}: a roll-up re-aggregates the "
                                "view's own aggregate columns",
                                aggregate.sql, base.name));
    }
    match.push_back(found);
  }
  return match;
}

uint8_t SourceBit(std::string_view source) {
  return source == "BATCH" ? 1 : source == "SPEED" ? 2 : 3;
}

struct Feed {
  const sql::ViewPlan& base;
  const sql::ViewPlan& derived;
  const std::vector<size_t>& aggregates;
  std::unordered_map<uint64_t, uint8_t>* sources;
};

// The derived cells of one chunk of base rows: keys, window, states in BatchViewSchema(derived).
Result<Chunk> DerivedCells(const Feed& feed, const Chunk& cells,
                           const std::vector<Column>& keys) {
  const sql::ViewPlan& derived = feed.derived;
  Chunk out(batch::BatchViewSchema(derived));
  const size_t base_end = feed.base.keys.size() + 1;
  const size_t base_states = batch::FirstStateColumn(feed.base);
  const size_t states = batch::FirstStateColumn(derived);
  const size_t leading = derived.aggregate_index(0);
  const Column& source = cells.column(cells.num_columns() - 1);
  std::vector<Timestamp> ends;
  for (size_t r = 0; r < cells.num_rows(); ++r) {
    ends.clear();
    if (derived.window) {
      sql::WindowEnds(*derived.window, Timestamp{cells.column(base_end).int64s()[r]}, &ends);
    } else {
      ends.push_back(Timestamp{0});
    }
    for (Timestamp end : ends) {
      std::vector<const Column*> identity;
      for (size_t k = 0; k < keys.size(); ++k) out.mutable_column(k).AppendFrom(keys[k], r);
      if (derived.window) {
        out.mutable_column(keys.size()).AppendInt64(end.micros - derived.window->size.micros);
        out.mutable_column(keys.size() + 1).AppendInt64(end.micros);
      }
      for (size_t c = leading; c < states; ++c) out.mutable_column(c).AppendNull();
      for (size_t i = 0; i < feed.aggregates.size(); ++i) {
        out.mutable_column(states + i).AppendFrom(cells.column(base_states + feed.aggregates[i]), r);
      }
      for (size_t k = 0; k < keys.size(); ++k) identity.push_back(&out.column(k));
      if (derived.window) identity.push_back(&out.column(keys.size() + 1));
      (*feed.sources)[HashKeyCells(identity, out.num_rows() - 1)] |= SourceBit(source.StringAt(r));
    }
  }
  return out;
}

// The select items' columns (and `_source` from `sources`) of the derived rows HAVING kept.
Result<Chunk> Project(const sql::ViewPlan& derived, const std::vector<Chunk>& rows,
                      const std::vector<std::string>& names,
                      const std::unordered_map<uint64_t, uint8_t>* sources) {
  std::vector<Field> fields;
  std::vector<size_t> picks;
  for (const std::string& name : names) {
    if (sources != nullptr && name == kSourceColumn) {
      picks.push_back(SIZE_MAX);
      fields.push_back(Field{name, DataType::kString, false});
      continue;
    }
    std::optional<size_t> index = derived.output_schema->FindField(name);
    if (!index) {
      return Status(StatusCode::kInternal, fmt::format("the roll-up lost column {}", name));
    }
    picks.push_back(*index);
    fields.push_back(Field{name, derived.output_schema->field(*index).type, true});
  }
  if (sources != nullptr && std::find(names.begin(), names.end(), kSourceColumn) == names.end()) {
    picks.push_back(SIZE_MAX);
    fields.push_back(Field{std::string(kSourceColumn), DataType::kString, false});
  }
  Chunk out(std::make_shared<const Schema>(std::move(fields)));
  const size_t having = derived.output_schema->size();
  const size_t window_end = derived.keys.size() + 1;
  for (const Chunk& chunk : rows) {
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      if (!chunk.column(having).IsValid(r) || !chunk.column(having).bools()[r]) continue;
      for (size_t p = 0; p < picks.size(); ++p) {
        if (picks[p] != SIZE_MAX) {
          out.mutable_column(p).AppendFrom(chunk.column(picks[p]), r);
          continue;
        }
        std::vector<const Column*> identity;
        for (size_t k = 0; k < derived.keys.size(); ++k) identity.push_back(&chunk.column(k));
        if (derived.window) identity.push_back(&chunk.column(window_end));
        auto it = sources->find(HashKeyCells(identity, r));
        const uint8_t bits = it == sources->end() ? 3 : it->second;
        out.mutable_column(p).AppendString(bits == 1 ? "BATCH" : bits == 2 ? "SPEED" : "MERGED");
      }
    }
  }
  return out;
}

// Whether rows end with the ingestion metadata columns (a stream's events).
bool HasMetadata(const Schema& schema) {
  const size_t n = schema.size();
  return n >= 3 && schema.field(n - 3).name == sql::kIngestedAtColumn &&
         schema.field(n - 2).name == sql::kPartitionColumn &&
         schema.field(n - 1).name == sql::kOffsetColumn;
}

// The rows as the input of a plan over them (a stream whose columns are the rows'): the
// columns, then _ingested_at (window_end, or 0), _partition 0 and _offset = row number, unless
// the rows have them already.
Result<Chunk> RowsAsInput(const sql::ViewPlan& plan, const Chunk& rows) {
  std::vector<Column> columns;
  for (size_t c = 0; c < rows.num_columns(); ++c) columns.push_back(rows.column(c));
  if (HasMetadata(*rows.schema())) return Chunk::Make(plan.input_schema, std::move(columns));
  std::optional<size_t> window_end = rows.schema()->FindField("window_end");
  Column ingested(DataType::kTimestamp), partition(DataType::kBigint), offset(DataType::kBigint);
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    const bool has_time = window_end && rows.column(*window_end).IsValid(r);
    ingested.AppendInt64(has_time ? rows.column(*window_end).int64s()[r] : 0);
    partition.AppendInt64(0);
    offset.AppendInt64(static_cast<int64_t>(r));
  }
  columns.push_back(std::move(ingested));
  columns.push_back(std::move(partition));
  columns.push_back(std::move(offset));
  return Chunk::Make(plan.input_schema, std::move(columns));
}

// One row of an ungrouped aggregation over no rows: every aggregate of an empty state.
Result<std::vector<Chunk>> EmptyAggregation(const sql::ViewPlan& plan) {
  Chunk grouped(plan.grouped_schema);
  std::vector<Column> serialized;
  for (size_t i = 0; i < plan.aggregates.size(); ++i) {
    const agg::OwnedState empty(*plan.aggregates[i].aggregate.function);
    RETURN_IF_ERROR(plan.aggregates[i].aggregate.function->finalize(
        empty.get(), plan.aggregates[i].aggregate.params,
        &grouped.mutable_column(plan.aggregate_index(i))));
    serialized.emplace_back(DataType::kString);
    serialized.back().AppendString("");
  }
  ASSIGN_OR_RETURN(Chunk rows, batch::BatchViewRowsOfGrouped(plan, grouped, std::move(serialized)));
  return std::vector<Chunk>{std::move(rows)};
}

Status WithHint(const Status& status, std::string_view view) {
  if (status.code() != StatusCode::kGroupingError) return status;
  return Status(status.code(),
                fmt::format("{} (in a query over view {}, aggregate functions aggregate its rows; "
                            "to re-aggregate its aggregate columns from their states, GROUP BY "
                            "its keys or a window without calling aggregate functions)",
                            status.message(), view),
                status.position().value_or(SourcePosition{}));
}

}  // namespace

Result<Chunk> AggregateViewRows(const sql::SelectStatement& select, const std::string& view,
                                const Chunk& rows, const std::optional<std::string>& time_column) {
  auto stream = std::make_shared<sql::StreamDefinition>();
  stream->name = view;
  std::vector<Field> fields = rows.schema()->fields();
  if (HasMetadata(*rows.schema())) fields.resize(fields.size() - 3);
  stream->schema = std::make_shared<const Schema>(std::move(fields));
  if (time_column) {
    std::optional<size_t> time = stream->schema->FindField(*time_column);
    if (time && stream->schema->field(*time).type == DataType::kTimestamp) {
      stream->timestamp = *time_column;
    }
  }
  sql::BindEnvironment environment;
  environment.find_stream = [stream](std::string_view name) {
    return IdentifierEquals(name, stream->name) ? stream : nullptr;
  };
  ASSIGN_OR_RETURN(sql::ParsedStatement parsed, sql::ParseStatement(sql::ToSql(select)));
  sql::CreateViewStatement derived;
  derived.name = view;
  derived.query = std::move(std::get<sql::SelectStatement>(parsed.statement));
  derived.query.where.reset();  // already applied to `rows`
  derived.query.order_by.clear();
  derived.query.limit.reset();
  derived.query.offset.reset();
  std::vector<std::string> names;
  for (sql::SelectItem& item : derived.query.items) {
    if (std::holds_alternative<sql::Star>(item.expr->node)) {
      return Status(StatusCode::kGroupingError,
                    "SELECT * cannot be combined with aggregate functions", item.position);
    }
    names.push_back(ItemName(item));
    item.alias = names.back();
  }
  Result<sql::BoundView> bound = sql::BindView(derived, environment);
  if (!bound.ok()) return WithHint(bound.status(), view);
  const sql::ViewPlan& plan = *bound->plan;
  batch::HashAggregator aggregator(bound->plan, batch::AggregatorOptions{});
  ASSIGN_OR_RETURN(Chunk input, RowsAsInput(plan, rows));
  RETURN_IF_ERROR(aggregator.Consume(input));
  ASSIGN_OR_RETURN(std::vector<Chunk> out, aggregator.Finish(65536, 1, /*with_states=*/false));
  if (aggregator.groups() == 0 && plan.keys.empty() && !plan.window) {
    ASSIGN_OR_RETURN(out, EmptyAggregation(plan));
  }
  return Project(plan, out, names, nullptr);
}

bool IsGroupedQuery(const sql::SelectStatement& select) {
  if (!select.group_by.empty()) return true;
  for (const sql::SelectItem& item : select.items) {
    if (sql::ContainsAggregate(*item.expr)) return true;
  }
  return select.having != nullptr;
}

bool IsRollUp(const sql::SelectStatement& select) {
  if (select.group_by.empty()) return false;
  for (const sql::SelectItem& item : select.items) {
    if (sql::ContainsAggregate(*item.expr)) return false;
  }
  return select.having == nullptr || !sql::ContainsAggregate(*select.having);
}

Result<Chunk> RollUpView(const sql::SelectStatement& select, const sql::ViewPlanPtr& base,
                         const std::vector<Chunk>& cells,
                         const sql::BindEnvironment& environment) {
  ASSIGN_OR_RETURN(sql::ParsedStatement parsed, sql::ParseStatement(base->sql));
  const auto* view = std::get_if<sql::CreateViewStatement>(&parsed.statement);
  if (view == nullptr) return Status(StatusCode::kInternal, "a view's SQL is not CREATE VIEW");
  ASSIGN_OR_RETURN(ColumnSql columns, BaseColumns(*base, view->query));
  ASSIGN_OR_RETURN(RollUpQuery rollup, DeriveRollUp(select, *base, view->query, columns));
  ASSIGN_OR_RETURN(sql::BoundView bound, sql::BindView(rollup.derived, environment));
  const sql::ViewPlan& derived = *bound.plan;
  ASSIGN_OR_RETURN(std::vector<size_t> aggregates, MatchAggregates(derived, *base));
  batch::HashAggregator aggregator(bound.plan, batch::AggregatorOptions{});
  std::unordered_map<uint64_t, uint8_t> sources;
  const Feed feed{*base, derived, aggregates, &sources};
  for (const Chunk& chunk : cells) {
    std::vector<Column> keys;
    for (const sql::Expr* key : rollup.key_exprs) {
      ASSIGN_OR_RETURN(sql::BoundExprPtr expr, sql::BindScalar(*key, *chunk.schema()));
      ASSIGN_OR_RETURN(Column values, sql::Evaluate(*expr, chunk));
      keys.push_back(std::move(values));
    }
    ASSIGN_OR_RETURN(Chunk derived_cells, DerivedCells(feed, chunk, keys));
    RETURN_IF_ERROR(aggregator.ConsumeStates(derived_cells));
  }
  ASSIGN_OR_RETURN(std::vector<Chunk> rows, aggregator.Finish(65536, 1, /*with_states=*/false));
  return Project(derived, rows, rollup.names, &sources);
}

}  // namespace braid::serving
