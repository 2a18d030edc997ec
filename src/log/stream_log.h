// StreamLog: the ingestion log of one stream (an Event Hub): N partitions under
// DATA/log/{stream}/, a dead-letter partition for rejected events, and the registered consumers
// whose committed offsets hold back retention.
//
// Append splits a Chunk of events by partition (log/partitioner.h): the hash (common/hash.h) of
// the partition key column modulo N (a NULL key goes to partition 0), or round-robin when the
// stream has no partition key (starting from the hash of the idempotency key when one is given,
// so a retry splits identically). It returns once every part is durable. A part's event-time
// range is the min/max of the timestamp column over its rows (rows with a NULL time, and streams
// without a timestamp column, count at the append time). With an idempotency key, each part's batch
// carries the key's hash and its part number; a retry of a key whose parts are all in the log
// appends nothing and answers as before, and a retry after a crash that left only some parts
// appends exactly the missing ones. The key table is rebuilt from batch headers at Open, so
// deduplication survives restarts (keys older than the retained log are forgotten with it).
//
// A retry under a known key must split into the same parts (same partitions and record counts),
// else it is kInvalidArgument: the key was used for a different request.
//
// Consumers (capture) register by name and commit per-partition offsets; commits are persisted
// atomically in DATA/log/{stream}/consumers (docs/formats/log_segment.md). Retention never deletes
// a segment holding an offset some registered consumer has not committed. The partition count is
// fixed at creation and recorded in DATA/log/{stream}/meta. Dead letters live in the partition
// DATA/log/{stream}/dead_letter/ (partition id -1).
//
// Schema evolution: the schema may grow by nullable columns appended at the end (AlterSchema,
// for ALTER STREAM). Batches keep the schema they were written with (serialized Chunks carry
// their column names, docs/formats/chunk.md); ReadEvents projects them onto the current schema by
// name, with NULL in the columns they lack (common/chunk_projection.h). config().schema stays the
// schema the log was opened with; schema() is the current one.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/chunk.h"
#include "log/idempotency.h"
#include "log/log_options.h"
#include "log/partition.h"
#include "log/partitioner.h"
#include "log/stream_files.h"

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
  uint64_t accepted = 0;   // events in the log for this request (including an earlier try)
  bool duplicate = false;  // the idempotency key was already fully in the log
  // Per partition touched: (partition id, base offset of this request's batch).
  std::vector<std::pair<int, uint64_t>> batches;
};

// A rejected event kept in the dead-letter partition.
struct DeadLetter {
  uint64_t index = 0;  // position of the event in its request
  std::string raw;     // the event's original text
  std::string field;   // the offending field, empty when the event as a whole was bad
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

  // The current schema (config().schema, extended by every AlterSchema since Open).
  SchemaPtr schema() const;
  // Makes `next` the current schema; it must extend the current one (SchemaExtends), else
  // kInvalidArgument. Appends and reads that started before may still use the old one.
  Status AlterSchema(SchemaPtr next);
  // Partition::Read of event partition `partition` with every batch's events projected onto the
  // current schema. kInvalidArgument for a partition that does not exist.
  Result<std::vector<RecordBatch>> ReadEvents(int partition, uint64_t offset,
                                              size_t max_bytes) const;

  // Appends `events` (schema() or an older schema it extends) durably; see the header comment. With
  // an idempotency key whose request is still in flight, answers kDuplicateObject ("in progress").
  // `events` is serialized before AppendAsync returns; the caller may free it right after.
  void AppendAsync(const Chunk& events, const AppendOptions& options,
                   std::function<void(Result<AppendResult>)> done);
  Result<AppendResult> Append(const Chunk& events, const AppendOptions& options);

  // Appends rejected events to the dead-letter partition, durably.
  Result<uint64_t> AppendDeadLetters(const std::vector<DeadLetter>& letters);
  Partition& dead_letters() { return *dead_letters_; }
  const Partition& dead_letters() const { return *dead_letters_; }
  // The schema of dead-letter batches: received_at TIMESTAMP, request_index BIGINT, raw STRING,
  // field STRING, reason STRING.
  static SchemaPtr DeadLetterSchema();

  // Consumers.
  Status RegisterConsumer(const std::string& name);
  Status CommitConsumer(const std::string& name, const std::vector<uint64_t>& offsets);
  // Offsets a consumer committed (one per partition; zeros after registration).
  std::optional<std::vector<uint64_t>> CommittedOffsets(const std::string& name) const;

  // The end offset of every partition. Each is a durable batch boundary (no batch is
  // half-visible), and every append acknowledged before the call is wholly included; the parts
  // of a multi-partition append still in flight may be included in some partitions only.
  std::vector<uint64_t> EndOffsets() const;
  uint64_t TotalEvents() const;  // sum of end offsets minus retained starts: events in the log
  uint64_t TotalBytes() const;   // bytes of the event partitions' segments
  // Idempotency keys the log remembers (status, tests).
  size_t KnownIdempotencyKeys() const { return idempotency_->size(); }

  // Runs retention on every partition. Returns segments deleted.
  Result<int> ApplyRetention(Timestamp now);

  // Closes every partition (wakes readers, refuses appends).
  void Close();

 private:
  StreamLog() = default;
  struct AppendJoin;

  Status CheckEvents(const Chunk& events) const;
  SplitSpec SplitSpecFor(uint64_t key_hash);
  // Appends the shares of `split` that `known` does not already hold.
  void AppendShares(const Chunk& events, const PartitionSplit& split, uint64_t key_hash,
                    const KeyState& known, std::function<void(Result<AppendResult>)> done);
  // Checks that what the log holds for the key is a part of this split; fills the join's answer
  // with those parts and marks them present.
  Status MatchKnownParts(const KeyState& known, const PartitionSplit& split, AppendJoin* join,
                         std::vector<bool>* present) const;
  Status SaveConsumers(const ConsumerOffsets& consumers) const;

  StreamLogConfig config_;
  mutable std::mutex schema_mu_;
  SchemaPtr schema_;  // guarded by schema_mu_
  std::filesystem::path dir_;
  std::vector<std::unique_ptr<Partition>> partitions_;
  std::unique_ptr<Partition> dead_letters_;
  std::shared_ptr<IdempotencyTable> idempotency_;  // shared with appends in flight
  mutable std::mutex consumers_mu_;
  ConsumerOffsets consumers_;  // guarded by consumers_mu_
  std::atomic<uint64_t> round_robin_{0};
};

}  // namespace braid::log
