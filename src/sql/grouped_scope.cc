// GroupedScope: binding SELECT items and HAVING over the grouped rows of a view
// (view_clauses.h).
#include <fmt/format.h>

#include "sql/view_clauses.h"

namespace braid::sql {
namespace {

constexpr std::string_view kWindowStart = "window_start";
constexpr std::string_view kWindowEnd = "window_end";

void AddChild(const ExprPtr& child, std::vector<const Expr*>& children) {
  if (child != nullptr) children.push_back(child.get());
}

std::vector<const Expr*> Children(const Expr& expr) {
  std::vector<const Expr*> children;
  auto add = [&](const ExprPtr& child) { AddChild(child, children); };
  auto add_all = [&](const std::vector<ExprPtr>& list) {
    for (const ExprPtr& child : list) add(child);
  };
  std::visit(
      [&](const auto& node) {
        using T = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<T, UnaryExpr> || std::is_same_v<T, IsNullExpr> ||
                      std::is_same_v<T, CastExpr>) {
          add(node.operand);
        } else if constexpr (std::is_same_v<T, BinaryExpr>) {
          add(node.left);
          add(node.right);
        } else if constexpr (std::is_same_v<T, InListExpr>) {
          add(node.operand);
          add_all(node.list);
        } else if constexpr (std::is_same_v<T, BetweenExpr>) {
          add(node.operand);
          add(node.low);
          add(node.high);
        } else if constexpr (std::is_same_v<T, LikeExpr>) {
          add(node.operand);
          add(node.pattern);
        } else if constexpr (std::is_same_v<T, CaseExpr>) {
          add(node.operand);
          for (const WhenClause& when : node.whens) {
            add(when.condition);
            add(when.result);
          }
          add(node.else_result);
        } else if constexpr (std::is_same_v<T, FunctionCall>) {
          add_all(node.arguments);
        }
      },
      expr.node);
  return children;
}

// The input column a column reference names, if it names one.
std::optional<size_t> InputColumn(const Expr& expr, const ViewInputs& inputs) {
  const auto* column = std::get_if<ColumnRef>(&expr.node);
  if (column == nullptr) return std::nullopt;
  Result<size_t> index = ResolveColumn(*inputs.schema, inputs.relation, *column, expr.position);
  if (!index.ok()) return std::nullopt;
  return *index;
}

}  // namespace

bool ContainsAggregate(const Expr& expr) {
  const auto* call = std::get_if<FunctionCall>(&expr.node);
  if (call != nullptr && IsAggregateCall(*call)) return true;
  for (const Expr* child : Children(expr)) {
    if (ContainsAggregate(*child)) return true;
  }
  return false;
}

std::optional<size_t> FindKey(const Expr& expr, std::span<const KeyColumn> keys,
                              const ViewInputs& inputs) {
  std::optional<size_t> column = InputColumn(expr, inputs);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (ExprEquals(expr, *keys[i].source)) return i;
    if (column && column == InputColumn(*keys[i].source, inputs)) return i;
  }
  return std::nullopt;
}

GroupedScope::GroupedScope(const ViewInputs& inputs, std::vector<KeyColumn> keys, bool windowed)
    : inputs_(inputs), keys_(std::move(keys)), windowed_(windowed) {}

Result<BoundExprPtr> GroupedScope::Replace(const Expr& expr) {
  std::optional<size_t> key = FindKey(expr, keys_, inputs_);
  if (!key) return BoundExprPtr();
  return MakeBound(BoundColumn{*key, keys_[*key].name}, keys_[*key].type, expr.position);
}

Result<BoundExprPtr> GroupedScope::BindColumn(const ColumnRef& column, SourcePosition position) {
  bool window_column =
      IdentifierEquals(column.name, kWindowStart) || IdentifierEquals(column.name, kWindowEnd);
  if (windowed_ && window_column && !column.qualifier && !inputs_.schema->FindField(column.name)) {
    size_t index = window_start_index() + (IdentifierEquals(column.name, kWindowEnd) ? 1 : 0);
    return MakeBound(BoundColumn{index, CanonicalIdentifier(column.name)}, DataType::kTimestamp,
                     position);
  }
  RETURN_IF_ERROR(ResolveColumn(*inputs_.schema, inputs_.relation, column, position));
  return Status(StatusCode::kGroupingError,
                fmt::format("column {} must appear in GROUP BY or be used in an aggregate "
                            "function",
                            column.name),
                position);
}

Result<BoundExprPtr> GroupedScope::BindAggregate(const FunctionCall& call, const Expr& expr) {
  size_t i = 0;
  while (i < aggregate_calls_.size() && !ExprEquals(*aggregate_calls_[i], expr)) ++i;
  if (i == aggregate_calls_.size()) {
    ASSIGN_OR_RETURN(ViewAggregate aggregate, BindViewAggregate(call, expr, inputs_));
    aggregates_.push_back(std::move(aggregate));
    aggregate_calls_.push_back(&expr);
  }
  size_t index = keys_.size() + (windowed_ ? 2 : 0) + i;
  return MakeBound(BoundColumn{index, fmt::format("_agg{}", i)},
                   aggregates_[i].aggregate.function->result_type, expr.position);
}

Result<BoundExprPtr> GroupedScope::BindSystemTimestamp(SourcePosition position) {
  if (!windowed_) {
    return Status(StatusCode::kInvalidArgument,
                  "System.Timestamp() of a view is its window's end: GROUP BY needs a window",
                  position);
  }
  return MakeBound(BoundColumn{window_start_index() + 1, std::string(kWindowEnd)},
                   DataType::kTimestamp, position);
}

SchemaPtr GroupedScope::GroupedSchema() const {
  std::vector<Field> fields;
  for (const KeyColumn& key : keys_) fields.push_back(Field{key.name, key.type, key.nullable});
  if (windowed_) {
    fields.push_back(Field{std::string(kWindowStart), DataType::kTimestamp, false});
    fields.push_back(Field{std::string(kWindowEnd), DataType::kTimestamp, false});
  }
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    fields.push_back(
        Field{fmt::format("_agg{}", i), aggregates_[i].aggregate.function->result_type, true});
  }
  return std::make_shared<const Schema>(std::move(fields));
}

}  // namespace braid::sql
