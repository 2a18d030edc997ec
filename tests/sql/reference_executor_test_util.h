// Hand-built ViewPlans and event chunks for the reference executor's tests: a small stream
// (ts TIMESTAMP, device STRING, x BIGINT, v DOUBLE, then the ingestion columns), a builder that
// fills a plan's schemas the way the binder does, and a rendering of result rows as text.
#pragma once

#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agg/aggregate_function.h"
#include "common/chunk.h"
#include "common/time.h"
#include "sql/view_plan.h"

namespace braid::sql::testing {

inline constexpr size_t kTs = 0, kDevice = 1, kX = 2, kV = 3, kPartition = 5, kOffset = 6;

inline SchemaPtr EventSchema() {
  return ViewInputSchema(Schema({{"ts", DataType::kTimestamp, true},
                                 {"device", DataType::kString, true},
                                 {"x", DataType::kBigint, true},
                                 {"v", DataType::kDouble, true}}));
}

inline Timestamp Day(std::string_view time_of_day) {  // on 2026-11-20
  Result<Timestamp> t = ParseRfc3339("2026-11-20T" + std::string(time_of_day) + "Z");
  EXPECT_TRUE(t.ok()) << time_of_day;
  return t.ok() ? *t : Timestamp{};
}

struct Event {
  std::optional<Timestamp> t = std::nullopt;
  std::optional<std::string> device = std::nullopt;
  std::optional<int64_t> x = std::nullopt;
  std::optional<double> v = std::nullopt;
  int64_t partition = 0;
  std::optional<int64_t> offset = std::nullopt;  // default: the event's index
};

inline Chunk Events(const std::vector<Event>& events) {
  Chunk chunk(EventSchema());
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    e.t ? chunk.mutable_column(kTs).AppendInt64(e.t->micros)
        : chunk.mutable_column(kTs).AppendNull();
    e.device ? chunk.mutable_column(kDevice).AppendString(*e.device)
             : chunk.mutable_column(kDevice).AppendNull();
    e.x ? chunk.mutable_column(kX).AppendInt64(*e.x) : chunk.mutable_column(kX).AppendNull();
    e.v ? chunk.mutable_column(kV).AppendDouble(*e.v) : chunk.mutable_column(kV).AppendNull();
    chunk.mutable_column(4).AppendInt64(0);
    chunk.mutable_column(kPartition).AppendInt64(e.partition);
    chunk.mutable_column(kOffset).AppendInt64(e.offset.value_or(static_cast<int64_t>(i)));
  }
  return chunk;
}

inline BoundExprPtr Col(const Schema& schema, size_t index) {
  return MakeBound(BoundColumn{index, schema.field(index).name}, schema.field(index).type);
}

inline BoundExprPtr Constant(Value value, DataType type) {
  return MakeBound(BoundConstant{std::move(value)}, type);
}

inline BoundExprPtr Binary(BinaryOp op, BoundExprPtr left, BoundExprPtr right, DataType type) {
  return MakeBound(BoundBinary{op, std::move(left), std::move(right)}, type);
}

inline WindowDefinition Window(WindowKind kind, Duration size, Duration hop = {},
                               Duration max_duration = {}, Duration offset = {}) {
  WindowDefinition window;
  window.kind = kind;
  window.size = size;
  window.hop = kind == WindowKind::kTumbling ? size : hop;
  window.max_duration = max_duration;
  window.offset = offset;
  return window;
}

