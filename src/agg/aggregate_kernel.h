// The one templated kernel that writes every aggregate's loops (DuckDB's UnaryAggregate habit):
// an aggregate is a small operation struct saying what differs, and MakeAggregate<Op> turns it
// into an AggregateFunction descriptor. The operation struct provides:
//
//   using State = ...;                  default-constructible; the empty state
//   using Input = ...Input;             how a value is read from a Column (column_values.h)
//   static constexpr StateKind kKind;   the kind byte of its serialized form
//   static constexpr bool kCountsNulls; true only for COUNT(*)
//   static void Update(State&, Input::Value);
//   static void Merge(State&, const State&);
//   static void Serialize(const State&, std::string*);        payload after version and kind
//   static bool Deserialize(ByteReader&, State*);              false: corrupt payload
//   static Status Finalize(const State&, const AggregateParams&, Column*);
//
// The loops have a fast path when the column has no NULLs; nothing on them allocates or makes a
// virtual call (an Op may allocate when a state first needs heap memory, or grow it amortized).
//
// An Op whose state points to heap memory may also provide two prefetch steps, which the scatter
// update runs a few rows ahead of each update (over many groups every update would otherwise
// wait for the state's heap object, then for the line inside it that the value goes to):
//
//   static void PrefetchHeap(const State&);   the heap object the state points to
//   static Prepared PrefetchTarget(const State&, Value);
//                                             the line Update(state, value) will write; returns
//                                             what the update needs of the value (e.g. its hash)
//   static void UpdatePrepared(State&, Prepared);  the same as Update(state, value)
//
// An Op whose finalize or serialize reads heap memory may provide
//
//   static void PrefetchResult(const State&);  the heap lines they read first
//
// which becomes the descriptor's prefetch_result.
//
// Internal to agg/.
#pragma once

#include <bit>
#include <cmath>
#include <limits>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "agg/aggregate_function.h"
#include "agg/column_values.h"
#include "common/byte_io.h"

namespace braid::agg {

inline constexpr uint8_t kStateFormatVersion = 1;

// The kind byte of a serialized state (docs/formats/aggregate_states.md). Never renumber.
enum class StateKind : uint8_t {
  kCount = 1,
  kSumInt64 = 2,
  kSumDouble = 3,
  kMinMaxBool = 4,
  kMinMaxInt64 = 5,
  kMinMaxDouble = 6,
  kMinMaxString = 7,
  kAvgInt64 = 8,
  kAvgDouble = 9,
  kMoments = 10,
  kDistinctHashes = 11,
  kHyperLogLog = 12,
  kMultisetInt64 = 13,
  kMultisetDouble = 14,
  kKllInt64 = 15,
  kKllDouble = 16,
};

inline Status CorruptState(std::string_view what) {
  return Status(StatusCode::kCorruption, "aggregate state: " + std::string(what));
}

template <typename Op>
concept PrefetchesHeap = requires(typename Op::State& state, typename Op::Input::Value v) {
  Op::PrefetchHeap(state);
  Op::UpdatePrepared(state, Op::PrefetchTarget(state, v));
};

template <typename Op>
concept PrefetchesResult = requires(const typename Op::State& state) {
  Op::PrefetchResult(state);
};

template <typename Op>
struct AggregateKernel {
  using State = typename Op::State;
  using Input = typename Op::Input;

  static State& S(StatePtr p) { return *std::launder(reinterpret_cast<State*>(p)); }
  static const State& S(ConstStatePtr p) {
    return *std::launder(reinterpret_cast<const State*>(p));
  }

  static void Initialize(StatePtr p) { new (p) State(); }
  static void Destroy(StatePtr p) { S(p).~State(); }

  // The scatter update of an Op with prefetch steps: the heap object of the state 2 * kAhead
  // rows ahead, the target line of the one kAhead rows ahead (its object has arrived by then),
  // whose prepared value waits in a ring of kAhead entries. `valid` empty: every row counts.
  static void UpdatePrefetching(const Input& input, std::span<const uint8_t> valid,
                                std::span<const uint32_t> selection, const StatePtr* states) {
    constexpr size_t kAhead = 8;
    using Prepared = decltype(Op::PrefetchTarget(std::declval<const State&>(),
                                                 std::declval<typename Input::Value>()));
    Prepared prepared[kAhead]{};
    const size_t count = selection.size();
    auto counts = [&](size_t k) { return valid.empty() || valid[selection[k]] != 0; };
    for (size_t k = 0; k < count && k < kAhead; ++k) {
      if (counts(k)) prepared[k] = Op::PrefetchTarget(S(states[k]), input[selection[k]]);
    }
    for (size_t k = 0; k < count; ++k) {
      if (k + 2 * kAhead < count) Op::PrefetchHeap(S(states[k + 2 * kAhead]));
      const Prepared value = prepared[k % kAhead];
      if (k + kAhead < count && counts(k + kAhead)) {
        prepared[k % kAhead] =
            Op::PrefetchTarget(S(states[k + kAhead]), input[selection[k + kAhead]]);
      }
      if (counts(k)) Op::UpdatePrepared(S(states[k]), value);
    }
  }

