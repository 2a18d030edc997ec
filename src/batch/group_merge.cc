#include "batch/group_merge.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <string>

#include "batch/parallel_indices.h"
#include "common/hash.h"

namespace braid::batch {
namespace {

// MergeGroups for a filter with keys over a table that tracks its window ends: probes the
// cells (end, key) of the ends in range instead of scanning every cell.
void MergeProbed(const GroupTable& source, GroupTable& target, bool windowed,
                 const CellFilter& filter) {
  std::string key;
  auto probe = [&](std::string_view bytes) {
    const uint32_t group = source.Find(bytes, Hash64(bytes));
    if (group != GroupTable::kNoGroup) MergeGroup(source, group, target);
  };
  if (!windowed) {
    for (const std::string& keys : filter.keys) probe(keys);
    return;
  }
  const std::set<int64_t>& ends = source.window_ends();
  for (auto it = ends.lower_bound(filter.min_end); it != ends.end() && *it < filter.max_end;
       ++it) {
    const int64_t end = *it;
    for (const std::string& keys : filter.keys) {
      key.assign(reinterpret_cast<const char*>(&end), sizeof(end));
      key.append(keys);
      probe(key);
    }
  }
}

}  // namespace

void MergeGroup(const GroupTable& source, uint32_t group, GroupTable& target) {
  const uint32_t into = target.FindOrCreate(source.key(group), source.hash(group));
  for (size_t i = 0; i < target.layout().functions.size(); ++i) {
    target.layout().functions[i]->merge(target.state(into, i), source.state(group, i));
  }
}

void MergeGroups(const GroupTable& source, GroupTable& target, bool windowed,
                 const CellFilter& filter) {
  if (!filter.keys.empty() && (!windowed || source.tracks_window_ends())) {
    return MergeProbed(source, target, windowed, filter);
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
    MergeGroup(source, group, target);
  }
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
