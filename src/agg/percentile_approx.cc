// PERCENTILE_APPROX(x, p) of BIGINT, TIMESTAMP and DOUBLE, of the argument's type: the item of a
// KLL sketch (kll_sketch.h) whose weighted rank first reaches p * n, within about 1% of n of the
// exact rank. The sketch is allocated on the first non-NULL value; empty input gives NULL.
#include <memory>

#include "agg/aggregate_kernel.h"
#include "agg/kll_sketch.h"

namespace braid::agg {
namespace {

template <typename InputT>
struct PercentileApproxOp {
  using Value = typename InputT::Value;
  using Sketch = KllSketch<Value>;
  struct State {
    std::unique_ptr<Sketch> sketch;
  };
  using Input = InputT;
  static constexpr StateKind kKind =
      std::is_same_v<Value, double> ? StateKind::kKllDouble : StateKind::kKllInt64;
  static constexpr bool kCountsNulls = false;

  static Sketch& Get(State& s) {
    if (!s.sketch) s.sketch = std::make_unique<Sketch>();
    return *s.sketch;
  }
  static void Update(State& s, Value v) {
    if constexpr (std::is_same_v<Value, double>) v = CanonicalNaN(v);
    Get(s).Add(v);
  }
  static void Merge(State& t, const State& s) {
    if (s.sketch) Get(t).Merge(*s.sketch);
  }
  static void Serialize(const State& s, std::string* out) {
    PutU8(out, s.sketch ? 1 : 0);
    if (s.sketch) s.sketch->Serialize(out);
  }
  static bool Deserialize(ByteReader& in, State* s) {
    uint8_t present = in.U8();
    if (present > 1) return false;
    return present == 0 || (Get(*s).Deserialize(in) && s->sketch->count() > 0);
  }
  static Status Finalize(const State& s, const AggregateParams& params, Column* out) {
    if (!params.fraction) return Status(StatusCode::kInvalidArgument, "percentile needs p");
    if (!s.sketch) {
      out->AppendNull();
      return Status::Ok();
    }
    Value v = s.sketch->Quantile(*params.fraction);
    if constexpr (std::is_same_v<Value, double>) {
      out->AppendDouble(v);
    } else {
      out->AppendInt64(v);
    }
    return Status::Ok();
  }
};

}  // namespace

void AddPercentileApproxAggregates(AggregateList* out) {
  constexpr std::string_view kName = "PERCENTILE_APPROX";
  for (DataType type : {DataType::kBigint, DataType::kTimestamp}) {
    out->push_back(
        MakeAggregate<PercentileApproxOp<Int64Input>>(kName, type, type, Fraction::kRequired));
  }
  out->push_back(MakeAggregate<PercentileApproxOp<DoubleInput>>(
      kName, DataType::kDouble, DataType::kDouble, Fraction::kRequired));
}

}  // namespace braid::agg
