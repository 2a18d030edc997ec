#include "common/chunk.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "common/prefetch.h"

namespace braid {

Column::Column(DataType type) : type_(type) {}

void Column::MaterializeValidity() {
  if (!valid_.empty() || size_ == 0) {
    return;
  }
  valid_.reserve(std::max(size_ + 1, 2 * size_));
  valid_.assign(size_, 1);
}

void Column::Reserve(size_t rows) {
  if (!valid_.empty()) valid_.reserve(rows);
  switch (type_) {
    case DataType::kBoolean: b8_.reserve(rows); break;
    case DataType::kBigint:
    case DataType::kTimestamp: i64_.reserve(rows); break;
    case DataType::kDouble: f64_.reserve(rows); break;
    case DataType::kString:
      offsets_.reserve(rows + 1);
      StartOffsets();
      break;
  }
}

void Column::AppendNull() {
  MaterializeValidity();
  valid_.push_back(0);
  ++size_;
  ++null_count_;
  switch (type_) {
    case DataType::kBoolean: b8_.push_back(0); break;
    case DataType::kBigint:
    case DataType::kTimestamp: i64_.push_back(0); break;
    case DataType::kDouble: f64_.push_back(0.0); break;
    case DataType::kString:
      StartOffsets();
      offsets_.push_back(offsets_.back());
      break;
  }
}

void Column::AppendEmptyStrings(size_t count) {
  BRAID_DCHECK(type_ == DataType::kString);
  StartOffsets();
  AddValid(count);
  offsets_.insert(offsets_.end(), count, static_cast<uint32_t>(arena_.size()));
}

void Column::AppendColumn(const Column& other) { AppendRange(other, 0, other.size()); }

void Column::AppendRange(const Column& other, size_t begin, size_t count) {
  BRAID_DCHECK(other.type_ == type_);
  BRAID_DCHECK(begin + count <= other.size());
  if (count == 0) return;
  const auto first = static_cast<ptrdiff_t>(begin);
  const auto last = static_cast<ptrdiff_t>(begin + count);
  const size_t nulls =
      other.valid_.empty()
          ? 0
          : static_cast<size_t>(
                std::count(other.valid_.begin() + first, other.valid_.begin() + last, uint8_t{0}));
  if (nulls > 0) {
    MaterializeValidity();
    valid_.insert(valid_.end(), other.valid_.begin() + first, other.valid_.begin() + last);
    size_ += count;
    null_count_ += nulls;
  } else {
    AddValid(count);
  }
  switch (type_) {
    case DataType::kBoolean:
      b8_.insert(b8_.end(), other.b8_.begin() + first, other.b8_.begin() + last);
      break;
    case DataType::kBigint:
    case DataType::kTimestamp:
      i64_.insert(i64_.end(), other.i64_.begin() + first, other.i64_.begin() + last);
      break;
    case DataType::kDouble:
      f64_.insert(f64_.end(), other.f64_.begin() + first, other.f64_.begin() + last);
      break;
    case DataType::kString: {
      const uint32_t from = other.offsets_[begin];
      const uint32_t to = other.offsets_[begin + count];
      BRAID_DCHECK(arena_.size() + (to - from) <= std::numeric_limits<uint32_t>::max());
      const uint32_t base = static_cast<uint32_t>(arena_.size());
      arena_.append(other.arena_, from, to - from);
      StartOffsets();
      offsets_.reserve(offsets_.size() + count);
      for (size_t i = begin + 1; i <= begin + count; ++i) {
        offsets_.push_back(base + (other.offsets_[i] - from));
      }
      break;
    }
  }
}

void Column::AppendFrom(const Column& other, size_t row) {
  BRAID_DCHECK(other.type_ == type_);
  if (!other.IsValid(row)) {
    AppendNull();
    return;
  }
  switch (type_) {
    case DataType::kBoolean: AppendBool(other.b8_[row] != 0); break;
    case DataType::kBigint:
    case DataType::kTimestamp: AppendInt64(other.i64_[row]); break;
    case DataType::kDouble: AppendDouble(other.f64_[row]); break;
    case DataType::kString: AppendString(other.StringAt(row)); break;
  }
}

namespace {

// Room for `more` elements, growing geometrically so that repeated appends stay linear.
template <typename Vector>
void Grow(Vector& v, size_t more) {
  if (v.size() + more > v.capacity()) v.reserve(std::max(v.size() + more, 2 * v.capacity()));
}

}  // namespace

void Column::AppendRows(const Column& other, std::span<const uint32_t> rows) {
  BRAID_DCHECK(other.type_ == type_);
  if (rows.empty()) return;
  if (!valid_.empty()) Grow(valid_, rows.size());
  switch (type_) {
    case DataType::kBoolean: Grow(b8_, rows.size()); break;
    case DataType::kBigint:
    case DataType::kTimestamp: Grow(i64_, rows.size()); break;
    case DataType::kDouble: Grow(f64_, rows.size()); break;
    case DataType::kString:
      Grow(offsets_, rows.size() + 1);
      StartOffsets();
      break;
  }
  // A selection that drops a few rows keeps long runs of consecutive ones: those are copied in
  // bulk, the rows between them one by one. Rows whose runs are short on average (a reordering,
  // a sparse selection) are copied one by one without looking for runs.
  constexpr size_t kBulkRows = 8;
  size_t breaks = 0;
  for (size_t i = 1; i < rows.size(); ++i) breaks += rows[i] != rows[i - 1] + 1 ? 1 : 0;
  if ((breaks + 1) * kBulkRows > rows.size()) return AppendEach(other, rows);
  size_t single = 0;  // rows[single, begin) are copied one by one
  for (size_t begin = 0, end = 0; begin < rows.size(); begin = end) {
    for (end = begin + 1; end < rows.size() && rows[end] == rows[end - 1] + 1; ++end) {
    }
    if (end - begin < kBulkRows) continue;
    AppendEach(other, rows.subspan(single, begin - single));
    AppendRange(other, rows[begin], end - begin);
    single = end;
  }
  AppendEach(other, rows.subspan(single));
}

void Column::PrefetchRows(size_t begin, size_t count) const {
  if (count == 0 || begin + count > size()) return;
  if (HasNulls()) PrefetchLines(valid_.data() + begin, count);
  switch (type_) {
    case DataType::kBoolean:
      PrefetchLines(b8_.data() + begin, count);
      break;
    case DataType::kBigint:
    case DataType::kTimestamp:
      PrefetchLines(i64_.data() + begin, count * sizeof(int64_t));
      break;
    case DataType::kDouble:
      PrefetchLines(f64_.data() + begin, count * sizeof(double));
      break;
    case DataType::kString:
      PrefetchLines(offsets_.data() + begin, (count + 1) * sizeof(uint32_t));
      break;
  }
}

void Column::AppendEach(const Column& other, std::span<const uint32_t> rows) {
  if (rows.empty()) return;
  if (other.null_count_ > 0) {
    for (uint32_t r : rows) AppendFrom(other, r);
    return;
  }
  AddValid(rows.size());
  switch (type_) {
    case DataType::kBoolean:
      for (uint32_t r : rows) b8_.push_back(other.b8_[r]);
      break;
    case DataType::kBigint:
    case DataType::kTimestamp:
      for (uint32_t r : rows) i64_.push_back(other.i64_[r]);
      break;
    case DataType::kDouble:
      for (uint32_t r : rows) f64_.push_back(other.f64_[r]);
      break;
    case DataType::kString: {
      size_t bytes = 0;
      for (uint32_t r : rows) bytes += other.offsets_[r + 1] - other.offsets_[r];
      BRAID_DCHECK(arena_.size() + bytes <= std::numeric_limits<uint32_t>::max());
      arena_.reserve(arena_.size() + bytes);
      for (uint32_t r : rows) {
        arena_.append(other.arena_, other.offsets_[r], other.offsets_[r + 1] - other.offsets_[r]);
        offsets_.push_back(static_cast<uint32_t>(arena_.size()));
      }
      break;
    }
  }
}

size_t Column::MemoryBytes() const {
  return valid_.capacity() + i64_.capacity() * 8 + f64_.capacity() * 8 + b8_.capacity() +
         offsets_.capacity() * 4 + arena_.capacity();
}

Result<Column> Column::FromParts(DataType type, std::vector<uint8_t> validity,
                                 std::vector<int64_t> i64, std::vector<double> f64,
                                 std::vector<uint8_t> b8, std::vector<uint32_t> offsets,
                                 std::string arena) {
  const size_t n = validity.size();
  auto bad = [&](std::string_view what) {
    return Status(StatusCode::kCorruption, fmt::format("column of {} rows: {}", n, what));
  };
  Column c(type);
  size_t expected_i64 = IsInt64Backed(type) ? n : 0;
  size_t expected_f64 = type == DataType::kDouble ? n : 0;
  size_t expected_b8 = type == DataType::kBoolean ? n : 0;
  if (i64.size() != expected_i64 || f64.size() != expected_f64 || b8.size() != expected_b8) {
    return bad("value vector length does not match");
  }
  if (type == DataType::kString) {
    if (offsets.size() != n + 1 || offsets[0] != 0 || offsets[n] != arena.size()) {
      return bad("string offsets do not match the arena");
    }
    for (size_t i = 0; i < n; ++i) {
      if (offsets[i] > offsets[i + 1]) return bad("string offsets are not monotone");
    }
  } else if (!offsets.empty() || !arena.empty()) {
    return bad("non-string column carries string data");
  }
  size_t nulls = 0;
  for (uint8_t v : validity) {
    if (v > 1) return bad("validity byte is neither 0 nor 1");
    nulls += (v == 0);
  }
  c.size_ = n;
  c.null_count_ = nulls;
  if (nulls > 0) c.valid_ = std::move(validity);
  c.i64_ = std::move(i64);
  c.f64_ = std::move(f64);
  c.b8_ = std::move(b8);
  if (type == DataType::kString) {
    c.offsets_ = std::move(offsets);
    c.arena_ = std::move(arena);
  }
  return c;
}

bool Column::operator==(const Column& other) const {
  if (type_ != other.type_ || size() != other.size()) return false;
  for (size_t i = 0; i < size(); ++i) {
    if (IsValid(i) != other.IsValid(i)) return false;
    if (!IsValid(i)) continue;
    switch (type_) {
      case DataType::kBoolean:
        if (b8_[i] != other.b8_[i]) return false;
        break;
      case DataType::kBigint:
      case DataType::kTimestamp:
        if (i64_[i] != other.i64_[i]) return false;
        break;
      case DataType::kDouble:
        // Bitwise equality: NaN equals NaN, -0.0 differs from 0.0 (a round trip must be exact).
        if (std::memcmp(&f64_[i], &other.f64_[i], sizeof(double)) != 0) return false;
        break;
      case DataType::kString:
        if (StringAt(i) != other.StringAt(i)) return false;
        break;
    }
  }
  return true;
}

Chunk::Chunk(SchemaPtr schema) : schema_(std::move(schema)) {
  columns_.reserve(schema_->size());
  for (const Field& f : schema_->fields()) columns_.emplace_back(f.type);
}

namespace {

// The error for column i, whose type is not that of the schema's field i.
Status FieldTypeError(const Schema& schema, size_t i, const Column& column) {
  return Status(StatusCode::kCorruption,
                fmt::format("column '{}' has type {}, schema says {}", schema.field(i).name,
                            DataTypeName(column.type()), DataTypeName(schema.field(i).type)));
}

// OK when each of `columns` has its field's type in `schema` (which has at least as many
// fields). The loop only compares: a Status is built for a mismatch alone.
Status CheckFieldTypes(const Schema& schema, std::span<const Column> columns) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].type() != schema.field(i).type) return FieldTypeError(schema, i, columns[i]);
  }
  return Status::Ok();
}

}  // namespace

