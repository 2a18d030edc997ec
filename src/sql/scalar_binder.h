// The expression half of the view binder (view_binder.h): turns an Expr into a typed BoundExpr
// under the type rules stated there. What a column, an aggregate call or System.Timestamp() means
// depends on the clause being bound (a stream row in WHERE, a grouped row in SELECT, an alert's
// view row), so the caller passes a BindScope that decides those three things; everything else
// (operators, CASE, CAST, scalar functions, implicit casts, NULL typing) is bound here, once.
// Internal to the sql layer. Pure functions; a scope is used by one thread at a time.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "common/schema.h"
#include "common/status.h"
#include "sql/bound_expression.h"
#include "sql/expression.h"

namespace braid::sql {

// The clause-dependent part of binding.
class BindScope {
 public:
  virtual ~BindScope() = default;
  // A whole subexpression the scope binds itself (a GROUP BY key over grouped rows), or null to
  // bind `expr` node by node.
  virtual Result<BoundExprPtr> Replace(const Expr& expr);
  virtual Result<BoundExprPtr> BindColumn(const ColumnRef& column, SourcePosition position) = 0;
  // `call` is an aggregate (its name is a registered aggregate or COUNT).
  virtual Result<BoundExprPtr> BindAggregate(const FunctionCall& call, const Expr& expr) = 0;
  virtual Result<BoundExprPtr> BindSystemTimestamp(SourcePosition position) = 0;
};

// A scope over the rows of one relation (a stream's rows, a view's output rows): columns resolve
// in `schema`, a qualifier must name `relation` (or is refused when `relation` is empty),
// aggregates are a kGroupingError naming `clause` ("WHERE"), and System.Timestamp() is what
// `system_timestamp` binds (an error when it is empty).
class RowScope : public BindScope {
 public:
  using TimestampBinder = std::function<Result<BoundExprPtr>(SourcePosition)>;

  RowScope(const Schema& schema, std::string_view relation, std::string_view clause,
           TimestampBinder system_timestamp = {});

  Result<BoundExprPtr> BindColumn(const ColumnRef& column, SourcePosition position) override;
  Result<BoundExprPtr> BindAggregate(const FunctionCall& call, const Expr& expr) override;
  Result<BoundExprPtr> BindSystemTimestamp(SourcePosition position) override;

 private:
  const Schema& schema_;
  std::string relation_;
  std::string clause_;
  TimestampBinder system_timestamp_;
};

Result<BoundExprPtr> BindExpr(const Expr& expr, BindScope& scope);

// Binds `expr` and requires `type` (a NULL literal takes it, BIGINT widens to DOUBLE); the
// error names `what` ("WHERE", "the HAVING condition").
Result<BoundExprPtr> BindExprAs(const Expr& expr, DataType type, std::string_view what,
                                BindScope& scope);

// The index of the column `column` names in `schema`: kUndefinedColumn for an unknown name,
// kUndefinedObject for a qualifier other than `relation`.
Result<size_t> ResolveColumn(const Schema& schema, std::string_view relation,
                             const ColumnRef& column, SourcePosition position);

// True for the literal NULL.
bool IsNullLiteral(const Expr& expr);
// True for System.Timestamp (any case).
bool IsSystemTimestamp(const FunctionCall& call);
// True when `call` names an aggregate: COUNT or a registered aggregate name.
bool IsAggregateCall(const FunctionCall& call);

// --- pieces shared by the files of the binder ---

// An operand during binding: its source (for NULL and string literals, and positions) and its
// bound form.
struct Operand {
  const Expr* source = nullptr;
  BoundExprPtr bound;
};

// The type `operands` combine to: equal types, BIGINT with DOUBLE gives DOUBLE, a string literal
// takes a TIMESTAMP's type, NULL literals take any; all NULL gives BOOLEAN. kTypeMismatch at the
// first operand that does not fit, its message starting with `context`.
Result<DataType> CommonType(std::span<const Operand> operands, std::string_view context);
// `operand` as `type`: NULL literals become typed NULLs, BIGINT widens to DOUBLE through a
// BoundCast, a string literal becomes a TIMESTAMP constant (RFC 3339; kInvalidArgument if bad).
Result<BoundExprPtr> Coerce(Operand operand, DataType type, std::string_view context);

// Scalar functions (ABS ... DATEPART); `call` is neither an aggregate nor System.Timestamp.
Result<BoundExprPtr> BindScalarFunction(const FunctionCall& call, SourcePosition position,
                                        BindScope& scope);

}  // namespace braid::sql
