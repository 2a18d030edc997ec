// PERCENTILE_CONT(p) and PERCENTILE_DISC(p), exact (SEMANTICS.md): the state is the multiset of
// the non-NULL values, a vector held in the state itself (its values allocated on the first
// value: a batch view's millions of groups make one allocation each, not two, and an update
// follows no pointer to reach the vector), sorted lazily (by finalize, serialize and merge;
// sorting does not change the multiset, so it is allowed on a const state: the multiset is a
// mutable member, sorted thread-safely, see Multiset).
// For n sorted values v[0..n-1]:
//   CONT: position x = p * (n - 1); v[floor x] + (x - floor x) * (v[ceil x] - v[floor x]), a
//   DOUBLE. DISC: the first v[i] whose cumulative distribution (i + 1) / n >= p, of the argument's
//   type.
// Empty input gives NULL. DOUBLE values sort in the total order of TotalLess (NaN last).
// Both share the state of one value type, so CONT and DISC states merge with each other.
#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "agg/aggregate_kernel.h"

namespace braid::agg {
namespace {

// Several threads may read one state at once (queries sharing the speed layer's lock) and so
// sort its tail at once: the first to claim the sort (a bit of sorted_) sorts, the others wait
// for it; the sorted length is published with release and read with acquire, so whoever sees
// the values sorted sees them whole. Changing the values (Update, Merge's target, Deserialize)
// needs the state to itself, as always.
template <typename T>
class Multiset {
 public:
  std::vector<T> values;

  Multiset() = default;
  Multiset(const Multiset& other) : values(other.values), sorted_(other.sorted()) {}
  Multiset(Multiset&& other) noexcept : values(std::move(other.values)), sorted_(other.sorted()) {
    other.sorted_.store(0, std::memory_order_relaxed);
  }
  Multiset& operator=(const Multiset& other) {
    values = other.values;
    sorted_.store(other.sorted(), std::memory_order_relaxed);
    return *this;
  }
  Multiset& operator=(Multiset&& other) noexcept {
    values = std::move(other.values);
    sorted_.store(other.sorted(), std::memory_order_relaxed);
    other.sorted_.store(0, std::memory_order_relaxed);
    return *this;
  }

  // Sorts the values (their sorted prefix merged with the sorted rest).
  void Normalize() {
    const size_t n = values.size();
    size_t sorted = sorted_.load(std::memory_order_acquire);
    while (sorted != n) {
      if (sorted & kSorting) {
        std::this_thread::yield();
        sorted = sorted_.load(std::memory_order_acquire);
      } else if (sorted_.compare_exchange_weak(sorted, sorted | kSorting,
                                               std::memory_order_acquire)) {
        auto middle = values.begin() + static_cast<std::ptrdiff_t>(sorted);
        std::sort(middle, values.end(), [](T a, T b) { return ValueLess(a, b); });
        std::inplace_merge(values.begin(), middle, values.end(),
                           [](T a, T b) { return ValueLess(a, b); });
        sorted_.store(n, std::memory_order_release);
        return;
      }
    }
  }
  // The values are sorted (they were built in order).
  void MarkSorted() { sorted_.store(values.size(), std::memory_order_relaxed); }

 private:
  static constexpr size_t kSorting = size_t{1} << 63;
  size_t sorted() const { return sorted_.load(std::memory_order_relaxed) & ~kSorting; }

  std::atomic<size_t> sorted_{0};  // values[0, sorted_) is sorted; kSorting: being sorted
};

enum class Method { kContinuous, kDiscrete };

template <typename InputT, Method kMethod>
struct PercentileOp {
  using Value = typename InputT::Value;
  struct State {
    mutable Multiset<Value> set;
  };
  using Input = InputT;
  static constexpr StateKind kKind =
      std::is_same_v<Value, double> ? StateKind::kMultisetDouble : StateKind::kMultisetInt64;
  static constexpr bool kCountsNulls = false;
  static constexpr size_t kFirstCapacity = 8;

