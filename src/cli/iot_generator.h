// IotGenerator: deterministic telemetry like the seed's IoT scenario (device metrics and user
// activity): device_id, event_ts, temperature, energy_consumed, user_id, event_type,
// session_duration, revenue. The same options give the same events on every machine (our own
// splitmix64 stream and integer-to-double mapping; no implementation-defined distributions).
// Event time advances by 1/rate per event from `start`; a `disorder_fraction` of events is
// jittered back by up to `max_disorder`, and a `late_fraction` is pushed back by 1 to 10 minutes.
// A few devices run hot (average above 85) and a few cold (below 32) so the seed's HIGH_TEMP and
// LOW_TEMP alert levels occur. Not thread-safe; one generator per thread.
#pragma once

#include <cstdint>
#include <string>

#include "common/chunk.h"
#include "common/time.h"

namespace braid::cli {

struct IotGeneratorOptions {
  uint64_t devices = 1000;
  uint64_t users = 5000;
  Timestamp start = Timestamp{1795392000000000};  // 2026-11-23T00:00:00Z
  double rate = 1000.0;                           // events per second of event time
  double disorder_fraction = 0.05;
  Duration max_disorder = Duration::Seconds(5);
  double late_fraction = 0.0;
  uint64_t seed = 1;
};

struct IotEvent {
  uint64_t device;  // device number; device_id is "device-%05d"
  Timestamp event_ts;
  double temperature;
  double energy_consumed;
  bool has_user;
  uint64_t user;  // user_id is "user-%05d"
  const char* event_type;
  bool has_session_duration;
  double session_duration;
  bool has_revenue;
  double revenue;
};

class IotGenerator {
 public:
  explicit IotGenerator(const IotGeneratorOptions& options);

  IotEvent Next();
  // Appends the event as one NDJSON line (with '\n').
  static void AppendNdjson(const IotEvent& event, std::string* out);
  // The telemetry schema of examples/iot.sql.
  static SchemaPtr TelemetrySchema();
  // Appends the event as a row of a Chunk with TelemetrySchema().
  static void AppendToChunk(const IotEvent& event, Chunk* chunk);

 private:
  uint64_t NextRandom();
  double NextUnit();  // uniform in [0, 1)
  double NextGaussian();

  IotGeneratorOptions options_;
  uint64_t state_;
  uint64_t index_ = 0;
};

}  // namespace braid::cli
