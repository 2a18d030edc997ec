// COUNT(*) and COUNT(x): a BIGINT count of rows (COUNT(*)) or of non-NULL values (COUNT(x), any
// argument type). The empty state finalizes to 0, never NULL.
#include "agg/aggregate_kernel.h"

namespace braid::agg {
namespace {

template <bool kStar>
struct CountOp {
  struct State {
    int64_t count = 0;
  };
  using Input = NoValueInput;
  static constexpr StateKind kKind = StateKind::kCount;
  static constexpr bool kCountsNulls = kStar;

  static void Update(State& s, bool) { ++s.count; }
  static void Merge(State& t, const State& s) { t.count += s.count; }
  static void Serialize(const State& s, std::string* out) { PutI64(out, s.count); }
  static bool Deserialize(ByteReader& in, State* s) {
    s->count = in.I64();
    return s->count >= 0;
  }
  static Status Finalize(const State& s, const AggregateParams&, Column* out) {
    out->AppendInt64(s.count);
    return Status::Ok();
  }
};

}  // namespace

void AddCountAggregates(AggregateList* out) {
  out->push_back(MakeAggregate<CountOp<true>>("COUNT_STAR", std::nullopt, DataType::kBigint));
  for (DataType type : {DataType::kBoolean, DataType::kBigint, DataType::kDouble, DataType::kString,
                        DataType::kTimestamp}) {
    out->push_back(MakeAggregate<CountOp<false>>("COUNT", type, DataType::kBigint));
  }
}

}  // namespace braid::agg
