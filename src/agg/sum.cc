// SUM(x) for BIGINT and DOUBLE. NULLs are ignored; with no non-NULL value the result is NULL.
//
// BIGINT: the state is an exact 128-bit sum, so intermediate overflow that later cancels gives
// the right answer whatever the split and merge order (2^64 values cannot overflow it). Finalize
// fails with kDataError when the total does not fit BIGINT; it never wraps and never silently
// changes the result type. DOUBLE: Neumaier compensated summation (compensated_sum.h).
#include "agg/aggregate_kernel.h"
#include "agg/compensated_sum.h"
#include "agg/int128_codec.h"

namespace braid::agg {

namespace {

struct SumInt64Op {
  struct State {
    __int128 sum = 0;
    bool has_value = false;
  };
  using Input = Int64Input;
  static constexpr StateKind kKind = StateKind::kSumInt64;
  static constexpr bool kCountsNulls = false;

  static void Update(State& s, int64_t v) {
    s.sum += v;
    s.has_value = true;
  }
  static void Merge(State& t, const State& s) {
    t.sum += s.sum;
    t.has_value |= s.has_value;
  }
  static void Serialize(const State& s, std::string* out) {
    PutU8(out, s.has_value ? 1 : 0);
    PutInt128(out, s.sum);
  }
  static bool Deserialize(ByteReader& in, State* s) {
    uint8_t has = in.U8();
    s->sum = ReadInt128(in);
    s->has_value = has == 1;
    return has <= 1 && (has == 1 || s->sum == 0);
  }
  static Status Finalize(const State& s, const AggregateParams&, Column* out) {
    if (!s.has_value) {
      out->AppendNull();
      return Status::Ok();
    }
    if (s.sum > std::numeric_limits<int64_t>::max() ||
        s.sum < std::numeric_limits<int64_t>::min()) {
      return Status(StatusCode::kDataError, "SUM is out of range for BIGINT");
    }
    out->AppendInt64(static_cast<int64_t>(s.sum));
    return Status::Ok();
  }
};

struct SumDoubleOp {
  struct State {
    CompensatedSum sum;
    bool has_value = false;
  };
  using Input = DoubleInput;
  static constexpr StateKind kKind = StateKind::kSumDouble;
  static constexpr bool kCountsNulls = false;

  static void Update(State& s, double v) {
    s.sum.Add(v);
    s.has_value = true;
  }
  static void Merge(State& t, const State& s) {
    if (!s.has_value) return;
    t.sum.Merge(s.sum);
    t.has_value = true;
  }
  static void Serialize(const State& s, std::string* out) {
    PutU8(out, s.has_value ? 1 : 0);
    PutU64(out, std::bit_cast<uint64_t>(s.sum.sum));
    PutU64(out, std::bit_cast<uint64_t>(s.sum.compensation));
  }
  static bool Deserialize(ByteReader& in, State* s) {
    uint8_t has = in.U8();
    s->sum.sum = std::bit_cast<double>(in.U64());
    s->sum.compensation = std::bit_cast<double>(in.U64());
    s->has_value = has == 1;
    return has <= 1;
  }
  static Status Finalize(const State& s, const AggregateParams&, Column* out) {
    if (s.has_value) {
      out->AppendDouble(s.sum.Value());
    } else {
      out->AppendNull();
    }
    return Status::Ok();
  }
};

}  // namespace

void AddSumAggregates(AggregateList* out) {
  out->push_back(MakeAggregate<SumInt64Op>("SUM", DataType::kBigint, DataType::kBigint));
  out->push_back(MakeAggregate<SumDoubleOp>("SUM", DataType::kDouble, DataType::kDouble));
}

}  // namespace braid::agg
