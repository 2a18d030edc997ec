#include "speed/view_clock.h"

#include <algorithm>

namespace braid::speed {

ViewClock::ViewClock(ClockOptions options)
    : options_(options), partitions_(static_cast<size_t>(std::max(options.partitions, 1))) {}

int64_t ViewClock::PartitionWatermark(const PartitionClock& p) const {
  if (p.max_seen == kNoWatermark) return kNoWatermark;
  const int64_t delay = options_.out_of_order.micros;
  return p.max_seen < kNoWatermark + delay ? kNoWatermark : p.max_seen - delay;
}

int64_t ViewClock::MinimumAt(Timestamp tau, int skip) {
  if (!started_) {
    started_ = true;
    started_at_ = tau;
  }
  int64_t minimum = std::numeric_limits<int64_t>::max();
  for (size_t i = 0; i < partitions_.size(); ++i) {
    PartitionClock& p = partitions_[i];
    const Timestamp since = p.received ? p.last_received : started_at_;
    p.active = static_cast<int>(i) == skip || (tau - since).micros < options_.idle_timeout.micros;
    if (!p.active || static_cast<int>(i) == skip) continue;
    minimum = std::min(minimum, PartitionWatermark(p));
  }
  return minimum;
}

int64_t ViewClock::BeginBatch(int partition, Timestamp tau) {
  PartitionClock& p = partitions_[static_cast<size_t>(partition)];
  p.received = true;
  p.last_received = std::max(p.last_received, tau);
  current_ = partition;
  others_minimum_ = MinimumAt(tau, partition);
  watermark_ = std::max(watermark_, std::min(others_minimum_, PartitionWatermark(p)));
  return watermark_;
}

int64_t ViewClock::Observe(int64_t t, Timestamp ingested_at) {
  if (t > ingested_at.micros + options_.max_future.micros) return watermark_;  // far future
  PartitionClock& p = partitions_[static_cast<size_t>(current_)];
  if (t <= p.max_seen) return watermark_;
  p.max_seen = t;
  watermark_ = std::max(watermark_, std::min(others_minimum_, PartitionWatermark(p)));
  return watermark_;
}

int64_t ViewClock::Advance(Timestamp tau) {
  const int64_t minimum = MinimumAt(tau, -1);
  current_ = -1;
  if (minimum != std::numeric_limits<int64_t>::max()) watermark_ = std::max(watermark_, minimum);
  return watermark_;
}

bool ViewClock::WouldAdvance(Timestamp tau) const {
  if (!started_ || current_ != -1) return true;
  int64_t minimum = std::numeric_limits<int64_t>::max();
  for (const PartitionClock& p : partitions_) {
    const Timestamp since = p.received ? p.last_received : started_at_;
    const bool active = (tau - since).micros < options_.idle_timeout.micros;
    if (active != p.active) return true;
    if (active) minimum = std::min(minimum, PartitionWatermark(p));
  }
  return minimum != std::numeric_limits<int64_t>::max() && minimum > watermark_;
}

std::vector<int64_t> ViewClock::PartitionWatermarks() const {
  std::vector<int64_t> marks;
  for (const PartitionClock& p : partitions_) marks.push_back(PartitionWatermark(p));
  return marks;
}

}  // namespace braid::speed
