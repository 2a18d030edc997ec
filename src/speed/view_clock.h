// ViewClock: the event-time watermark of one view over its stream's partitions, exactly the rules
// of SEMANTICS.md "Watermarks, lateness and emission":
//   W(p) = maxSeen(p) - out_of_order, raised only by on-time events that are not far in the future
//   (more than max_future ahead of their ingest time);
//   Wc = max(previous Wc, min of W(p) over the active partitions), -infinity (INT64_MIN) until
//   every active partition has a watermark.
// A partition is active until it has received nothing for idle_timeout; one that never received
// counts as -infinity until idle_timeout has passed since the clock started. "Received" and
// "passed" are measured on the processing clock tau: the log append time of the batch being
// processed, or the wall clock when the speed layer has read everything. Because tau comes from
// the log itself, a replay of the same log takes the same idle transitions at the same points (no
// separate journal is needed).
//
// The frontier F of SEMANTICS.md is Wc itself here: emission runs at every advance of Wc, so an
// event is late exactly when every window containing it ends before Wc - allowed_lateness.
// Not thread-safe; owned by one SpeedView.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "common/time.h"

namespace braid::speed {

inline constexpr int64_t kNoWatermark = std::numeric_limits<int64_t>::min();

struct ClockOptions {
  int partitions = 1;
  Duration out_of_order;
  Duration max_future = Duration::Minutes(5);
  Duration idle_timeout = Duration::Seconds(5);
};

class ViewClock {
 public:
  explicit ViewClock(ClockOptions options);

  // Before the events of a batch of `partition` appended at `tau`: `partition` has received, the
  // others' idleness is judged at tau, and Wc is recomputed. Returns Wc.
  int64_t BeginBatch(int partition, Timestamp tau);
  // An on-time event of the current batch at time t, ingested at `ingested_at`. Returns Wc.
  int64_t Observe(int64_t t, Timestamp ingested_at);
  // The processing clock moved to `tau` with no batch (the log is read to its end): idle
  // partitions drop out of the minimum. Returns Wc.
  int64_t Advance(Timestamp tau);
  // Whether Advance(tau) would change anything (Wc, a partition's idleness, the clock's start):
  // false lets an idle round skip taking its view exclusively.
  bool WouldAdvance(Timestamp tau) const;

  int64_t watermark() const { return watermark_; }
  // W(p) of every partition (kNoWatermark when none), for status.
  std::vector<int64_t> PartitionWatermarks() const;
  // maxSeen(p): the newest on-time event time of partition p (kNoWatermark when none).
  int64_t max_seen(int partition) const { return partitions_[partition].max_seen; }
  // Whether partition p counts at the last tau.
  bool active(int partition) const { return partitions_[partition].active; }
  const ClockOptions& options() const { return options_; }

 private:
  struct PartitionClock {
    int64_t max_seen = kNoWatermark;
    bool received = false;
    Timestamp last_received;
    bool active = true;
  };
  int64_t PartitionWatermark(const PartitionClock& p) const;
  // Marks idleness at tau and returns the minimum W over active partitions other than `skip`
  // (INT64_MAX when none).
  int64_t MinimumAt(Timestamp tau, int skip);

  ClockOptions options_;
  std::vector<PartitionClock> partitions_;
  bool started_ = false;
  Timestamp started_at_;
  int64_t watermark_ = kNoWatermark;
  int current_ = -1;            // partition of the batch being processed
  int64_t others_minimum_ = 0;  // min W of the other active partitions for the current batch
};

}  // namespace braid::speed
