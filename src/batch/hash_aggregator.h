// HashAggregator: the batch layer's grouped aggregation of a ViewPlan (DESIGN.md batch/). Source
// rows (plan.input_schema) go through the plan's filter, event time, keys and window assignment
// (sql/expression_evaluator.h, sql/window_assignment.h: the same code the reference executor and
// the speed layer run) into a hash table of (keys, window) cells whose payload is one state per
// aggregate (agg/aggregate_function.h), updated with the descriptors' vectorized scatter update.
// The table uses open addressing over normalized key bytes; states live in arena blocks owned by
// the aggregator and are destroyed with it. Session windows buffer each row's time, order
// (_partition, _offset) and inputs, and assign sessions by sorting per PARTITION BY value at
// Finish.
//
// Results equal ReferenceExecutor's (the definition of correctness), cell for cell.
//
// Memory: the aggregator counts the bytes it holds (table, arenas, state heap estimates, session
// buffers); past `memory_limit` Consume fails with kOutOfMemory naming the view, the limit and
// the group count, before the OS would kill the process. One aggregator per thread; MergeFrom
// combines per-thread aggregators, or FinishParts reads their cells together without moving
// them. Not thread-safe, but for ReadBeside's kept rows (see there).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "batch/batch_view_rows.h"
#include "batch/group_table.h"
#include "common/chunk.h"
#include "common/status.h"
#include "sql/view_input.h"
#include "sql/view_plan.h"

namespace braid::batch {

// Which cells HashAggregator::MergeCopiesInto copies: window_end in [min_end, max_end) (windowed
// views), and, when `keys` is not empty, group keys equal to one of its entries (CellKeysOf).
struct CellFilter {
  int64_t min_end = INT64_MIN;
  int64_t max_end = INT64_MAX;
  std::vector<std::string> keys;  // normalized group key bytes (without the window)
};

// The normalized group key bytes of rows [0, rows) of `keys` (one column per group key, in the
// plan's order, of the keys' types), for CellFilter::keys.
std::vector<std::string> CellKeysOf(std::span<const Column* const> keys, size_t rows);

struct AggregatorOptions {
  size_t memory_limit = size_t{4} << 30;  // bytes; [batch] memory_limit in braid.toml
  // Keep the set of window ends as cells are created (the speed layer), so WindowEnds is cheap
  // and MergeCopiesInto with keys probes cells instead of scanning them all.
  bool track_window_ends = false;
  // kSmall for a query's scratch aggregator of a few cells (group_table.h).
  TableSize table_size = TableSize::kLarge;
  // When not 0: ReadBeside without states keeps the rows it builds of cells this aggregator holds
  // alone (no other source, no stored row shares them), at most this many, and gives them again
  // while their cell is unchanged (the speed layer's generations: a point query reads a key's
  // cells again and again, and only its open windows get events). Exact: every change of a cell
  // (ConsumeEvaluated stamps the cells it updates; any other change stamps them all) makes its
  // kept row stale. Past the bound the kept rows are dropped and kept anew. They are a cache and
  // not counted in memory_bytes() (nor against the memory limit); read_cache_stats() tells.
  size_t read_cache_rows = 0;
};

// What an aggregator's kept rows (AggregatorOptions::read_cache_rows) served.
struct ReadCacheStats {
  uint64_t hits = 0;    // rows ReadBeside gave from the kept ones
  uint64_t misses = 0;  // rows of cells held alone that it built (and kept, when they fit)
  size_t rows = 0;      // rows kept now, stale ones included
  size_t bytes = 0;     // what they hold
};

class HashAggregator {
 public:
  HashAggregator(sql::ViewPlanPtr plan, AggregatorOptions options);
  ~HashAggregator();
  HashAggregator(const HashAggregator&) = delete;
  HashAggregator& operator=(const HashAggregator&) = delete;

