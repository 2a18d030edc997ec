#include "lake/column_statistics.h"

#include <cmath>
#include <cstring>

namespace braid::lake {
namespace {

// `valid` is a column's validity(): empty when every row is valid.
template <typename T>
void MinMaxOf(std::span<const T> values, std::span<const uint8_t> valid, size_t begin, size_t end,
              std::optional<StatValue>* min, std::optional<StatValue>* max) {
  bool any = false;
  T lo{}, hi{};
  for (size_t i = begin; i < end; ++i) {
    if (!valid.empty() && !valid[i]) continue;
    T v = values[i];
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v)) continue;
    }
    if (!any || v < lo) lo = v;
    if (!any || v > hi) hi = v;
    any = true;
  }
  if (!any) return;
  using Stored = std::conditional_t<std::is_same_v<T, uint8_t>, bool, T>;
  *min = StatValue(static_cast<Stored>(lo));
  *max = StatValue(static_cast<Stored>(hi));
}

void StringMinMaxOf(const Column& column, size_t begin, size_t end,
                    std::optional<StatValue>* min, std::optional<StatValue>* max) {
  bool any = false;
  std::string_view lo, hi;
  for (size_t i = begin; i < end; ++i) {
    if (!column.IsValid(i)) continue;
    std::string_view v = column.StringAt(i);
    if (!any || v < lo) lo = v;
    if (!any || v > hi) hi = v;
    any = true;
  }
  if (!any) return;
  *min = StatValue(std::string(lo));
  *max = StatValue(std::string(hi));
}

enum class Bound : uint8_t { kMin, kMax };

std::string PlainBytes(const StatValue& value, Bound bound) {
  std::string out;
  if (const auto* b = std::get_if<bool>(&value)) {
    out.push_back(*b ? 1 : 0);
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    out.append(reinterpret_cast<const char*>(i), 8);
  } else if (const auto* d = std::get_if<double>(&value)) {
    double v = *d;
    if (v == 0.0) v = bound == Bound::kMax ? 0.0 : -0.0;  // the spec's rule for signed zeros
    out.append(reinterpret_cast<const char*>(&v), 8);
  } else {
    out = std::get<std::string>(value);
  }
  return out;
}

template <typename T>
T Load(std::string_view bytes) {
  T v;
  std::memcpy(&v, bytes.data(), sizeof(T));
  return v;
}

// Converts a stored value to Braid's form; nullopt when it cannot be trusted.
std::optional<StatValue> DecodeStatValue(std::string_view bytes, const LeafColumn& leaf) {
  auto sized = [&](size_t n) { return bytes.size() == n; };
  switch (leaf.physical) {
    case PhysicalType::kBoolean:
      if (!sized(1)) return std::nullopt;
      return StatValue(bytes[0] != 0);
    case PhysicalType::kInt32:
      if (!sized(4)) return std::nullopt;
      if (leaf.conversion == ValueConversion::kUint32ToInt64) {
        return StatValue(static_cast<int64_t>(Load<uint32_t>(bytes)));
      }
      return StatValue(static_cast<int64_t>(Load<int32_t>(bytes)));
    case PhysicalType::kInt64: {
      if (!sized(8)) return std::nullopt;
      int64_t v = Load<int64_t>(bytes);
      if (leaf.conversion == ValueConversion::kMillisToMicros) {
        if (__builtin_mul_overflow(v, int64_t{1000}, &v)) return std::nullopt;
      } else if (leaf.conversion == ValueConversion::kNanosToMicros) {
        v = v / 1000 - (v % 1000 < 0 ? 1 : 0);
      }
      return StatValue(v);
    }
    case PhysicalType::kFloat: {
      if (!sized(4)) return std::nullopt;
      double v = Load<float>(bytes);
      if (std::isnan(v)) return std::nullopt;
      return StatValue(v);
    }
    case PhysicalType::kDouble: {
      if (!sized(8)) return std::nullopt;
      double v = Load<double>(bytes);
      if (std::isnan(v)) return std::nullopt;
      return StatValue(v);
    }
    case PhysicalType::kByteArray:
      return StatValue(std::string(bytes));
    default:
      return std::nullopt;  // INT96 statistics have no defined order
  }
}

}  // namespace

namespace {

size_t NullsOf(const ColumnSlice& slice) {
  const Column& c = *slice.column;
  if (!c.HasNulls()) return 0;
  size_t nulls = 0;
  std::span<const uint8_t> valid = c.validity();
  for (size_t i = slice.begin; i < slice.end; ++i) nulls += valid[i] == 0;
  return nulls;
}

}  // namespace

void StatisticsAccumulator::CountNulls(const ColumnSlice& slice) {
  *stats_.null_count += static_cast<int64_t>(NullsOf(slice));
}

void StatisticsAccumulator::Update(const ColumnSlice& slice) {
  const Column& c = *slice.column;
  std::span<const uint8_t> valid = c.validity();
  const size_t nulls = NullsOf(slice);
  *stats_.null_count += static_cast<int64_t>(nulls);
  if (nulls == slice.size()) return;
  std::optional<StatValue> lo, hi;
  switch (c.type()) {
    case DataType::kBoolean: MinMaxOf(c.bools(), valid, slice.begin, slice.end, &lo, &hi); break;
    case DataType::kBigint:
    case DataType::kTimestamp: MinMaxOf(c.int64s(), valid, slice.begin, slice.end, &lo, &hi); break;
    case DataType::kDouble: MinMaxOf(c.doubles(), valid, slice.begin, slice.end, &lo, &hi); break;
    case DataType::kString: StringMinMaxOf(c, slice.begin, slice.end, &lo, &hi); break;
  }
  if (lo) Consider(*lo);
  if (hi) Consider(*hi);
}

void StatisticsAccumulator::Consider(const StatValue& value) {
  if (!stats_.min || value < *stats_.min) stats_.min = value;
  if (!stats_.max || *stats_.max < value) stats_.max = value;
}

void StatisticsAccumulator::Merge(const ColumnStatistics& other) {
  if (stats_.null_count && other.null_count) {
    *stats_.null_count += *other.null_count;
  } else {
    stats_.null_count.reset();
  }
  if (other.min) Consider(*other.min);
  if (other.max) Consider(*other.max);
}

Statistics ToParquetStatistics(const ColumnStatistics& stats) {
  Statistics out;
  out.null_count = stats.null_count;
  if (stats.min && stats.max) {
    out.min_value = PlainBytes(*stats.min, Bound::kMin);
    out.max_value = PlainBytes(*stats.max, Bound::kMax);
  }
  return out;
}

ColumnStatistics FromParquetStatistics(const Statistics& stats, const LeafColumn& leaf) {
  ColumnStatistics out;
  out.null_count = stats.null_count;
  // The deprecated fields used signed byte order for strings: useless for pruning.
  bool trusted = !(stats.min_max_deprecated && leaf.physical == PhysicalType::kByteArray);
  if (trusted && stats.min_value && stats.max_value) {
    out.min = DecodeStatValue(*stats.min_value, leaf);
    out.max = DecodeStatValue(*stats.max_value, leaf);
    if (!out.min || !out.max) {
      out.min.reset();
      out.max.reset();
    }
  }
  return out;
}

}  // namespace braid::lake
