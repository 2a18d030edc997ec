// Window assignment exactly as SEMANTICS.md defines it: windows are (start, end] on the Unix-epoch
// grid shifted by the offset. Tumbling and hopping assignment is a pure function of one event
// time; sessions need one key's events in time order. Every layer (the reference executor, batch,
// speed) calls these; nobody re-derives the arithmetic. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/time.h"
#include "sql/view_plan.h"

namespace braid::sql {

// floorMod(a, b) in [0, b), for b > 0.
int64_t FloorMod(int64_t a, int64_t b);

// The end of the one tumbling window holding t: t + floorMod(offset - t, size).
Timestamp TumblingWindowEnd(Timestamp t, Duration size, Duration offset);

// The ends of every hopping window holding t (t <= e < t + size), earliest first, appended to
// *ends. Starts at e0 = t + floorMod(offset - t, hop) and steps by hop.
void HoppingWindowEnds(Timestamp t, Duration size, Duration hop, Duration offset,
                       std::vector<Timestamp>* ends);

// Tumbling (one end) or hopping (all ends) for `window`, appended to *ends. Not for sessions.
void WindowEnds(const WindowDefinition& window, Timestamp t, std::vector<Timestamp>* ends);

// A session of one key: `count` events starting at index `first` of the sorted times.
struct Session {
  Timestamp start;  // the first event's time, or the cut a continuation starts at
  bool continuation = false;  // true: start is the cut (exclusive); false: the first event (inclusive)
  Timestamp end;
  size_t first = 0;
  size_t count = 0;
};

// The cut of a session starting at `start`: the first grid point (multiple of max_duration
// shifted by offset) that is >= start + max_duration.
Timestamp SessionCut(Timestamp start, Duration max_duration, Duration offset);

// The sessions of one key's events, `times` sorted ascending (ties in any order). Each event
// joins the open session when t <= last + timeout and t <= cut; otherwise the session closes at
// min(last + timeout, cut), and a continuation starting at the cut keeps `last` for its timeout.
// A continuation that receives no event has no Session.
std::vector<Session> AssignSessions(std::span<const Timestamp> times, Duration timeout,
                                    Duration max_duration, Duration offset);

}  // namespace braid::sql
