#include "speed/epoch_boundaries.h"

#include <algorithm>

#include <fmt/format.h>

namespace braid::speed {

EpochBoundaries::EpochBoundaries(int64_t last_epoch, std::vector<uint64_t> end_offsets) {
  sealed_.push_back(Sealed{last_epoch, std::move(end_offsets)});
}

std::vector<uint64_t> EpochBoundaries::Seal(
    const std::function<std::vector<uint64_t>()>& read_end_offsets) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pending_) return sealed_.back().end_offsets;
  std::vector<uint64_t> offsets = read_end_offsets();
  if (offsets == sealed_.back().end_offsets) return offsets;
  sealed_.push_back(Sealed{sealed_.back().epoch + 1, offsets});
  pending_ = true;
  return offsets;
}

Status EpochBoundaries::Committed(int64_t epoch, const std::vector<uint64_t>& end_offsets) {
  std::lock_guard<std::mutex> lock(mu_);
  const Sealed& last = sealed_.back();
  if (last.epoch == epoch && last.end_offsets == end_offsets) {
    pending_ = false;
    return Status::Ok();
  }
  return Status(StatusCode::kInternal,
                fmt::format("capture committed epoch {}, but the speed layer was told epoch {}{}",
                            epoch, last.epoch, pending_ ? " (pending)" : ""));
}

std::vector<GenerationSpan> EpochBoundaries::GenerationsOf(int partition, uint64_t first,
                                                           uint64_t count) const {
  std::vector<GenerationSpan> spans;
  std::lock_guard<std::mutex> lock(mu_);
  const size_t p = static_cast<size_t>(partition);
  uint64_t offset = first;
  const uint64_t end = first + count;
  for (const Sealed& sealed : sealed_) {
    if (offset >= end) break;
    const uint64_t boundary = p < sealed.end_offsets.size() ? sealed.end_offsets[p] : 0;
    if (boundary <= offset) continue;
    const uint64_t stop = std::min(boundary, end);
    spans.push_back(GenerationSpan{sealed.epoch, offset, stop - offset});
    offset = stop;
  }
  if (offset < end) spans.push_back(GenerationSpan{sealed_.back().epoch + 1, offset, end - offset});
  return spans;
}

int64_t EpochBoundaries::last_sealed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sealed_.back().epoch;
}

std::vector<uint64_t> EpochBoundaries::last_offsets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sealed_.back().end_offsets;
}

std::optional<int64_t> EpochBoundaries::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!pending_) return std::nullopt;
  return sealed_.back().epoch;
}

void EpochBoundaries::ForgetThrough(int64_t epoch) {
  std::lock_guard<std::mutex> lock(mu_);
  auto keep_from = std::find_if(sealed_.begin(), sealed_.end(),
                                [epoch](const Sealed& sealed) { return sealed.epoch > epoch; });
  if (keep_from == sealed_.end()) keep_from = sealed_.end() - 1;
  sealed_.erase(sealed_.begin(), keep_from);
}

}  // namespace braid::speed
