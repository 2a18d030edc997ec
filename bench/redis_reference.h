// redis-server as the reference of the serving benchmarks: starts `redis-server` (from PATH) as a
// child process on a free loopback port, without persistence, runs `redis-benchmark -t set,get`
// against it once per client count (SET first, so every GET finds its key) and returns the GET
// line of its CSV output, then stops the server (SIGTERM, waited for). redis-benchmark measures
// on the same machine as the benchmark, so the figures are a local key-value round trip.
// kUnavailable when redis-server or redis-benchmark is not installed (the caller says so and goes
// on). Not thread-safe: one call at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"

namespace braid::bench {

struct RedisGetFigures {
  int clients = 0;
  uint64_t requests = 0;
  double per_second = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

// One entry per element of `client_counts`, each from `requests` GETs.
Result<std::vector<RedisGetFigures>> RedisGetLatency(const std::vector<int>& client_counts,
                                                     uint64_t requests);

}  // namespace braid::bench
