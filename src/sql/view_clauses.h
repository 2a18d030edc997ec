// The clause binders BindView (view_binder.h) is assembled from: the window of GROUP BY, the
// aggregate calls, and the scope of the grouped rows that SELECT items and HAVING are bound in.
// Each works over the view's input rows (ViewInputs) and reports mistakes at their line:column.
// Internal to the sql layer; used by one thread at a time.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sql/scalar_binder.h"
#include "sql/view_binder.h"
#include "sql/view_plan.h"

namespace braid::sql {

// What the input-row clauses share: the input schema, the stream's name (the only qualifier a
// column may have) and what System.Timestamp() means over input rows (the event time).
struct ViewInputs {
  const Schema* schema = nullptr;
  std::string relation;
  RowScope::TimestampBinder event_time;

  // A scope over input rows for `clause` ("WHERE"): aggregates are errors there.
  RowScope Scope(std::string_view clause) const {
    return RowScope(*schema, relation, clause, event_time);
  }
};

struct BoundWindow {
  WindowDefinition window;
  std::optional<BindWarning> warning;  // a hop that does not divide the size
};

// Validates `spec` (at `position`) and converts it to microseconds (view_binder.h's rules).
Result<BoundWindow> BindWindow(const WindowSpec& spec, SourcePosition position,
                               const ViewInputs& inputs);

// An aggregate call over input rows: the descriptor, the input, the FILTER and the call's text.
Result<ViewAggregate> BindViewAggregate(const FunctionCall& call, const Expr& expr,
                                        const ViewInputs& inputs);

// A GROUP BY key: its source, name in grouped_schema and type.
struct KeyColumn {
  const Expr* source = nullptr;
  std::string name;
  DataType type = DataType::kString;
  bool nullable = true;
};

// The rows of grouped_schema: keys, [window_start, window_end], then one column per aggregate.
// A subexpression equal to a key is that key's column, each distinct aggregate call becomes a
// ViewAggregate and a column "_agg<i>", System.Timestamp() is window_end, and any other column
// is a kGroupingError.
class GroupedScope : public BindScope {
 public:
  GroupedScope(const ViewInputs& inputs, std::vector<KeyColumn> keys, bool windowed);

  Result<BoundExprPtr> Replace(const Expr& expr) override;
  Result<BoundExprPtr> BindColumn(const ColumnRef& column, SourcePosition position) override;
  Result<BoundExprPtr> BindAggregate(const FunctionCall& call, const Expr& expr) override;
  Result<BoundExprPtr> BindSystemTimestamp(SourcePosition position) override;

  size_t window_start_index() const { return keys_.size(); }
  // The grouped schema for the aggregates bound so far.
  SchemaPtr GroupedSchema() const;
  std::vector<ViewAggregate> TakeAggregates() { return std::move(aggregates_); }

 private:
  const ViewInputs& inputs_;
  std::vector<KeyColumn> keys_;
  bool windowed_;
  std::vector<ViewAggregate> aggregates_;
  std::vector<const Expr*> aggregate_calls_;  // the source of aggregates_[i], for deduplication
};

// The index of the key `expr` is (ExprEquals, or a column reference to the same input column).
std::optional<size_t> FindKey(const Expr& expr, std::span<const KeyColumn> keys,
                              const ViewInputs& inputs);

// The select list and HAVING over the grouped rows of `keys` (whose names it sets: alias, column
// name, key text): fills plan.outputs, having, aggregates, grouped_schema and output_schema
// (plan.window must be set). Output names must be unique.
Status BindSelectList(const SelectStatement& query, const ViewInputs& inputs,
                      std::vector<KeyColumn> keys, ViewPlan& plan);

// True if `expr` holds an aggregate call anywhere (arguments of scalar functions included).
bool ContainsAggregate(const Expr& expr);

}  // namespace braid::sql
