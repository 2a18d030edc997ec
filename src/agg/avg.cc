// AVG(x) for BIGINT and DOUBLE, a DOUBLE: sum and count, merged by adding both. BIGINT sums are
// exact 128-bit integers (no overflow; rounding only in the final division); DOUBLE sums are
// compensated (compensated_sum.h). NULLs are ignored; with no non-NULL value the result is NULL.
#include "agg/aggregate_kernel.h"
#include "agg/compensated_sum.h"
#include "agg/int128_codec.h"

namespace braid::agg {
namespace {

struct AvgInt64Op {
  struct State {
    __int128 sum = 0;
    int64_t count = 0;
  };
  using Input = Int64Input;
  static constexpr StateKind kKind = StateKind::kAvgInt64;
  static constexpr bool kCountsNulls = false;

  static void Update(State& s, int64_t v) {
    s.sum += v;
    ++s.count;
  }
  static void Merge(State& t, const State& s) {
    t.sum += s.sum;
    t.count += s.count;
  }
  static void Serialize(const State& s, std::string* out) {
    PutI64(out, s.count);
    PutInt128(out, s.sum);
  }
  static bool Deserialize(ByteReader& in, State* s) {
    s->count = in.I64();
    s->sum = ReadInt128(in);
    return s->count > 0 || (s->count == 0 && s->sum == 0);
  }
  static Status Finalize(const State& s, const AggregateParams&, Column* out) {
    if (s.count == 0) {
      out->AppendNull();
    } else {
      // Integer quotient and remainder first, so a sum beyond 2^53 keeps its precision.
      __int128 quotient = s.sum / s.count;
      __int128 remainder = s.sum % s.count;
      out->AppendDouble(static_cast<double>(quotient) +
                        static_cast<double>(remainder) / static_cast<double>(s.count));
    }
    return Status::Ok();
  }
};

struct AvgDoubleOp {
  struct State {
    CompensatedSum sum;
    int64_t count = 0;
  };
  using Input = DoubleInput;
  static constexpr StateKind kKind = StateKind::kAvgDouble;
  static constexpr bool kCountsNulls = false;

  static void Update(State& s, double v) {
    s.sum.Add(v);
    ++s.count;
  }
  static void Merge(State& t, const State& s) {
    if (s.count == 0) return;
    t.sum.Merge(s.sum);
    t.count += s.count;
  }
  static void Serialize(const State& s, std::string* out) {
    PutI64(out, s.count);
    PutU64(out, std::bit_cast<uint64_t>(s.sum.sum));
    PutU64(out, std::bit_cast<uint64_t>(s.sum.compensation));
  }
  static bool Deserialize(ByteReader& in, State* s) {
    s->count = in.I64();
    s->sum.sum = std::bit_cast<double>(in.U64());
    s->sum.compensation = std::bit_cast<double>(in.U64());
    return s->count >= 0;
  }
  static Status Finalize(const State& s, const AggregateParams&, Column* out) {
    if (s.count == 0) {
      out->AppendNull();
    } else {
      out->AppendDouble(s.sum.Value() / static_cast<double>(s.count));
    }
    return Status::Ok();
  }
};

}  // namespace

void AddAvgAggregates(AggregateList* out) {
  out->push_back(MakeAggregate<AvgInt64Op>("AVG", DataType::kBigint, DataType::kDouble));
  out->push_back(MakeAggregate<AvgDoubleOp>("AVG", DataType::kDouble, DataType::kDouble));
}

}  // namespace braid::agg
