// The aggregate contract shared by the batch and speed layers (DESIGN.md, agg/). An aggregate is a
// descriptor of plain function pointers over an opaque, fixed-size state that the caller places in
// its own memory (the arena of a hash table): initialize, update, merge, serialize, deserialize,
// finalize, and destroy for states that own heap memory. Nothing else (STYLE.md anti-pattern 7).
//
// States: `state_size` bytes aligned to `state_alignment`, constructed by `initialize` and released
// by `destroy` (always call it; it is a no-op for trivial states). Variable-size states (exact
// distinct sets, value multisets, sketches) keep an owned pointer to a heap object inside the fixed
// part, allocated on the first non-NULL value, so empty groups allocate nothing. States are not
// thread-safe: one thread per state at a time, including a merge's source (finalize, serialize
// and merge may normalize a state in place, e.g. sort a multiset, without changing its value).
//
// Serialized states begin with a version byte and a kind byte (docs/formats/aggregate_states.md);
// deserialize rejects unknown versions, other kinds, truncated and trailing bytes with kCorruption.
// Descriptors are immutable and live for the whole process; FindAggregate is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "common/types.h"

namespace braid::agg {

using StatePtr = std::byte*;
using ConstStatePtr = const std::byte*;

// Constants of an aggregate call, e.g. PERCENTILE_CONT(0.95). They matter only to finalize, so one
// state answers any fraction and states of different fractions merge.
struct AggregateParams {
  std::optional<double> fraction;  // percentiles: in [0, 1]
};

struct AggregateFunction {
  std::string_view name;             // SQL name, upper case: "SUM", "COUNT_STAR", "PERCENTILE_CONT"
  std::optional<DataType> argument;  // nullopt for COUNT(*)
  DataType result_type;
  bool takes_fraction = false;  // needs AggregateParams::fraction
  uint32_t state_size = 0;
  uint32_t state_alignment = 0;

  // Constructs an empty state at `state`.
  void (*initialize)(StatePtr state);
  // Scatter update, the form grouped aggregation uses: row selection[k] of `input` goes into
  // states[k]; several k may share one state; every selection[k] < input.size(). `input` has
  // the descriptor's argument type (for COUNT(*), any column: only its rows are counted).
  void (*update)(const Column& input, std::span<const uint32_t> selection, const StatePtr* states);
  // Every row of `input` into one state (ungrouped aggregation).
  void (*update_all)(const Column& input, StatePtr state);
  // target := target ⊕ source. Associative and commutative; `source` is unchanged.
  void (*merge)(StatePtr target, ConstStatePtr source);
  // Appends the state's bytes to *out. Equal states give equal bytes.
  void (*serialize)(ConstStatePtr state, std::string* out);
  // Replaces the content of the initialized `state` with the decoded bytes. On error the state
  // is empty (and must still be destroyed); the error is kCorruption.
  Status (*deserialize)(std::string_view bytes, StatePtr state);
  // Appends the final value (or NULL) to `out`, a column of result_type. Fails only for a value
  // the result type cannot hold (SUM beyond BIGINT: kDataError).
  Status (*finalize)(ConstStatePtr state, const AggregateParams& params, Column* out);
  // Releases what the state owns. The memory itself belongs to the caller.
  void (*destroy)(StatePtr state);
  // Null, or a hint that changes nothing: brings the heap memory finalize and serialize read
  // first into the cache, so a caller finishing many states can ask for the next ones' while
  // it finishes this one (their heap objects lie scattered, each a cache miss).
  void (*prefetch_result)(ConstStatePtr state) = nullptr;
};

// An aggregate call: the descriptor and the call's constants.
struct BoundAggregate {
  const AggregateFunction* function = nullptr;
  AggregateParams params;
};

// Looks up an aggregate by SQL name (case-insensitive) and argument types: no argument for
// COUNT(*) (also spelled COUNT_STAR), one otherwise. Errors: kUndefinedObject for an unknown name,
// kTypeMismatch for an argument type the aggregate does not take, kInvalidArgument for a missing
// or out-of-range fraction (or one given to an aggregate that takes none).
Result<BoundAggregate> FindAggregate(std::string_view name, std::span<const DataType> args,
                                     const AggregateParams& params = {});

// Every registered descriptor (one per name and argument type), for tests and tools.
std::span<const AggregateFunction> AllAggregates();

}  // namespace braid::agg
