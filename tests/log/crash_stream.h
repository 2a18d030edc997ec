// The stream shared by the crash test and its child process (log_crash_child.cc): four
// partitions keyed by a BIGINT event id, small segments so that kills also land on rolls, and the
// acknowledgement line format the child writes to its stdout:
//   "A <first_id> <count> <partition>:<base> ...\n"   one line per acknowledged append of events
//   first_id .. first_id + count - 1, naming the base offset of its batch in each partition.
// Test-only code.
#pragma once

#include <memory>
#include <string>

#include "common/chunk.h"
#include "log/log_options.h"
#include "log/stream_log.h"

namespace braid::log::testing {

inline constexpr int kCrashPartitions = 4;

inline StreamLogConfig CrashStreamConfig() {
  StreamLogConfig config;
  config.name = "crash";
  config.schema = std::make_shared<const Schema>(std::vector<Field>{
      {"event_id", DataType::kBigint, false},
      {"payload", DataType::kString, false},
  });
  config.partitions = kCrashPartitions;
  config.partition_key_column = 0;
  return config;
}

inline LogOptions CrashLogOptions() {
  LogOptions options;
  options.segment_bytes = 16 << 10;
  options.index_interval_bytes = 1 << 10;
  options.group_commit_delay = Duration::Millis(1);
  return options;
}

inline Chunk CrashEvents(const SchemaPtr& schema, int64_t first_id, int64_t count) {
  Chunk chunk(schema);
  for (int64_t id = first_id; id < first_id + count; ++id) {
    chunk.mutable_column(0).AppendInt64(id);
    chunk.mutable_column(1).AppendString(std::string(static_cast<size_t>(10 + id % 40), 'p'));
  }
  return chunk;
}

}  // namespace braid::log::testing
