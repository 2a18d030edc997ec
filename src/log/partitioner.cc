#include "log/partitioner.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "common/hash.h"

namespace braid::log {
namespace {

constexpr uint32_t kNullKeyPartition = 0;

uint64_t HashDouble(double v) {
  if (v == 0.0) v = 0.0;  // -0.0 and 0.0 are one key
  if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();
  return Hash64(std::bit_cast<int64_t>(v));
}

// The per-row kernel of hash partitioning; `hash_row(r)` hashes the key of row r.
template <typename HashRow>
void AssignByHash(const Column& key, uint32_t partitions, std::span<uint32_t> out,
                  HashRow hash_row) {
  if (!key.HasNulls()) {
    for (size_t r = 0; r < out.size(); ++r) {
      out[r] = static_cast<uint32_t>(hash_row(r) % partitions);
    }
    return;
  }
  const std::span<const uint8_t> valid = key.validity();
  for (size_t r = 0; r < out.size(); ++r) {
    out[r] = valid[r] ? static_cast<uint32_t>(hash_row(r) % partitions) : kNullKeyPartition;
  }
}

void AssignByKey(const Column& key, uint32_t partitions, std::span<uint32_t> out) {
  switch (key.type()) {
    case DataType::kString: {
      const std::span<const uint32_t> offsets = key.offsets();
      const char* arena = key.arena().data();
      AssignByHash(key, partitions, out, [&](size_t r) {
        return Hash64(std::string_view(arena + offsets[r], offsets[r + 1] - offsets[r]));
      });
      break;
    }
    case DataType::kBigint:
    case DataType::kTimestamp: {
      const std::span<const int64_t> values = key.int64s();
      AssignByHash(key, partitions, out, [&](size_t r) { return Hash64(values[r]); });
      break;
    }
    case DataType::kDouble: {
      const std::span<const double> values = key.doubles();
      AssignByHash(key, partitions, out, [&](size_t r) { return HashDouble(values[r]); });
      break;
    }
    case DataType::kBoolean: {
      const std::span<const uint8_t> values = key.bools();
      AssignByHash(key, partitions, out, [&](size_t r) { return Hash64(int64_t{values[r]}); });
      break;
    }
  }
}

// The event-time range of `rows`; rows without a time count at `fallback`.
std::pair<Timestamp, Timestamp> TimeRange(const Chunk& events, const SplitSpec& spec,
                                          std::span<const uint32_t> rows) {
  if (!spec.time_column) return {spec.default_time, spec.default_time};
  const Column& column = events.column(*spec.time_column);
  const std::span<const int64_t> times = column.int64s();
  const std::span<const uint8_t> valid = column.validity();
  int64_t lo = std::numeric_limits<int64_t>::max();
  int64_t hi = std::numeric_limits<int64_t>::min();
  bool any_null = false;
  for (uint32_t r : rows) {
    if (!valid.empty() && !valid[r]) {
      any_null = true;
      continue;
    }
    lo = std::min(lo, times[r]);
    hi = std::max(hi, times[r]);
  }
  if (any_null) {
    lo = std::min(lo, spec.default_time.micros);
    hi = std::max(hi, spec.default_time.micros);
  }
  return {Timestamp{lo}, Timestamp{hi}};
}

}  // namespace

void AssignPartitions(const Chunk& events, const SplitSpec& spec, std::span<uint32_t> out) {
  const uint32_t partitions = static_cast<uint32_t>(std::max(spec.partitions, 1));
  if (partitions == 1) {
    std::fill(out.begin(), out.end(), 0u);
  } else if (spec.key_column) {
    AssignByKey(events.column(*spec.key_column), partitions, out);
  } else {
    const uint64_t start = spec.round_robin_start % partitions;
    for (size_t r = 0; r < out.size(); ++r) {
      out[r] = static_cast<uint32_t>((start + r / kRoundRobinBlockRows) % partitions);
    }
  }
}

PartitionSplit SplitByPartition(const Chunk& events, const SplitSpec& spec) {
  const size_t rows = events.num_rows();
  const size_t partitions = static_cast<size_t>(std::max(spec.partitions, 1));
  std::vector<uint32_t> partition_of(rows);
  AssignPartitions(events, spec, partition_of);
  // Counting sort of the row numbers by partition, stable.
  std::vector<uint32_t> begin(partitions + 1, 0);
  for (uint32_t p : partition_of) ++begin[p + 1];
  for (size_t p = 0; p < partitions; ++p) begin[p + 1] += begin[p];
  PartitionSplit split;
  split.rows.resize(rows);
  std::vector<uint32_t> cursor(begin.begin(), begin.end() - 1);
  for (size_t r = 0; r < rows; ++r) {
    split.rows[cursor[partition_of[r]]++] = static_cast<uint32_t>(r);
  }
  for (size_t p = 0; p < partitions; ++p) {
    if (begin[p + 1] == begin[p]) continue;
    PartitionShare share;
    share.partition = static_cast<int>(p);
    share.rows = std::span<const uint32_t>(split.rows).subspan(begin[p], begin[p + 1] - begin[p]);
    std::tie(share.min_event_time, share.max_event_time) = TimeRange(events, spec, share.rows);
    split.shares.push_back(share);
  }
  return split;
}

}  // namespace braid::log