  static void Update(const Column& column, std::span<const uint32_t> selection,
                     const StatePtr* states) {
    Input input(column);
    if constexpr (PrefetchesHeap<Op>) {
      const bool all_valid = Op::kCountsNulls || !column.HasNulls();
      UpdatePrefetching(input, all_valid ? std::span<const uint8_t>() : column.validity(),
                        selection, states);
      return;
    }
    if (Op::kCountsNulls || !column.HasNulls()) {
      for (size_t k = 0; k < selection.size(); ++k) Op::Update(S(states[k]), input[selection[k]]);
      return;
    }
    std::span<const uint8_t> valid = column.validity();
    for (size_t k = 0; k < selection.size(); ++k) {
      uint32_t row = selection[k];
      if (valid[row]) Op::Update(S(states[k]), input[row]);
    }
  }

  static void UpdateAll(const Column& column, StatePtr p) {
    Input input(column);
    State& state = S(p);
    uint32_t rows = static_cast<uint32_t>(column.size());
    if (Op::kCountsNulls || !column.HasNulls()) {
      for (uint32_t row = 0; row < rows; ++row) Op::Update(state, input[row]);
      return;
    }
    std::span<const uint8_t> valid = column.validity();
    for (uint32_t row = 0; row < rows; ++row) {
      if (valid[row]) Op::Update(state, input[row]);
    }
  }

  static void Merge(StatePtr target, ConstStatePtr source) { Op::Merge(S(target), S(source)); }

  static void Serialize(ConstStatePtr p, std::string* out) {
    PutU8(out, kStateFormatVersion);
    PutU8(out, static_cast<uint8_t>(Op::kKind));
    Op::Serialize(S(p), out);
  }

  static Status Deserialize(std::string_view bytes, StatePtr p) {
    State& state = S(p);
    state = State();
    ByteReader reader(bytes);
    uint8_t version = reader.U8();
    uint8_t kind = reader.U8();
    if (!reader.ok()) return CorruptState("truncated header");
    if (version != kStateFormatVersion) {
      return CorruptState("unknown format version " + std::to_string(version));
    }
    if (kind != static_cast<uint8_t>(Op::kKind)) {
      return CorruptState("kind " + std::to_string(kind) + " where " +
                          std::to_string(static_cast<int>(Op::kKind)) + " was expected");
    }
    if (!Op::Deserialize(reader, &state) || !reader.ok() || reader.remaining() != 0) {
      state = State();
      return CorruptState("bad payload");
    }
    return Status::Ok();
  }

  static Status Finalize(ConstStatePtr p, const AggregateParams& params, Column* out) {
    return Op::Finalize(S(p), params, out);
  }

  static void PrefetchResult(ConstStatePtr p) {
    if constexpr (PrefetchesResult<Op>) Op::PrefetchResult(S(p));
  }
};

enum class Fraction : bool { kNone, kRequired };

template <typename Op>
AggregateFunction MakeAggregate(std::string_view name, std::optional<DataType> argument,
                                DataType result_type, Fraction fraction = Fraction::kNone) {
  using K = AggregateKernel<Op>;
  return AggregateFunction{
      .name = name,
      .argument = argument,
      .result_type = result_type,
      .takes_fraction = fraction == Fraction::kRequired,
      .state_size = sizeof(typename Op::State),
      .state_alignment = alignof(typename Op::State),
      .initialize = &K::Initialize,
      .update = &K::Update,
      .update_all = &K::UpdateAll,
      .merge = &K::Merge,
      .serialize = &K::Serialize,
      .deserialize = &K::Deserialize,
      .finalize = &K::Finalize,
      .destroy = &K::Destroy,
      .prefetch_result = PrefetchesResult<Op> ? &K::PrefetchResult : nullptr,
  };
}

// Each aggregate file adds its descriptors to the registry (registry.cc).
using AggregateList = std::vector<AggregateFunction>;
void AddCountAggregates(AggregateList* out);
void AddSumAggregates(AggregateList* out);
void AddMinMaxAggregates(AggregateList* out);
void AddAvgAggregates(AggregateList* out);
void AddVarianceAggregates(AggregateList* out);
void AddCountDistinctAggregates(AggregateList* out);
void AddApproxCountDistinctAggregates(AggregateList* out);
void AddPercentileAggregates(AggregateList* out);
void AddPercentileApproxAggregates(AggregateList* out);

}  // namespace braid::agg
