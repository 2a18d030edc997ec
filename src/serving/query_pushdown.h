// What of a query's WHERE the batch view index can answer (batch_view_cache.h CellLookup): the
// AND-ed conditions `key = constant`, `key IN (constants)` on the view's key columns and
// comparisons of window_end with constants (=, <, <=, >, >=, BETWEEN). Everything else is left
// to the WHERE itself, evaluated on the rows read, so the lookup only has to return a superset.
// A constant is an expression without columns; its value must have the key's type (a string
// compared with window_end is read as RFC 3339, as the binder does). When every AND-ed part of
// the WHERE is such a condition, answered exactly (CellLookup::holds_where), a read that returns
// exactly the rows the lookup admits needs no WHERE at all (view_cells.h lookup_held).
// Pure function; thread-safe.
#pragma once

#include "serving/batch_view_cache.h"
#include "sql/ast.h"
#include "sql/view_plan.h"

namespace braid::serving {

CellLookup LookupOf(const sql::Expr* where, const sql::ViewPlan& plan);

}  // namespace braid::serving
