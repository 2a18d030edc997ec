#include "log/partition.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

#include "common/file_util.h"
#include "log/completion.h"
#include "log/group_commit.h"
#include "log/recovery.h"
#include "log/segment.h"

namespace braid::log {

namespace fs = std::filesystem;

struct Partition::State {
  // Writers: one append at a time writes to the active segment.
  std::mutex append_mu;
  std::shared_ptr<Segment> active;  // guarded by append_mu
  uint64_t next_offset = 0;         // guarded by append_mu

  // The segment list, oldest first; back() is the active segment. Readers copy what they need.
  mutable std::mutex segments_mu;
  std::vector<std::shared_ptr<Segment>> segments;

  // Visibility and lifecycle. visible_cv signals a new visible end and Close.
  mutable std::mutex visible_mu;
  mutable std::condition_variable visible_cv;
  bool closed = false;  // guarded by visible_mu
  Status failure;       // guarded by visible_mu; sticky
  std::atomic<uint64_t> visible_end{0};

  std::atomic<uint64_t> start_offset{0};
  std::atomic<uint64_t> size_bytes{0};
  std::atomic<int64_t> last_append_time{0};
  std::vector<KeyedBatch> recovered_keyed;  // guarded by append_mu

  // Makes [.., end_offset) visible, unless the partition failed: after a failure nothing more
  // becomes visible, since a later sync does not vouch for pages an earlier one failed to write.
  void Publish(uint64_t end_offset) {
    std::lock_guard lock(visible_mu);
    if (!failure.ok() || end_offset <= visible_end.load()) return;
    visible_end.store(end_offset, std::memory_order_release);
    visible_cv.notify_all();
  }

  void Fail(const Status& status) {
    std::lock_guard lock(visible_mu);
    if (failure.ok()) failure = status;
  }

