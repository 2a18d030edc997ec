#include "agg/kll_sketch.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "agg/aggregate_kernel.h"

namespace braid::agg {
template <typename T>
void KllSketch<T>::UpdateCapacities() {
  capacity_.resize(levels_.size());
  max_size_ = 0;
  for (size_t h = 0; h < levels_.size(); ++h) {
    size_t depth = levels_.size() - h - 1;
    capacity_[h] = std::max<size_t>(
        kMinCapacity, static_cast<size_t>(std::ceil(kK * std::pow(2.0 / 3.0, depth))));
    max_size_ += capacity_[h];
  }
}

template <typename T>
void KllSketch<T>::AddLevel() {
  levels_.emplace_back();
  UpdateCapacities();
}

template <typename T>
bool KllSketch<T>::CoinFlip() {  // xorshift64
  random_ ^= random_ << 13;
  random_ ^= random_ >> 7;
  random_ ^= random_ << 17;
  return (random_ >> 32) & 1;
}

template <typename T>
void KllSketch<T>::Compress() {
  for (size_t h = 0; h < levels_.size(); ++h) {
    if (levels_[h].size() < capacity_[h]) continue;
    if (h + 1 == levels_.size()) {
      if (levels_.size() == kMaxLevels) return;  // 2^60 values: cannot happen in practice
      AddLevel();
    }
    std::vector<T>& level = levels_[h];
    std::sort(level.begin(), level.end(), [](T a, T b) { return ValueLess(a, b); });
    // An odd item out (the largest) stays at this level, keeping the total weight exact.
    size_t pairs = level.size() / 2;
    size_t offset = CoinFlip() ? 1 : 0;
    std::vector<T>& above = levels_[h + 1];
    for (size_t i = 0; i < pairs; ++i) above.push_back(level[2 * i + offset]);
    level.erase(level.begin(), level.begin() + static_cast<std::ptrdiff_t>(2 * pairs));
    size_ -= pairs;
    return;
  }
}

template <typename T>
void KllSketch<T>::Merge(const KllSketch& other) {
  while (levels_.size() < other.levels_.size()) AddLevel();
  for (size_t h = 0; h < other.levels_.size(); ++h) {
    levels_[h].insert(levels_[h].end(), other.levels_[h].begin(), other.levels_[h].end());
    size_ += other.levels_[h].size();
  }
  count_ += other.count_;
  while (size_ >= max_size_) {
    size_t before = size_;
    Compress();
    if (size_ == before) break;
  }
}

template <typename T>
T KllSketch<T>::Quantile(double fraction) const {
  std::vector<std::pair<T, uint64_t>> weighted;
  weighted.reserve(size_);
  for (size_t h = 0; h < levels_.size(); ++h) {
    for (T v : levels_[h]) weighted.emplace_back(v, uint64_t{1} << h);
  }
  std::sort(weighted.begin(), weighted.end(),
            [](const auto& a, const auto& b) { return ValueLess(a.first, b.first); });
  double target = std::max(1.0, std::ceil(fraction * static_cast<double>(count_)));
  uint64_t cumulative = 0;
  for (const auto& [value, weight] : weighted) {
    cumulative += weight;
    if (static_cast<double>(cumulative) >= target) return value;
  }
  return weighted.back().first;
}

template <typename T>
void KllSketch<T>::Serialize(std::string* out) const {
  PutU64(out, count_);
  PutU64(out, random_);
  PutU8(out, static_cast<uint8_t>(levels_.size()));
  for (const std::vector<T>& level : levels_) {
    PutU32(out, static_cast<uint32_t>(level.size()));
    for (T v : level) PutU64(out, std::bit_cast<uint64_t>(v));
  }
}

template <typename T>
bool KllSketch<T>::Deserialize(ByteReader& in) {
  count_ = in.U64();
  random_ = in.U64();
  size_t num_levels = in.U8();
  if (!in.ok() || num_levels == 0 || num_levels > kMaxLevels || random_ == 0) return false;
  levels_.assign(num_levels, {});
  UpdateCapacities();
  size_ = 0;
  unsigned __int128 weight = 0;
  for (size_t h = 0; h < num_levels; ++h) {
    uint32_t items = in.U32();
    if (!in.ok() || items > in.remaining() / 8) return false;
    levels_[h].reserve(items);
    for (uint32_t i = 0; i < items; ++i) {
      T v = std::bit_cast<T>(in.U64());
      if constexpr (std::is_same_v<T, double>) v = CanonicalNaN(v);
      levels_[h].push_back(v);
    }
    size_ += items;
    weight += static_cast<unsigned __int128>(items) << h;
  }
  return in.ok() && weight == count_;
}

template class KllSketch<int64_t>;
template class KllSketch<double>;

}  // namespace braid::agg