Result<Chunk> Chunk::Make(SchemaPtr schema, std::vector<Column> columns) {
  if (columns.size() != schema->size()) {
    return Status(StatusCode::kCorruption,
                  fmt::format("chunk has {} columns, schema {}", columns.size(), schema->size()));
  }
  RETURN_IF_ERROR(CheckFieldTypes(*schema, columns));
  for (const Column& column : columns) {
    if (column.size() != columns[0].size()) {
      return Status(StatusCode::kCorruption, "chunk columns differ in length");
    }
  }
  Chunk c;
  c.schema_ = std::move(schema);
  c.columns_ = std::move(columns);
  return c;
}

Status Chunk::AddColumn(SchemaPtr schema, Column column) {
  const size_t n = columns_.size();
  if (schema->size() != n + 1 || (n > 0 && column.size() != num_rows())) {
    return Status(StatusCode::kCorruption, "added column does not match the chunk or the schema");
  }
  RETURN_IF_ERROR(CheckFieldTypes(*schema, columns_));
  if (column.type() != schema->field(n).type) return FieldTypeError(*schema, n, column);
  columns_.push_back(std::move(column));
  schema_ = std::move(schema);
  return Status::Ok();
}

void Chunk::AppendRow(const Chunk& other, size_t row) {
  for (size_t c = 0; c < columns_.size(); ++c) columns_[c].AppendFrom(other.columns_[c], row);
}

