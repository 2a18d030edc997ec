// OwnedState: one aggregate state outside any table (agg/aggregate_function.h), initialized on
// construction and destroyed with the object: for decoding a stored state before merging it, or
// for finalizing the empty state of an aggregation over no rows. Not thread-safe; not copyable.
#pragma once

#include <algorithm>
#include <cstddef>
#include <new>

#include "agg/aggregate_function.h"

namespace braid::agg {

class OwnedState {
 public:
  explicit OwnedState(const AggregateFunction& function)
      : function_(function),
        alignment_(std::max<size_t>(function.state_alignment, 1)),
        state_(static_cast<StatePtr>(::operator new (std::max<size_t>(function.state_size, 1),
                                                     std::align_val_t{alignment_}))) {
    function_.initialize(state_);
  }
  ~OwnedState() {
    function_.destroy(state_);
    ::operator delete (state_, std::align_val_t{alignment_});
  }
  OwnedState(const OwnedState&) = delete;
  OwnedState& operator=(const OwnedState&) = delete;

  StatePtr get() const { return state_; }

 private:
  const AggregateFunction& function_;
  size_t alignment_;
  StatePtr state_;
};

}  // namespace braid::agg
