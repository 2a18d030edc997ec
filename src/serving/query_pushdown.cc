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

// Whether `key = value` read through the lookup is the condition itself: the column named as
// the view's output column of that key, unqualified (the binder resolves a qualifier the lookup
// does not check), of a type whose equality the index and SQL agree on (DOUBLE keys are left out:
// NaN and -0.0).
bool KeyHoldsExactly(const sql::ColumnRef& column, size_t key, const sql::ViewPlan& plan) {
  const Field& field = plan.output_schema->field(key);
  return !column.qualifier && IdentifierEquals(column.name, field.name) &&
         field.type != DataType::kDouble;
}

// Whether comparing window_end with `constant` (of value `value`) through the lookup is the
// comparison itself: an unqualified column and a TIMESTAMP, or a string literal (which the binder
// reads as RFC 3339, as TimeValue does; a string that is not a literal it does not).
bool TimeHoldsExactly(const sql::ColumnRef& column, const sql::Expr& constant,
                      const Column& value) {
  if (column.qualifier) return false;
  if (value.type() == DataType::kTimestamp) return true;
  const auto* literal = std::get_if<sql::Literal>(&constant.node);
  return literal != nullptr && std::holds_alternative<std::string>(literal->value);
}

// Constrains key `key` to the constants' values; false when it does not (a constant of another
// type, or a key already constrained). The condition is answered exactly when this constrains
// the key and KeyHoldsExactly holds.
bool AddKeyValues(size_t key, std::vector<const sql::Expr*> constants, const sql::ViewPlan& plan,
                  CellLookup* lookup) {
  if (lookup->key_values[key]) return false;  // the first condition on a key is enough
  const DataType type = plan.output_schema->field(key).type;
  if (constants.size() == 1) {  // `k = constant`: nothing to deduplicate
    std::optional<Column> value = ConstantValue(*constants[0]);
    if (!value || value->type() != type) return false;
    lookup->key_values[key] = *std::move(value);
    return true;
  }
  Column values(type);
  // Distinct values only: `k IN ('a', 'a')` reads a's cells once (each value is a point lookup).
  std::unordered_map<uint64_t, std::vector<Column>> seen;  // by hash, as one-row columns
  for (const sql::Expr* constant : constants) {
    std::optional<Column> value = ConstantValue(*constant);
    if (!value || value->type() != type) return false;
    std::vector<Column>& same_hash = seen[HashKeyCells({&*value}, 0)];
    if (std::find(same_hash.begin(), same_hash.end(), *value) != same_hash.end()) continue;
    values.AppendFrom(*value, 0);
    same_hash.push_back(*std::move(value));
  }
  lookup->key_values[key] = std::move(values);
  return true;
}

// window_end `op` value (the column on the left); true when the bound is exactly the condition.
bool AddTimeBound(sql::BinaryOp op, int64_t value, CellLookup* lookup) {
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
      return true;
    case sql::BinaryOp::kGreater:
      if (value == INT64_MAX) return false;
      raise(value + 1);
      return true;
    case sql::BinaryOp::kGreaterEqual:
      raise(value);
      return true;
    case sql::BinaryOp::kLess:
      if (value == INT64_MIN) return false;
      lower(value - 1);
      return true;
    case sql::BinaryOp::kLessEqual:
      lower(value);
      return true;
    default:
      return false;
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

// Adds what the index can answer of a comparison; true when it answers all of it exactly.
bool AddComparison(const sql::BinaryExpr& binary, const sql::ViewPlan& plan, CellLookup* lookup) {
  const sql::ColumnRef* column = ColumnOf(*binary.left);
  const sql::Expr* constant = binary.right.get();
  sql::BinaryOp op = binary.op;
  if (column == nullptr) {
    column = ColumnOf(*binary.right);
    constant = binary.left.get();
    op = Flip(op);
  }
  if (column == nullptr) return false;
  if (std::optional<size_t> key = KeyIndex(*column, plan)) {
    if (op != sql::BinaryOp::kEqual) return false;
    return AddKeyValues(*key, {constant}, plan, lookup) && KeyHoldsExactly(*column, *key, plan);
  }
  if (plan.window && IdentifierEquals(column->name, "window_end")) {
    std::optional<Column> value = ConstantValue(*constant);
    if (!value) return false;
    const std::optional<int64_t> time = TimeValue(*value);
    return time && AddTimeBound(op, *time, lookup) && TimeHoldsExactly(*column, *constant, *value);
  }
  return false;
}

// Adds what the index can answer of `expr` (a WHERE or one of its AND-ed parts); true when it
// answers all of it exactly.
bool Collect(const sql::Expr& expr, const sql::ViewPlan& plan, CellLookup* lookup) {
  if (const auto* binary = std::get_if<sql::BinaryExpr>(&expr.node)) {
    if (binary->op == sql::BinaryOp::kAnd) {
      const bool left = Collect(*binary->left, plan, lookup);
      const bool right = Collect(*binary->right, plan, lookup);
      return left && right;
    }
    return AddComparison(*binary, plan, lookup);
  }
  if (const auto* in = std::get_if<sql::InListExpr>(&expr.node); in != nullptr && !in->negated) {
    const sql::ColumnRef* column = ColumnOf(*in->operand);
    if (column == nullptr) return false;
    std::optional<size_t> key = KeyIndex(*column, plan);
    if (!key) return false;
    std::vector<const sql::Expr*> constants;
    for (const sql::ExprPtr& item : in->list) constants.push_back(item.get());
    return AddKeyValues(*key, std::move(constants), plan, lookup) &&
           KeyHoldsExactly(*column, *key, plan);
  }
  if (const auto* between = std::get_if<sql::BetweenExpr>(&expr.node);
      between != nullptr && !between->negated && plan.window) {
    const sql::ColumnRef* column = ColumnOf(*between->operand);
    if (column == nullptr || !IdentifierEquals(column->name, "window_end")) return false;
    std::optional<Column> low = ConstantValue(*between->low);
    std::optional<Column> high = ConstantValue(*between->high);
    if (!low || !high) return false;
    std::optional<int64_t> from = TimeValue(*low), to = TimeValue(*high);
    if (from) AddTimeBound(sql::BinaryOp::kGreaterEqual, *from, lookup);
    if (to) AddTimeBound(sql::BinaryOp::kLessEqual, *to, lookup);
    return from && to && TimeHoldsExactly(*column, *between->low, *low) &&
           TimeHoldsExactly(*column, *between->high, *high);
  }
  return false;
}

}  // namespace

CellLookup LookupOf(const sql::Expr* where, const sql::ViewPlan& plan) {
  CellLookup lookup;
  lookup.key_values.resize(plan.keys.size());
  if (where != nullptr) lookup.holds_where = Collect(*where, plan, &lookup);
  return lookup;
}

}  // namespace braid::serving
