#include "serving/stream_query.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "common/chunk_projection.h"
#include "sql/view_plan.h"

namespace braid::serving {
namespace {

constexpr size_t kReadBytes = size_t{16} << 20;

// Appends the events of partition `id` from `offset` to its end to *out.
Status ReadPartition(const log::Partition& partition, uint64_t offset, const SchemaPtr& schema,
                     const QueryControl& control, Chunk* out) {
  const uint64_t end = partition.end_offset();
  const size_t columns = schema->size();
  while (offset < end) {
    ASSIGN_OR_RETURN(std::vector<log::RecordBatch> batches, partition.Read(offset, kReadBytes));
    if (batches.empty()) break;
    for (log::RecordBatch& batch : batches) {
      if (batch.header.base_offset >= end) return Status::Ok();
      ASSIGN_OR_RETURN(Chunk events, ProjectChunk(std::move(batch.events), schema));
      for (size_t c = 0; c < columns; ++c) out->mutable_column(c).AppendColumn(events.column(c));
      for (size_t r = 0; r < events.num_rows(); ++r) {
        out->mutable_column(columns).AppendInt64(batch.header.append_time.micros);
        out->mutable_column(columns + 1).AppendInt64(partition.id());
        out->mutable_column(columns + 2).AppendInt64(
            static_cast<int64_t>(batch.header.base_offset + r));
      }
      offset = batch.header.end_offset();
    }
    RETURN_IF_ERROR(control.Check());
  }
  return Status::Ok();
}

}  // namespace

Result<Chunk> RecentEvents(const log::StreamLog& log, size_t scan_events,
                           const QueryControl& control) {
  const SchemaPtr schema = log.schema();
  const int partitions = log.num_partitions();
  const uint64_t per_partition =
      std::max<uint64_t>(1, scan_events / static_cast<size_t>(std::max(partitions, 1)));
  for (int attempt = 0;; ++attempt) {
    Chunk out(sql::ViewInputSchema(*schema));
    Status read = Status::Ok();
    for (int p = 0; p < partitions && read.ok(); ++p) {
      const log::Partition& partition = log.partition(p);
      const uint64_t end = partition.end_offset();
      const uint64_t start =
          std::max(end > per_partition ? end - per_partition : 0, partition.start_offset());
      read = ReadPartition(partition, start, schema, control, &out);
    }
    // Retention may delete the segment a read started in: start again from what is left.
    if (read.code() == StatusCode::kInvalidArgument && attempt < 2) continue;
    RETURN_IF_ERROR(read);
    return out;
  }
}

}  // namespace braid::serving
