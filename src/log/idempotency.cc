#include "log/idempotency.h"

#include <algorithm>

namespace braid::log {

void IdempotencyTable::AddRecovered(int partition, const KeyedBatch& batch) {
  std::lock_guard lock(mu_);
  AddPart(batch.tag.key_hash, batch.tag.part_count,
          {batch.tag.part_index, partition, batch.base_offset, batch.record_count});
}

void IdempotencyTable::AddPart(uint64_t key_hash, uint16_t part_count, const KeyedPart& part) {
  KeyState& state = keys_[key_hash];
  state.part_count = part_count;
  auto same_index = [&](const KeyedPart& p) { return p.part_index == part.part_index; };
  // A part appended twice (only possible for a log written without this table) keeps the first.
  if (std::none_of(state.parts.begin(), state.parts.end(), same_index)) {
    state.parts.push_back(part);
  }
}

Result<KeyState> IdempotencyTable::Claim(uint64_t key_hash) {
  std::lock_guard lock(mu_);
  if (!claimed_.insert(key_hash).second) {
    return Status(StatusCode::kDuplicateObject, "request with this Idempotency-Key is in progress");
  }
  auto it = keys_.find(key_hash);
  return it == keys_.end() ? KeyState{} : it->second;
}

void IdempotencyTable::Release(uint64_t key_hash, uint16_t part_count,
                               std::span<const KeyedPart> appended) {
  std::lock_guard lock(mu_);
  for (const KeyedPart& part : appended) AddPart(key_hash, part_count, part);
  claimed_.erase(key_hash);
}

void IdempotencyTable::ForgetBelow(std::span<const uint64_t> start_offsets) {
  std::lock_guard lock(mu_);
  std::erase_if(keys_, [&](const auto& entry) {
    return std::any_of(entry.second.parts.begin(), entry.second.parts.end(),
                       [&](const KeyedPart& p) {
                         return static_cast<size_t>(p.partition) < start_offsets.size() &&
                                p.base_offset < start_offsets[p.partition];
                       });
  });
}

size_t IdempotencyTable::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

}  // namespace braid::log
