#include "speed/alert_ids.h"

namespace braid::speed {

void RememberedIds::Add(const std::string& id, Timestamp window_end) {
  auto [it, inserted] = ids_.insert(id);
  if (inserted) by_window_end_.emplace(window_end, &*it);
  if (!newest_ || window_end > *newest_) newest_ = window_end;
  const Timestamp horizon = *newest_ - horizon_;
  while (!by_window_end_.empty() && by_window_end_.begin()->first < horizon) {
    ids_.erase(ids_.find(*by_window_end_.begin()->second));
    by_window_end_.erase(by_window_end_.begin());
  }
}

}  // namespace braid::speed
