// Splitting a Chunk of events by partition, for StreamLog::Append. A row's partition is the hash
// (common/hash.h) of its partition key modulo the partition count: STRING keys hash their bytes,
// BIGINT and TIMESTAMP their int64 value, BOOLEAN as the int64 0 or 1, DOUBLE the bits of the
// value with -0.0 taken as 0.0 and every NaN as one NaN (equal keys, same partition). A NULL key
// goes to partition 0. Without a key column, rows are dealt round-robin in blocks of
// kRoundRobinBlockRows consecutive rows starting at a given partition, so a request of ordinary
// size lands whole in one partition (one batch, one fdatasync) and a retry with the same start
// splits identically.
//
// The split is columnar: one pass computes every row's partition, a counting sort groups the row
// numbers by partition (stable: input order within a partition) and gathers each partition's
// event-time range; rows are then written per partition by SerializeChunkRows without building
// sub-chunks. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/chunk.h"
#include "common/time.h"

namespace braid::log {

inline constexpr uint32_t kRoundRobinBlockRows = 4096;

struct SplitSpec {
  int partitions = 1;
  std::optional<size_t> key_column;   // hash partitioning when set
  std::optional<size_t> time_column;  // TIMESTAMP column giving event time
  uint64_t round_robin_start = 0;     // first partition for round-robin dealing
  Timestamp default_time;             // event time of rows without one (the append time)
};

// One partition's share of a split chunk.
struct PartitionShare {
  int partition = 0;
  std::span<const uint32_t> rows;  // into PartitionSplit::rows
  Timestamp min_event_time;
  Timestamp max_event_time;
};

// Move-only: the shares point into `rows`.
struct PartitionSplit {
  PartitionSplit() = default;
  PartitionSplit(PartitionSplit&&) = default;
  PartitionSplit& operator=(PartitionSplit&&) = default;
  PartitionSplit(const PartitionSplit&) = delete;
  PartitionSplit& operator=(const PartitionSplit&) = delete;

  std::vector<uint32_t> rows;          // row numbers grouped by partition
  std::vector<PartitionShare> shares;  // the partitions that got rows, ascending
};

// The partition of every row of `events`, written to `out` (size events.num_rows()).
void AssignPartitions(const Chunk& events, const SplitSpec& spec, std::span<uint32_t> out);

// Groups the rows of `events` by partition.
PartitionSplit SplitByPartition(const Chunk& events, const SplitSpec& spec);

}  // namespace braid::log
