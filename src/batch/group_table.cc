#include "batch/group_table.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string_view>

namespace braid::batch {

namespace {

constexpr size_t kInitialSlots = 1024;
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

GroupTable::GroupTable(const std::vector<sql::ViewAggregate>& aggregates)
    : layout_(aggregates),
      state_stride_((layout_.size + layout_.alignment - 1) / layout_.alignment * layout_.alignment),
      slots_(kInitialSlots) {
  for (const agg::AggregateFunction* function : layout_.functions) {
    if (OwnsHeap(function->name)) ++heap_states_per_group_;
  }
}

GroupTable::~GroupTable() { Clear(); }

void GroupTable::Clear() {
  for (uint32_t group = 0; group < groups_.size(); ++group) {
    for (size_t i = 0; i < layout_.functions.size(); ++i) {
      layout_.functions[i]->destroy(state(group, i));
    }
  }
  groups_.clear();
  window_ends_.clear();
  state_blocks_.clear();
  key_blocks_.clear();
  key_block_used_ = key_block_capacity_ = key_bytes_reserved_ = 0;
  slots_.assign(kInitialSlots, Slot{});
}

uint32_t GroupTable::FindOrCreate(std::string_view key, uint64_t hash) {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.group == kEmptySlot) {
      uint32_t group = Create(key, hash);
      slot = Slot{hash, group};
      if ((groups_.size() + 1) * 10 > slots_.size() * 7) Grow();
      return group;
    }
    if (slot.hash == hash) {
      const Group& candidate = groups_[slot.group];
      if (candidate.key_length == key.size() &&
          (key.empty() || std::memcmp(candidate.key, key.data(), key.size()) == 0)) {
        return slot.group;
      }
    }
  }
}

uint32_t GroupTable::Find(std::string_view key, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.group == kEmptySlot) return kNoGroup;
    if (slot.hash == hash) {
      const Group& candidate = groups_[slot.group];
      if (candidate.key_length == key.size() &&
          (key.empty() || std::memcmp(candidate.key, key.data(), key.size()) == 0)) {
        return slot.group;
      }
    }
  }
}

uint32_t GroupTable::Create(std::string_view key, uint64_t hash) {
  if (track_window_ends_ && key.size() >= sizeof(int64_t)) {
    int64_t end;
    std::memcpy(&end, key.data(), sizeof(end));
    window_ends_.insert(end);
  }
  uint32_t group = static_cast<uint32_t>(groups_.size());
  if (group % kGroupsPerBlock == 0) {
    size_t bytes = state_stride_ * kGroupsPerBlock;
    auto* block =
        static_cast<std::byte*>(::operator new (bytes, std::align_val_t{layout_.alignment}));
    state_blocks_.emplace_back(block, AlignedDelete{layout_.alignment});
  }
  groups_.push_back(Group{CopyKey(key), static_cast<uint32_t>(key.size()), hash});
  for (size_t i = 0; i < layout_.functions.size(); ++i) {
    layout_.functions[i]->initialize(state(group, i));
  }
  return group;
}

const char* GroupTable::CopyKey(std::string_view key) {
  if (key.empty()) return "";  // a view without keys and window: one group, an empty key
  if (key_block_used_ + key.size() > key_block_capacity_) {
    key_block_capacity_ = std::max(kKeyBlockBytes, key.size());
    key_blocks_.push_back(std::make_unique<char[]>(key_block_capacity_));
    key_bytes_reserved_ += key_block_capacity_;
    key_block_used_ = 0;
  }
  char* at = key_blocks_.back().get() + key_block_used_;
  if (!key.empty()) std::memcpy(at, key.data(), key.size());
  key_block_used_ += key.size();
  return at;
}

void GroupTable::Grow() {
  std::vector<Slot> slots(slots_.size() * 2);
  size_t mask = slots.size() - 1;
  for (const Slot& slot : slots_) {
    if (slot.group == kEmptySlot) continue;
    size_t i = slot.hash & mask;
    while (slots[i].group != kEmptySlot) i = (i + 1) & mask;
    slots[i] = slot;
  }
  slots_ = std::move(slots);
}

size_t GroupTable::MemoryBytes() const {
  return slots_.capacity() * sizeof(Slot) + groups_.capacity() * sizeof(Group) +
         state_blocks_.size() * state_stride_ * kGroupsPerBlock + key_bytes_reserved_ +
         groups_.size() * heap_states_per_group_ * kHeapStateEstimate;
}

}  // namespace braid::batch
