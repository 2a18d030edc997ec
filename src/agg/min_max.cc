// MIN(x) and MAX(x) for every type: BOOLEAN (false < true), BIGINT, TIMESTAMP, DOUBLE (in the
// total order of TotalLess: NaN greatest, -0.0 < +0.0, so MAX is NaN when any value is NaN and
// MIN is NaN only when all are), STRING (bytewise, as std::string_view compares). NULLs are
// ignored; with no non-NULL value the result is NULL. A STRING state copies a value only when it
// becomes the new extreme.
#include "agg/aggregate_kernel.h"

namespace braid::agg {
namespace {

enum class Extreme { kMin, kMax };

// Per value type: the stored type, ordering, and encoding.
template <typename InputT>
struct ValueTraits;
template <>
struct ValueTraits<BoolInput> {
  using Stored = bool;
  static constexpr StateKind kKind = StateKind::kMinMaxBool;
  static bool Less(bool a, bool b) { return !a && b; }
  static void Put(std::string* out, bool v) { PutU8(out, v ? 1 : 0); }
  static bool Read(ByteReader& in, bool* v) {
    uint8_t b = in.U8();
    *v = b == 1;
    return b <= 1;
  }
  static void Append(Column* out, bool v) { out->AppendBool(v); }
};
template <>
struct ValueTraits<Int64Input> {
  using Stored = int64_t;
  static constexpr StateKind kKind = StateKind::kMinMaxInt64;
  static bool Less(int64_t a, int64_t b) { return a < b; }
  static void Put(std::string* out, int64_t v) { PutI64(out, v); }
  static bool Read(ByteReader& in, int64_t* v) {
    *v = in.I64();
    return true;
  }
  static void Append(Column* out, int64_t v) { out->AppendInt64(v); }
};
template <>
struct ValueTraits<DoubleInput> {
  using Stored = double;
  static constexpr StateKind kKind = StateKind::kMinMaxDouble;
  static bool Less(double a, double b) { return TotalLess(a, b); }
  static void Put(std::string* out, double v) { PutU64(out, std::bit_cast<uint64_t>(v)); }
  static bool Read(ByteReader& in, double* v) {
    *v = CanonicalNaN(std::bit_cast<double>(in.U64()));
    return true;
  }
  static void Append(Column* out, double v) { out->AppendDouble(v); }
};
template <>
struct ValueTraits<StringInput> {
  using Stored = std::string;
  static constexpr StateKind kKind = StateKind::kMinMaxString;
  static bool Less(std::string_view a, std::string_view b) { return a < b; }
  static void Put(std::string* out, const std::string& v) { PutBytes(out, v); }
  static bool Read(ByteReader& in, std::string* v) {
    *v = std::string(in.Bytes());
    return true;
  }
  static void Append(Column* out, const std::string& v) { out->AppendString(v); }
};

template <typename InputT, Extreme kExtreme>
struct MinMaxOp {
  using Traits = ValueTraits<InputT>;
  struct State {
    typename Traits::Stored value{};
    bool has_value = false;
  };
  using Input = InputT;
  static constexpr StateKind kKind = Traits::kKind;
  static constexpr bool kCountsNulls = false;

  template <typename V>
  static bool Better(const V& candidate, const typename Traits::Stored& current) {
    if constexpr (kExtreme == Extreme::kMin) {
      return Traits::Less(candidate, current);
    } else {
      return Traits::Less(current, candidate);
    }
  }
  static void Update(State& s, typename Input::Value v) {
    if constexpr (std::is_same_v<InputT, DoubleInput>) v = CanonicalNaN(v);
    if (!s.has_value || Better(v, s.value)) {
      s.value = static_cast<typename Traits::Stored>(v);
      s.has_value = true;
    }
  }
  static void Merge(State& t, const State& s) {
    if (s.has_value && (!t.has_value || Better(s.value, t.value))) {
      t.value = s.value;
      t.has_value = true;
    }
  }
  static void Serialize(const State& s, std::string* out) {
    PutU8(out, s.has_value ? 1 : 0);
    if (s.has_value) Traits::Put(out, s.value);
  }
  static bool Deserialize(ByteReader& in, State* s) {
    uint8_t has = in.U8();
    if (has > 1) return false;
    s->has_value = has == 1;
    return !s->has_value || Traits::Read(in, &s->value);
  }
  static Status Finalize(const State& s, const AggregateParams&, Column* out) {
    if (s.has_value) {
      Traits::Append(out, s.value);
    } else {
      out->AppendNull();
    }
    return Status::Ok();
  }
};

template <Extreme kExtreme>
void AddExtreme(std::string_view name, AggregateList* out) {
  out->push_back(
      MakeAggregate<MinMaxOp<BoolInput, kExtreme>>(name, DataType::kBoolean, DataType::kBoolean));
  for (DataType type : {DataType::kBigint, DataType::kTimestamp}) {
    out->push_back(MakeAggregate<MinMaxOp<Int64Input, kExtreme>>(name, type, type));
  }
  out->push_back(
      MakeAggregate<MinMaxOp<DoubleInput, kExtreme>>(name, DataType::kDouble, DataType::kDouble));
  out->push_back(
      MakeAggregate<MinMaxOp<StringInput, kExtreme>>(name, DataType::kString, DataType::kString));
}

}  // namespace

void AddMinMaxAggregates(AggregateList* out) {
  AddExtreme<Extreme::kMin>("MIN", out);
  AddExtreme<Extreme::kMax>("MAX", out);
}

}  // namespace braid::agg