  // Adds source rows (plan().input_schema).
  Status Consume(const Chunk& rows);
  // Adds rows the plan's WHERE kept (`kept`, input_schema), already evaluated by
  // sql::EvaluateRows, whose event times the caller may have replaced (the speed layer adjusts
  // late events). When `min_window_ends` is not empty (one per row), a row's windows ending
  // before its entry get nothing (the speed layer's already-emitted windows of a hopping view).
  Status ConsumeEvaluated(const sql::EvaluatedRows& evaluated, const Chunk& kept,
                          std::span<const int64_t> min_window_ends = {});

  // Merges stored batch view rows (BatchViewSchema(plan()), batch_view_table.h): each row's state
  // columns are deserialized and merged into its cell. Incremental refresh starts from these.
  // kCorruption for undecodable states. Not for session windows (kUnsupported).
  Status ConsumeStates(const Chunk& stored_rows);

  // Per row of stored batch view rows (BatchViewSchema(plan()), as for ConsumeStates): 1 when
  // this aggregator has that row's cell (keys, window_end). Not for session windows.
  std::vector<uint8_t> HasCells(const Chunk& stored_rows) const;

  // Moves every cell of `other` (same plan) into this one; `other` is left empty.
  Status MergeFrom(HashAggregator& other);
  // Merges copies of this aggregator's cells whose window_end lies in [min_end, max_end) (every
  // cell of an unwindowed view; every buffered row of a session view) into `target` (same plan).
  // This aggregator is unchanged.
  Status MergeCopiesInto(HashAggregator& target, int64_t min_end = INT64_MIN,
                         int64_t max_end = INT64_MAX) const;
  // The same for the cells `filter` admits (every buffered row of a session view).
  Status MergeCopiesInto(HashAggregator& target, const CellFilter& filter) const;

  // The batch view rows (BatchViewSchema(plan())) of every cell, ordered by window_end then keys
  // (NULLs first), in chunks of at most `rows_per_chunk` rows that never span two window dates
  // (UTC days of window_end), built on `threads` threads. HAVING is not applied (it is evaluated
  // after the merge with the speed layer); `_having` holds its value for readers. The rows count
  // against the memory limit with the cells: kOutOfMemory when both do not fit.
  // Without `with_states` the state columns hold empty strings (rows to read values from only).
  Result<std::vector<Chunk>> Finish(size_t rows_per_chunk = 65536, size_t threads = 1,
                                    bool with_states = true);

  // The rows (as Finish) of the cells whose window_end lies in [min_end, max_end) only, without
  // copying them (the speed layer's closing windows). Not for session windows (kUnsupported).
  Result<std::vector<Chunk>> FinishWindows(int64_t min_end, int64_t max_end,
                                           bool with_states = true);

  // The rows (as Finish) of the cells of `parts` together: aggregators of one view that
  // aggregated disjoint inputs (batch_executor.h's RunAggregationParts), the first one's memory
  // limit standing for all of them. A cell several parts hold is merged into the first of them
  // that holds it (the later ones keep a state that no row reads); every other cell is read
  // where it is, never moved or copied, on `threads` threads.
  static Result<std::vector<Chunk>> FinishParts(
      std::span<const std::unique_ptr<HashAggregator>> parts, size_t rows_per_chunk = 65536,
      size_t threads = 1, bool with_states = true);

