#include "lake/page_values.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "common/time.h"
#include "lake/rle_hybrid.h"

namespace braid::lake {
namespace {

constexpr int64_t kUnixEpochJulianDay = 2'440'588;

Status CorruptValues(std::string_view what) {
  return Status(StatusCode::kCorruption, std::string(what));
}

template <typename T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

int64_t FloorDiv1000(int64_t v) { return v / 1000 - (v % 1000 < 0 ? 1 : 0); }

// Writes out[i] for each row: the next stored value converted by `load`, or Out{} for a NULL.
// `load` sets *overflow when a value does not fit Braid's range.
template <typename Out, typename LoadFn>
void ScatterFixed(const char* src, size_t stride, const uint8_t* valid, size_t rows, Out* out,
                  LoadFn load) {
  if (valid == nullptr) {
    for (size_t i = 0; i < rows; ++i) out[i] = load(src + i * stride);
    return;
  }
  size_t j = 0;
  for (size_t i = 0; i < rows; ++i) {
    out[i] = valid[i] ? load(src + j * stride) : Out{};
    j += valid[i];
  }
}

Status DecodePlainInt64(const char* src, const LeafColumn& leaf, const uint8_t* valid,
                        size_t rows, int64_t* out) {
  bool overflow = false;
  switch (leaf.conversion) {
    case ValueConversion::kInt32ToInt64:
      ScatterFixed(src, 4, valid, rows, out, [](const char* p) -> int64_t { return Load<int32_t>(p); });
      break;
    case ValueConversion::kUint32ToInt64:
      ScatterFixed(src, 4, valid, rows, out, [](const char* p) -> int64_t { return Load<uint32_t>(p); });
      break;
    case ValueConversion::kMillisToMicros:
      ScatterFixed(src, 8, valid, rows, out, [&](const char* p) {
        int64_t v;
        overflow |= __builtin_mul_overflow(Load<int64_t>(p), int64_t{1000}, &v);
        return v;
      });
      break;
    case ValueConversion::kNanosToMicros:
      ScatterFixed(src, 8, valid, rows, out, [](const char* p) { return FloorDiv1000(Load<int64_t>(p)); });
      break;
    case ValueConversion::kInt96ToMicros:
      ScatterFixed(src, 12, valid, rows, out, [&](const char* p) {
        int64_t day = static_cast<int64_t>(Load<int32_t>(p + 8)) - kUnixEpochJulianDay;
        int64_t v;
        overflow |= __builtin_mul_overflow(day, kMicrosPerDay, &v);
        overflow |= __builtin_add_overflow(v, FloorDiv1000(Load<int64_t>(p)), &v);
        return v;
      });
      break;
    default:
      if (valid == nullptr) {
        std::memcpy(out, src, rows * 8);
      } else {
        ScatterFixed(src, 8, valid, rows, out, [](const char* p) { return Load<int64_t>(p); });
      }
      break;
  }
  if (overflow) return CorruptValues("timestamp value out of range");
  return Status::Ok();
}

size_t StoredWidth(const LeafColumn& leaf) {
  switch (leaf.physical) {
    case PhysicalType::kInt32:
    case PhysicalType::kFloat: return 4;
    case PhysicalType::kInt96: return 12;
    default: return 8;
  }
}

const uint8_t* ValidityOf(const ColumnBuilder& out, PageRows page) {
  return page.present == page.rows ? nullptr : out.validity.data() + page.row;
}

Status DecodePlainBooleans(std::string_view data, PageRows page, ColumnBuilder* out) {
  if (data.size() * 8 < page.present) {
    return CorruptValues("boolean values past the end of the page");
  }
  const uint8_t* valid = ValidityOf(*out, page);
  uint8_t* dst = out->b8.data() + page.row;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  size_t j = 0;
  for (size_t i = 0; i < page.rows; ++i) {
    bool present = valid == nullptr || valid[i];
    dst[i] = present ? (bytes[j / 8] >> (j % 8)) & 1 : 0;
    j += present;
  }
  return Status::Ok();
}

Status DecodePlainStrings(std::string_view data, PageRows page, ColumnBuilder* out) {
  const uint8_t* valid = ValidityOf(*out, page);
  uint32_t* offsets = out->offsets.data() + page.row + 1;
  std::string& arena = out->arena;
  arena.reserve(arena.size() + data.size());
  size_t pos = 0;
  for (size_t i = 0; i < page.rows; ++i) {
    if (valid == nullptr || valid[i]) {
      if (data.size() - pos < 4) return CorruptValues("string length past the end of the page");
      uint32_t n = Load<uint32_t>(data.data() + pos);
      if (data.size() - pos - 4 < n) return CorruptValues("string bytes past the end of the page");
      arena.append(data.data() + pos + 4, n);
      pos += 4 + size_t{n};
    }
    offsets[i] = static_cast<uint32_t>(arena.size());
  }
  return Status::Ok();
}

template <typename T>
void Gather(const T* dict, const uint32_t* indices, const uint8_t* valid, size_t rows, T* out) {
  if (valid == nullptr) {
    for (size_t i = 0; i < rows; ++i) out[i] = dict[indices[i]];
    return;
  }
  size_t j = 0;
  for (size_t i = 0; i < rows; ++i) {
    out[i] = valid[i] ? dict[indices[j]] : T{};
    j += valid[i];
  }
}

// Checks the total size first: a few bytes of RLE indices can repeat a long entry billions of
// times, and the arena must not grow past 4 GiB (or try to).
Status GatherStrings(const PageDictionary& dict, const uint32_t* indices, const uint8_t* valid,
                     PageRows page, ColumnBuilder* out) {
  uint32_t* offsets = out->offsets.data() + page.row + 1;
  std::string& arena = out->arena;
  const uint32_t* dict_offsets = dict.offsets.data();
  const char* dict_bytes = dict.bytes.data();
  uint64_t total = arena.size();
  for (size_t k = 0; k < page.present; ++k) {
    total += dict_offsets[indices[k] + 1] - dict_offsets[indices[k]];
  }
  if (total > std::numeric_limits<uint32_t>::max()) {
    return Status(StatusCode::kTooLarge, "strings of one row group exceed 4 GiB");
  }
  size_t j = 0;
  for (size_t i = 0; i < page.rows; ++i) {
    if (valid == nullptr || valid[i]) {
      uint32_t index = indices[j++];
      arena.append(dict_bytes + dict_offsets[index], dict_offsets[index + 1] - dict_offsets[index]);
    }
    offsets[i] = static_cast<uint32_t>(arena.size());
  }
  return Status::Ok();
}

Status CheckArena(const ColumnBuilder& out) {
  if (out.arena.size() > std::numeric_limits<uint32_t>::max()) {
    return Status(StatusCode::kTooLarge, "strings of one row group exceed 4 GiB");
  }
  return Status::Ok();
}

}  // namespace

Status DecodePlainPage(std::string_view data, const LeafColumn& leaf, PageRows page,
                       ColumnBuilder* out) {
  if (leaf.physical == PhysicalType::kBoolean) return DecodePlainBooleans(data, page, out);
  if (leaf.physical == PhysicalType::kByteArray) {
    RETURN_IF_ERROR(DecodePlainStrings(data, page, out));
    return CheckArena(*out);
  }
  size_t width = StoredWidth(leaf);
  if (data.size() / width < page.present) return CorruptValues("values past the end of the page");
  const uint8_t* valid = ValidityOf(*out, page);
  if (leaf.type == DataType::kDouble) {
    double* dst = out->f64.data() + page.row;
    if (leaf.conversion == ValueConversion::kFloatToDouble) {
      ScatterFixed(data.data(), 4, valid, page.rows, dst,
                   [](const char* p) -> double { return Load<float>(p); });
    } else if (valid == nullptr) {
      std::memcpy(dst, data.data(), page.rows * 8);
    } else {
      ScatterFixed(data.data(), 8, valid, page.rows, dst, [](const char* p) { return Load<double>(p); });
    }
    return Status::Ok();
  }
  return DecodePlainInt64(data.data(), leaf, valid, page.rows, out->i64.data() + page.row);
}

Status DecodeDictionaryPage(std::string_view data, const LeafColumn& leaf, PageRows page,
                            const PageDictionary& dictionary, std::vector<uint32_t>* indices,
                            ColumnBuilder* out) {
  if (page.present == 0) return Status::Ok();
  if (data.empty()) return CorruptValues("dictionary-encoded page without a bit width");
  int bit_width = static_cast<uint8_t>(data[0]);
  if (bit_width > 32) return CorruptValues(fmt::format("dictionary index bit width {}", bit_width));
  if (dictionary.size == 0) return CorruptValues("dictionary-encoded page without a dictionary");
  indices->resize(page.present);
  RleHybridDecoder decoder(data.substr(1), bit_width);
  RETURN_IF_ERROR(decoder.Decode(*indices));
  uint32_t max_index = 0;
  for (uint32_t index : *indices) max_index = std::max(max_index, index);
  if (max_index >= dictionary.size) {
    return CorruptValues(
        fmt::format("dictionary index {} of a {} entry dictionary", max_index, dictionary.size));
  }
  const uint8_t* valid = ValidityOf(*out, page);
  switch (leaf.type) {
    case DataType::kBigint:
    case DataType::kTimestamp:
      Gather(dictionary.i64.data(), indices->data(), valid, page.rows, out->i64.data() + page.row);
      return Status::Ok();
    case DataType::kDouble:
      Gather(dictionary.f64.data(), indices->data(), valid, page.rows, out->f64.data() + page.row);
      return Status::Ok();
    case DataType::kString:
      return GatherStrings(dictionary, indices->data(), valid, page, out);
    case DataType::kBoolean:
      break;
  }
  return CorruptValues("dictionary-encoded boolean column");
}

Status DecodeRleBooleanPage(std::string_view data, PageRows page, ColumnBuilder* out) {
  if (data.size() < 4) return CorruptValues("RLE boolean page without its length");
  uint32_t length = Load<uint32_t>(data.data());
  if (length > data.size() - 4) {
    return CorruptValues("RLE boolean run length past the end of the page");
  }
  std::vector<uint8_t> values(page.present);
  RleHybridDecoder decoder(data.substr(4, length), 1);
  RETURN_IF_ERROR(decoder.DecodeBits(values));
  const uint8_t* valid = ValidityOf(*out, page);
  uint8_t* dst = out->b8.data() + page.row;
  size_t j = 0;
  for (size_t i = 0; i < page.rows; ++i) {
    bool present = valid == nullptr || valid[i];
    dst[i] = present ? values[j] : 0;
    j += present;
  }
  return Status::Ok();
}

Status DecodeDictionary(std::string_view data, const LeafColumn& leaf, size_t count,
                        PageDictionary* dictionary) {
  if (leaf.physical == PhysicalType::kBoolean) return CorruptValues("dictionary page for booleans");
  // Decode the dictionary as a PLAIN page of `count` present rows into a scratch builder.
  if (leaf.physical != PhysicalType::kByteArray && data.size() / StoredWidth(leaf) < count) {
    return CorruptValues("dictionary values past the end of the page");
  }
  if (leaf.physical == PhysicalType::kByteArray && data.size() / 4 < count) {
    return CorruptValues("dictionary strings past the end of the page");
  }
  ColumnBuilder scratch(leaf.type);
  scratch.Resize(count);
  std::fill(scratch.validity.begin(), scratch.validity.end(), 1);
  RETURN_IF_ERROR(DecodePlainPage(data, leaf, PageRows{0, count, count}, &scratch));
  dictionary->size = count;
  dictionary->i64 = std::move(scratch.i64);
  dictionary->f64 = std::move(scratch.f64);
  dictionary->offsets = std::move(scratch.offsets);
  dictionary->bytes = std::move(scratch.arena);
  return Status::Ok();
}

}  // namespace braid::lake