  static Value Canonical(Value v) {
    if constexpr (std::is_same_v<Value, double>) {
      return CanonicalNaN(v);
    } else {
      return v;
    }
  }
  static void Update(State& s, Value v) { UpdatePrepared(s, Canonical(v)); }
  // The state's own line (where its vector is), then the slot the value is appended to.
  static void PrefetchHeap(const State& s) { __builtin_prefetch(&s.set); }
  static Value PrefetchTarget(const State& s, Value v) {
    __builtin_prefetch(s.set.values.data() + s.set.values.size(), 1);
    return Canonical(v);
  }
  // Finalize reads the values near p, serialize and a sort all of them: the first and last
  // lines (all of a small multiset's).
  static void PrefetchResult(const State& s) {
    const std::vector<Value>& values = s.set.values;
    if (values.empty()) return;
    __builtin_prefetch(values.data());
    __builtin_prefetch(values.data() + values.size() - 1);
  }
  static void UpdatePrepared(State& s, Value canonical) {
    std::vector<Value>& values = s.set.values;
    if (values.capacity() == 0) values.reserve(kFirstCapacity);  // not 1, 2, 4: fewer copies
    values.push_back(canonical);
  }
  static void Merge(State& t, const State& s) {
    if (s.set.values.empty()) return;
    s.set.Normalize();
    Multiset<Value>& target = t.set;
    target.Normalize();
    size_t middle = target.values.size();
    target.values.insert(target.values.end(), s.set.values.begin(), s.set.values.end());
    std::inplace_merge(target.values.begin(),
                       target.values.begin() + static_cast<std::ptrdiff_t>(middle),
                       target.values.end(), [](Value a, Value b) { return ValueLess(a, b); });
    target.MarkSorted();
  }
  static void Serialize(const State& s, std::string* out) {
    s.set.Normalize();
    PutU64(out, s.set.values.size());
    // The values' native bytes in one append: the same bytes as PutU64 of each bit pattern.
    static_assert(sizeof(Value) == sizeof(uint64_t));
    out->append(reinterpret_cast<const char*>(s.set.values.data()),
                s.set.values.size() * sizeof(Value));
  }
  static bool Deserialize(ByteReader& in, State* s) {
    uint64_t count = in.U64();
    if (!in.ok() || count > in.remaining() / 8) return false;
    if (count == 0) return true;
    Multiset<Value>& set = s->set;
    set.values.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      Value v = Canonical(std::bit_cast<Value>(in.U64()));
      if (i > 0 && ValueLess(v, set.values.back())) return false;  // must be sorted
      set.values.push_back(v);
    }
    set.MarkSorted();
    return true;
  }
  static Status Finalize(const State& s, const AggregateParams& params, Column* out) {
    if (!params.fraction) return Status(StatusCode::kInvalidArgument, "percentile needs p");
    if (s.set.values.empty()) {
      out->AppendNull();
      return Status::Ok();
    }
    s.set.Normalize();
    const Value* v = s.set.values.data();
    double p = *params.fraction;
    size_t n = s.set.values.size();
    if constexpr (kMethod == Method::kContinuous) {
      double position = p * static_cast<double>(n - 1);
      size_t lo = static_cast<size_t>(std::floor(position));
      size_t hi = std::min(n - 1, static_cast<size_t>(std::ceil(position)));
      double low = static_cast<double>(v[lo]);
      double high = static_cast<double>(v[hi]);
      double fraction = position - static_cast<double>(lo);
      out->AppendDouble(lo == hi || fraction == 0.0 ? low : low + fraction * (high - low));
    } else {
      // The smallest 1-based i with i / n >= p, checked in the same arithmetic as the definition
      // so that p * n rounding up (0.3 * 10 = 3.0000000000000004) does not skip a value.
      size_t i =
          std::clamp<size_t>(static_cast<size_t>(std::ceil(p * static_cast<double>(n))), 1, n);
      while (i > 1 && static_cast<double>(i - 1) / static_cast<double>(n) >= p) --i;
      Value chosen = v[i - 1];
      if constexpr (std::is_same_v<Value, double>) {
        out->AppendDouble(chosen);
      } else {
        out->AppendInt64(chosen);
      }
    }
    return Status::Ok();
  }
};

}  // namespace

void AddPercentileAggregates(AggregateList* out) {
  using enum Method;
  out->push_back(MakeAggregate<PercentileOp<Int64Input, kContinuous>>(
      "PERCENTILE_CONT", DataType::kBigint, DataType::kDouble, Fraction::kRequired));
  out->push_back(MakeAggregate<PercentileOp<DoubleInput, kContinuous>>(
      "PERCENTILE_CONT", DataType::kDouble, DataType::kDouble, Fraction::kRequired));
  for (DataType type : {DataType::kBigint, DataType::kTimestamp}) {
    out->push_back(MakeAggregate<PercentileOp<Int64Input, kDiscrete>>("PERCENTILE_DISC", type, type,
                                                                      Fraction::kRequired));
  }
  out->push_back(MakeAggregate<PercentileOp<DoubleInput, kDiscrete>>(
      "PERCENTILE_DISC", DataType::kDouble, DataType::kDouble, Fraction::kRequired));
}

}  // namespace braid::agg
