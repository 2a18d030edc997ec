#include "serving/query_pushdown.h"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sql/expression_evaluator.h"
#include "sql/reference_executor_cells.h"
#include "sql/view_binder.h"

namespace braid::serving {
namespace {

// A literal's value as one cell, of the type the binder gives it; nullopt for NULL and
// INTERVAL (which bind to no constant).
std::optional<Column> LiteralValue(const sql::Literal& literal) {
  struct Visitor {
    std::optional<Column> operator()(std::monostate) const { return std::nullopt; }
    std::optional<Column> operator()(Duration) const { return std::nullopt; }
    std::optional<Column> operator()(bool v) const {
      Column value(DataType::kBoolean);
      value.AppendBool(v);
      return value;
    }
    std::optional<Column> operator()(int64_t v) const {
      Column value(DataType::kBigint);
      value.AppendInt64(v);
      return value;
    }
    std::optional<Column> operator()(double v) const {
      Column value(DataType::kDouble);
      value.AppendDouble(v);
      return value;
    }
    std::optional<Column> operator()(const std::string& v) const {
      Column value(DataType::kString);
      value.AppendString(v);
      return value;
    }
    std::optional<Column> operator()(Timestamp v) const {
      Column value(DataType::kTimestamp);
      value.AppendInt64(v.micros);
      return value;
    }
  };
  return std::visit(Visitor{}, literal.value);
}

// A constant's value (one cell), or nullopt when the expression is not constant.
std::optional<Column> ConstantValue(const sql::Expr& expr) {
  // A literal is its value (a point query's constants are literals, read twice a query: whether
  // it may run inline, then by the read): nothing to bind or evaluate.
  if (const auto* literal = std::get_if<sql::Literal>(&expr.node)) return LiteralValue(*literal);
  static const SchemaPtr kOneRow = std::make_shared<const Schema>(
      std::vector<Field>{Field{"_one_row", DataType::kBoolean, false}});
  Result<sql::BoundExprPtr> bound = sql::BindScalar(expr, *kOneRow);
  if (!bound.ok()) return std::nullopt;  // a column: not a constant
  if (const auto* constant = std::get_if<sql::BoundConstant>(&(*bound)->node)) {
    if (std::holds_alternative<std::monostate>(constant->value)) return std::nullopt;  // NULL
    Column value((*bound)->type);
    sql::reference::AppendValue(constant->value, &value);
    return value;
  }
  Chunk row(kOneRow);
  row.mutable_column(0).AppendBool(true);
  Result<Column> value = sql::Evaluate(**bound, row);
  if (!value.ok() || value->size() != 1 || !value->IsValid(0)) return std::nullopt;
  return std::move(*value);
}

// The value as a TIMESTAMP (a TIMESTAMP, or a string in RFC 3339).
std::optional<int64_t> TimeValue(const Column& value) {
  if (value.type() == DataType::kTimestamp) return value.int64s()[0];
  if (value.type() != DataType::kString) return std::nullopt;
  Result<Timestamp> parsed = ParseRfc3339(value.StringAt(0));
  if (!parsed.ok()) return std::nullopt;
  return parsed->micros;
}

const sql::ColumnRef* ColumnOf(const sql::Expr& expr) {
  return std::get_if<sql::ColumnRef>(&expr.node);
}

std::optional<size_t> KeyIndex(const sql::ColumnRef& column, const sql::ViewPlan& plan) {
  for (size_t k = 0; k < plan.keys.size(); ++k) {
    if (IdentifierEquals(column.name, plan.keys[k].name)) return k;
  }
  return std::nullopt;
}

void AddKeyValues(size_t key, std::vector<const sql::Expr*> constants,
                  const sql::ViewPlan& plan, CellLookup* lookup) {
  if (lookup->key_values[key]) return;  // the first condition on a key is enough
  const DataType type = plan.output_schema->field(key).type;
  if (constants.size() == 1) {  // `k = constant`: nothing to deduplicate
    std::optional<Column> value = ConstantValue(*constants[0]);
    if (value && value->type() == type) lookup->key_values[key] = *std::move(value);
    return;
  }
  Column values(type);
  // Distinct values only: `k IN ('a', 'a')` reads a's cells once (each value is a point lookup).
  std::unordered_map<uint64_t, std::vector<Column>> seen;  // by hash, as one-row columns
  for (const sql::Expr* constant : constants) {
    std::optional<Column> value = ConstantValue(*constant);
    if (!value || value->type() != type) return;
    std::vector<Column>& same_hash = seen[HashKeyCells({&*value}, 0)];
    if (std::find(same_hash.begin(), same_hash.end(), *value) != same_hash.end()) continue;
    values.AppendFrom(*value, 0);
    same_hash.push_back(*std::move(value));
  }
  lookup->key_values[key] = std::move(values);
}

// window_end `op` value (the column on the left).
void AddTimeBound(sql::BinaryOp op, int64_t value, CellLookup* lookup) {
  auto raise = [&](int64_t low) {
    lookup->min_window_end = std::max(lookup->min_window_end.value_or(INT64_MIN), low);
  };
  auto lower = [&](int64_t high) {
    lookup->max_window_end = std::min(lookup->max_window_end.value_or(INT64_MAX), high);
  };
  switch (op) {
    case sql::BinaryOp::kEqual:
      raise(value);
      lower(value);
      return;
    case sql::BinaryOp::kGreater:
      if (value < INT64_MAX) raise(value + 1);
      return;
    case sql::BinaryOp::kGreaterEqual:
      raise(value);
      return;
    case sql::BinaryOp::kLess:
      if (value > INT64_MIN) lower(value - 1);
      return;
    case sql::BinaryOp::kLessEqual:
      lower(value);
      return;
    default:
      return;
  }
}

sql::BinaryOp Flip(sql::BinaryOp op) {
  switch (op) {
    case sql::BinaryOp::kLess:
      return sql::BinaryOp::kGreater;
    case sql::BinaryOp::kLessEqual:
      return sql::BinaryOp::kGreaterEqual;
    case sql::BinaryOp::kGreater:
      return sql::BinaryOp::kLess;
    case sql::BinaryOp::kGreaterEqual:
      return sql::BinaryOp::kLessEqual;
    default:
      return op;
  }
}

void AddComparison(const sql::BinaryExpr& binary, const sql::ViewPlan& plan,
                   CellLookup* lookup) {
  const sql::ColumnRef* column = ColumnOf(*binary.left);
  const sql::Expr* constant = binary.right.get();
  sql::BinaryOp op = binary.op;
  if (column == nullptr) {
    column = ColumnOf(*binary.right);
    constant = binary.left.get();
    op = Flip(op);
  }
  if (column == nullptr) return;
  if (std::optional<size_t> key = KeyIndex(*column, plan)) {
    if (op == sql::BinaryOp::kEqual) AddKeyValues(*key, {constant}, plan, lookup);
    return;
  }
  if (plan.window && IdentifierEquals(column->name, "window_end")) {
    std::optional<Column> value = ConstantValue(*constant);
    if (!value) return;
    if (std::optional<int64_t> time = TimeValue(*value)) AddTimeBound(op, *time, lookup);
  }
}

void Collect(const sql::Expr& expr, const sql::ViewPlan& plan, CellLookup* lookup) {
  if (const auto* binary = std::get_if<sql::BinaryExpr>(&expr.node)) {
    if (binary->op == sql::BinaryOp::kAnd) {
      Collect(*binary->left, plan, lookup);
      Collect(*binary->right, plan, lookup);
    } else {
      AddComparison(*binary, plan, lookup);
    }
    return;
  }
  if (const auto* in = std::get_if<sql::InListExpr>(&expr.node); in != nullptr && !in->negated) {
    const sql::ColumnRef* column = ColumnOf(*in->operand);
    if (column == nullptr) return;
    if (std::optional<size_t> key = KeyIndex(*column, plan)) {
      std::vector<const sql::Expr*> constants;
      for (const sql::ExprPtr& item : in->list) constants.push_back(item.get());
      AddKeyValues(*key, std::move(constants), plan, lookup);
    }
    return;
  }
  if (const auto* between = std::get_if<sql::BetweenExpr>(&expr.node);
      between != nullptr && !between->negated && plan.window) {
    const sql::ColumnRef* column = ColumnOf(*between->operand);
    if (column == nullptr || !IdentifierEquals(column->name, "window_end")) return;
    std::optional<Column> low = ConstantValue(*between->low);
    std::optional<Column> high = ConstantValue(*between->high);
    if (!low || !high) return;
    std::optional<int64_t> from = TimeValue(*low), to = TimeValue(*high);
    if (from) AddTimeBound(sql::BinaryOp::kGreaterEqual, *from, lookup);
    if (to) AddTimeBound(sql::BinaryOp::kLessEqual, *to, lookup);
  }
}

}  // namespace

CellLookup LookupOf(const sql::Expr* where, const sql::ViewPlan& plan) {
  CellLookup lookup;
  lookup.key_values.resize(plan.keys.size());
  if (where != nullptr) Collect(*where, plan, &lookup);
  return lookup;
}

}  // namespace braid::serving
