// CaptureSource: what capture needs from the ingestion log of one stream, as an interface so that
// lake/ does not depend on log/ (the layers are siblings; serving/log_capture_source.h implements
// it over log::StreamLog, tests over memory). Offsets are per-partition record numbers; every
// event has exactly one (partition, offset), its identity in the master dataset. An
// implementation must be safe to call from the capturing thread while the log keeps growing.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "common/time.h"

namespace braid::lake {

class CaptureSource {
 public:
  // Receives consecutive events of one partition: row i of `events` has offset first_offset + i
  // and was ingested (appended to the log) at `ingested_at`. A non-OK return stops the read.
  using EventsCallback =
      std::function<Status(const Chunk& events, uint64_t first_offset, Timestamp ingested_at)>;

  virtual ~CaptureSource() = default;

  // The end offset (one past the last durable event) of every partition, read at one instant.
  virtual std::vector<uint64_t> EndOffsets() = 0;
  // Hands every event of `partition` with from <= offset < to to `callback`, in offset order.
  virtual Status ReadRange(int partition, uint64_t from, uint64_t to,
                           const EventsCallback& callback) = 0;
  // Tells the log that every event below `offsets` (one per partition) is in the lake, so
  // retention may delete it.
  virtual Status CommitCaptured(const std::vector<uint64_t>& offsets) = 0;
};

}  // namespace braid::lake
