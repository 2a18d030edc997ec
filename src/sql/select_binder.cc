// BindSelectList: a view's select list and HAVING over grouped rows, the names of its keys and
// outputs, and its grouped and output schemas (view_clauses.h).
#include <fmt/format.h>

#include <cctype>

#include "sql/printer.h"
#include "sql/view_clauses.h"

namespace braid::sql {
namespace {

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// The alias, else a column's name, else a function's lower-case name (System.Timestamp() is the
// window's end), else the expression's text in lower case.
std::string ItemName(const Expr& expr, const std::optional<std::string>& alias) {
  if (alias) return *alias;
  if (const auto* column = std::get_if<ColumnRef>(&expr.node)) return column->name;
  if (const auto* call = std::get_if<FunctionCall>(&expr.node)) {
    return IsSystemTimestamp(*call) ? "window_end" : Lower(call->name.back());
  }
  if (std::holds_alternative<CaseExpr>(expr.node)) return "case";
  return Lower(ToSql(expr));
}

// Names every key after the first select item that is that key; a key not selected is named by
// its column, else "key<i>". Returns, per select item, the key it names.
std::vector<std::optional<size_t>> NameKeys(const SelectStatement& query, const ViewInputs& inputs,
                                            std::vector<KeyColumn>& keys) {
  std::vector<std::optional<size_t>> item_keys(query.items.size());
  std::vector<bool> named(keys.size(), false);
  for (size_t j = 0; j < query.items.size(); ++j) {
    const SelectItem& item = query.items[j];
    std::optional<size_t> key = FindKey(*item.expr, keys, inputs);
    if (!key || named[*key]) continue;
    keys[*key].name = ItemName(*item.expr, item.alias);
    named[*key] = true;
    item_keys[j] = key;
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    if (named[i]) continue;
    const auto* column = std::get_if<ColumnRef>(&keys[i].source->node);
    keys[i].name = column != nullptr ? column->name : fmt::format("key{}", i);
  }
  return item_keys;
}

struct NamedColumn {
  std::string name;
  SourcePosition position;
};

Status CheckUniqueNames(const std::vector<NamedColumn>& columns) {
  for (size_t i = 0; i < columns.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (IdentifierEquals(columns[i].name, columns[j].name)) {
        return Status(StatusCode::kInvalidArgument,
                      fmt::format("the view has two columns named {}", columns[i].name),
                      columns[i].position);
      }
    }
  }
  return Status::Ok();
}

// True when an item is a window column under its own name (System.Timestamp() AS window_end):
// it is that column, not another output.
bool IsWindowColumn(const BoundExpr& bound, const std::string& name, const ViewPlan& plan,
                    size_t window_start) {
  const auto* column = std::get_if<BoundColumn>(&bound.node);
  return plan.window && column != nullptr &&
         (column->index == window_start || column->index == window_start + 1) &&
         IdentifierEquals(column->name, name);
}

SourcePosition WindowPosition(const SelectStatement& query) {
  for (const ExprPtr& item : query.group_by) {
    if (std::holds_alternative<WindowSpec>(item->node)) return item->position;
  }
  return query.position;
}

// The names of output_schema before the outputs: the keys, then the window columns.
std::vector<NamedColumn> LeadingNames(const SelectStatement& query,
                                      const std::vector<KeyColumn>& keys,
                                      const std::vector<std::optional<size_t>>& item_keys,
                                      bool windowed) {
  std::vector<NamedColumn> names;
  for (size_t i = 0; i < keys.size(); ++i) {
    names.push_back(NamedColumn{keys[i].name, keys[i].source->position});
    for (size_t j = 0; j < item_keys.size(); ++j) {
      if (item_keys[j] == i) names.back().position = query.items[j].position;
    }
  }
  if (windowed) {
    names.push_back(NamedColumn{"window_start", WindowPosition(query)});
    names.push_back(NamedColumn{"window_end", WindowPosition(query)});
  }
  return names;
}

SchemaPtr OutputSchema(const Schema& grouped, size_t leading, const ViewPlan& plan) {
  std::vector<Field> fields(grouped.fields().begin(), grouped.fields().begin() + leading);
  for (const ViewOutput& output : plan.outputs) {
    fields.push_back(Field{output.name, output.expr->type, true});
  }
  return std::make_shared<const Schema>(std::move(fields));
}

}  // namespace

Status BindSelectList(const SelectStatement& query, const ViewInputs& inputs,
                      std::vector<KeyColumn> keys, ViewPlan& plan) {
  std::vector<std::optional<size_t>> item_keys = NameKeys(query, inputs, keys);
  std::vector<NamedColumn> names = LeadingNames(query, keys, item_keys, plan.window.has_value());
  size_t leading = names.size();
  GroupedScope scope(inputs, std::move(keys), plan.window.has_value());
  for (size_t j = 0; j < query.items.size(); ++j) {
    if (item_keys[j]) continue;
    const SelectItem& item = query.items[j];
    ASSIGN_OR_RETURN(BoundExprPtr bound, BindExpr(*item.expr, scope));
    std::string name = ItemName(*item.expr, item.alias);
    if (IsWindowColumn(*bound, name, plan, scope.window_start_index())) continue;
    names.push_back(NamedColumn{name, item.position});
    plan.outputs.push_back(ViewOutput{std::move(name), std::move(bound)});
  }
  if (query.having != nullptr) {
    ASSIGN_OR_RETURN(plan.having, BindExprAs(*query.having, DataType::kBoolean, "HAVING", scope));
  }
  RETURN_IF_ERROR(CheckUniqueNames(names));
  plan.grouped_schema = scope.GroupedSchema();
  plan.aggregates = scope.TakeAggregates();
  plan.output_schema = OutputSchema(*plan.grouped_schema, leading, plan);
  DeriveRowSchemas(plan);
  return Status::Ok();
}

void DeriveRowSchemas(ViewPlan& plan) {
  std::vector<Field> fields = plan.output_schema->fields();
  fields.push_back(Field{std::string(kSourceColumn), DataType::kString, false});
  plan.row_schema = std::make_shared<const Schema>(fields);
  fields.pop_back();
  fields.push_back(Field{"_having", DataType::kBoolean, false});
  for (size_t i = 0; i < plan.aggregates.size(); ++i) {
    fields.push_back(Field{fmt::format("_state_{}", i), DataType::kString, false});
  }
  plan.stored_schema = std::make_shared<const Schema>(fields);
  fields.push_back(Field{std::string(kSourceColumn), DataType::kString, false});
  plan.cell_schema = std::make_shared<const Schema>(std::move(fields));
}

}  // namespace braid::sql
