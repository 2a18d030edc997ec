// BindViewAggregate: an aggregate call of a view bound to its descriptor (agg/), its input and
// FILTER over input rows, and its constants (view_clauses.h). Spellings: COUNT(*), COUNT(x),
// COUNT(DISTINCT x), PERCENTILE_CONT(p) OVER (ORDER BY x) and PERCENTILE_DISC likewise,
// PERCENTILE_APPROX(x, p), and the one-argument aggregates (SUM, AVG, STDEV, ...).
#include <fmt/format.h>

#include <cctype>

#include "agg/aggregate_function.h"
#include "sql/printer.h"
#include "sql/view_clauses.h"

namespace braid::sql {
namespace {

std::string Upper(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

// A percentile's fraction: a numeric literal in [0, 1].
Result<double> Fraction(const Expr& expr, std::string_view name) {
  std::optional<double> value;
  if (const auto* literal = std::get_if<Literal>(&expr.node)) {
    if (const auto* i = std::get_if<int64_t>(&literal->value)) value = static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&literal->value)) value = *d;
  }
  if (!value || !(*value >= 0.0 && *value <= 1.0)) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("the fraction of {} must be a number between 0 and 1", name),
                  expr.position);
  }
  return *value;
}

// What a call aggregates: its name in the registry, the input expression (null for COUNT(*))
// and the fraction.
struct CallShape {
  std::string name;
  const Expr* input = nullptr;
  agg::AggregateParams params;
};

Result<CallShape> PercentileShape(const FunctionCall& call, const Expr& expr, std::string name) {
  if (!call.over || call.arguments.size() != 1) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("{} is written {}(fraction) OVER (ORDER BY x)", name, name),
                  expr.position);
  }
  if (call.over->order_by.size() != 1) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("{} orders by exactly one expression", name), call.over->position);
  }
  const OrderItem& order = call.over->order_by[0];
  if (order.direction == SortDirection::kDescending || order.nulls != NullsOrder::kDefault) {
    return Status(StatusCode::kUnsupported,
                  fmt::format("{} supports only OVER (ORDER BY x) ascending", name),
                  order.position);
  }
  ASSIGN_OR_RETURN(double fraction, Fraction(*call.arguments[0], name));
  return CallShape{std::move(name), order.expr.get(), {fraction}};
}

Result<CallShape> ShapeOf(const FunctionCall& call, const Expr& expr) {
  std::string name = Upper(call.name[0]);
  if (name == "PERCENTILE_CONT" || name == "PERCENTILE_DISC") {
    return PercentileShape(call, expr, std::move(name));
  }
  if (call.over) {
    return Status(StatusCode::kInvalidArgument,
                  "OVER (ORDER BY ...) applies only to PERCENTILE_CONT and PERCENTILE_DISC",
                  call.over->position);
  }
  bool star = call.arguments.size() == 1 && std::holds_alternative<Star>(call.arguments[0]->node);
  if (call.distinct && (name != "COUNT" || star)) {
    return Status(StatusCode::kUnsupported, "DISTINCT is supported only as COUNT(DISTINCT x)",
                  expr.position);
  }
  if (name == "COUNT" && star) return CallShape{"COUNT_STAR", nullptr, {}};
  if (name == "COUNT" && call.distinct) name = "COUNT_DISTINCT";
  if (name == "PERCENTILE_APPROX" && call.arguments.size() == 2) {
    ASSIGN_OR_RETURN(double fraction, Fraction(*call.arguments[1], name));
    return CallShape{std::move(name), call.arguments[0].get(), {fraction}};
  }
  if (call.arguments.size() > 1) {
    return Status(
        StatusCode::kTypeMismatch,
        fmt::format("{} takes {}", name,
                    name == "PERCENTILE_APPROX" ? "2 arguments (x, fraction)" : "1 argument"),
        expr.position);
  }
  return CallShape{std::move(name), call.arguments.empty() ? nullptr : call.arguments[0].get(), {}};
}

// An aggregate's descriptor and its input, cast when BIGINT widens to DOUBLE for an aggregate
// that only takes DOUBLE.
struct DescribedInput {
  agg::BoundAggregate aggregate;
  BoundExprPtr input;
};

Result<DescribedInput> FindDescriptor(const CallShape& shape, BoundExprPtr input,
                                      SourcePosition position) {
  std::vector<DataType> types;
  if (input != nullptr) types.push_back(input->type);
  Result<agg::BoundAggregate> found = agg::FindAggregate(shape.name, types, shape.params);
  if (found.ok()) return DescribedInput{*found, std::move(input)};
  if (found.status().code() == StatusCode::kTypeMismatch && input != nullptr &&
      input->type == DataType::kBigint) {
    DataType widened[] = {DataType::kDouble};
    Result<agg::BoundAggregate> retry = agg::FindAggregate(shape.name, widened, shape.params);
    if (retry.ok()) {
      SourcePosition at = input->position;
      return DescribedInput{*retry, MakeBound(BoundCast{std::move(input)}, DataType::kDouble, at)};
    }
  }
  bool at_input = found.status().code() == StatusCode::kTypeMismatch && shape.input != nullptr;
  return Status(found.status().code(), found.status().message(),
                at_input ? shape.input->position : position);
}

}  // namespace

Result<ViewAggregate> BindViewAggregate(const FunctionCall& call, const Expr& expr,
                                        const ViewInputs& inputs) {
  ASSIGN_OR_RETURN(CallShape shape, ShapeOf(call, expr));
  ViewAggregate aggregate;
  aggregate.sql = ToSql(expr);
  if (shape.input != nullptr) {
    RowScope scope = inputs.Scope("the argument of another aggregate");
    ASSIGN_OR_RETURN(aggregate.input, BindExpr(*shape.input, scope));
  }
  ASSIGN_OR_RETURN(DescribedInput described,
                   FindDescriptor(shape, std::move(aggregate.input), expr.position));
  aggregate.aggregate = described.aggregate;
  aggregate.input = std::move(described.input);
  if (call.filter != nullptr) {
    RowScope scope = inputs.Scope("FILTER");
    ASSIGN_OR_RETURN(aggregate.filter,
                     BindExprAs(*call.filter, DataType::kBoolean, "FILTER", scope));
  }
  return aggregate;
}

}  // namespace braid::sql
