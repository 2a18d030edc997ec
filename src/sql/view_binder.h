// The binder of views, alerts and scalar expressions: checks a parsed statement against the
// catalog and produces a ViewPlan / AlertPlan / BoundExpr (view_plan.h, bound_expression.h).
// Every mistake is a Status carrying the line:column of the offending token, never a crash:
//   kUndefinedObject   FROM names no stream (or ON names no view)
//   kUndefinedColumn   an unknown column
//   kGroupingError     an aggregate in WHERE, GROUP BY, FILTER or another aggregate's argument; a
//                      column outside an aggregate that is not a GROUP BY key
//   kTypeMismatch      operands, arguments or a predicate of the wrong type
//   kInvalidArgument   bad window arguments (size <= 0, hop > size, timeout > max), two windows,
//                      duplicate output names, a view without GROUP BY
//   kUnsupported       what a view cannot do yet (SlidingWindow, ORDER BY/LIMIT, DISTINCT, *)
// Type rules: BIGINT widens to DOUBLE in arithmetic and comparisons; a string literal compared
// with a TIMESTAMP is parsed as RFC 3339; everything else must match exactly. Output names: the
// alias, else a column's name, else the function's lower-case name (PostgreSQL's habit). Pure
// functions of their arguments; thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/schema.h"
#include "common/status.h"
#include "sql/ast.h"
#include "sql/bound_expression.h"
#include "sql/stream_definition.h"
#include "sql/view_plan.h"

namespace braid::sql {

// The catalog lookups a binder needs; each returns nullptr for an unknown name.
struct BindEnvironment {
  std::function<std::shared_ptr<const StreamDefinition>(std::string_view)> find_stream;
  std::function<ViewPlanPtr(std::string_view)> find_view;
};

struct BindWarning {
  std::string message;  // "hop 4 minutes does not divide size 10 minutes: windows overlap unevenly"
  SourcePosition position;
};

struct BoundView {
  ViewPlanPtr plan;
  std::vector<BindWarning> warnings;
};

Result<BoundView> BindView(const CreateViewStatement& statement, const BindEnvironment& environment);

Result<AlertPlanPtr> BindAlert(const CreateAlertStatement& statement,
                               const BindEnvironment& environment);

// A scalar expression over `schema` (no aggregates, no windows); System.Timestamp() is an error
// here. Used by tests, by alerts and by queries.
Result<BoundExprPtr> BindScalar(const Expr& expr, const Schema& schema);

}  // namespace braid::sql
