// LatencyHistogram: durations in microseconds counted in buckets of a quarter power of two
// (4 buckets per doubling, so a quantile read from it is within ~19% of the true value), from
// 1 µs to over an hour. For the speed layer's end-to-end latency (acknowledgment -> state
// updated). Not thread-safe; the owner locks.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

namespace braid::speed {

class LatencyHistogram {
 public:
  static constexpr size_t kBuckets = 4 * 40;

  void Add(int64_t micros, uint64_t count = 1) {
    buckets_[BucketOf(micros)] += count;
    total_ += count;
  }
  uint64_t count() const { return total_; }
  // The upper bound of the bucket holding quantile q (0 < q <= 1), in microseconds; 0 when empty.
  double Quantile(double q) const {
    if (total_ == 0) return 0;
    const double wanted = q * static_cast<double>(total_);
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += buckets_[i];
      if (static_cast<double>(seen) >= wanted) return UpperBound(i);
    }
    return UpperBound(kBuckets - 1);
  }

 private:
  static size_t BucketOf(int64_t micros) {
    if (micros <= 1) return 0;
    const double index = std::ceil(4.0 * std::log2(static_cast<double>(micros)));
    return index >= kBuckets ? kBuckets - 1 : static_cast<size_t>(index);
  }
  static double UpperBound(size_t bucket) {
    return std::exp2(static_cast<double>(bucket) / 4.0);
  }

  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t total_ = 0;
};

}  // namespace braid::speed