  // What ReadBeside read.
  struct RowsBeside {
    // The rows (as Finish) of the cells read: those the filter admits and those stored rows
    // share, ordered by window_end then keys.
    std::vector<Chunk> rows;
    // Per row of `rows`, in order over the chunks: 1 when stored states were merged into it.
    std::vector<uint8_t> with_stored;
    // Per stored chunk, per row: 1 when a source holds the row's cell (the row is in `rows`).
    std::vector<std::vector<uint8_t>> shared;
  };
  // The stored rows at some positions (ascending, counted over the stored chunks in order) with
  // their serialized states, in one chunk.
  using StoredStates = std::function<Result<Chunk>(std::span<const uint32_t> positions)>;
  // For a merged read of `sources` (aggregators of one tumbling, hopping or unwindowed view,
  // e.g. the speed layer's generations) beside stored rows `stored` (BatchViewSchema, states
  // not needed): the rows of the cells `filter` admits and of the cells a stored row shares,
  // each cell once with the states of every source that holds it and, for a shared cell, the
  // stored row's states (from `states_of`). A cell that one source holds alone is finalized where
  // it lies, without a copy; the others are merged in copies. The sources are only read
  // (finishing may normalize their states in place, so no other thread may use them
  // meanwhile), but for the rows they keep (read_cache_rows, under their own lock: concurrent
  // reads of the same sources are safe). `stored_identity` names the stored rows (the same
  // identity: the same rows and states), or is 0 when they have none: a source keeps the row it
  // built of a shared cell only with that identity, and gives it only beside the same rows.
  // Rows come in one chunk when some were kept ones. Session views: kUnsupported.
  static Result<RowsBeside> ReadBeside(std::span<const HashAggregator* const> sources,
                                       const CellFilter& filter, std::span<const Chunk> stored,
                                       const StoredStates& states_of, bool with_states,
                                       uint64_t stored_identity = 0);

  size_t groups() const;
  // The distinct window_end values of the cells of a tumbling or hopping view (empty otherwise).
  // A scan of every cell unless track_window_ends.
  std::set<int64_t> WindowEnds() const;
  size_t memory_bytes() const;
  ReadCacheStats read_cache_stats() const;
  // Changes the memory limit (e.g. when one thread's aggregator becomes the merged one).
  void set_memory_limit(size_t bytes) { options_.memory_limit = bytes; }
  const sql::ViewPlan& plan() const { return *plan_; }

 private:
  struct Impl;
  Status CheckMemory() const;
  // kInvalidArgument unless `other` is another aggregator of the same view.
  Status CheckMergeable(const HashAggregator& other) const;
  Status MergeStoredStates(const Chunk& stored_rows);
  // Every cell changed (read_cache_rows): a change other than ConsumeEvaluated's.
  void ChangedAll();
  // ReadBeside's kept rows: the rows of cells[k] (cells of `sources`) that their source kept at
  // the cell's version beside stored rows `stored` (0: none) are appended to *kept; returns the
  // k of the others. (*versions)[k] is cell k's version.
  static std::vector<uint32_t> FindKeptRows(std::span<const HashAggregator* const> sources,
                                            std::span<const CellRef> cells, uint64_t stored,
                                            Chunk* kept, std::vector<uint64_t>* versions);
  // A row ReadBeside builds that its source keeps: the source's cell, at `version`, beside
  // stored rows `stored` (0: none).
  struct KeepAs {
    bool keep = false;
    CellRef cell;
    uint64_t version = 0;
    uint64_t stored = 0;
  };
  // Keeps the built rows of cells refs[k] as keep_as[k] says, with their sources that keep rows;
  // row_refs as BatchViewRowsOfCells gives it.
  static void KeepRows(std::span<const HashAggregator* const> sources,
                       std::span<const KeepAs> keep_as, const std::vector<Chunk>& rows,
                       std::span<const uint32_t> row_refs);

  sql::ViewPlanPtr plan_;
  AggregatorOptions options_;
  std::unique_ptr<Impl> impl_;
};

// The stored form of a batch view: the plan's output_schema columns (keys, window_start,
// window_end, outputs: final values over the batch states alone, readable by any Parquet reader),
// then `_having` BOOLEAN (HAVING over those values; TRUE without HAVING), then one binary column
// `_state_<i>` per aggregate (the serialized state, docs/formats/aggregate_states.md; stored as
// STRING in Chunks, written to Parquet as BYTE_ARRAY without the UTF8 annotation): the plan's
// stored_schema, derived once when it was bound.
SchemaPtr BatchViewSchema(const sql::ViewPlan& plan);
// The index of `_state_0` in BatchViewSchema(plan).
size_t FirstStateColumn(const sql::ViewPlan& plan);

}  // namespace braid::batch
