#include "batch/key_normalizer.h"

#include <bit>
#include <cstring>

#include "agg/column_values.h"
#include "common/status.h"

namespace braid::batch {

namespace {

constexpr size_t kTimeWidth = 8;
constexpr size_t kLengthWidth = 4;

// The bytes a key column takes per cell besides a string's content.
size_t FixedWidth(DataType type) {
  switch (type) {
    case DataType::kBoolean:
      return 1 + 1;
    case DataType::kBigint:
    case DataType::kTimestamp:
    case DataType::kDouble:
      return 1 + 8;
    case DataType::kString:
      return 1 + kLengthWidth;
  }
  return 0;
}

template <typename T>
void Store(char* at, T value) {
  std::memcpy(at, &value, sizeof(T));
}

template <typename T>
T Load(const char* at) {
  T value;
  std::memcpy(&value, at, sizeof(T));
  return value;
}

// The inverse of agg::OrderKey: the canonical double a ComparisonKey stands for.
double FromComparisonKey(uint64_t key) {
  uint64_t bits = (key >> 63) != 0 ? key ^ (uint64_t{1} << 63) : ~key;
  return std::bit_cast<double>(bits);
}

}  // namespace

void KeyNormalizer::ComputeOffsets(const CellKeySource& source) {
  size_t fixed = (source.window_ends.empty() ? 0 : kTimeWidth) +
                 (source.session_starts.empty() ? 0 : kTimeWidth);
  for (const Column* column : source.keys) fixed += FixedWidth(column->type());
  offsets_.assign(source.num_cells + 1, 0);
  for (size_t k = 0; k < source.num_cells; ++k) offsets_[k + 1] = fixed;
  for (const Column* column : source.keys) {
    if (column->type() != DataType::kString) continue;
    std::span<const uint32_t> string_offsets = column->offsets();
    for (size_t k = 0; k < source.num_cells; ++k) {
      size_t row = source.rows.empty() ? k : source.rows[k];
      offsets_[k + 1] += string_offsets[row + 1] - string_offsets[row];
    }
  }
  for (size_t k = 0; k < source.num_cells; ++k) offsets_[k + 1] += offsets_[k];
}

void KeyNormalizer::Normalize(const CellKeySource& source) {
  ComputeOffsets(source);
  buffer_.assign(offsets_.back(), 0);
  cursors_.assign(offsets_.begin(), offsets_.end() - 1);
  for (std::span<const int64_t> times : {source.window_ends, source.session_starts}) {
    if (times.empty()) continue;
    for (size_t k = 0; k < source.num_cells; ++k) {
      Store(buffer_.data() + cursors_[k], times[k]);
      cursors_[k] += kTimeWidth;
    }
  }
  for (const Column* column : source.keys) WriteKeyColumn(*column, source, cursors_.data());
}

void KeyNormalizer::WriteKeyColumn(const Column& column, const CellKeySource& source,
                                   size_t* cursors) {
  const DataType type = column.type();
  const size_t width = FixedWidth(type);
  char* out = buffer_.data();
  for (size_t k = 0; k < source.num_cells; ++k) {
    size_t row = source.rows.empty() ? k : source.rows[k];
    char* at = out + cursors[k];
    bool valid = column.IsValid(row);
    at[0] = valid ? 1 : 0;
    if (type == DataType::kString) {
      std::string_view s = valid ? column.StringAt(row) : std::string_view();
      Store(at + 1, static_cast<uint32_t>(s.size()));
      if (!s.empty()) std::memcpy(at + width, s.data(), s.size());
      cursors[k] += width + s.size();
      continue;
    }
    if (valid) {
      if (type == DataType::kBoolean) {
        at[1] = column.bools()[row] != 0 ? 1 : 0;
      } else if (type == DataType::kDouble) {
        Store(at + 1, agg::ComparisonKey(column.doubles()[row]));
      } else {
        Store(at + 1, column.int64s()[row]);
      }
    }
    cursors[k] += width;
  }
}

namespace {

// Appends the key value at *at to `column`, advancing *at.
void DecodeKeyValue(const char** at, Column* column) {
  const char* p = *at;
  bool valid = p[0] != 0;
  DataType type = column->type();
  size_t width = FixedWidth(type);
  if (type == DataType::kString) {
    uint32_t length = Load<uint32_t>(p + 1);
    if (valid) {
      column->AppendString(std::string_view(p + width, length));
    } else {
      column->AppendNull();
    }
    *at = p + width + length;
    return;
  }
  *at = p + width;
  if (!valid) {
    column->AppendNull();
  } else if (type == DataType::kBoolean) {
    column->AppendBool(p[1] != 0);
  } else if (type == DataType::kDouble) {
    column->AppendDouble(FromComparisonKey(Load<uint64_t>(p + 1)));
  } else {
    column->AppendInt64(Load<int64_t>(p + 1));
  }
}

}  // namespace

DecodedCellKey DecodeCellKey(std::string_view key, bool windowed, bool session,
                             std::span<Column> columns) {
  DecodedCellKey decoded;
  const char* at = key.data();
  if (windowed) {
    decoded.window_end = Load<int64_t>(at);
    at += kTimeWidth;
  }
  if (session) {
    decoded.session_start = Load<int64_t>(at);
    at += kTimeWidth;
  }
  for (Column& column : columns) DecodeKeyValue(&at, &column);
  BRAID_DCHECK(at == key.data() + key.size());
  return decoded;
}

}  // namespace braid::batch
