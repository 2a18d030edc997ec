// Partition: one append-only sequence of record batches, stored as segment files
// `{base_offset:020}.log` with a sparse index `{base_offset:020}.index` in one directory
// (DATA/log/{stream}/{partition}/). Offsets are dense record numbers starting at 0.
//
// Durability: Append writes the batch and then waits until it is durable under the fsync policy
// (group commit shares one fdatasync among concurrent appends through the GroupCommitter). Only
// durable batches are visible: end_offset() and readers never expose a batch that a crash could
// still take back, so every consumer (capture, speed layer) sees a prefix that will survive.
// Under kNever a written batch is visible at once (it survives a process crash, not a power cut).
// A failed write or fdatasync fails the partition: later appends are refused with that error
// until it is reopened, and recovery then cuts whatever was not durable.
//
// Recovery (Open, log/recovery.h): sealed segments whose index checks out are trusted (their
// batches are CRC-checked on every read); every other segment, and always the last one, is
// CRC-checked batch by batch. The first bad CRC, bad header, offset gap or torn tail ends the log
// there, the damaged bytes are truncated away (later segments are removed) and the RecoveryReport
// says what was dropped. Appends then continue after the last valid batch.
//
// Rolling: once the active segment reaches LogOptions::segment_bytes, the next append syncs it,
// writes its index and starts a new segment. Segments are shared with pending group-commit
// completions, so a queued fdatasync never outlives its file descriptor.
//
// Thread-safety: all methods may be called concurrently. Appends are serialized internally;
// reads run in parallel with appends.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "log/log_options.h"
#include "log/record_batch.h"

namespace braid::log {

class GroupCommitter;
class Segment;

// What recovery found and dropped in one partition.
struct RecoveryReport {
  uint64_t valid_batches = 0;
  uint64_t end_offset = 0;
  uint64_t truncated_bytes = 0;   // bytes cut from the damaged segment's tail
  uint64_t removed_segments = 0;  // whole segments after the damage
  std::string reason;             // empty when nothing was dropped
};

// `events` (and `rows`) need only stay valid during the AppendAsync call: the batch is encoded
// before it returns.
struct AppendRequest {
  const Chunk* events = nullptr;  // not empty
  Timestamp min_event_time;
  Timestamp max_event_time;
  IdempotencyTag idempotency;
  // When not empty, the batch holds only these rows of *events, in this order.
  std::span<const uint32_t> rows;
};

// Called exactly once when the batch is durable (with its base offset) or has failed.
using AppendCallback = std::function<void(Result<uint64_t> base_offset)>;

class Partition {
 public:
  // Opens or creates the partition directory and recovers it. `committer` must outlive the
  // partition.
  static Result<std::unique_ptr<Partition>> Open(const std::filesystem::path& dir, int id,
                                                 const LogOptions& options,
                                                 GroupCommitter* committer, RecoveryReport* report);
  // Closes. Completions of pending group commits still run afterwards.
  ~Partition();
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;

  int id() const { return id_; }

  // Appends one batch; `done` runs once it is durable (on the committer's thread, or on the
  // caller's thread for kAlways/kNever or on error). Encoding happens on the caller's thread.
  void AppendAsync(const AppendRequest& request, AppendCallback done);
  // Blocking form of AppendAsync: returns the batch's base offset once durable.
  Result<uint64_t> Append(const AppendRequest& request);

  // Reads batches holding offsets >= `offset`, at most about `max_bytes` of payload (at least one
  // batch when any is available). The first batch is sliced so that it starts exactly at
  // `offset` (its header then says so: base offset and record count of the slice). Returns an
  // empty vector at the end. An offset below start_offset() is kInvalidArgument.
  Result<std::vector<RecordBatch>> Read(uint64_t offset, size_t max_bytes) const;
  // Headers only, for batches holding offsets >= `offset` (cheap scans: idempotency recovery,
  // retention, status). Headers are not sliced.
  Result<std::vector<BatchHeader>> ReadHeaders(uint64_t offset, size_t max_batches) const;

  // Blocks until end_offset() > offset, the deadline passes or Close() is called. Returns true
  // when data is available.
  bool WaitForData(uint64_t offset, Timestamp deadline) const;

  uint64_t start_offset() const;  // first retained offset
  uint64_t end_offset() const;    // one past the last durable record
  uint64_t size_bytes() const;    // bytes of all segments
  Timestamp last_append_time() const;

  // Deletes whole segments per `policy` whose last offset is < `committed_limit` (the minimum
  // committed offset of all registered consumers). Never the active segment. Returns the number
  // of segments deleted.
  Result<int> ApplyRetention(const RetentionPolicy& policy, uint64_t committed_limit,
                             Timestamp now);

  // The idempotency-keyed batches recovery found at Open; hands them over once (then empty).
  std::vector<KeyedBatch> TakeRecoveredKeyedBatches();

  // Wakes waiters and refuses further appends (kUnavailable).
  void Close();

 private:
  Partition(std::filesystem::path dir, int id, LogOptions options, GroupCommitter* committer);

  struct State;
  // Writes an encoded batch under the append lock and arranges for `done` per the fsync policy.
  void WriteBatch(std::string* encoded, const BatchHeader& header, AppendCallback done);
  // Under the append lock: rolls if needed, assigns the base offset and writes.
  Status WriteLocked(std::string* encoded, BatchHeader* header);
  Status CheckWritable() const;
  void SubmitGroupCommit(const BatchHeader& header, AppendCallback done);
  Status RollIfFull();
  // The segment holding `offset`, or an error when it is below the retained start.
  Result<std::shared_ptr<Segment>> SegmentHolding(uint64_t offset) const;

  std::filesystem::path dir_;
  int id_;
  LogOptions options_;
  GroupCommitter* committer_;
  // Shared with pending group-commit completions.
  std::shared_ptr<State> state_;
};

}  // namespace braid::log
