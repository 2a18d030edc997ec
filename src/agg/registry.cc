// The table of aggregate descriptors, built once, and lookup by SQL name and argument type.
#include <algorithm>
#include <cctype>

#include "agg/aggregate_kernel.h"

namespace braid::agg {
namespace {

const AggregateList& Registry() {
  static const AggregateList kAggregates = [] {
    AggregateList all;
    AddCountAggregates(&all);
    AddSumAggregates(&all);
    AddMinMaxAggregates(&all);
    AddAvgAggregates(&all);
    AddVarianceAggregates(&all);
    AddCountDistinctAggregates(&all);
    AddApproxCountDistinctAggregates(&all);
    AddPercentileAggregates(&all);
    AddPercentileApproxAggregates(&all);
    return all;
  }();
  return kAggregates;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::span<const AggregateFunction> AllAggregates() { return Registry(); }

Result<BoundAggregate> FindAggregate(std::string_view name, std::span<const DataType> args,
                                     const AggregateParams& params) {
  std::string upper = Upper(name);
  if (upper == "COUNT" && args.empty()) upper = "COUNT_STAR";
  if (args.size() > 1) {
    return Status(StatusCode::kTypeMismatch, upper + " takes at most one argument");
  }
  std::optional<DataType> argument;
  if (!args.empty()) argument = args[0];
  bool name_known = false;
  for (const AggregateFunction& fn : Registry()) {
    if (fn.name != upper) continue;
    name_known = true;
    if (fn.argument != argument) continue;
    if (fn.takes_fraction) {
      if (!params.fraction.has_value()) {
        return Status(StatusCode::kInvalidArgument, upper + " needs a fraction");
      }
      double p = *params.fraction;
      if (!(p >= 0.0 && p <= 1.0)) {
        return Status(StatusCode::kInvalidArgument,
                      upper + ": the fraction must be between 0 and 1");
      }
    } else if (params.fraction.has_value()) {
      return Status(StatusCode::kInvalidArgument, upper + " takes no fraction");
    }
    return BoundAggregate{.function = &fn, .params = params};
  }
  if (!name_known) return Status(StatusCode::kUndefinedObject, "unknown aggregate " + upper);
  std::string type_name = argument ? std::string(DataTypeName(*argument)) : "no argument";
  return Status(StatusCode::kTypeMismatch, upper + " does not take " + type_name);
}

}  // namespace braid::agg
