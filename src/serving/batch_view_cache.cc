#include "serving/batch_view_cache.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <utility>

#include "batch/hash_aggregator.h"
#include "batch/kept_rows.h"
#include "common/hash.h"
#include "lake/row_order.h"

namespace braid::serving {
namespace {

// Cache keys: a version's snapshot is "{view}/v{version}", the rows of one of its table versions
// "{view}/v{version}/{table_version}" (Invalidate drops every key under "{view}/v").
std::string SnapshotKey(std::string_view view, int64_t version) {
  return fmt::format("{}/v{}", CanonicalIdentifier(view), version);
}
std::string RowsKey(const std::string& snapshot_key, int64_t table_version) {
  return fmt::format("{}/{}", snapshot_key, table_version);
}

uint64_t Mix(uint64_t seed, uint64_t value) {
  return Hash64(static_cast<int64_t>(seed * 0x9E3779B97F4A7C15ull ^ value));
}

uint64_t HashCell(const Column& column, size_t row) {
  if (!column.IsValid(row)) return 0x6e756c6cull;  // "null"
  switch (column.type()) {
    case DataType::kBoolean:
      return column.bools()[row] ? 1 : 2;
    case DataType::kBigint:
    case DataType::kTimestamp:
      return Hash64(column.int64s()[row]);
    case DataType::kDouble: {
      double value = column.doubles()[row];
      if (value == 0) value = 0;  // -0.0 and +0.0 are one key
      int64_t bits = 0;
      std::memcpy(&bits, &value, sizeof bits);
      return Hash64(bits);
    }
    case DataType::kString:
      return Hash64(column.StringAt(row));
  }
  return 0;
}

bool CellsEqual(const Column& a, size_t i, const Column& b, size_t j) {
  if (a.IsValid(i) != b.IsValid(j)) return false;
  if (!a.IsValid(i)) return true;
  switch (a.type()) {
    case DataType::kBoolean:
      return a.bools()[i] == b.bools()[j];
    case DataType::kBigint:
    case DataType::kTimestamp:
      return a.int64s()[i] == b.int64s()[j];
    case DataType::kDouble:
      return a.doubles()[i] == b.doubles()[j] ||
             (std::isnan(a.doubles()[i]) && std::isnan(b.doubles()[j]));
    case DataType::kString:
      return a.StringAt(i) == b.StringAt(j);
  }
  return false;
}

}  // namespace

uint64_t HashKeyCells(const std::vector<const Column*>& columns, size_t row) {
  uint64_t hash = 0x62726169ull;  // "brai"
  for (const Column* column : columns) hash = Mix(hash, HashCell(*column, row));
  return hash;
}

Result<std::shared_ptr<const CachedBatchView>> CachedBatchView::Build(std::vector<Chunk> rows,
                                                                      const sql::ViewPlan& plan,
                                                                      bool cluster) {
  auto view = std::make_shared<CachedBatchView>();
  view->num_keys_ = plan.keys.size();
  view->first_state_ = batch::FirstStateColumn(plan);
  view->windowed_ = plan.window.has_value();
  view->rows_ = std::move(rows);
  if (cluster) {
    static std::atomic<uint64_t> built{0};
    view->identity_ = built.fetch_add(1, std::memory_order_relaxed) + 1;
  }
  if (cluster && view->num_keys_ > 0) {
    // Each chunk's rows by keys, then window_end: a key's rows lie together, so a point read
    // copies a run of each column instead of rows strewn over the chunk (one cache miss each).
    std::vector<size_t> sort_keys(view->num_keys_);
    std::iota(sort_keys.begin(), sort_keys.end(), size_t{0});
    if (view->windowed_) sort_keys.push_back(view->num_keys_ + 1);
    for (Chunk& chunk : view->rows_) {
      const std::vector<uint32_t> order = lake::SortedRowOrder(chunk, sort_keys);
      if (!std::is_sorted(order.begin(), order.end())) chunk = chunk.Select(order);
    }
  }
  for (uint32_t c = 0; c < view->rows_.size(); ++c) {
    const Chunk& chunk = view->rows_[c];
    view->memory_bytes_ += chunk.MemoryBytes();
    std::vector<const Column*> keys;
    for (size_t k = 0; k < view->num_keys_; ++k) keys.push_back(&chunk.column(k));
    for (uint32_t r = 0; r < chunk.num_rows(); ++r) {
      view->order_.push_back(RowRef{c, r});
      view->by_keys_[HashKeyCells(keys, r)].refs.push_back(RowRef{c, r});
    }
  }
  const size_t end_column = view->num_keys_ + 1;
  auto end_of = [&](const RowRef& ref) {
    return view->rows_[ref.chunk].column(end_column).int64s()[ref.row];
  };
  if (view->windowed_) {
    auto by_end = [&](const RowRef& a, const RowRef& b) { return end_of(a) < end_of(b); };
    std::stable_sort(view->order_.begin(), view->order_.end(), by_end);
    for (auto& [hash, rows] : view->by_keys_) {
      std::stable_sort(rows.refs.begin(), rows.refs.end(), by_end);
      rows.ends.reserve(rows.refs.size());
      for (const RowRef& ref : rows.refs) rows.ends.push_back(end_of(ref));
    }
  }
  for (auto& [hash, rows] : view->by_keys_) {
    const Chunk& first = view->rows_[rows.refs[0].chunk];
    for (const RowRef& ref : rows.refs) {
      const Chunk& chunk = view->rows_[ref.chunk];
      for (size_t k = 0; k < view->num_keys_ && rows.one_key; ++k) {
        rows.one_key = CellsEqual(first.column(k), rows.refs[0].row, chunk.column(k), ref.row);
      }
    }
  }
  view->memory_bytes_ +=
      view->order_.size() * (sizeof(RowRef) * 2 + sizeof(int64_t)) + view->by_keys_.size() * 96;
  return std::shared_ptr<const CachedBatchView>(std::move(view));
}

std::pair<size_t, size_t> CachedBatchView::RangeOf(const KeyRows& rows,
                                                   const CellLookup& lookup) const {
  if (!windowed_) return {0, rows.refs.size()};
  const auto first = lookup.min_window_end ? std::lower_bound(rows.ends.begin(), rows.ends.end(),
                                                              *lookup.min_window_end)
                                           : rows.ends.begin();
  const auto last = lookup.max_window_end
                        ? std::upper_bound(first, rows.ends.end(), *lookup.max_window_end)
                        : rows.ends.end();
  return {static_cast<size_t>(first - rows.ends.begin()),
          static_cast<size_t>(last - rows.ends.begin())};
}

bool CachedBatchView::KeysMatch(const RowRef& ref, const CellLookup& lookup) const {
  const Chunk& chunk = rows_[ref.chunk];
  for (size_t k = 0; k < lookup.key_values.size() && k < num_keys_; ++k) {
    const std::optional<Column>& values = lookup.key_values[k];
    if (!values) continue;
    bool any = false;
    for (size_t v = 0; v < values->size() && !any; ++v) {
      any = values->type() == chunk.column(k).type() &&
            CellsEqual(chunk.column(k), ref.row, *values, v);
    }
    if (!any) return false;
  }
  return true;
}

Chunk FoundRows::Select(const Chunk& source, std::span<const uint32_t> rows,
                        bool with_states) const {
  if (with_states) return source.Select(rows);
  // A point read's rows are usually one run of consecutive rows (Build clusters each key's).
  Chunk selected = batch::EmptyRowsWithRoom(source.schema());  // `_source` added by reads
  selected.AppendRowsOf(source, rows, view_->first_state_);
  return selected;
}

std::vector<Chunk> FoundRows::Rows(bool with_states) const {
  // Consecutive refs of one chunk become one selection, so the window_end order is kept.
  std::vector<Chunk> out;
  std::vector<uint32_t> rows;
  for (size_t i = 0; i < refs_.size(); ++i) {
    rows.push_back(refs_[i].row);
    if (i + 1 == refs_.size() || refs_[i + 1].chunk != refs_[i].chunk) {
      out.push_back(Select(view_->rows_[refs_[i].chunk], rows, with_states));
      rows.clear();
    }
  }
  return out;
}

Chunk FoundRows::WithStates(std::span<const uint32_t> positions) const {
  if (positions.empty()) return Chunk();
  Chunk out(view_->rows_[refs_[positions.front()].chunk].schema());
  for (const uint32_t position : positions) {
    const CachedBatchView::RowRef& ref = refs_[position];
    out.AppendRow(view_->rows_[ref.chunk], ref.row);
  }
  return out;
}

FoundRows CachedBatchView::Find(std::shared_ptr<const CachedBatchView> view,
                                const CellLookup& lookup) {
  std::vector<RowRef> refs = view->Locate(lookup);
  return FoundRows(std::move(view), std::move(refs));
}

std::vector<CachedBatchView::RowRef> CachedBatchView::Locate(const CellLookup& lookup) const {
  // Point lookups: every key constrained, a few combinations of values.
  bool all_keys = num_keys_ > 0 && lookup.key_values.size() == num_keys_;
  size_t combinations = 1;
  for (const std::optional<Column>& values : lookup.key_values) {
    if (!values) all_keys = false;
    if (values) combinations *= std::max<size_t>(values->size(), 1);
  }
  std::vector<RowRef> found;
  if (all_keys && combinations <= 4096) {
    std::vector<size_t> pick(num_keys_, 0);
    for (size_t n = 0; n < combinations; ++n) {
      uint64_t hash = 0x62726169ull;
      for (size_t k = 0; k < num_keys_; ++k)
        hash = Mix(hash, HashCell(*lookup.key_values[k], pick[k]));
      auto it = by_keys_.find(hash);
      if (it != by_keys_.end()) {
        const KeyRows& rows = it->second;
        const auto [begin, end] = RangeOf(rows, lookup);
        if (rows.one_key) {  // one key's rows: they all match the lookup's keys, or none does
          if (begin < end && KeysMatch(rows.refs[begin], lookup)) {
            found.insert(found.end(), rows.refs.begin() + static_cast<ptrdiff_t>(begin),
                         rows.refs.begin() + static_cast<ptrdiff_t>(end));
          }
        } else {
          for (size_t i = begin; i < end; ++i) {
            if (KeysMatch(rows.refs[i], lookup)) found.push_back(rows.refs[i]);
          }
        }
      }
      for (size_t k = 0; k < num_keys_ && ++pick[k] == lookup.key_values[k]->size(); ++k) {
        pick[k] = 0;
      }
    }
    if (windowed_ && combinations > 1) {
      const size_t end_column = num_keys_ + 1;
      std::stable_sort(found.begin(), found.end(), [&](const RowRef& a, const RowRef& b) {
        return rows_[a.chunk].column(end_column).int64s()[a.row] <
               rows_[b.chunk].column(end_column).int64s()[b.row];
      });
    }
    return found;
  }
  // Range scans: binary search on window_end, then the key filter.
  auto first = order_.begin(), last = order_.end();
  if (windowed_) {
    const size_t end_column = num_keys_ + 1;
    auto end_of = [&](const RowRef& ref) {
      return rows_[ref.chunk].column(end_column).int64s()[ref.row];
    };
    if (lookup.min_window_end) {
      first = std::partition_point(order_.begin(), order_.end(), [&](const RowRef& ref) {
        return end_of(ref) < *lookup.min_window_end;
      });
    }
    if (lookup.max_window_end) {
      last = std::partition_point(first, order_.end(), [&](const RowRef& ref) {
        return end_of(ref) <= *lookup.max_window_end;
      });
    }
  }
  for (auto it = first; it != last; ++it) {
    if (KeysMatch(*it, lookup)) found.push_back(*it);
  }
  return found;
}

Result<FoundRows> BatchViewCache::Find(const batch::BatchViewTable& table,
                                       const sql::ViewPlan& plan, int64_t version,
                                       int64_t table_version, const CellLookup& lookup) {
  const std::string snapshot_key = SnapshotKey(plan.name, version);
  const std::string prefix = snapshot_key + "/";
  const std::string key = RowsKey(snapshot_key, table_version);
  if (std::shared_ptr<const CachedBatchView> cached = Get(key)) {
    return CachedBatchView::Find(std::move(cached), lookup);
  }
  std::vector<Chunk> rows;
  const bool too_large = TooLarge(key);
  if (too_large && plan.window && (lookup.min_window_end || lookup.max_window_end)) {
    // Not cacheable: read only the files whose window range meets the lookup's.
    const int64_t low = lookup.min_window_end.value_or(INT64_MIN);
    const int64_t high = lookup.max_window_end.value_or(INT64_MAX - 1) + 1;
    ASSIGN_OR_RETURN(batch::BatchViewTable::WindowRange range, table.ReadWindowRange(low, high));
    rows = std::move(range.rows);
  } else {
    ASSIGN_OR_RETURN(rows, table.Read(std::nullopt));
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const CachedBatchView> built,
                   CachedBatchView::Build(std::move(rows), plan, /*cluster=*/!too_large));
  FoundRows found = CachedBatchView::Find(built, lookup);
  if (too_large) return found;
  if (built->memory_bytes() <= capacity_bytes_) {
    Put(key, std::move(built), prefix);
  } else {
    std::lock_guard<std::mutex> lock(mu_);
    too_large_.insert(key);
  }
  return found;
}

Result<BatchSnapshot> BatchViewCache::Snapshot(const std::filesystem::path& data_dir,
                                               const sql::ViewPlanPtr& plan, int64_t version) {
  const std::string key = SnapshotKey(plan->name, version);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = snapshots_.find(key); it != snapshots_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(batch::BatchViewTable table,
                   batch::BatchViewTable::Open(data_dir, plan, version));
  BatchSnapshot snapshot;
  ASSIGN_OR_RETURN(snapshot.horizon, table.Horizon());
  snapshot.table = std::make_shared<const batch::BatchViewTable>(std::move(table));
  std::lock_guard<std::mutex> lock(mu_);
  snapshots_[key] = snapshot;
  return snapshot;
}

bool BatchViewCache::HoldsRowsOf(std::string_view view) const {
  const std::string prefix = CanonicalIdentifier(view) + "/v";
  std::lock_guard<std::mutex> lock(mu_);
  // Every commit invalidates the view's entries, so a remembered snapshot is the latest one.
  for (auto it = snapshots_.lower_bound(prefix);
       it != snapshots_.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    const std::string rows_key = RowsKey(it->first, it->second.horizon.table_version);
    for (const Entry& entry : lru_) {
      if (entry.key == rows_key) return true;
    }
  }
  return false;
}

void BatchViewCache::Invalidate(std::string_view view) {
  const std::string prefix = CanonicalIdentifier(view) + "/v";
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = snapshots_.begin(); it != snapshots_.end();) {
    it = it->first.rfind(prefix, 0) == 0 ? snapshots_.erase(it) : std::next(it);
  }
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (it->key.rfind(prefix, 0) == 0) {
      bytes_ -= it->view->memory_bytes();
      it = lru_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = too_large_.begin(); it != too_large_.end();) {
    it = it->rfind(prefix, 0) == 0 ? too_large_.erase(it) : std::next(it);
  }
}

bool BatchViewCache::TooLarge(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  return too_large_.count(key) > 0;
}

std::shared_ptr<const CachedBatchView> BatchViewCache::Get(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = lru_.begin(); it != lru_.end(); ++it) {
    if (it->key != key) continue;
    lru_.splice(lru_.begin(), lru_, it);
    return lru_.front().view;
  }
  return nullptr;
}

void BatchViewCache::Put(const std::string& key, std::shared_ptr<const CachedBatchView> view,
                         const std::string& view_prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  // Older snapshots of the same version are not read again once a newer one is served.
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (it->key == key || it->key.rfind(view_prefix, 0) == 0) {
      bytes_ -= it->view->memory_bytes();
      it = lru_.erase(it);
    } else {
      ++it;
    }
  }
  bytes_ += view->memory_bytes();
  lru_.push_front(Entry{key, std::move(view)});
  while (bytes_ > capacity_bytes_ && lru_.size() > 1) {
    bytes_ -= lru_.back().view->memory_bytes();
    lru_.pop_back();
  }
}

size_t BatchViewCache::memory_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace braid::serving
