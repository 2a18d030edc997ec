// A KLL quantile sketch (Karnin, Lang, Liberty, "Optimal Quantile Approximation in Streams",
// 2016), written by hand because no library on the machine provides a mergeable, serializable
// one. Level h holds items of weight 2^h; when the sketch outgrows its budget the lowest full
// level is sorted and every other item (from a random offset) is promoted to the level above.
// Level capacities shrink by 2/3 going down from the top level, k = 400 at the top: about 1,200
// items in all, and a normalized rank error of about 0.7% at 99% confidence (the target is 1%).
// The coin flips come from a small generator stored in the sketch, so the same input order and
// merge order give the same sketch, in every process. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/byte_io.h"

namespace braid::agg {

template <typename T>
class KllSketch {
 public:
  static constexpr uint32_t kK = 400;
  static constexpr size_t kMaxLevels = 60;
  static constexpr size_t kMinCapacity = 8;  // of the lowest levels, as in DataSketches

  KllSketch() : levels_(1) { UpdateCapacities(); }

  uint64_t count() const { return count_; }

  void Add(T v) {
    levels_[0].push_back(v);
    ++count_;
    if (++size_ >= max_size_) Compress();
  }

  void Merge(const KllSketch& other);

  // The item whose weighted rank first reaches fraction * count(); the sketch must be non-empty.
  T Quantile(double fraction) const;

  void Serialize(std::string* out) const;
  // False when the bytes do not describe a consistent sketch.
  bool Deserialize(ByteReader& in);

 private:
  // Recomputes capacity_ and max_size_ after the number of levels changed.
  void UpdateCapacities();
  void AddLevel();
  void Compress();
  bool CoinFlip();

  std::vector<std::vector<T>> levels_;
  std::vector<size_t> capacity_;  // per level
  size_t max_size_ = 0;           // sum of capacity_: compress when size_ reaches it
  uint64_t count_ = 0;            // values added, the total weight
  size_t size_ = 0;               // items held over all levels
  uint64_t random_ = 0x9E3779B97F4A7C15ull;
};

}  // namespace braid::agg