// Builds a plan over `input` with event time column `time_column`.
class PlanBuilder {
 public:
  explicit PlanBuilder(SchemaPtr input, size_t time_column = kTs) {
    plan_->name = "test_view";
    plan_->input_schema = input;
    plan_->event_time = Col(*input, time_column);
  }
  PlanBuilder& Key(size_t column) {
    const Schema& input = *plan_->input_schema;
    plan_->keys.push_back(GroupKey{input.field(column).name, Col(input, column)});
    return *this;
  }
  PlanBuilder& Windowed(WindowDefinition window) {
    plan_->window = std::move(window);
    return *this;
  }
  // An aggregate over column `column` (nullopt: COUNT(*)), output under `name`.
  PlanBuilder& Aggregate(std::string_view function, std::optional<size_t> column, std::string name,
                         BoundExprPtr filter = nullptr, agg::AggregateParams params = {}) {
    const Schema& input = *plan_->input_schema;
    std::vector<DataType> args;
    if (column) args.push_back(input.field(*column).type);
    Result<agg::BoundAggregate> bound = agg::FindAggregate(function, args, params);
    EXPECT_TRUE(bound.ok()) << function << ": " << bound.status().ToString();
    plan_->aggregates.push_back(ViewAggregate{*bound, column ? Col(input, *column) : nullptr,
                                              std::move(filter), std::string(function)});
    names_.push_back(std::move(name));
    return *this;
  }
  PlanBuilder& Where(BoundExprPtr filter) {
    plan_->filter = std::move(filter);
    return *this;
  }
  // Fills grouped_schema and, unless the caller adds outputs itself, one output per aggregate.
  std::shared_ptr<ViewPlan> Build() {
    std::vector<Field> grouped;
    for (const GroupKey& key : plan_->keys) grouped.push_back({key.name, key.expr->type, true});
    if (plan_->window) {
      grouped.push_back({"window_start", DataType::kTimestamp, false});
      grouped.push_back({"window_end", DataType::kTimestamp, false});
    }
    for (size_t i = 0; i < plan_->aggregates.size(); ++i) {
      grouped.push_back(
          {"_agg" + std::to_string(i), plan_->aggregates[i].aggregate.function->result_type, true});
    }
    plan_->grouped_schema = std::make_shared<const Schema>(grouped);
    for (size_t i = 0; i < plan_->aggregates.size(); ++i) {
      plan_->outputs.push_back(
          ViewOutput{names_[i], Col(*plan_->grouped_schema, plan_->aggregate_index(i))});
    }
    SealOutputs(*plan_);
    return plan_;
  }
  // Recomputes output_schema after a test changed the outputs.
  static void SealOutputs(ViewPlan& plan) {
    std::vector<Field> fields(plan.grouped_schema->fields().begin(),
                              plan.grouped_schema->fields().begin() + plan.aggregate_index(0));
    for (const ViewOutput& output : plan.outputs) {
      fields.push_back({output.name, output.expr->type});
    }
    plan.output_schema = std::make_shared<const Schema>(fields);
    DeriveRowSchemas(plan);
  }

 private:
  std::shared_ptr<ViewPlan> plan_ = std::make_shared<ViewPlan>();
  std::vector<std::string> names_;
};

// "00:01:00" for a time on 2026-11-20 (".123000" when not whole seconds), else RFC 3339.
inline std::string RenderTime(int64_t micros) {
  std::string text = FormatRfc3339(Timestamp{micros});
  if (text.rfind("2026-11-20T", 0) != 0) return text;
  text = text.substr(11, text.size() - 12);
  if (text.ends_with(".000000")) text.resize(text.size() - 7);
  return text;
}

inline std::string RenderCell(const Column& column, size_t row) {
  if (!column.IsValid(row)) return "NULL";
  char buffer[64];
  switch (column.type()) {
    case DataType::kBoolean:
      return column.bools()[row] != 0 ? "true" : "false";
    case DataType::kBigint:
      return std::to_string(column.int64s()[row]);
    case DataType::kTimestamp:
      return RenderTime(column.int64s()[row]);
    case DataType::kDouble:
      std::snprintf(buffer, sizeof(buffer), "%.15g", column.doubles()[row]);
      return buffer;
    case DataType::kString:
      return "'" + std::string(column.StringAt(row)) + "'";
  }
  return "?";
}

// One string per row: the columns joined by " | ".
inline std::vector<std::string> Render(const Chunk& chunk) {
  std::vector<std::string> rows;
  for (size_t row = 0; row < chunk.num_rows(); ++row) {
    std::string text;
    for (size_t c = 0; c < chunk.num_columns(); ++c) {
      if (c > 0) text += " | ";
      text += RenderCell(chunk.column(c), row);
    }
    rows.push_back(std::move(text));
  }
  return rows;
}

}  // namespace braid::sql::testing