  Status Failure() const {
    std::lock_guard lock(visible_mu);
    return failure;
  }
};

namespace {

std::chrono::system_clock::time_point ToTimePoint(Timestamp t) {
  // system_clock counts nanoseconds; clamp so that the conversion cannot overflow (year 2262).
  constexpr int64_t kMaxMicros = std::numeric_limits<int64_t>::max() / 1000 - 1;
  return std::chrono::system_clock::time_point(
      std::chrono::microseconds(std::clamp<int64_t>(t.micros, -kMaxMicros, kMaxMicros)));
}

}  // namespace

Partition::Partition(fs::path dir, int id, LogOptions options, GroupCommitter* committer)
    : dir_(std::move(dir)),
      id_(id),
      options_(options),
      committer_(committer),
      state_(std::make_shared<State>()) {}

Result<std::unique_ptr<Partition>> Partition::Open(const fs::path& dir, int id,
                                                   const LogOptions& options,
                                                   GroupCommitter* committer,
                                                   RecoveryReport* report) {
  RecoveryReport ignored;
  ASSIGN_OR_RETURN(RecoveredSegments recovered,
                   RecoverSegments(dir, options, report ? report : &ignored));
  std::unique_ptr<Partition> partition(new Partition(dir, id, options, committer));
  State& s = *partition->state_;
  s.segments = std::move(recovered.segments);
  s.recovered_keyed = std::move(recovered.keyed_batches);
  s.active = s.segments.back();
  s.next_offset = s.active->end_offset();
  s.visible_end = s.next_offset;
  s.start_offset = s.segments.front()->base_offset();
  uint64_t bytes = 0;
  int64_t newest = 0;
  for (const auto& segment : s.segments) {
    bytes += segment->size_bytes();
    newest = std::max(newest, segment->max_append_time().micros);
  }
  s.size_bytes = bytes;
  s.last_append_time = newest;
  return partition;
}

// Pending group-commit completions share the state and still run after this (they must not be
// waited for here: the last reference may well be dropped on the committer's own thread).
Partition::~Partition() { Close(); }

void Partition::AppendAsync(const AppendRequest& request, AppendCallback done) {
  const size_t rows = request.events == nullptr ? 0
                      : request.rows.empty()    ? request.events->num_rows()
                                                : request.rows.size();
  if (rows == 0 || request.min_event_time > request.max_event_time) {
    done(Status(StatusCode::kInvalidArgument, rows == 0 ? "cannot append an empty batch"
                                                        : "min event time after max event time"));
    return;
  }
  BatchHeader header;
  header.min_event_time = request.min_event_time;
  header.max_event_time = request.max_event_time;
  header.append_time = Now();
  header.idempotency = request.idempotency;
  // Encoding (serialization and compression) runs here, outside the append lock.
  thread_local std::string encoded;
  encoded.clear();
  header = request.rows.empty()
               ? EncodeRecordBatch(header, *request.events, options_, &encoded)
               : EncodeRecordBatch(header, *request.events, request.rows, options_, &encoded);
  if (header.uncompressed_bytes > kMaxBatchPayloadBytes ||
      header.payload_bytes > kMaxBatchPayloadBytes) {
    done(Status(StatusCode::kTooLarge,
                fmt::format("a batch of {} bytes exceeds the log's limit of {} bytes",
                            header.uncompressed_bytes, kMaxBatchPayloadBytes)));
    return;
  }
  WriteBatch(&encoded, header, std::move(done));
  // Keep the buffer for the next append, unless an exceptional batch blew it up.
  if (encoded.capacity() > kMaxRetainedBufferBytes) std::string().swap(encoded);
}

Result<uint64_t> Partition::Append(const AppendRequest& request) {
  Completion<Result<uint64_t>> completion;
  AppendAsync(request, [&completion](Result<uint64_t> r) { completion.Set(std::move(r)); });
  return completion.Wait();
}

void Partition::WriteBatch(std::string* encoded, const BatchHeader& written, AppendCallback done) {
  std::unique_lock lock(state_->append_mu);
  BatchHeader header = written;
  Status status = WriteLocked(encoded, &header);
  if (status.ok() && options_.fsync == FsyncPolicy::kGroup) {
    SubmitGroupCommit(header, std::move(done));
    return;
  }
  if (status.ok() && options_.fsync == FsyncPolicy::kAlways) {
    status = state_->active->Sync();
    if (!status.ok()) state_->Fail(status);
  }
  if (status.ok()) state_->Publish(header.end_offset());
  lock.unlock();
  done(status.ok() ? Result<uint64_t>(header.base_offset) : Result<uint64_t>(status));
}

Status Partition::WriteLocked(std::string* encoded, BatchHeader* header) {
  State& s = *state_;
  RETURN_IF_ERROR(CheckWritable());
  RETURN_IF_ERROR(RollIfFull());
  header->base_offset = s.next_offset;
  StampRecordBatchBaseOffset(header->base_offset, encoded);
  Status status = s.active->Append(*encoded, *header);
  if (!status.ok()) {
    s.Fail(status);
    return status;
  }
  s.next_offset = header->end_offset();
  s.size_bytes.fetch_add(header->total_bytes());
  s.last_append_time.store(std::max(s.last_append_time.load(), header->append_time.micros));
  return Status::Ok();
}

Status Partition::CheckWritable() const {
  std::lock_guard lock(state_->visible_mu);
  if (state_->closed) {
    return Status(StatusCode::kUnavailable, fmt::format("log partition {} is closed", id_));
  }
  if (!state_->failure.ok()) {
    return state_->failure.WithContext(fmt::format("log partition {} failed earlier", id_));
  }
  return Status::Ok();
}

void Partition::SubmitGroupCommit(const BatchHeader& header, AppendCallback done) {
  const uint64_t base = header.base_offset;
  const uint64_t end = header.end_offset();
  // The completion holds the segment, so its descriptor outlives the queued fdatasync, and the
  // state, so it may run after the partition is gone.
  committer_->Submit(state_->active->fd(), [state = state_, segment = state_->active, base, end,
                                            done = std::move(done)](const Status& synced) {
    if (!synced.ok()) state->Fail(synced);
    state->Publish(end);
    const Status failure = state->Failure();
    done(failure.ok() ? Result<uint64_t>(base) : Result<uint64_t>(failure));
  });
}

Status Partition::RollIfFull() {
  State& s = *state_;
  Segment& active = *s.active;
  if (active.size_bytes() < options_.segment_bytes || active.batch_count() == 0) {
    return Status::Ok();
  }
  // Everything in the old segment becomes durable (and visible) now, so that no pending group
  // commit is needed for it once the new segment takes over.
  Status synced = active.Sync();
  if (!synced.ok()) {
    s.Fail(synced);
    return synced;
  }
  s.Publish(active.end_offset());
  RETURN_IF_ERROR(active.WriteIndex());
  ASSIGN_OR_RETURN(std::shared_ptr<Segment> next,
                   Segment::Create(dir_, s.next_offset, options_.index_interval_bytes));
  active.TakeKeyedBatches();  // the key table has them; the index file keeps them from now on
  {
    std::lock_guard lock(s.segments_mu);
    s.segments.push_back(next);
  }
  s.active = std::move(next);
  return Status::Ok();
}

Result<std::shared_ptr<Segment>> Partition::SegmentHolding(uint64_t offset) const {
  std::lock_guard lock(state_->segments_mu);
  const auto& segments = state_->segments;
  auto after = std::upper_bound(
      segments.begin(), segments.end(), offset,
      [](uint64_t o, const std::shared_ptr<Segment>& seg) { return o < seg->base_offset(); });
  if (after == segments.begin()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("offset {} of log partition {} is below its start {}", offset, id_,
                              segments.front()->base_offset()));
  }
  return *std::prev(after);
}

