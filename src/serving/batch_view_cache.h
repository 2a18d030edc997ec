// BatchViewCache: the stored rows of served batch view versions held in memory for queries, with
// an index for point and range lookups (issue 7). An entry is one snapshot of one version's
// Delta table (view, version, Delta table version): every BatchViewSchema row (outputs, `_having`
// and the serialized states), a list of the rows ordered by window_end, and a hash index from the
// key columns' values to their rows (ordered by window_end). The files' chunks are kept, but each
// one's rows are put in key order, then window_end (a clustered index): a key's rows in a chunk
// are one run, which a point read copies in bulk. A refresh commits a new Delta
// version, so a query reads a new entry; entries of older snapshots are dropped when unused.
//
// Memory bound: `capacity_bytes` ([query] cache_bytes, default 1 GiB) for all entries, least
// recently used evicted first. A snapshot larger than the whole bound is not kept: each query
// then reads the files it needs (those whose window_end range meets the query's, or all) and
// indexes them for that query only. Entries are immutable
// and shared (std::shared_ptr), so a query keeps reading its entry while a refresh replaces it.
// Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "batch/batch_view_table.h"
#include "common/chunk.h"
#include "common/status.h"
#include "sql/view_plan.h"

namespace braid::serving {

// What a query asks of a view's rows, as far as an index can answer it: equality on key columns
// (each key either unconstrained or one of some values) and an inclusive window_end range.
// A reader may return rows outside it (the query's WHERE decides) but never misses one inside;
// CachedBatchView::Find returns exactly the rows it admits.
struct CellLookup {
  // Per key of the plan (plan.keys order): the allowed values, distinct (a column of the key's
  // type), or nullopt when the key is unconstrained.
  std::vector<std::optional<Column>> key_values;
  std::optional<int64_t> min_window_end;  // inclusive, microseconds
  std::optional<int64_t> max_window_end;  // inclusive
  // The lookup is the query's whole WHERE: a row the lookup admits is a row the WHERE keeps
  // (query_pushdown.h says when).
  bool holds_where = false;
};

class FoundRows;

// One snapshot's rows and their index.
class CachedBatchView {
 public:
  // A stored row: its chunk and its row there.
  struct RowRef {
    uint32_t chunk;
    uint32_t row;
  };

  // `cluster`: put each chunk's rows in key order (for an entry many reads share; one query's
  // own rows of a view too large to keep are only indexed).
  static Result<std::shared_ptr<const CachedBatchView>> Build(std::vector<Chunk> rows,
                                                              const sql::ViewPlan& plan,
                                                              bool cluster = true);
  // The rows of `view` matching `lookup` (or a superset), ordered by window_end.
  static FoundRows Find(std::shared_ptr<const CachedBatchView> view, const CellLookup& lookup);
  size_t memory_bytes() const { return memory_bytes_; }
  // A number no other view built in this process has (its rows and states are immutable), or 0
  // for the rows of one query (not clustered): what the speed layer keeps merged rows beside.
  uint64_t identity() const { return identity_; }
  size_t num_rows() const { return order_.size(); }

 private:
  friend class FoundRows;
  std::vector<RowRef> Locate(const CellLookup& lookup) const;
  bool KeysMatch(const RowRef& ref, const CellLookup& lookup) const;

  std::vector<Chunk> rows_;
  size_t num_keys_ = 0;
  size_t first_state_ = 0;  // the first state column of BatchViewSchema
  bool windowed_ = false;
  // The rows of one key hash, by window_end, with their window ends beside them, so a point
  // lookup finds its time range without touching the rows.
  struct KeyRows {
    std::vector<RowRef> refs;
    std::vector<int64_t> ends;  // refs[i]'s window_end (windowed views only)
    bool one_key = true;        // every row has refs[0]'s key values (no hash collision)
  };
  // The rows of `rows` (by window_end) that `lookup` admits: [begin, end) of rows.refs.
  std::pair<size_t, size_t> RangeOf(const KeyRows& rows, const CellLookup& lookup) const;

  std::vector<RowRef> order_;                      // every row, by window_end
  std::unordered_map<uint64_t, KeyRows> by_keys_;  // key hash -> its rows
  size_t memory_bytes_ = 0;
  uint64_t identity_ = 0;
};

// The rows a lookup found in one snapshot, ordered by window_end: read without their serialized
// states (what most reads need), and with them for the few rows a merge needs. Keeps the
// snapshot's rows alive.
class FoundRows {
 public:
  FoundRows() = default;
  FoundRows(std::shared_ptr<const CachedBatchView> view, std::vector<CachedBatchView::RowRef> refs)
      : view_(std::move(view)), refs_(std::move(refs)) {}

  // The rows as BatchViewSchema chunks (consecutive rows of one stored chunk in one chunk), with
  // their states when `with_states`, else with empty strings in the state columns.
  std::vector<Chunk> Rows(bool with_states) const;
  // The rows at `positions` (ascending, in the order Rows lists them) in one chunk, with their
  // states.
  Chunk WithStates(std::span<const uint32_t> positions) const;
  size_t size() const { return refs_.size(); }
  // The snapshot's CachedBatchView::identity() (0 when none was read).
  uint64_t identity() const { return view_ ? view_->identity() : 0; }

 private:
  Chunk Select(const Chunk& source, std::span<const uint32_t> rows, bool with_states) const;

  std::shared_ptr<const CachedBatchView> view_;
  std::vector<CachedBatchView::RowRef> refs_;
};

// A hash of the key cells `columns[0..n)` of row `row`, equal for equal values of equal types
// (NULLs included); the index and the merge of batch and speed cells use it.
uint64_t HashKeyCells(const std::vector<const Column*>& columns, size_t row);

// A served version's table and what its latest snapshot absorbed.
struct BatchSnapshot {
  std::shared_ptr<const batch::BatchViewTable> table;
  batch::BatchHorizon horizon;
};

class BatchViewCache {
 public:
  explicit BatchViewCache(size_t capacity_bytes) : capacity_bytes_(capacity_bytes) {}

  // The latest snapshot of version `version` of `plan`'s view under data_dir, remembered until
  // Invalidate(view), which also forgets its cached rows (the batch jobs call it after every
  // commit they publish; DROP VIEW calls it too).
  Result<BatchSnapshot> Snapshot(const std::filesystem::path& data_dir,
                                 const sql::ViewPlanPtr& plan, int64_t version);
  void Invalidate(std::string_view view);

  // The rows of `table`'s snapshot `table_version` (version `version` of plan's view) that
  // `lookup` asks for: from the cached entry, building it on first use when it fits (else from
  // the files the lookup needs, indexed for this query only).
  Result<FoundRows> Find(const batch::BatchViewTable& table, const sql::ViewPlan& plan,
                         int64_t version, int64_t table_version, const CellLookup& lookup);

  // Whether a read of `view`'s served batch rows needs no file: its latest snapshot is known
  // and that snapshot's rows are cached. A view never read since its last commit (or since
  // start), or too large for the cache, is not.
  bool HoldsRowsOf(std::string_view view) const;

  size_t memory_bytes() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const CachedBatchView> view;
  };
  std::shared_ptr<const CachedBatchView> Get(const std::string& key);
  bool TooLarge(const std::string& key) const;
  void Put(const std::string& key, std::shared_ptr<const CachedBatchView> view,
           const std::string& view_prefix);

  const size_t capacity_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recent first
  size_t bytes_ = 0;
  std::set<std::string> too_large_;                 // snapshots that did not fit
  std::map<std::string, BatchSnapshot> snapshots_;  // by "{view}/v{version}"
};

}  // namespace braid::serving
