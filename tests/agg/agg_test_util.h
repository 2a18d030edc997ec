// Test helpers for agg/: a state in its own aligned memory (what a hash table's arena would
// hold), columns from literal values, and single-value finalization.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agg/aggregate_function.h"
#include "common/chunk.h"

namespace braid::agg {

class OwnedState {
 public:
  explicit OwnedState(const AggregateFunction& fn)
      : fn_(&fn),
        memory_((fn.state_size + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t)) {
    EXPECT_LE(fn.state_alignment, alignof(std::max_align_t));
    fn_->initialize(get());
  }
  ~OwnedState() { fn_->destroy(get()); }
  OwnedState(const OwnedState&) = delete;
  OwnedState& operator=(const OwnedState&) = delete;

  StatePtr get() { return reinterpret_cast<StatePtr>(memory_.data()); }
  ConstStatePtr get() const { return reinterpret_cast<ConstStatePtr>(memory_.data()); }

  std::string Serialize() const {
    std::string out;
    fn_->serialize(get(), &out);
    return out;
  }
  // The finalized value as a one-row column, or the finalize error.
  Result<Column> Finalize(const AggregateParams& params = {}) const {
    Column out(fn_->result_type);
    Status status = fn_->finalize(get(), params, &out);
    if (!status.ok()) return status;
    return out;
  }

 private:
  const AggregateFunction* fn_;
  std::vector<std::max_align_t> memory_;
};

inline Column Int64Column(const std::vector<std::optional<int64_t>>& values,
                          DataType type = DataType::kBigint) {
  Column c(type);
  for (const auto& v : values) v ? c.AppendInt64(*v) : c.AppendNull();
  return c;
}
inline Column DoubleColumn(const std::vector<std::optional<double>>& values) {
  Column c(DataType::kDouble);
  for (const auto& v : values) v ? c.AppendDouble(*v) : c.AppendNull();
  return c;
}
inline Column StringColumn(const std::vector<std::optional<std::string>>& values) {
  Column c(DataType::kString);
  for (const auto& v : values) v ? c.AppendString(*v) : c.AppendNull();
  return c;
}

inline const AggregateFunction& Find(std::string_view name, std::vector<DataType> args,
                                     AggregateParams params = {}) {
  Result<BoundAggregate> bound = FindAggregate(name, args, params);
  EXPECT_TRUE(bound.ok()) << bound.status().ToString();
  return *bound->function;
}

// Runs the aggregate over the column in one state and returns the finalized one-row column.
inline Column Aggregate(std::string_view name, const Column& input, AggregateParams params = {}) {
  std::vector<DataType> args;
  if (name != "COUNT_STAR") args.push_back(input.type());
  const AggregateFunction& fn = Find(name, args, params);
  OwnedState state(fn);
  fn.update_all(input, state.get());
  Result<Column> out = state.Finalize(params);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? std::move(out).value() : Column(fn.result_type);
}

}  // namespace braid::agg
