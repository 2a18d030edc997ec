#include "batch/group_merge.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <unordered_set>

#include "batch/parallel_indices.h"
#include "common/hash.h"

namespace braid::batch {
namespace {

// Calls visit(group) for each group of `source` that `filter` admits. With keys, a source that
// tracks its window ends is probed per (end, key) instead of scanned.
template <typename Visit>
void ForEachAdmitted(const GroupTable& source, bool windowed, const CellFilter& filter,
                     Visit&& visit) {
  if (!filter.keys.empty() && (!windowed || source.tracks_window_ends())) {
    // Every cell key to probe, then one FindAll (their cache misses overlap).
    std::string bytes;
    std::vector<size_t> offsets{0};
    auto add = [&](std::string_view part, std::string_view keys) {
      bytes.append(part);
      bytes.append(keys);
      offsets.push_back(bytes.size());
    };
    if (!windowed) {
      for (const std::string& keys : filter.keys) add({}, keys);
    } else {
      const std::set<int64_t>& ends = source.window_ends();
      for (auto it = ends.lower_bound(filter.min_end); it != ends.end() && *it < filter.max_end;
           ++it) {
        const int64_t end = *it;
        for (const std::string& keys : filter.keys) {
          add(std::string_view(reinterpret_cast<const char*>(&end), sizeof(end)), keys);
        }
      }
    }
    const size_t count = offsets.size() - 1;
    std::vector<std::string_view> keys(count);
    std::vector<uint64_t> hashes(count);
    for (size_t k = 0; k < count; ++k) {
      keys[k] = std::string_view(bytes).substr(offsets[k], offsets[k + 1] - offsets[k]);
      hashes[k] = Hash64(keys[k]);
    }
    std::vector<uint32_t> groups(count);
    source.FindAll(keys, hashes, groups);
    for (uint32_t group : groups) {
      if (group != GroupTable::kNoGroup) visit(group);
    }
    return;
  }
  const size_t window_bytes = windowed ? sizeof(int64_t) : 0;
  for (uint32_t group = 0; group < source.size(); ++group) {
    if (windowed) {
      int64_t end;  // the first 8 bytes of a windowed cell key (key_normalizer.h)
      std::memcpy(&end, source.key(group).data(), sizeof(end));
      if (end < filter.min_end || end >= filter.max_end) continue;
    }
    if (!filter.keys.empty()) {
      const std::string_view keys = source.key(group).substr(window_bytes);
      if (std::find(filter.keys.begin(), filter.keys.end(), keys) == filter.keys.end()) continue;
    }
    visit(group);
  }
}

uint64_t CellId(size_t table, uint32_t group) { return (uint64_t{table} << 32) | group; }

}  // namespace

uint32_t MergeGroup(const GroupTable& source, uint32_t group, GroupTable& target) {
  const uint32_t into = target.FindOrCreate(source.key(group), source.hash(group));
  for (size_t i = 0; i < target.layout().functions.size(); ++i) {
    target.layout().functions[i]->merge(target.state(into, i), source.state(group, i));
  }
  return into;
}

void MergeGroups(const GroupTable& source, GroupTable& target, bool windowed,
                 const CellFilter& filter) {
  ForEachAdmitted(source, windowed, filter,
                  [&](uint32_t group) { MergeGroup(source, group, target); });
}

CellsBeside ReadCellsBeside(std::span<const GroupTable* const> tables, size_t num_keys,
                            bool windowed, const CellFilter& filter, std::span<const Chunk> stored,
                            bool list_shared_once, GroupTable& shared_into,
                            GroupTable& several_into) {
  CellsBeside found;
  std::unordered_set<uint64_t> taken;  // CellIds merged into shared_into
  KeyNormalizer normalizer;
  // Whether table t may hold the cell of window end `end`: tables that track their window ends
  // tell (most stored rows lie before every window they hold); others may hold any.
  auto may_hold = [&](size_t t, int64_t end) {
    if (!windowed || !tables[t]->tracks_window_ends()) return true;
    const std::set<int64_t>& ends = tables[t]->window_ends();
    return !ends.empty() && end >= *ends.begin() && end <= *ends.rbegin() && ends.count(end) > 0;
  };
  std::vector<uint32_t> candidates;  // the rows of a stored chunk some table may hold
  std::vector<int64_t> candidate_ends;
  std::vector<CellRef> holders;  // of one stored row's cell
  uint32_t offset = 0;           // of the chunk's first row among all stored rows
  for (const Chunk& rows : stored) {
    const uint32_t chunk_offset = offset;
    offset += static_cast<uint32_t>(rows.num_rows());
    std::vector<uint8_t>& shared = found.shared.emplace_back(rows.num_rows(), 0);
    std::span<const int64_t> ends;
    if (windowed) ends = rows.column(num_keys + 1).int64s();
    candidates.clear();
    candidate_ends.clear();
    for (uint32_t r = 0; r < rows.num_rows(); ++r) {
      const int64_t end = windowed ? ends[r] : 0;
      for (size_t t = 0; t < tables.size(); ++t) {
        if (!may_hold(t, end)) continue;
        candidates.push_back(r);
        if (windowed) candidate_ends.push_back(end);
        break;
      }
    }
    if (candidates.empty()) continue;
    std::vector<const Column*> keys;
    for (size_t k = 0; k < num_keys; ++k) keys.push_back(&rows.column(k));
    normalizer.Normalize(CellKeySource{.keys = keys,
                                       .rows = candidates,
                                       .window_ends = candidate_ends,
                                       .num_cells = candidates.size()});
    for (size_t c = 0; c < candidates.size(); ++c) {
      const std::string_view key = normalizer.key(c);
      const uint64_t hash = Hash64(key);
      holders.clear();
      for (size_t t = 0; t < tables.size(); ++t) {
        if (!may_hold(t, windowed ? candidate_ends[c] : 0)) continue;
        const uint32_t group = tables[t]->Find(key, hash);
        if (group == GroupTable::kNoGroup) continue;
        holders.push_back(CellRef{static_cast<uint32_t>(t), group});
        taken.insert(CellId(t, group));
        shared[candidates[c]] = 1;
      }
      if (list_shared_once && holders.size() == 1) {
        found.shared_once.push_back(
            SharedCell{.cell = holders.front(), .position = chunk_offset + candidates[c]});
        continue;
      }
      for (const CellRef& holder : holders) {
        MergeGroup(*tables[holder.table], holder.group, shared_into);
      }
    }
  }
  std::vector<CellRef> later_holders;
  for (size_t t = 0; t < tables.size(); ++t) {
    const GroupTable& table = *tables[t];
    ForEachAdmitted(table, windowed, filter, [&](uint32_t group) {
      if (!taken.empty() && taken.count(CellId(t, group)) > 0) return;
      const std::string_view key = table.key(group);
      const uint64_t hash = table.hash(group);
      for (size_t earlier = 0; earlier < t; ++earlier) {  // that table's visit took the cell
        if (tables[earlier]->Find(key, hash) != GroupTable::kNoGroup) return;
      }
      later_holders.clear();
      for (size_t later = t + 1; later < tables.size(); ++later) {
        const uint32_t other = tables[later]->Find(key, hash);
        if (other != GroupTable::kNoGroup)
          later_holders.push_back(CellRef{static_cast<uint32_t>(later), other});
      }
      if (later_holders.empty()) {
        found.alone.push_back(CellRef{static_cast<uint32_t>(t), group});
        return;
      }
      MergeGroup(table, group, several_into);  // in table order, as MergeCopiesInto merges
      for (const CellRef& other : later_holders) {
        MergeGroup(*tables[other.table], other.group, several_into);
      }
    });
  }
  return found;
}

Result<std::vector<uint8_t>> AbsorbSharedCells(std::span<GroupTable* const> earlier,
                                               GroupTable& later, size_t threads) {
  constexpr size_t kGroupsPerTask = size_t{1} << 16;
  const size_t num_tasks = (later.size() + kGroupsPerTask - 1) / kGroupsPerTask;
  std::vector<uint8_t> absorbed(later.size(), 0);
  const sql::reference::StateLayout& layout = later.layout();
  RETURN_IF_ERROR(ForEachIndexOnThreads(num_tasks, threads, [&](size_t task) -> Status {
    const auto first = static_cast<uint32_t>(task * kGroupsPerTask);
    const auto last = static_cast<uint32_t>(std::min(later.size(), (task + 1) * kGroupsPerTask));
    for (uint32_t group = first; group < last; ++group) {
      for (GroupTable* table : earlier) {
        const uint32_t into = table->Find(later.key(group), later.hash(group));
        if (into == GroupTable::kNoGroup) continue;
        for (size_t i = 0; i < layout.functions.size(); ++i) {
          layout.functions[i]->merge(table->state(into, i), later.state(group, i));
        }
        absorbed[group] = 1;
        break;
      }
    }
    return Status::Ok();
  }));
  return absorbed;
}

}  // namespace braid::batch
