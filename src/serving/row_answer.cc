#include "serving/row_answer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "sql/expression_evaluator.h"
#include "sql/printer.h"
#include "sql/scalar_binder.h"
#include "sql/view_binder.h"

namespace braid::serving {
using sql::kSourceColumn;

std::string ItemName(const sql::SelectItem& item);

namespace {

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
      for (size_t c = 0; c < schema.size(); ++c) {  // each column by its index
        const Field& field = schema.field(c);
        items.push_back(OutputItem{field.name, sql::MakeBound(sql::BoundColumn{c, field.name},
                                                              field.type, item.position)});
      }
      has_source = true;
      continue;
    }
    ASSIGN_OR_RETURN(sql::BoundExprPtr bound, sql::BindScalar(*item.expr, schema));
    std::string name = ItemName(item);
    has_source = has_source || name == kSourceColumn;
    items.push_back(OutputItem{std::move(name), std::move(bound)});
  }
  if (!has_source && schema.FindField(kSourceColumn)) {  // API.md: a view's rows carry _source
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
}  // namespace

std::string ItemName(const sql::SelectItem& item) {
  if (item.alias && !item.alias->empty()) return *item.alias;
  if (const auto* ref = std::get_if<sql::ColumnRef>(&item.expr->node)) return ref->name;
  std::string name;
  if (const auto* call = std::get_if<sql::FunctionCall>(&item.expr->node)) {
    if (sql::IsSystemTimestamp(*call)) return "window_end";
    name = call->name.back();
  } else if (std::holds_alternative<sql::CaseExpr>(item.expr->node)) {
    name = "case";
  } else {
    name = sql::ToSql(*item.expr);
  }
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

Result<Chunk> AnswerRows(const sql::SelectStatement& select, Chunk all_rows, WhereOnRows where) {
  const Schema& schema = *all_rows.schema();
  // `SELECT *` alone answers every column as it is: nothing to bind (ORDER BY then names
  // columns only, as no item has an alias).
  const bool star_only =
      select.items.size() == 1 && std::holds_alternative<sql::Star>(select.items[0].expr->node);
  std::vector<OutputItem> items;
  if (!star_only) {
    ASSIGN_OR_RETURN(items, BindItems(select, schema));
  }
  // Each step copies rows only when it drops or reorders some.
  Chunk* rows = &all_rows;
  Chunk kept_rows;
  if (select.where && where == WhereOnRows::kEvaluate) {
    ASSIGN_OR_RETURN(sql::BoundExprPtr bound, sql::BindScalar(*select.where, schema));
    if (bound->type != DataType::kBoolean) {
      return Status(StatusCode::kTypeMismatch, "WHERE must be BOOLEAN", select.where->position);
    }
    ASSIGN_OR_RETURN(std::vector<uint32_t> kept, sql::SelectTrue(*bound, all_rows));
    if (kept.size() < all_rows.num_rows()) {
      kept_rows = all_rows.Select(kept);
      rows = &kept_rows;
    }
  }
  std::vector<uint32_t> order(rows->num_rows());
  std::iota(order.begin(), order.end(), 0u);
  if (!select.order_by.empty()) {
    ASSIGN_OR_RETURN(std::vector<SortKey> keys, EvaluateSortKeys(select, items, *rows));
    SortRows(keys, &order);
  }
  const size_t offset = static_cast<size_t>(std::max<int64_t>(0, select.offset.value_or(0)));
  order.erase(order.begin(),
              order.begin() + static_cast<std::ptrdiff_t>(std::min(offset, order.size())));
  if (select.limit && static_cast<size_t>(std::max<int64_t>(0, *select.limit)) < order.size()) {
    order.resize(static_cast<size_t>(std::max<int64_t>(0, *select.limit)));
  }
  bool in_order = order.size() == rows->num_rows();
  for (size_t i = 0; i < order.size() && in_order; ++i) in_order = order[i] == i;
  Chunk picked_rows;
  if (!in_order) picked_rows = rows->Select(order);
  Chunk& picked = in_order ? *rows : picked_rows;
  if (star_only) {  // as BindItems would bind `*`: each column, by its name, nullable
    std::vector<Field> fields = schema.fields();
    for (Field& field : fields) field.nullable = true;
    std::vector<Column> columns;
    columns.reserve(picked.num_columns());
    for (size_t c = 0; c < picked.num_columns(); ++c) {
      columns.push_back(std::move(picked.mutable_column(c)));
    }
    return Chunk::Make(std::make_shared<const Schema>(std::move(fields)), std::move(columns));
  }
  // Computed items first (they may read any column), then plain column references, taken from
  // the rows (a column read by one item alone moves into the answer).
  std::vector<Field> fields;
  std::vector<Column> columns;
  fields.reserve(items.size());
  columns.reserve(items.size());
  std::vector<size_t> sources(items.size(), kNoColumn);
  for (size_t i = 0; i < items.size(); ++i) {
    const OutputItem& item = items[i];
    fields.push_back(Field{item.name, item.expr->type, true});
    columns.emplace_back(item.expr->type);
    if (const auto* column = std::get_if<sql::BoundColumn>(&item.expr->node)) {
      sources[i] = column->index;
    } else {
      ASSIGN_OR_RETURN(columns[i], sql::Evaluate(*item.expr, picked));
    }
  }
  TakeColumns(picked, sources, columns);
  return Chunk::Make(std::make_shared<const Schema>(std::move(fields)), std::move(columns));
}

}  // namespace braid::serving