Chunk Chunk::Select(std::span<const uint32_t> rows) const {
  Chunk out(schema_);
  for (size_t c = 0; c < columns_.size(); ++c) out.columns_[c].AppendRows(columns_[c], rows);
  return out;
}

void Chunk::AppendRowsOf(const Chunk& other, std::span<const uint32_t> rows, size_t copied) {
  BRAID_DCHECK(copied <= columns_.size() && other.columns_.size() == columns_.size());
  if (rows.empty()) return;
  const auto [low, high] = std::minmax_element(rows.begin(), rows.end());
  if (*high - *low < 2 * rows.size()) {
    for (size_t c = 0; c < copied; ++c) other.columns_[c].PrefetchRows(*low, *high - *low + 1);
  }
  for (size_t c = 0; c < copied; ++c) columns_[c].AppendRows(other.columns_[c], rows);
  for (size_t c = copied; c < columns_.size(); ++c) {
    BRAID_DCHECK(columns_[c].type() == DataType::kString);
    columns_[c].AppendEmptyStrings(rows.size());
  }
}

size_t Chunk::MemoryBytes() const {
  size_t total = 0;
  for (const Column& c : columns_) total += c.MemoryBytes();
  return total;
}

bool Chunk::operator==(const Chunk& other) const {
  if (!schema_ || !other.schema_) return schema_ == other.schema_;
  return *schema_ == *other.schema_ && columns_ == other.columns_;
}

void TakeColumns(Chunk& from, std::span<const size_t> sources, std::span<Column> out) {
  BRAID_DCHECK(sources.size() == out.size());
  std::vector<uint32_t> uses(from.num_columns(), 0);
  for (const size_t source : sources) {
    if (source != kNoColumn) ++uses[source];
  }
  for (size_t i = 0; i < sources.size(); ++i) {
    const size_t source = sources[i];
    if (source == kNoColumn) continue;
    if (--uses[source] == 0) {
      out[i] = std::move(from.mutable_column(source));
    } else {
      out[i] = from.column(source);
    }
  }
}

}  // namespace braid
