// GroupTable: the hash aggregator's cells. An open-addressing hash table (linear probing,
// power-of-two capacity, grown at 70% load) maps a cell's normalized key bytes (key_normalizer.h)
// to a dense group index; each group's key bytes live in a byte arena and its aggregate states
// (one per ViewAggregate, laid out and aligned as sql::reference::StateLayout says) in fixed-size
// arena blocks, so a group's states never move. States are initialized when their group is
// created and destroyed with the table (or by Clear). Written by hand: no library offers a table
// over caller-owned aligned state blocks. Not thread-safe.
//
// Over many groups each lookup misses the cache at its slot, its key and its states. A slot holds
// the key's full hash and the address of its key record (the group index and the key bytes, side
// by side in the arena), so a lookup is two dependent misses, and FindOrCreateAll hides them
// by prefetching the slots, then the records, then the state blocks of the keys a few places
// ahead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <span>
#include <string_view>
#include <vector>

#include "agg/aggregate_function.h"
#include "batch/key_normalizer.h"
#include "sql/reference_executor_cells.h"
#include "sql/view_plan.h"

namespace braid::batch {

// How much a table allocates at a time.
enum class TableSize : uint8_t {
  kLarge,  // 1024 slots, state blocks of 4096 groups, key blocks of 64 KiB: aggregation
  kSmall,  // 16 slots, 16 groups, 1 KiB: a query's scratch table of a few cells (no large
           // allocations, which glibc serves with mmap and munmap, and no large zero-filling)
};

class GroupTable {
 public:
  explicit GroupTable(const std::vector<sql::ViewAggregate>& aggregates,
                      TableSize size = TableSize::kLarge);
  ~GroupTable();
  GroupTable(const GroupTable&) = delete;
  GroupTable& operator=(const GroupTable&) = delete;

  static constexpr uint32_t kNoGroup = UINT32_MAX;

  // The group of `key` (whose Hash64 is `hash`), created with empty states if it is new.
  uint32_t FindOrCreate(std::string_view key, uint64_t hash);
  // groups[k] := FindOrCreate(keys.key(k), hashes[k]) for every k, in order, prefetching ahead.
  // The three spans have keys.size() entries.
  void FindOrCreateAll(const KeyNormalizer& keys, std::span<const uint64_t> hashes,
                       std::span<uint32_t> groups);
  // The group of `key`, or kNoGroup.
  uint32_t Find(std::string_view key, uint64_t hash) const;
  // groups[k] := Find(keys[k], hashes[k]) for every k, the keys' slots and records prefetched
  // first, so their cache misses overlap (a query's probes for a few cells).
  void FindAll(std::span<const std::string_view> keys, std::span<const uint64_t> hashes,
               std::span<uint32_t> groups) const;

  // Keys start with an 8-byte window end (key_normalizer.h): keep the set of distinct ends of
  // the groups created from now on (the speed layer probes cells by window end and key).
  void TrackWindowEnds() { track_window_ends_ = true; }
  bool tracks_window_ends() const { return track_window_ends_; }
  const std::set<int64_t>& window_ends() const { return window_ends_; }

  size_t size() const { return groups_.size(); }
  std::string_view key(uint32_t group) const {
    const char* record = groups_[group].record;
    KeyRecord header;
    std::memcpy(&header, record, sizeof(header));
    return {record + sizeof(KeyRecord), header.key_length};
  }
  uint64_t hash(uint32_t group) const { return groups_[group].hash; }
  // The states of `group`: aggregate i's at states(group) + layout().offsets[i].
  agg::StatePtr states(uint32_t group) const {
    return state_blocks_[group >> block_shift_].get() +
           (group & ((uint32_t{1} << block_shift_) - 1)) * state_stride_;
  }
  agg::StatePtr state(uint32_t group, size_t aggregate) const {
    return states(group) + layout_.offsets[aggregate];
  }
  const sql::reference::StateLayout& layout() const { return layout_; }

  // Bytes held: slots, group entries, key arena, state blocks, plus an estimate of what states
  // that own heap memory (distinct sets, multisets, sketches) hold.
  size_t MemoryBytes() const;

  // Destroys every state and forgets every group.
  void Clear();

 private:
  // A group's key record in the key arena: this header, then the key bytes.
  struct KeyRecord {
    uint32_t group;
    uint32_t key_length;
  };
  struct Slot {
    uint64_t hash = 0;
    const char* record = nullptr;  // nullptr: empty
  };
  struct Group {
    const char* record;  // its key record
    uint64_t hash;
  };
  // Where `key` is or would be inserted: its slot, and its group or kNoGroup.
  struct Probe {
    size_t slot;
    uint32_t group;
  };
  struct AlignedDelete {
    size_t alignment;
    void operator()(std::byte* block) const;
  };
  using StateBlock = std::unique_ptr<std::byte[], AlignedDelete>;

  Probe Lookup(std::string_view key, uint64_t hash) const;
  uint32_t Create(std::string_view key, uint64_t hash, size_t slot);
  // Copies `key` into a new record of `group`; returns the record.
  const char* AddRecord(std::string_view key, uint32_t group);
  void PrefetchStates(uint32_t group) const;
  void Grow();
  void DestroyStates();

  sql::reference::StateLayout layout_;
  size_t state_stride_;
  size_t state_block_alignment_;
  uint32_t block_shift_;    // a state block holds 2^block_shift_ groups
  size_t key_block_bytes_;  // the least a key block holds
  size_t initial_slots_;
  size_t heap_states_per_group_ = 0;
  std::vector<Slot> slots_;
  std::vector<Group> groups_;
  std::vector<StateBlock> state_blocks_;
  std::vector<std::unique_ptr<char[]>> key_blocks_;
  bool track_window_ends_ = false;
  std::set<int64_t> window_ends_;
  size_t key_block_used_ = 0;
  size_t key_block_capacity_ = 0;
  size_t key_bytes_reserved_ = 0;
};

}  // namespace braid::batch
