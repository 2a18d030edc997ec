#include "common/chunk_codec.h"

#include <fmt/format.h>

#include "common/byte_io.h"

namespace braid {
namespace {

constexpr uint8_t kHasNulls = 1;

template <typename T>
void PutArray(std::string* out, const std::vector<T>& values) {
  out->append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

template <typename T>
void PutSpan(std::string* out, std::span<const T> values) {
  out->append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

template <typename T>
bool ReadArray(ByteReader& in, size_t n, std::vector<T>* values) {
  std::string_view raw = in.Raw(n * sizeof(T));
  if (!in.ok()) return false;
  values->resize(n);
  std::memcpy(values->data(), raw.data(), raw.size());
  return true;
}

Status Corrupt(std::string_view what) {
  return Status(StatusCode::kCorruption, fmt::format("serialized chunk: {}", what));
}

}  // namespace

void SerializeChunk(const Chunk& chunk, std::string* out) {
  const size_t rows = chunk.num_rows();
  PutU8(out, kChunkFormatVersion);
  PutU32(out, static_cast<uint32_t>(rows));
  PutU16(out, static_cast<uint16_t>(chunk.num_columns()));
  for (size_t c = 0; c < chunk.num_columns(); ++c) {
    const Field& field = chunk.schema()->field(c);
    const Column& col = chunk.column(c);
    PutBytes(out, field.name);
    PutU8(out, static_cast<uint8_t>(field.type));
    PutU8(out, field.nullable ? 1 : 0);
    PutU8(out, col.HasNulls() ? kHasNulls : 0);
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
