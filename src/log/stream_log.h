// StreamLog: the ingestion log of one stream (an Event Hub): N partitions under
// DATA/log/{stream}/, a dead-letter partition for rejected events, and the registered consumers
// whose committed offsets hold back retention.
//
// Append splits a Chunk of events by partition: the hash (common/hash.h) of the partition key
// column modulo N, or round-robin when the stream has no partition key (starting from the hash of
// the idempotency key when one is given, so a retry splits identically). It returns once every
// part is durable. With an idempotency key, each part's batch carries the key's hash and its part
// number; a retry of a key whose parts are all in the log appends nothing and answers as before,
// and a retry after a crash that left only some parts appends exactly the missing ones. The key
// table is rebuilt from batch headers at Open, so deduplication survives restarts (keys older than
// the retained log are forgotten with it).
//
// Consumers (capture) register by name and commit per-partition offsets; commits are persisted
// atomically in DATA/log/{stream}/consumers (docs/formats/log_segment.md). Retention never deletes
// a segment holding an offset some registered consumer has not committed.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/chunk.h"
#include "log/log_options.h"
#include "log/partition.h"

namespace braid::log {

struct StreamLogConfig {
  std::string name;
  SchemaPtr schema;
  int partitions = 1;
  std::optional<size_t> partition_key_column;  // index into schema
  std::optional<size_t> timestamp_column;      // TIMESTAMP column giving event time
  RetentionPolicy retention;
};

struct AppendOptions {
  std::string idempotency_key;  // empty = none
};

struct AppendResult {
  uint64_t accepted = 0;       // events in the log for this request (including an earlier try)
  bool duplicate = false;      // the idempotency key was already fully in the log
  // Per partition touched: (partition id, base offset of this request's batch).
  std::vector<std::pair<int, uint64_t>> batches;
};

// A rejected event kept in the dead-letter partition.
struct DeadLetter {
  uint64_t index = 0;     // position of the event in its request
  std::string raw;        // the event's original text
  std::string field;      // the offending field, empty when the event as a whole was bad
  std::string reason;
};

class StreamLog {
 public:
  static Result<std::unique_ptr<StreamLog>> Open(const std::filesystem::path& dir,
                                                 StreamLogConfig config, const LogOptions& options,
                                                 GroupCommitter* committer,
                                                 std::vector<RecoveryReport>* reports);
  ~StreamLog();

  const StreamLogConfig& config() const { return config_; }
  int num_partitions() const { return static_cast<int>(partitions_.size()); }
  Partition& partition(int id) { return *partitions_[id]; }
  const Partition& partition(int id) const { return *partitions_[id]; }

  // Appends `events` (schema equal to config().schema) durably; see the header comment. With an
  // idempotency key whose request is still in flight, answers kDuplicateObject ("in progress").
  void AppendAsync(const Chunk& events, const AppendOptions& options,
                   std::function<void(Result<AppendResult>)> done);
  Result<AppendResult> Append(const Chunk& events, const AppendOptions& options);

  // Appends rejected events to the dead-letter partition, durably.
  Result<uint64_t> AppendDeadLetters(const std::vector<DeadLetter>& letters);
  Partition& dead_letters() { return *dead_letters_; }
  // The schema of dead-letter batches: received_at TIMESTAMP, request_index BIGINT, raw STRING,
  // field STRING, reason STRING.
  static SchemaPtr DeadLetterSchema();

  // Consumers.
  Status RegisterConsumer(const std::string& name);
  Status CommitConsumer(const std::string& name, const std::vector<uint64_t>& offsets);
  // Offsets a consumer committed (one per partition; zeros after registration).
  std::optional<std::vector<uint64_t>> CommittedOffsets(const std::string& name) const;

  // The end offset of every partition, read at one instant (no append is half-visible).
  std::vector<uint64_t> EndOffsets() const;
  uint64_t TotalEvents() const;  // sum of end offsets minus retained starts: events in the log
  uint64_t TotalBytes() const;

  // Runs retention on every partition. Returns segments deleted.
  Result<int> ApplyRetention(Timestamp now);

  // Closes every partition (wakes readers, refuses appends).
  void Close();

 private:
  StreamLog() = default;
  struct IdempotencyState;

  StreamLogConfig config_;
  std::filesystem::path dir_;
  std::vector<std::unique_ptr<Partition>> partitions_;
  std::unique_ptr<Partition> dead_letters_;
  std::unique_ptr<IdempotencyState> idempotency_;
  mutable std::mutex consumers_mu_;
  std::map<std::string, std::vector<uint64_t>> consumers_;
  std::atomic<uint64_t> round_robin_{0};
};

}  // namespace braid::log
