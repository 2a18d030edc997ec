#include "batch/group_table.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string_view>

#include "common/prefetch.h"

namespace braid::batch {

namespace {

// A per-group estimate of the heap a variable-size state holds once it has seen values (agg/
// exposes no figure): distinct sets, value multisets and sketches.
constexpr size_t kHeapStateEstimate = 256;

bool OwnsHeap(std::string_view name) {
  for (std::string_view heap :
       {"COUNT_DISTINCT", "APPROX_COUNT_DISTINCT", "PERCENTILE_CONT", "PERCENTILE_DISC", "MEDIAN",
        "APPROX_PERCENTILE", "PERCENTILE_APPROX"}) {
    if (name == heap) return true;
  }
  return false;
}

}  // namespace

void GroupTable::AlignedDelete::operator()(std::byte* block) const {
  ::operator delete (block, std::align_val_t{alignment});
}

GroupTable::GroupTable(const std::vector<sql::ViewAggregate>& aggregates, TableSize size)
    : layout_(aggregates),
      state_stride_((layout_.size + layout_.alignment - 1) / layout_.alignment * layout_.alignment),
      // State blocks start on a cache line.
      state_block_alignment_(std::max<size_t>(layout_.alignment, kCacheLineBytes)),
      block_shift_(size == TableSize::kLarge ? 12 : 4),
      key_block_bytes_(size == TableSize::kLarge ? 64 * 1024 : 1024),
      initial_slots_(size == TableSize::kLarge ? 1024 : 16),
      slots_(initial_slots_) {
  for (const agg::AggregateFunction* function : layout_.functions) {
    if (OwnsHeap(function->name)) ++heap_states_per_group_;
  }
}

GroupTable::~GroupTable() { DestroyStates(); }

void GroupTable::DestroyStates() {
  for (uint32_t group = 0; group < groups_.size(); ++group) {
    for (size_t i = 0; i < layout_.functions.size(); ++i) {
      layout_.functions[i]->destroy(state(group, i));
    }
  }
}

void GroupTable::Clear() {
  DestroyStates();
  groups_.clear();
  window_ends_.clear();
  state_blocks_.clear();
  key_blocks_.clear();
  key_block_used_ = key_block_capacity_ = key_bytes_reserved_ = 0;
  slots_.assign(initial_slots_, Slot{});
}

GroupTable::Probe GroupTable::Lookup(std::string_view key, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.record == nullptr) return Probe{i, kNoGroup};
    if (slot.hash != hash) continue;
    KeyRecord record;
    std::memcpy(&record, slot.record, sizeof(record));
    if (record.key_length == key.size() &&
        (key.empty() ||
         std::memcmp(slot.record + sizeof(KeyRecord), key.data(), key.size()) == 0)) {
      return Probe{i, record.group};
    }
  }
}

uint32_t GroupTable::FindOrCreate(std::string_view key, uint64_t hash) {
  const Probe probe = Lookup(key, hash);
  return probe.group != kNoGroup ? probe.group : Create(key, hash, probe.slot);
}

uint32_t GroupTable::Find(std::string_view key, uint64_t hash) const {
  return Lookup(key, hash).group;
}

void GroupTable::FindAll(std::span<const std::string_view> keys, std::span<const uint64_t> hashes,
                         std::span<uint32_t> groups) const {
  const size_t mask = slots_.size() - 1;
  for (uint64_t hash : hashes) __builtin_prefetch(&slots_[hash & mask]);
  for (size_t k = 0; k < keys.size(); ++k) {
    // The first slot is almost always the key's own when its hash matches.
    const Slot& slot = slots_[hashes[k] & mask];
    if (slot.record != nullptr && slot.hash == hashes[k]) {
      __builtin_prefetch(slot.record);
      __builtin_prefetch(slot.record + sizeof(KeyRecord) + keys[k].size() - 1);
    }
  }
  for (size_t k = 0; k < keys.size(); ++k) groups[k] = Find(keys[k], hashes[k]);
}

