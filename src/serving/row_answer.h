// The last steps of a query over rows (a view's rows, a roll-up's, or one row without FROM):
// WHERE, ORDER BY, OFFSET, LIMIT and the select items, all bound with sql::BindScalar over the
// rows' columns, so every scalar function and operator of the dialect works. ORDER BY sorts
// ascending with NULLs last (DESC: NULLs first) as PostgreSQL does, and may name a select
// item's alias; without ORDER BY rows keep their order. Rows that have a `_source` column keep
// it in the answer even when the items do not name it (API.md: a view's rows carry `_source`).
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "common/chunk.h"
#include "common/status.h"
#include "sql/ast.h"

namespace braid::serving {

// Whether the rows given to AnswerRows still need the query's WHERE: kHolds when the read that
// produced them returned only rows the WHERE keeps (view_cells.h lookup_held), so it is neither
// bound nor evaluated.
enum class WhereOnRows { kEvaluate, kHolds };

// `rows` are consumed: an output column that is one input column read by nothing else is that
// column, moved (SELECT * copies no value).
Result<Chunk> AnswerRows(const sql::SelectStatement& select, Chunk rows,
                         WhereOnRows where = WhereOnRows::kEvaluate);

// The column name of a select item as PostgreSQL (and the view binder) names it: its alias, a
// column's name, a function's lower-case name (System.Timestamp(): window_end), "case", else the
// expression's SQL text in lower case.
std::string ItemName(const sql::SelectItem& item);

}  // namespace braid::serving
