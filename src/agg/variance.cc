// VAR, VARP, STDEV, STDEVP of BIGINT and DOUBLE, as DOUBLE. One state, the moments (count, mean,
// M2 = sum of squared deviations from the mean), updated with Welford's recurrence and merged
// with Chan et al.'s pairwise formula, so the four aggregates share states and the state kind.
// Sample forms divide by n - 1 (NULL for fewer than two values), population forms by n (NULL for
// none; 0 for one value). A non-finite input makes the result NaN.
#include <algorithm>

#include "agg/aggregate_kernel.h"

namespace braid::agg {
namespace {

enum class Spread { kVarSample, kVarPopulation, kStdevSample, kStdevPopulation };

template <typename InputT, Spread kSpread>
struct VarianceOp {
  struct State {
    int64_t count = 0;
    double mean = 0.0;
    double m2 = 0.0;
  };
  using Input = InputT;
  static constexpr StateKind kKind = StateKind::kMoments;
  static constexpr bool kCountsNulls = false;

  static void Update(State& s, typename Input::Value value) {
    double v = static_cast<double>(value);
    ++s.count;
    double delta = v - s.mean;
    s.mean += delta / static_cast<double>(s.count);
    s.m2 += delta * (v - s.mean);
  }
  static void Merge(State& t, const State& s) {
    if (s.count == 0) return;
    if (t.count == 0) {
      t = s;
      return;
    }
    double na = static_cast<double>(t.count);
    double nb = static_cast<double>(s.count);
    double n = na + nb;
    double delta = s.mean - t.mean;
    t.mean += delta * (nb / n);
    t.m2 += s.m2 + delta * delta * (na * nb / n);
    t.count += s.count;
  }
  static void Serialize(const State& s, std::string* out) {
    PutI64(out, s.count);
    PutU64(out, std::bit_cast<uint64_t>(s.mean));
    PutU64(out, std::bit_cast<uint64_t>(s.m2));
  }
  static bool Deserialize(ByteReader& in, State* s) {
    s->count = in.I64();
    s->mean = std::bit_cast<double>(in.U64());
    s->m2 = std::bit_cast<double>(in.U64());
    return s->count >= 0;
  }
  static Status Finalize(const State& s, const AggregateParams&, Column* out) {
    constexpr bool kSample = kSpread == Spread::kVarSample || kSpread == Spread::kStdevSample;
    int64_t divisor = kSample ? s.count - 1 : s.count;
    if (divisor <= 0) {
      out->AppendNull();
      return Status::Ok();
    }
    // Rounding can leave M2 a hair below zero for identical values; the variance is then 0.
    double variance = std::max(0.0, s.m2) / static_cast<double>(divisor);
    if (std::isnan(s.m2)) variance = s.m2;
    bool root = kSpread == Spread::kStdevSample || kSpread == Spread::kStdevPopulation;
    out->AppendDouble(root ? std::sqrt(variance) : variance);
    return Status::Ok();
  }
};

template <Spread kSpread>
void AddSpread(std::string_view name, AggregateList* out) {
  out->push_back(
      MakeAggregate<VarianceOp<Int64Input, kSpread>>(name, DataType::kBigint, DataType::kDouble));
  out->push_back(
      MakeAggregate<VarianceOp<DoubleInput, kSpread>>(name, DataType::kDouble, DataType::kDouble));
}

}  // namespace

void AddVarianceAggregates(AggregateList* out) {
  AddSpread<Spread::kVarSample>("VAR", out);
  AddSpread<Spread::kVarPopulation>("VARP", out);
  AddSpread<Spread::kStdevSample>("STDEV", out);
  AddSpread<Spread::kStdevPopulation>("STDEVP", out);
}

}  // namespace braid::agg
