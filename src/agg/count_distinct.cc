// COUNT(DISTINCT x), exact barring a 64-bit hash collision (SEMANTICS.md): the state is the set of
// the values' hashes (value_hash.h), held in the state itself, its slots allocated on the first
// non-NULL value (a batch view's millions of groups make one allocation each, not two, and an
// update follows no pointer to reach the set). NULLs are ignored; the empty state finalizes to 0.
// Serialized as the sorted hashes, so equal sets give equal bytes.
#include <algorithm>
#include <vector>

#include "agg/aggregate_kernel.h"
#include "agg/uint64_set.h"
#include "agg/value_hash.h"

namespace braid::agg {
namespace {

template <typename InputT>
struct CountDistinctOp {
  struct State {
    Uint64Set hashes;
  };
  using Input = InputT;
  static constexpr StateKind kKind = StateKind::kDistinctHashes;
  static constexpr bool kCountsNulls = false;

  static void Update(State& s, typename Input::Value v) { UpdatePrepared(s, HashValue(v)); }
  // The state's own line (where the set's slot array is), then the slot the hash probes first.
  static void PrefetchHeap(const State& s) { __builtin_prefetch(&s.hashes); }
  static uint64_t PrefetchTarget(const State& s, typename Input::Value v) {
    const uint64_t hash = HashValue(v);
    s.hashes.Prefetch(hash);
    return hash;
  }
  static void UpdatePrepared(State& s, uint64_t hash) { s.hashes.Insert(hash); }
  // Serialize reads every slot (finalize only the count, in the state itself).
  static void PrefetchResult(const State& s) { s.hashes.PrefetchSlots(); }
  static void Merge(State& t, const State& s) {
    s.hashes.ForEach([&](uint64_t h) { t.hashes.Insert(h); });
  }
  static void Serialize(const State& s, std::string* out) {
    thread_local std::vector<uint64_t> sorted;  // reused: batch views serialize millions of states
    sorted.clear();
    sorted.resize(s.hashes.size() + 1);  // CopyTo's room
    sorted.resize(s.hashes.CopyTo(sorted.data()));
    std::sort(sorted.begin(), sorted.end());
    PutU64(out, sorted.size());
    // The hashes' native bytes in one append: the same bytes as PutU64 each (little-endian).
    out->append(reinterpret_cast<const char*>(sorted.data()), sorted.size() * sizeof(uint64_t));
  }
  static bool Deserialize(ByteReader& in, State* s) {
    uint64_t count = in.U64();
    if (!in.ok() || count > in.remaining() / 8) return false;
    if (count == 0) return true;
    Uint64Set& set = s->hashes;
    uint64_t previous = 0;
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t h = in.U64();
      if (i > 0 && h <= previous) return false;  // strictly increasing: sorted, no duplicates
      set.Insert(h);
      previous = h;
    }
    return true;
  }
  static Status Finalize(const State& s, const AggregateParams&, Column* out) {
    out->AppendInt64(static_cast<int64_t>(s.hashes.size()));
    return Status::Ok();
  }
};

}  // namespace

void AddCountDistinctAggregates(AggregateList* out) {
  constexpr std::string_view kName = "COUNT_DISTINCT";
  out->push_back(
      MakeAggregate<CountDistinctOp<BoolInput>>(kName, DataType::kBoolean, DataType::kBigint));
  for (DataType type : {DataType::kBigint, DataType::kTimestamp}) {
    out->push_back(MakeAggregate<CountDistinctOp<Int64Input>>(kName, type, DataType::kBigint));
  }
  out->push_back(
      MakeAggregate<CountDistinctOp<DoubleInput>>(kName, DataType::kDouble, DataType::kBigint));
  out->push_back(
      MakeAggregate<CountDistinctOp<StringInput>>(kName, DataType::kString, DataType::kBigint));
}

}  // namespace braid::agg
