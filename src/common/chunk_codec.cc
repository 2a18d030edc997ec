#include "common/chunk_codec.h"

#include <fmt/format.h>

#include "common/byte_io.h"

namespace braid {
namespace {

constexpr uint8_t kHasNulls = 1;

template <typename T>
void PutSpan(std::string* out, std::span<const T> values) {
  if (values.empty()) return;
  out->append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

template <typename T>
bool ReadArray(ByteReader& in, size_t n, std::vector<T>* values) {
  std::string_view raw = in.Raw(n * sizeof(T));
  if (!in.ok()) return false;
  values->resize(n);
  if (n > 0) std::memcpy(values->data(), raw.data(), raw.size());
  return true;
}

Status Corrupt(std::string_view what) {
  return Status(StatusCode::kCorruption, fmt::format("serialized chunk: {}", what));
}

void PutChunkHeader(const Chunk& chunk, size_t rows, std::string* out) {
  PutU8(out, kChunkFormatVersion);
  PutU32(out, static_cast<uint32_t>(rows));
  PutU16(out, static_cast<uint16_t>(chunk.num_columns()));
}

void PutColumnHeader(const Field& field, bool has_nulls, std::string* out) {
  PutBytes(out, field.name);
  PutU8(out, static_cast<uint8_t>(field.type));
  PutU8(out, field.nullable ? 1 : 0);
  PutU8(out, has_nulls ? kHasNulls : 0);
}

bool AnyNull(std::span<const uint8_t> validity, std::span<const uint32_t> rows) {
  uint8_t all = 1;
  for (uint32_t r : rows) all &= validity[r];
  return all == 0;
}

// Appends values[rows[0]], values[rows[1]], ... as raw little-endian bytes.
template <typename T>
void PutGathered(std::string* out, std::span<const T> values, std::span<const uint32_t> rows) {
  const size_t start = out->size();
  out->resize(start + rows.size() * sizeof(T));
  char* dst = out->data() + start;
  for (uint32_t r : rows) {
    std::memcpy(dst, &values[r], sizeof(T));
    dst += sizeof(T);
  }
}

// The offsets array and arena of the selected strings, as SerializeChunk writes a string column.
void PutGatheredStrings(std::string* out, const Column& col, std::span<const uint32_t> rows) {
  const std::span<const uint32_t> offsets = col.offsets();
  const size_t start = out->size();
  out->resize(start + (rows.size() + 1) * sizeof(uint32_t));
  char* dst = out->data() + start;
  uint32_t total = 0;
  EncodeU32(dst, 0);
  for (uint32_t r : rows) {
    total += offsets[r + 1] - offsets[r];
    dst += sizeof(uint32_t);
    EncodeU32(dst, total);
  }
  PutU32(out, total);
  out->reserve(out->size() + total);
  const std::string_view arena = col.arena();
  for (uint32_t r : rows) out->append(arena.substr(offsets[r], offsets[r + 1] - offsets[r]));
}

}  // namespace

void SerializeChunk(const Chunk& chunk, std::string* out) {
  const size_t rows = chunk.num_rows();
  PutChunkHeader(chunk, rows, out);
  for (size_t c = 0; c < chunk.num_columns(); ++c) {
    const Field& field = chunk.schema()->field(c);
    const Column& col = chunk.column(c);
    PutColumnHeader(field, col.HasNulls(), out);
    if (col.HasNulls()) PutSpan(out, col.validity());
    switch (field.type) {
      case DataType::kBoolean: PutSpan(out, col.bools()); break;
      case DataType::kBigint:
      case DataType::kTimestamp: PutSpan(out, col.int64s()); break;
      case DataType::kDouble: PutSpan(out, col.doubles()); break;
      case DataType::kString:
        PutSpan(out, col.offsets());
        PutBytes(out, col.arena());
        break;
    }
  }
}

void SerializeChunkRows(const Chunk& chunk, std::span<const uint32_t> rows, std::string* out) {
  PutChunkHeader(chunk, rows.size(), out);
  for (size_t c = 0; c < chunk.num_columns(); ++c) {
    const Field& field = chunk.schema()->field(c);
    const Column& col = chunk.column(c);
    const bool has_nulls = col.HasNulls() && AnyNull(col.validity(), rows);
    PutColumnHeader(field, has_nulls, out);
    if (has_nulls) PutGathered(out, col.validity(), rows);
    switch (field.type) {
      case DataType::kBoolean: PutGathered(out, col.bools(), rows); break;
      case DataType::kBigint:
      case DataType::kTimestamp: PutGathered(out, col.int64s(), rows); break;
      case DataType::kDouble: PutGathered(out, col.doubles(), rows); break;
      case DataType::kString: PutGatheredStrings(out, col, rows); break;
    }
  }
}

Result<Chunk> DeserializeChunk(std::string_view bytes) {
  ByteReader in(bytes);
  const uint8_t version = in.U8();
  if (!in.ok()) return Corrupt("empty input");
  if (version != kChunkFormatVersion) {
    return Corrupt(fmt::format("unknown format version {} (this build reads {})", version,
                               kChunkFormatVersion));
  }
  const uint32_t rows = in.U32();
  const uint16_t ncols = in.U16();
  if (!in.ok()) return Corrupt("truncated header");
  // Every column needs at least one byte per row, so a row count beyond the input is corrupt;
  // checking it first keeps a hostile header from making us allocate gigabytes.
  if (ncols > 0 && rows > in.remaining()) return Corrupt("row count exceeds input size");
  std::vector<Field> fields;
  std::vector<Column> columns;
  for (uint16_t c = 0; c < ncols; ++c) {
    Field field;
    field.name = std::string(in.Bytes());
    const uint8_t type_byte = in.U8();
    field.nullable = in.U8() != 0;
    const uint8_t flags = in.U8();
    if (!in.ok()) return Corrupt("truncated column header");
    std::optional<DataType> type = DataTypeFromByte(type_byte);
    if (!type) return Corrupt(fmt::format("unknown type byte {}", type_byte));
    field.type = *type;
    std::vector<uint8_t> validity;
    if (flags & kHasNulls) {
      if (!ReadArray(in, rows, &validity)) return Corrupt("truncated validity");
    } else {
      validity.assign(rows, 1);
    }
    std::vector<int64_t> i64;
    std::vector<double> f64;
    std::vector<uint8_t> b8;
    std::vector<uint32_t> offsets;
    std::string arena;
    bool read_ok = true;
    switch (field.type) {
      case DataType::kBoolean: read_ok = ReadArray(in, rows, &b8); break;
      case DataType::kBigint:
      case DataType::kTimestamp: read_ok = ReadArray(in, rows, &i64); break;
      case DataType::kDouble: read_ok = ReadArray(in, rows, &f64); break;
      case DataType::kString: {
        read_ok = ReadArray(in, size_t{rows} + 1, &offsets);
        std::string_view a = in.Bytes();
        read_ok = read_ok && in.ok();
        arena.assign(a);
        break;
      }
    }
    if (!read_ok) return Corrupt(fmt::format("truncated values of column '{}'", field.name));
    ASSIGN_OR_RETURN(Column col, Column::FromParts(field.type, std::move(validity), std::move(i64),
                                                   std::move(f64), std::move(b8),
                                                   std::move(offsets), std::move(arena)));
    fields.push_back(std::move(field));
    columns.push_back(std::move(col));
  }
  if (in.remaining() != 0) return Corrupt("trailing bytes after the last column");
  return Chunk::Make(std::make_shared<const Schema>(std::move(fields)), std::move(columns));
}

}  // namespace braid
