// The buffer that session windows need in the hash aggregator: a session's cells depend on every event of its PARTITION BY value, so
// those views keep each kept row's event time, order (_partition, _offset), keys, PARTITION BY
// values and aggregate inputs until Finish, which assigns sessions exactly as the reference
// executor does (per PARTITION BY value, events sorted by time, _partition, _offset, cut by
// sql::AssignSessions). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "sql/view_input.h"
#include "sql/view_plan.h"

namespace braid::batch {

using sql::EvaluatedRows;

// The (row, session) pairs of the buffered rows: pair k puts row rows[k] into the session
// (starts[k], ends[k]].
struct SessionCells {
  std::vector<uint32_t> rows;
  std::vector<int64_t> starts;
  std::vector<int64_t> ends;
};

class SessionBuffer {
 public:
  explicit SessionBuffer(const sql::ViewPlan& plan);

  // Keeps the evaluated `rows` of the chunk `kept` (whose _partition and _offset columns, when
  // the input schema has them, order ties).
  void Append(const EvaluatedRows& rows, const Chunk& kept);
  // Appends every row of `other` (same plan) and empties it.
  void TakeFrom(SessionBuffer& other);
  // Appends a copy of every row of `other` (same plan); `other` is unchanged.
  void AppendFrom(const SessionBuffer& other);

  // Forgets every row.
  void Clear();

  SessionCells AssignCells() const;

  size_t num_rows() const { return times_.size(); }
  const EvaluatedRows& values() const { return values_; }
  // One BIGINT per row: what COUNT(*) counts.
  const Column& row_ids() const { return row_ids_; }
  size_t MemoryBytes() const;

 private:
  const sql::ViewPlan& plan_;
  std::optional<size_t> partition_column_;
  std::optional<size_t> offset_column_;
  std::vector<int64_t> times_;
  std::vector<int64_t> partitions_;
  std::vector<int64_t> offsets_;
  EvaluatedRows values_;  // all owned, times unused (times_)
  Column row_ids_{DataType::kBigint};
  int64_t rows_seen_ = 0;
};

}  // namespace braid::batch
