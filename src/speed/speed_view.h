// SpeedView: the speed layer's state of one view (DESIGN.md speed/, SEMANTICS.md): the events of
// its stream as they arrive, run through the view's plan with the same code as the batch layer
// (sql/view_input.h evaluation, sql/window_assignment.h windows, batch::HashAggregator cells of
// agg/ states), one aggregator per generation (the capture epoch the events' offsets fall in).
//
// Per batch of one partition, in offset order, each event is judged against the view's watermark
// (view_clock.h): late when every window containing it ends before Wc - allowed_lateness (for a
// session view: when t + allowed_lateness < Wc); a late event is counted at t := Wc (`adjust`) or
// not at all (`drop`); a hopping window's already-emitted windows never get an event. On-time
// events raise the watermark. Whenever Wc passes window ends, those windows are emitted once,
// final: their rows (over every generation the view holds) go to the caller (alerts). Session
// views emit at most once per second of processing time (a session whose end has passed cannot
// change, so this only delays its alert). Events with a NULL event time are counted and skipped.
//
// Generations: Absorbed(B) says the batch view now holds every event of epochs <= B. Queries
// (Rows) read only generations > B; generations <= B are dropped once all their windows were
// emitted (at once for unwindowed views).
//
// Emitted rows (only built while rows_wanted(), i.e. the view has alert rules) cover whole
// windows: a tumbling or hopping window's row merges the batch view's states of epochs <= B
// (batch_states.h) with the generations > B, so an alert sees every event also after a restart
// that replayed only the unabsorbed log; without a batch source (or before any batch version)
// every generation held counts; a view's first round (no kept frontier) reads no batch history.
// Session rows come from the generations held only. The emitted
// frontier (windows ending before it were emitted) is kept in `frontier_file` when one is given,
// so a restart does not emit those windows again; it is written after each round that emitted,
// without fsync (after a power cut a window may be emitted again; alert ids dedupe it).
//
// Queries' rows of cells a generation holds alone are kept by it and given again while the cell is
// unchanged (batch::AggregatorOptions::read_cache_rows, up to 65,536 rows per generation).
//
// Thread-safe: one tailer calls Consume/Advance; queries and status may run concurrently, with
// each other too (they share the view's lock, and a waiting consumer goes before new queries;
// reading a state never changes it but for lazily sorted values, which agg/ does thread-safely).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <vector>

#include "batch/hash_aggregator.h"
#include "common/chunk.h"
#include "common/shared_mutex.h"
#include "common/status.h"
#include "speed/batch_states.h"
#include "speed/view_clock.h"
#include "sql/stream_definition.h"
#include "sql/view_plan.h"

namespace braid::speed {

struct SpeedViewOptions {
  ClockOptions clock;
  Duration allowed_lateness;
  sql::OutOfOrderPolicy policy = sql::OutOfOrderPolicy::kAdjust;
  size_t memory_limit = size_t{4} << 30;  // per view; beyond it the view fails (kOutOfMemory)
  std::filesystem::path frontier_file;    // empty: the emitted frontier is not kept
};

// The view's options from its stream's definition.
SpeedViewOptions SpeedViewOptionsFor(const sql::StreamDefinition& stream, size_t memory_limit);

struct SpeedCounters {
  uint64_t events = 0;        // source events seen (before WHERE)
  uint64_t counted = 0;       // events the view counted (WHERE kept, not dropped)
  uint64_t late = 0;          // kept events that were late
  uint64_t adjusted = 0;      // late events counted at the watermark
  uint64_t dropped = 0;       // late events left to the batch layer
  uint64_t out_of_order = 0;  // events older than their partition's newest event
  uint64_t null_time = 0;     // events without an event time (skipped)
  uint64_t emitted_rows = 0;  // window rows emitted
};

// The speed rows of a view, for queries: batch::BatchViewSchema rows over the generations newer
// than `absorbed_epoch` (outputs and `_having`; the state columns are left empty).
struct SpeedRows {
  std::vector<Chunk> rows;
  int64_t absorbed_epoch = 0;
  int64_t watermark = kNoWatermark;
  std::vector<int64_t> generations;  // those read
};

struct SpeedViewStatus {
  int64_t watermark = kNoWatermark;
  std::vector<int64_t> partition_watermarks;
  int64_t absorbed_epoch = 0;
  std::vector<int64_t> generations;  // held, ascending (some <= absorbed until emitted)
  size_t groups = 0;
  size_t state_bytes = 0;
  // The speed rows kept for reads (AggregatorOptions::read_cache_rows): rows and bytes those of
  // the held generations hold now; hits and misses since the view started, dropped generations'
  // included.
  batch::ReadCacheStats kept_rows;
  SpeedCounters counters;
  std::string error;  // why the view stopped, empty while it runs
};

// Where one log batch ends among the rows given to SpeedView::Consume, and when it was appended.
struct BatchMark {
  size_t end = 0;  // one past its last row
  Timestamp appended;
};

class SpeedView {
 public:
  // `batch` (may be null) must outlive the view.
  SpeedView(sql::ViewPlanPtr plan, SpeedViewOptions options, int64_t absorbed_epoch,
            BatchStates* batch = nullptr);
  ~SpeedView();
  SpeedView(const SpeedView&) = delete;
  SpeedView& operator=(const SpeedView&) = delete;

