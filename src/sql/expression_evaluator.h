// The one vectorized expression evaluator (DESIGN.md: one definition drives both layers). It runs
// a BoundExpr over every row of a Chunk, column at a time, and is used alike for view filters,
// group keys, window times, aggregate inputs and FILTER clauses (over stream rows), and for
// post-aggregate projections and HAVING (over grouped rows). SQL NULL semantics throughout:
// operators and functions on a NULL give NULL except IS [NOT] NULL, COALESCE, CONCAT, CASE, and
// AND/OR (FALSE AND NULL = FALSE, TRUE OR NULL = TRUE). Doubles compare in the total order the
// aggregates use (-0.0 < +0.0, NaN equal to itself and above everything), strings bytewise.
//
// Runtime errors are kDataError at the expression's source position: BIGINT overflow, a CAST the
// value cannot take (CAST('abc' AS BIGINT), a DOUBLE beyond BIGINT), a timestamp out of range.
// Division and modulo by zero give NULL (as DuckDB does), not an error, so one bad event cannot
// stop a view.
//
// Evaluation allocates only its result columns (and temporaries per node, never per row). Pure
// functions; thread-safe.
#pragma once

#include <cstdint>
#include <utility>
#include <variant>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "sql/bound_expression.h"

namespace braid::sql {

// The values of an expression over a chunk: borrowed from the chunk when the expression is a
// column reference (no copy; valid while that chunk lives unchanged), owned otherwise.
class ColumnValues {
 public:
  ColumnValues(Column owned) : storage_(std::move(owned)) {}  // NOLINT: implicit by design
  static ColumnValues Borrow(const Column& column) { return ColumnValues(&column); }

  const Column& operator*() const {
    const Column* const* borrowed = std::get_if<const Column*>(&storage_);
    return borrowed != nullptr ? **borrowed : std::get<Column>(storage_);
  }
  const Column* operator->() const { return &**this; }
  // The column to append rows to, for buffers that gather evaluated rows chunk after chunk: a
  // borrowed column is copied (and then owned) first.
  Column& Owned() {
    if (const Column* const* borrowed = std::get_if<const Column*>(&storage_)) {
      storage_ = Column(**borrowed);
    }
    return std::get<Column>(storage_);
  }
  // The values as a column of their own: moved out when owned, copied when borrowed.
  Column Release() && {
    if (Column* owned = std::get_if<Column>(&storage_)) return std::move(*owned);
    return **this;
  }

 private:
  explicit ColumnValues(const Column* borrowed) : storage_(borrowed) {}
  std::variant<const Column*, Column> storage_;
};

// The value of `expr` for every row of `input`: a column of expr.type with input.num_rows() rows.
// `expr` must have been bound against input's schema.
Result<Column> Evaluate(const BoundExpr& expr, const Chunk& input);
// The same without copying a column that `expr` merely references: the result borrows `input`'s
// column then, and must not outlive `input`.
Result<ColumnValues> EvaluateBorrowing(const BoundExpr& expr, const Chunk& input);

// The rows of `input` (ascending) where the BOOLEAN `predicate` is TRUE; FALSE and NULL drop.
Result<std::vector<uint32_t>> SelectTrue(const BoundExpr& predicate, const Chunk& input);

// A constant expression (no columns) evaluated once: its Value (monostate for NULL).
Result<Value> EvaluateConstant(const BoundExpr& expr);

// Row `row` of `column` as a Value (monostate for NULL).
Value ValueAt(const Column& column, size_t row);

}  // namespace braid::sql