void GroupTable::FindOrCreateAll(const KeyNormalizer& keys, std::span<const uint64_t> hashes,
                                 std::span<uint32_t> groups) {
  // Each step runs this many keys ahead of the previous one: far enough for a miss to arrive
  // while the keys in between are looked up, near enough that the lines are still cached.
  constexpr size_t kAhead = 8;
  const size_t count = hashes.size();
  for (size_t k = 0; k < count; ++k) {
    const size_t mask = slots_.size() - 1;
    if (k + 2 * kAhead < count) __builtin_prefetch(&slots_[hashes[k + 2 * kAhead] & mask]);
    if (k + kAhead < count) {
      // The first slot is almost always the key's own when its hash matches.
      const Slot& slot = slots_[hashes[k + kAhead] & mask];
      if (slot.record != nullptr && slot.hash == hashes[k + kAhead]) {
        __builtin_prefetch(slot.record);
        __builtin_prefetch(slot.record + sizeof(KeyRecord) + keys.key(k + kAhead).size() - 1);
      }
    }
    groups[k] = FindOrCreate(keys.key(k), hashes[k]);
    PrefetchStates(groups[k]);  // the updates that follow touch them
  }
}

void GroupTable::PrefetchStates(uint32_t group) const {
  PrefetchLines(states(group), state_stride_, /*for_write=*/true);
}

uint32_t GroupTable::Create(std::string_view key, uint64_t hash, size_t slot) {
  if (track_window_ends_ && key.size() >= sizeof(int64_t)) {
    int64_t end;
    std::memcpy(&end, key.data(), sizeof(end));
    window_ends_.insert(end);
  }
  uint32_t group = static_cast<uint32_t>(groups_.size());
  if ((group & ((uint32_t{1} << block_shift_) - 1)) == 0) {
    const size_t bytes = state_stride_ << block_shift_;
    auto* block =
        static_cast<std::byte*>(::operator new (bytes, std::align_val_t{state_block_alignment_}));
    state_blocks_.emplace_back(block, AlignedDelete{state_block_alignment_});
  }
  const char* record = AddRecord(key, group);
  groups_.push_back(Group{record, hash});
  for (size_t i = 0; i < layout_.functions.size(); ++i) {
    layout_.functions[i]->initialize(state(group, i));
  }
  slots_[slot] = Slot{hash, record};
  if ((groups_.size() + 1) * 10 > slots_.size() * 7) Grow();
  return group;
}

const char* GroupTable::AddRecord(std::string_view key, uint32_t group) {
  const size_t bytes = sizeof(KeyRecord) + key.size();
  if (key_block_used_ + bytes > key_block_capacity_) {
    key_block_capacity_ = std::max(key_block_bytes_, bytes);
    key_blocks_.push_back(std::make_unique<char[]>(key_block_capacity_));
    key_bytes_reserved_ += key_block_capacity_;
    key_block_used_ = 0;
  }
  char* at = key_blocks_.back().get() + key_block_used_;
  const KeyRecord record{group, static_cast<uint32_t>(key.size())};
  std::memcpy(at, &record, sizeof(record));
  if (!key.empty()) std::memcpy(at + sizeof(record), key.data(), key.size());
  key_block_used_ += bytes;
  return at;
}

void GroupTable::Grow() {
  std::vector<Slot> slots(slots_.size() * 2);
  size_t mask = slots.size() - 1;
  for (const Slot& slot : slots_) {
    if (slot.record == nullptr) continue;
    size_t i = slot.hash & mask;
    while (slots[i].record != nullptr) i = (i + 1) & mask;
    slots[i] = slot;
  }
  slots_ = std::move(slots);
}

size_t GroupTable::MemoryBytes() const {
  return slots_.capacity() * sizeof(Slot) + groups_.capacity() * sizeof(Group) +
         (state_blocks_.size() * state_stride_ << block_shift_) + key_bytes_reserved_ +
         groups_.size() * heap_states_per_group_ * kHeapStateEstimate;
}

}  // namespace braid::batch
