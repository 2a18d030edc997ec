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
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "sql/bound_expression.h"

namespace braid::sql {

// The value of `expr` for every row of `input`: a column of expr.type with input.num_rows() rows.
// `expr` must have been bound against input's schema.
Result<Column> Evaluate(const BoundExpr& expr, const Chunk& input);

// The rows of `input` (ascending) where the BOOLEAN `predicate` is TRUE; FALSE and NULL drop.
Result<std::vector<uint32_t>> SelectTrue(const BoundExpr& predicate, const Chunk& input);

// A constant expression (no columns) evaluated once: its Value (monostate for NULL).
Result<Value> EvaluateConstant(const BoundExpr& expr);

// Row `row` of `column` as a Value (monostate for NULL).
Value ValueAt(const Column& column, size_t row);

}  // namespace braid::sql
