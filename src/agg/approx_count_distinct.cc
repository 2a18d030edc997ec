// APPROX_COUNT_DISTINCT(x), a BIGINT: a HyperLogLog sketch (hyperloglog.h, about 0.81% standard
// error) of the values' 64-bit hashes (value_hash.h). NULLs are ignored; the empty state is 0.
// Merging is exact: merged states equal the state of the whole input.
#include <cmath>

#include "agg/aggregate_kernel.h"
#include "agg/hyperloglog.h"
#include "agg/value_hash.h"

namespace braid::agg {
namespace {

template <typename InputT>
struct ApproxCountDistinctOp {
  struct State {
    HyperLogLog sketch;
  };
  using Input = InputT;
  static constexpr StateKind kKind = StateKind::kHyperLogLog;
  static constexpr bool kCountsNulls = false;

  static void Update(State& s, typename Input::Value v) { s.sketch.Add(HashValue(v)); }
  static void Merge(State& t, const State& s) { t.sketch.Merge(s.sketch); }
  static void Serialize(const State& s, std::string* out) { s.sketch.Serialize(out); }
  static bool Deserialize(ByteReader& in, State* s) { return s->sketch.Deserialize(in); }
  static Status Finalize(const State& s, const AggregateParams&, Column* out) {
    out->AppendInt64(std::llround(s.sketch.Estimate()));
    return Status::Ok();
  }
};

}  // namespace

void AddApproxCountDistinctAggregates(AggregateList* out) {
  constexpr std::string_view kName = "APPROX_COUNT_DISTINCT";
  out->push_back(MakeAggregate<ApproxCountDistinctOp<BoolInput>>(kName, DataType::kBoolean,
                                                                 DataType::kBigint));
  for (DataType type : {DataType::kBigint, DataType::kTimestamp}) {
    out->push_back(
        MakeAggregate<ApproxCountDistinctOp<Int64Input>>(kName, type, DataType::kBigint));
  }
  out->push_back(MakeAggregate<ApproxCountDistinctOp<DoubleInput>>(kName, DataType::kDouble,
                                                                   DataType::kBigint));
  out->push_back(MakeAggregate<ApproxCountDistinctOp<StringInput>>(kName, DataType::kString,
                                                                   DataType::kBigint));
}

}  // namespace braid::agg