Result<std::vector<RecordBatch>> Partition::Read(uint64_t offset, size_t max_bytes) const {
  const uint64_t limit = end_offset();
  std::vector<RecordBatch> out;
  size_t bytes = 0;
  uint64_t cursor = offset;
  if (cursor >= limit) RETURN_IF_ERROR(SegmentHolding(cursor));  // still reject offsets too low
  while (cursor < limit && (out.empty() || bytes < max_bytes)) {
    ASSIGN_OR_RETURN(std::shared_ptr<Segment> segment, SegmentHolding(cursor));
    ASSIGN_OR_RETURN(uint64_t next, segment->ReadBatches(cursor, limit, max_bytes, &out, &bytes));
    if (next == cursor) break;
    cursor = next;
  }
  return out;
}

Result<std::vector<BatchHeader>> Partition::ReadHeaders(uint64_t offset, size_t max_batches) const {
  const uint64_t limit = end_offset();
  std::vector<BatchHeader> out;
  uint64_t cursor = offset;
  if (cursor >= limit) RETURN_IF_ERROR(SegmentHolding(cursor));
  while (cursor < limit && out.size() < max_batches) {
    ASSIGN_OR_RETURN(std::shared_ptr<Segment> segment, SegmentHolding(cursor));
    ASSIGN_OR_RETURN(uint64_t next, segment->ReadHeaders(cursor, limit, max_batches, &out));
    if (next == cursor) break;
    cursor = next;
  }
  return out;
}

bool Partition::WaitForData(uint64_t offset, Timestamp deadline) const {
  State& s = *state_;
  std::unique_lock lock(s.visible_mu);
  s.visible_cv.wait_until(lock, ToTimePoint(deadline),
                          [&] { return s.visible_end.load() > offset || s.closed; });
  return s.visible_end.load() > offset;
}

uint64_t Partition::start_offset() const { return state_->start_offset.load(); }
uint64_t Partition::end_offset() const {
  return state_->visible_end.load(std::memory_order_acquire);
}
uint64_t Partition::size_bytes() const { return state_->size_bytes.load(); }
Timestamp Partition::last_append_time() const { return {state_->last_append_time.load()}; }

std::vector<KeyedBatch> Partition::TakeRecoveredKeyedBatches() {
  std::lock_guard lock(state_->append_mu);
  return std::exchange(state_->recovered_keyed, {});
}

Result<int> Partition::ApplyRetention(const RetentionPolicy& policy, uint64_t committed_limit,
                                      Timestamp now) {
  State& s = *state_;
  std::vector<std::shared_ptr<Segment>> doomed;
  {
    std::lock_guard lock(s.segments_mu);
    const uint64_t limit = std::min(committed_limit, end_offset());
    const uint64_t total = s.size_bytes.load();
    uint64_t removed = 0;
    size_t n = 0;
    // Oldest first, never the active (last) segment, never past what every consumer committed.
    for (; n + 1 < s.segments.size(); ++n) {
      const Segment& segment = *s.segments[n];
      if (segment.end_offset() > limit) break;
      const bool too_old = policy.max_age && segment.max_append_time() + *policy.max_age < now;
      const bool too_big = policy.max_bytes && total - removed > *policy.max_bytes;
      if (!too_old && !too_big) break;
      removed += segment.size_bytes();
    }
    doomed.assign(s.segments.begin(), s.segments.begin() + n);
    s.segments.erase(s.segments.begin(), s.segments.begin() + n);
    s.start_offset = s.segments.front()->base_offset();
    s.size_bytes.fetch_sub(removed);  // appends may add concurrently
  }
  for (const auto& segment : doomed) RETURN_IF_ERROR(segment->Remove());
  if (!doomed.empty()) RETURN_IF_ERROR(SyncDirectory(dir_));
  return static_cast<int>(doomed.size());
}

void Partition::Close() {
  std::lock_guard lock(state_->visible_mu);
  state_->closed = true;
  state_->visible_cv.notify_all();
}

}  // namespace braid::log