  // Rows [begin, end) of `input` (plan().input_schema: the stream's columns, _ingested_at,
  // _partition, _offset), consecutive events of `partition` appended at `tau`, all of
  // `generation`. Rows of windows this made final are appended to *emitted (BatchViewSchema).
  // An error (an expression failing at run time, the memory limit) stops the view: it is
  // returned now and by every later call.
  Status Consume(const Chunk& input, size_t begin, size_t end, int partition, int64_t generation,
                 Timestamp tau, std::vector<Chunk>* emitted);
  // The same for rows of several consecutive batches of `partition`: `batches` (ascending ends,
  // the last at or past `end`) says where each batch ends and when it was appended, so each
  // batch's events are judged exactly as if it had come alone.
  Status Consume(const Chunk& input, size_t begin, size_t end, int partition, int64_t generation,
                 std::span<const BatchMark> batches, std::vector<Chunk>* emitted);
  // The processing clock moved to `tau` without a batch (idle partitions), see view_clock.h.
  Status Advance(Timestamp tau, std::vector<Chunk>* emitted);
  // The batch view holds every event of epochs <= epoch (see the header comment).
  void Absorbed(int64_t epoch);
  // Whether emission builds rows (the view has alert rules); otherwise windows are only marked
  // emitted. Default true.
  void set_rows_wanted(bool wanted) { rows_wanted_.store(wanted); }
  bool rows_wanted() const { return rows_wanted_.load(); }

  Result<SpeedRows> Rows() const;
  // Merges copies of the generations > after_epoch into `into` (an aggregator of plan()) and
  // says what was read (rows left empty): the serving layer merges them with the batch view
  // that absorbed after_epoch. When absorbed_epoch > after_epoch, generations in
  // (after_epoch, absorbed_epoch] may be gone: the caller must re-read the newer batch view.
  // Only the cells `filter` admits are copied (a query's point or range lookup).
  Result<SpeedRows> MergeInto(batch::HashAggregator& into, int64_t after_epoch,
                              const batch::CellFilter& filter = {}) const;
  // The same read for a merged query, without copying most cells: under the view's lock, the
  // generations > after_epoch are read beside the stored batch rows `stored` (identity
  // `stored_identity`, 0: none) as batch::HashAggregator::ReadBeside says, into *read. Not for
  // session views (kUnsupported).
  Result<SpeedRows> ReadBeside(int64_t after_epoch, const batch::CellFilter& filter,
                               std::span<const Chunk> stored,
                               const batch::HashAggregator::StoredStates& states_of,
                               bool with_states, uint64_t stored_identity,
                               batch::HashAggregator::RowsBeside* read) const;
  SpeedViewStatus Describe() const;
  const sql::ViewPlan& plan() const { return *plan_; }
  const sql::ViewPlanPtr& plan_ptr() const { return plan_; }
  int64_t watermark() const;

 private:
  struct Generation {
    std::unique_ptr<batch::HashAggregator> cells;
    int64_t max_end = INT64_MIN;  // latest window end (session: bound) any event reached
  };
  struct Run;
  Generation& GenerationLocked(int64_t generation);
  Status ConsumeLocked(const Chunk& input, size_t begin, size_t end, int partition,
                       int64_t generation, std::span<const BatchMark> batches,
                       std::vector<Chunk>* emitted);
  Status FlushRun(const Chunk& input, Run& run, Generation& generation);
  // Emits the windows that end before Wc - allowed_lateness and were not emitted yet.
  Status EmitLocked(std::vector<Chunk>* emitted);
  // Whether EmitLocked or DropAbsorbedLocked has anything to do (a shared lock is enough).
  bool EmitDueLocked() const;
  bool DropDueLocked() const;
  Status EmitSessionsLocked(int64_t high, std::vector<Chunk>* emitted);
  // Whether a window end lies in [low, high) on the view's grid (tumbling and hopping).
  bool GridEndIn(int64_t low, int64_t high) const;
  void SaveFrontierLocked();
  void DropAbsorbedLocked();
  size_t MemoryBytesLocked() const;
  // The latest window end containing t (a session view: t itself).
  int64_t LatestEnd(int64_t t) const;
  // The earliest window end containing t that is >= floor (what the event opens first).
  int64_t EarliestOpenEnd(int64_t t, int64_t floor) const;

  const sql::ViewPlanPtr plan_;
  const SpeedViewOptions options_;
  BatchStates* const batch_;
  std::atomic<bool> rows_wanted_{true};
  mutable SharedMutex mu_;  // shared by reads (queries), exclusive for consuming
  ViewClock clock_;
  std::map<int64_t, Generation> generations_;
  int64_t absorbed_ = 0;
  int64_t emitted_through_ = INT64_MIN;  // windows ending before this were emitted
  std::set<int64_t> open_ends_;          // window ends of cells not emitted yet
  Timestamp next_session_round_;
  SpeedCounters counters_;
  batch::ReadCacheStats dropped_kept_rows_;  // hits and misses of the generations dropped
  Status error_;
  std::vector<uint8_t> kept_;  // per batch: 1 where the WHERE keeps the row
};

}  // namespace braid::speed
