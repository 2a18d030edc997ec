#include "sql/reference_executor_cells.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <new>
#include <string_view>

#include "agg/column_values.h"
#include "sql/expression_evaluator.h"

namespace braid::sql::reference {

namespace {

constexpr char kNullTag = 0;
constexpr char kValueTag = 1;

void AppendBigEndian(uint64_t bits, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(bits >> shift));
}

// Signed order becomes unsigned order when the sign bit is flipped.
uint64_t OrderedInt64(int64_t v) { return std::bit_cast<uint64_t>(v) ^ (uint64_t{1} << 63); }


// Bytes as they are, 0x00 escaped as 0x00 0xFF, then 0x00 0x00: prefix-free and order-preserving.
void AppendOrderedString(std::string_view s, std::string* out) {
  for (char c : s) {
    out->push_back(c);
    if (c == '\0') out->push_back('\xFF');
  }
  out->push_back('\0');
  out->push_back('\0');
}

}  // namespace

void EncodeKeyValue(const Column& column, size_t row, std::string* out) {
  if (!column.IsValid(row)) {
    out->push_back(kNullTag);
    return;
  }
  out->push_back(kValueTag);
  switch (column.type()) {
    case DataType::kBoolean:
      out->push_back(column.bools()[row] != 0 ? 1 : 0);
      return;
    case DataType::kBigint:
    case DataType::kTimestamp:
      AppendBigEndian(OrderedInt64(column.int64s()[row]), out);
      return;
    case DataType::kDouble:
      AppendBigEndian(agg::ComparisonKey(column.doubles()[row]), out);
      return;
    case DataType::kString:
      AppendOrderedString(column.StringAt(row), out);
      return;
  }
}

void EncodeTime(Timestamp t, std::string* out) { AppendBigEndian(OrderedInt64(t.micros), out); }

void AppendValue(const Value& value, Column* column) {
  if (std::holds_alternative<std::monostate>(value)) {
    column->AppendNull();
  } else if (const bool* b = std::get_if<bool>(&value)) {
    column->AppendBool(*b);
  } else if (const int64_t* i = std::get_if<int64_t>(&value)) {
    column->AppendInt64(*i);
  } else if (const double* d = std::get_if<double>(&value)) {
    column->AppendDouble(*d);
  } else {
    column->AppendString(std::get<std::string>(value));
  }
}

StateLayout::StateLayout(const std::vector<ViewAggregate>& aggregates) {
  functions.reserve(aggregates.size());
  params.reserve(aggregates.size());
  offsets.reserve(aggregates.size());
  for (const ViewAggregate& aggregate : aggregates) {
    const agg::AggregateFunction& function = *aggregate.aggregate.function;
    size_t align = std::max<size_t>(function.state_alignment, 1);
    size = (size + align - 1) / align * align;
    offsets.push_back(size);
    size += function.state_size;
    alignment = std::max(alignment, align);
    functions.push_back(&function);
    params.push_back(aggregate.aggregate.params);
  }
  size = std::max<size_t>(size, 1);
}

CellStates::CellStates(const StateLayout& layout)
    : layout_(layout),
      block_(static_cast<agg::StatePtr>(
          ::operator new (layout.size, std::align_val_t{layout.alignment}))) {
  for (size_t i = 0; i < layout_.functions.size(); ++i) layout_.functions[i]->initialize(state(i));
}

CellStates::~CellStates() {
  for (size_t i = 0; i < layout_.functions.size(); ++i) layout_.functions[i]->destroy(state(i));
  ::operator delete (block_, std::align_val_t{layout_.alignment});
}

std::pair<Cell*, bool> CellTable::FindOrCreate(const std::string& encoded) {
  auto [it, created] = cells_.try_emplace(encoded, layout_);
  return {&it->second, created};
}

void CellTable::Update(const AggregateInputs& inputs, std::span<const CellRow> rows) const {
  std::vector<uint32_t> selection;
  std::vector<agg::StatePtr> states;
  for (size_t i = 0; i < layout_.functions.size(); ++i) {
    selection.clear();
    states.clear();
    const std::vector<uint8_t>& passes = inputs.passes[i];
    for (const CellRow& cell_row : rows) {
      if (!passes.empty() && passes[cell_row.row] == 0) continue;
      selection.push_back(cell_row.row);
      states.push_back(cell_row.cell->states.state(i));
    }
    if (selection.empty()) continue;
    layout_.functions[i]->update(*inputs.values[i], selection, states.data());
  }
}

Status CellTable::MergeFrom(const CellTable& other) {
  if (other.layout_.functions != layout_.functions) {
    return Status(StatusCode::kInvalidArgument, "cannot merge the states of different aggregates");
  }
  for (const auto& [encoded, source] : other.cells_) {
    auto [target, created] = FindOrCreate(encoded);
    if (created) {
      target->keys = source.keys;
      target->window_start = source.window_start;
      target->window_end = source.window_end;
    }
    for (size_t i = 0; i < layout_.functions.size(); ++i) {
      layout_.functions[i]->merge(target->states.state(i), source.states.state(i));
    }
  }
  return Status::Ok();
}

Result<Chunk> CellTable::ToGroupedChunk(const ViewPlan& plan) const {
  const Schema& schema = *plan.grouped_schema;
  std::vector<Column> columns;
  for (const Field& field : schema.fields()) {
    columns.emplace_back(field.type);
    columns.back().Reserve(cells_.size());
  }
  size_t num_keys = plan.keys.size();
  for (const auto& [encoded, cell] : cells_) {
    for (size_t k = 0; k < num_keys; ++k) AppendValue(cell.keys[k], &columns[k]);
    if (plan.window) {
      columns[num_keys].AppendInt64(cell.window_start.micros);
      columns[num_keys + 1].AppendInt64(cell.window_end.micros);
    }
    for (size_t i = 0; i < layout_.functions.size(); ++i) {
      RETURN_IF_ERROR(layout_.functions[i]->finalize(cell.states.state(i), layout_.params[i],
                                                     &columns[plan.aggregate_index(i)]));
    }
  }
  return Chunk::Make(plan.grouped_schema, std::move(columns));
}

}  // namespace braid::sql::reference
