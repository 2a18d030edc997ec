#include "sql/window_assignment.h"

#include <algorithm>

namespace braid::sql {

int64_t FloorMod(int64_t a, int64_t b) {
  // a % b cannot overflow for b > 0; C++ truncates toward zero, so a negative remainder moves up.
  int64_t r = a % b;
  return r < 0 ? r + b : r;
}

namespace {

// floorMod(offset - t, step) without computing offset - t, which overflows for times far before
// 1970 or offsets of either sign: both terms are reduced to [0, step) first.
int64_t DistanceToGrid(Timestamp t, Duration step, Duration offset) {
  int64_t o = FloorMod(offset.micros, step.micros);
  int64_t r = FloorMod(t.micros, step.micros);
  return FloorMod(o - r, step.micros);
}

}  // namespace

Timestamp TumblingWindowEnd(Timestamp t, Duration size, Duration offset) {
  return t + Duration{DistanceToGrid(t, size, offset)};
}

void HoppingWindowEnds(Timestamp t, Duration size, Duration hop, Duration offset,
                       std::vector<Timestamp>* ends) {
  Timestamp limit = t + size;  // exclusive: e < t + size
  for (Timestamp e = t + Duration{DistanceToGrid(t, hop, offset)}; e < limit; e = e + hop) {
    ends->push_back(e);
  }
}

void WindowEnds(const WindowDefinition& window, Timestamp t, std::vector<Timestamp>* ends) {
  switch (window.kind) {
    case WindowKind::kTumbling:
      ends->push_back(TumblingWindowEnd(t, window.size, window.offset));
      return;
    case WindowKind::kHopping:
      HoppingWindowEnds(t, window.size, window.hop, window.offset, ends);
      return;
    case WindowKind::kSliding:
    case WindowKind::kSession:
      BRAID_DCHECK(false && "WindowEnds is for tumbling and hopping windows");
      return;
  }
}

Timestamp SessionCut(Timestamp start, Duration max_duration, Duration offset) {
  Timestamp earliest = start + max_duration;
  return earliest + Duration{DistanceToGrid(earliest, max_duration, offset)};
}

std::vector<Session> AssignSessions(std::span<const Timestamp> times, Duration timeout,
                                    Duration max_duration, Duration offset) {
  std::vector<Session> sessions;
  size_t i = 0;
  while (i < times.size()) {
    // A fresh session opens at its first event (inclusive start).
    Session session{.start = times[i], .continuation = false, .end = {}, .first = i, .count = 0};
    Timestamp last = times[i];
    for (;;) {
      Timestamp cut = SessionCut(session.start, max_duration, offset);
      if (session.count == 0 && session.continuation) {
        // A continuation exists only if an event joins it before the old timeout runs out.
        if (i >= times.size() || times[i] > last + timeout) break;
      }
      while (i < times.size() && times[i] <= last + timeout && times[i] <= cut) {
        last = times[i];
        ++i;
        ++session.count;
      }
      session.end = std::min(last + timeout, cut);
      if (session.count > 0) sessions.push_back(session);
      bool cut_first = cut < last + timeout;
      if (!cut_first) break;
      // The session closed at its cut: a continuation starts there, keeping `last`.
      session = Session{.start = cut, .continuation = true, .end = {}, .first = i, .count = 0};
    }
  }
  return sessions;
}

}  // namespace braid::sql
