// StreamTailer: the speed layer's reader of one stream's log (DESIGN.md speed/). One thread reads
// every partition from the lowest offset any of its views still needs, merges the partitions'
// batches by append time (so live processing and a replay of the same log see the events in the
// same order, view_clock.h; consecutive batches of one partition that come next in that order
// are counted as one chunk), turns each batch into view input rows (the stream's columns, then
// _ingested_at = the append time, _partition, _offset: the lake's columns, sql/view_plan.h),
// splits it by generation (epoch_boundaries.h) and hands each view the rows it has not seen.
// When the log is read to its end it waits for appends (at most `poll` between looks) and moves
// the views' processing clock to the wall clock, so idle partitions release the watermark.
// Windows a batch makes final go to `on_emitted`, called on the tailer's thread.
//
// A view added while running starts at its own offsets (e.g. what its batch view absorbed): the
// tailer rewinds for it while the other views skip what they already counted.
//
// Thread-safe: AddView/RemoveView/Describe from any thread; the destructor stops the thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "log/stream_log.h"
#include "speed/epoch_boundaries.h"
#include "speed/latency_histogram.h"
#include "speed/speed_view.h"

namespace braid::speed {

using EmittedCallback =
    std::function<void(const std::shared_ptr<SpeedView>& view, std::vector<Chunk> rows)>;

struct TailerOptions {
  size_t read_bytes = size_t{4} << 20;  // per partition per read
  Duration poll = Duration::Millis(2);  // longest wait between looks at an idle log
};

struct TailerStatus {
  uint64_t events = 0;          // events processed since start
  double events_per_second = 0; // over the last few seconds
  std::vector<uint64_t> positions;  // next offset read, per partition
  std::vector<uint64_t> backlog;    // end offset - position, per partition
  double latency_p50_ms = 0;    // append -> every view updated, batches read live
  double latency_p99_ms = 0;
  double latency_max_ms = 0;
  uint64_t latency_samples = 0;
  std::string error;  // a batch the tailer could not turn into view input (a bug), else empty
};

// How far the tailer is behind its log: what a query's staleness is computed from.
struct TailerLag {
  uint64_t backlog = 0;          // events appended and not yet read, over every partition
  double events_per_second = 0;  // as TailerStatus
};

class StreamTailer {
 public:
  StreamTailer(std::shared_ptr<log::StreamLog> log, std::shared_ptr<EpochBoundaries> boundaries,
               EmittedCallback on_emitted, TailerOptions options = {});
  ~StreamTailer();
  StreamTailer(const StreamTailer&) = delete;
  StreamTailer& operator=(const StreamTailer&) = delete;

  // Starts feeding `view` from `start_offsets` (one per partition; below the log's start: from
  // its start). A view of the same name is replaced.
  void AddView(std::shared_ptr<SpeedView> view, std::vector<uint64_t> start_offsets);
  void RemoveView(const std::string& name);
  size_t num_views() const;

  // Blocks until every view has read up to `offsets` (one per partition) and the tailer has
  // then looked at the idle log once (moving the views' clocks), or `timeout` passes; returns
  // whether it did. For tests and commands that want read-your-writes.
  bool WaitUntilRead(const std::vector<uint64_t>& offsets, Duration timeout) const;

  TailerStatus Describe() const;
  // Describe's backlog (summed) and events_per_second only: cheap enough for every query.
  TailerLag Lag() const;
  const std::shared_ptr<EpochBoundaries>& boundaries() const { return boundaries_; }

 private:
  struct ViewFeed {
    std::shared_ptr<SpeedView> view;
    std::vector<uint64_t> next;  // per partition: the first offset the view has not seen
  };
  void Run(std::stop_token stop);
  // Reads more of every partition whose buffer is empty.
  void Refill(const std::vector<uint64_t>& positions);
  // Counts consecutive batches of one partition (offsets contiguous) as one chunk.
  void Process(int partition, std::vector<log::RecordBatch> batches);
  Result<Chunk> InputOf(int partition, std::vector<log::RecordBatch>& batches) const;
  // Under mu_: the next offset every view has read to in partition p (its end when no view
  // reads), and the events per second over the kept samples.
  uint64_t PositionLocked(size_t p) const;
  double EventsPerSecondLocked() const;
  static constexpr size_t kMaxGroupRows = 65536;

  std::shared_ptr<log::StreamLog> log_;
  std::shared_ptr<EpochBoundaries> boundaries_;
  EmittedCallback on_emitted_;
  TailerOptions options_;

  mutable std::mutex mu_;  // guards feeds_, the figures below
  mutable std::condition_variable_any progress_;
  std::map<std::string, ViewFeed> feeds_;
  uint64_t events_ = 0;
  LatencyHistogram latency_;
  double latency_max_ms_ = 0;
  std::vector<std::pair<Timestamp, uint64_t>> rate_samples_;  // (when, events) for events/s
  uint64_t feeds_version_ = 0;  // bumps on AddView/RemoveView
  uint64_t idle_rounds_ = 0;    // looks at a fully read log
  std::string error_;

  // Tailer thread only.
  std::vector<std::vector<log::RecordBatch>> buffered_;  // per partition, in offset order
  std::vector<size_t> buffered_head_;
  std::vector<uint64_t> read_to_;  // per partition: end of what is buffered
  uint64_t seen_feeds_version_ = 0;
  mutable SchemaPtr events_schema_;  // the log's schema the cached view input schema extends
  mutable SchemaPtr input_schema_;
  std::jthread thread_;  // last
};

}  // namespace braid::speed
