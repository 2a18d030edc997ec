// BindView, BindAlert and BindScalar (view_binder.h): the statement-level checks, the source
// stream, the event time, WHERE and GROUP BY. The select list is bound in select_binder.cc.
#include "sql/view_binder.h"

#include <fmt/format.h>

#include "sql/printer.h"
#include "sql/view_clauses.h"

namespace braid::sql {
namespace {

// The canonical CREATE text the catalog persists: without OR REPLACE, so that reapplying a
// definition compares equal to the stored one and the file reads back as plain CREATEs.
std::string CanonicalCreateSql(std::string sql, bool or_replace) {
  constexpr std::string_view kOrReplace = "OR REPLACE ";
  if (or_replace && sql.starts_with("CREATE ") && sql.compare(7, kOrReplace.size(), kOrReplace) == 0) {
    sql.erase(7, kOrReplace.size());
  }
  return sql;
}

// What a view cannot do (yet): DISTINCT, *, ORDER BY, LIMIT/OFFSET.
Status CheckViewShape(const SelectStatement& query) {
  if (query.distinct) {
    return Status(StatusCode::kUnsupported, "SELECT DISTINCT is not supported in a view",
                  query.position);
  }
  for (const SelectItem& item : query.items) {
    if (std::holds_alternative<Star>(item.expr->node)) {
      return Status(StatusCode::kUnsupported, "a view cannot SELECT *: name its columns",
                    item.position);
    }
  }
  if (!query.order_by.empty()) {
    return Status(StatusCode::kUnsupported,
                  "a view has no ORDER BY; order the rows when querying it",
                  query.order_by[0].position);
  }
  if (query.limit || query.offset) {
    return Status(StatusCode::kUnsupported,
                  "a view has no LIMIT or OFFSET; limit the rows when querying it", query.position);
  }
  return Status::Ok();
}

Result<std::shared_ptr<const StreamDefinition>> FindSourceStream(
    const SelectStatement& query, const BindEnvironment& environment) {
  std::shared_ptr<const StreamDefinition> stream;
  if (environment.find_stream) stream = environment.find_stream(query.from);
  if (stream != nullptr) return stream;
  if (environment.find_view && environment.find_view(query.from) != nullptr) {
    return Status(
        StatusCode::kUnsupported,
        fmt::format("{} is a view: a view reads a stream; query views with SELECT", query.from),
        query.from_position);
  }
  return Status(StatusCode::kUndefinedObject, fmt::format("stream {} does not exist", query.from),
                query.from_position);
}

// System.Timestamp() over input rows: TIMESTAMP BY, else the stream's timestamp column, else
// _ingested_at. The referenced objects outlive the binding.
RowScope::TimestampBinder EventTimeBinder(const SelectStatement& query,
                                          const StreamDefinition& stream, const Schema& input) {
  return [&query, &stream, &input](SourcePosition position) -> Result<BoundExprPtr> {
    if (query.timestamp_by != nullptr) {
      RowScope scope(input, stream.name, "TIMESTAMP BY");
      return BindExprAs(*query.timestamp_by, DataType::kTimestamp, "TIMESTAMP BY", scope);
    }
    std::string_view column = stream.timestamp ? *stream.timestamp : kIngestedAtColumn;
    size_t index = input.FindField(column).value_or(0);
    return MakeBound(BoundColumn{index, input.field(index).name}, DataType::kTimestamp, position);
  };
}

// GROUP BY: the keys over input rows and at most one window.
struct GroupBy {
  std::vector<KeyColumn> keys;
  std::vector<GroupKey> bound_keys;  // names filled in by the select list
  std::optional<WindowDefinition> window;
  std::vector<BindWarning> warnings;
};

Status BindWindowItem(const Expr& item, const ViewInputs& inputs, GroupBy& group_by) {
  if (group_by.window) {
    return Status(StatusCode::kInvalidArgument, "a view has at most one window in GROUP BY",
                  item.position);
  }
  ASSIGN_OR_RETURN(BoundWindow bound,
                   BindWindow(std::get<WindowSpec>(item.node), item.position, inputs));
  group_by.window = std::move(bound.window);
  if (bound.warning) group_by.warnings.push_back(*bound.warning);
  return Status::Ok();
}

Result<GroupBy> BindGroupBy(const SelectStatement& query, const ViewInputs& inputs) {
  GroupBy group_by;
  RowScope scope = inputs.Scope("GROUP BY");
  for (const ExprPtr& item : query.group_by) {
    if (std::holds_alternative<WindowSpec>(item->node)) {
      RETURN_IF_ERROR(BindWindowItem(*item, inputs, group_by));
      continue;
    }
    const auto* call = std::get_if<FunctionCall>(&item->node);
    if (call != nullptr && IsSystemTimestamp(*call)) {
      return Status(StatusCode::kUnsupported,
                    "GROUP BY System.Timestamp() (snapshot windows) is not supported yet",
                    item->position);
    }
    ASSIGN_OR_RETURN(BoundExprPtr bound, BindExpr(*item, scope));
    KeyColumn key{.source = item.get(), .name = "", .type = bound->type, .nullable = true};
    if (const auto* column = std::get_if<BoundColumn>(&bound->node)) {
      key.nullable = inputs.schema->field(column->index).nullable;
    }
    group_by.keys.push_back(std::move(key));
    group_by.bound_keys.push_back(GroupKey{"", std::move(bound)});
  }
  return group_by;
}

Status RequireAggregation(const SelectStatement& query) {
  if (!query.group_by.empty()) return Status::Ok();
  for (const SelectItem& item : query.items) {
    if (ContainsAggregate(*item.expr)) return Status::Ok();
  }
  if (query.having != nullptr && ContainsAggregate(*query.having)) return Status::Ok();
  return Status(StatusCode::kInvalidArgument,
                "a view aggregates: add GROUP BY or an aggregate function", query.position);
}

}  // namespace

Result<BoundView> BindView(const CreateViewStatement& statement,
                           const BindEnvironment& environment) {
  const SelectStatement& query = statement.query;
  RETURN_IF_ERROR(CheckViewShape(query));
  ASSIGN_OR_RETURN(std::shared_ptr<const StreamDefinition> stream,
                   FindSourceStream(query, environment));
  auto plan = std::make_shared<ViewPlan>();
  plan->name = statement.name;
  plan->source = stream->name;
  plan->sql = CanonicalCreateSql(ToSql(statement), statement.or_replace);
  plan->input_schema = ViewInputSchema(*stream->schema);
  ViewInputs inputs{plan->input_schema.get(), stream->name,
                    EventTimeBinder(query, *stream, *plan->input_schema)};
  SourcePosition time_position = query.timestamp_by ? query.timestamp_by->position : query.position;
  ASSIGN_OR_RETURN(plan->event_time, inputs.event_time(time_position));
  if (query.where != nullptr) {
    RowScope scope = inputs.Scope("WHERE");
    ASSIGN_OR_RETURN(plan->filter, BindExprAs(*query.where, DataType::kBoolean, "WHERE", scope));
  }
  ASSIGN_OR_RETURN(GroupBy group_by, BindGroupBy(query, inputs));
  RETURN_IF_ERROR(RequireAggregation(query));
  plan->window = std::move(group_by.window);
  RETURN_IF_ERROR(BindSelectList(query, inputs, std::move(group_by.keys), *plan));
  for (size_t i = 0; i < group_by.bound_keys.size(); ++i) {
    group_by.bound_keys[i].name = plan->grouped_schema->field(i).name;
  }
  plan->keys = std::move(group_by.bound_keys);
  return BoundView{std::move(plan), std::move(group_by.warnings)};
}

Result<AlertPlanPtr> BindAlert(const CreateAlertStatement& statement,
                               const BindEnvironment& environment) {
  ViewPlanPtr view;
  if (environment.find_view) view = environment.find_view(statement.view);
  if (view == nullptr) {
    return Status(StatusCode::kUndefinedObject,
                  fmt::format("view {} does not exist", statement.view), statement.view_position);
  }
  auto plan = std::make_shared<AlertPlan>();
  plan->name = statement.name;
  plan->view = view->name;
  plan->sql = CanonicalCreateSql(ToSql(statement), statement.or_replace);
  RowScope scope(*view->output_schema, view->name, "an alert condition");
  ASSIGN_OR_RETURN(plan->condition, BindExprAs(*statement.condition, DataType::kBoolean,
                                               "the alert condition", scope));
  return AlertPlanPtr(std::move(plan));
}

Result<BoundExprPtr> BindScalar(const Expr& expr, const Schema& schema) {
  RowScope scope(schema, "", "a scalar expression");
  return BindExpr(expr, scope);
}

}  // namespace braid::sql
