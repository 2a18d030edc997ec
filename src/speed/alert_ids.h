// RememberedIds: the ids of the alerts fired so far, for the hub's dedupe, bounded in memory: an id
// is forgotten once its window ended more than `horizon` before the newest window seen. An alert
// replayed from further back than that could fire again (AlertHubOptions::remember_ids_for). Not
// thread-safe; the hub guards it.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>

#include "common/time.h"

namespace braid::speed {

class RememberedIds {
 public:
  explicit RememberedIds(Duration horizon) : horizon_(horizon) {}
  RememberedIds(const RememberedIds&) = delete;
  RememberedIds& operator=(const RememberedIds&) = delete;

  bool Contains(const std::string& id) const { return ids_.contains(id); }
  // Remembers `id` (a no-op when remembered already), then forgets every id beyond the horizon
  // of the newest window, possibly `id` itself.
  void Add(const std::string& id, Timestamp window_end);
  size_t size() const { return ids_.size(); }

 private:
  Duration horizon_;
  std::optional<Timestamp> newest_;
  std::unordered_set<std::string> ids_;
  // Pointers into ids_ (stable across rehashing), by window end, for forgetting in order.
  std::multimap<Timestamp, const std::string*> by_window_end_;
};

}  // namespace braid::speed
