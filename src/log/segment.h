// Segment: one segment file of a partition, `{base_offset:020}.log`, holding record batches back
// to back, and its sparse offset index (in memory; persisted as `{base_offset:020}.index` when
// the segment is sealed). Formats: docs/formats/log_segment.md.
//
// A segment is opened in one of two ways: OpenIndexed trusts a persisted index after checking it
// against the file (size, last batch header), which is how sealed segments open fast; OpenAndScan
// reads and CRC-checks every batch, rebuilding the index, and reports the first damage it finds.
//
// Ownership and threads: a Segment owns its file descriptor and is shared (std::shared_ptr) by
// the partition's segment list, readers and pending group-commit completions, so the descriptor
// stays open until the last of them lets go, even after retention unlinked the file. Append and
// TruncateTo must be serialized by the caller (the partition's append lock); reads may run
// concurrently with them and with each other.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "common/status.h"
#include "log/record_batch.h"
#include "log/segment_index.h"

namespace braid::log {

class Segment;

// What OpenAndScan found: the segment holds the valid prefix; `damage` is empty when the whole
// file was valid, else it says what ended the valid prefix at byte `valid_bytes`.
struct SegmentScan {
  std::shared_ptr<Segment> segment;
  uint64_t valid_bytes = 0;
  uint64_t file_bytes = 0;
  std::string damage;
};

class Segment {
 public:
  static std::filesystem::path LogPath(const std::filesystem::path& dir, uint64_t base_offset);
  static std::filesystem::path IndexPath(const std::filesystem::path& dir, uint64_t base_offset);

  // Creates a new empty segment file and makes its directory entry durable. A file of that name
  // can only be the leftover of a roll that failed half-way (it lies past the log's end): it is
  // emptied.
  static Result<std::shared_ptr<Segment>> Create(const std::filesystem::path& dir,
                                                 uint64_t base_offset, uint32_t index_interval);
  // Opens a sealed segment from its index file; nullptr when the index is missing, unreadable
  // or does not match the segment file (the caller then scans).
  static Result<std::shared_ptr<Segment>> OpenIndexed(const std::filesystem::path& dir,
                                                      uint64_t base_offset,
                                                      uint32_t index_interval);
  // Opens a segment and verifies every batch (header, contiguous offsets, length, CRC).
  static Result<SegmentScan> OpenAndScan(const std::filesystem::path& dir, uint64_t base_offset,
                                         uint32_t index_interval);

  ~Segment() = default;
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  uint64_t base_offset() const { return base_offset_; }
  uint64_t end_offset() const { return end_offset_.load(std::memory_order_acquire); }
  uint64_t size_bytes() const { return size_bytes_.load(std::memory_order_acquire); }
  uint64_t batch_count() const { return batch_count_.load(std::memory_order_acquire); }
  Timestamp max_append_time() const { return {max_append_time_.load(std::memory_order_acquire)}; }
  int fd() const { return fd_.get(); }
  const std::filesystem::path& path() const { return path_; }

  // Writes one encoded batch (header says what it holds) at the end of the file. On a failed
  // write the file is cut back to its previous size; if even that fails the Status says so and
  // the segment must not be appended to again.
  Status Append(std::string_view encoded, const BatchHeader& header);
  // fdatasync of the segment file.
  Status Sync() const;
  // Cuts the file to `bytes` (the valid prefix found by a scan) and syncs it.
  Status TruncateTo(uint64_t bytes);
  // Persists the index of this (sealed) segment atomically.
  Status WriteIndex();
  // Unlinks the segment file and its index (the descriptor stays valid for current holders).
  Status Remove() const;
  Status RemoveIndexFile() const;

  // Idempotency-keyed batches this segment holds. A segment keeps them until it is sealed and
  // its index written; TakeKeyedBatches hands them over and frees them.
  std::vector<KeyedBatch> keyed_batches() const;
  std::vector<KeyedBatch> TakeKeyedBatches();

  // Appends to *out the batches holding offsets in [from, limit), decoded; the first one sliced
  // to start at `from`. Stops before a batch once *payload_bytes >= max_bytes and *out is not
  // empty. Returns the offset after the last batch read (`from` when none).
  Result<uint64_t> ReadBatches(uint64_t from, uint64_t limit, size_t max_bytes,
                               std::vector<RecordBatch>* out, size_t* payload_bytes) const;
  // The same for headers only, at most max_headers entries in *out in total.
  Result<uint64_t> ReadHeaders(uint64_t from, uint64_t limit, size_t max_headers,
                               std::vector<BatchHeader>* out) const;

 private:
  Segment(std::filesystem::path dir, uint64_t base_offset, UniqueFd fd, uint32_t index_interval);
  // Records a batch written (or found by a scan) at `position`.
  void NoteBatch(const BatchHeader& header, uint64_t position);
  void LoadIndex(SegmentIndex index);
  // The indexed batch position at or before `offset`.
  uint64_t IndexedPositionFor(uint64_t offset) const;
  Result<BatchHeader> ReadHeaderAt(uint64_t position, std::string* bytes) const;
  // Reads and checks the batch at `position` of a file of `file_bytes` bytes: it must continue
  // the segment (base offset == end_offset()), fit in the file and match its CRC.
  Result<BatchHeader> VerifiedBatchAt(uint64_t position, uint64_t file_bytes,
                                      std::string* header_bytes, std::string* payload) const;
  template <typename Visit>
  Result<uint64_t> Walk(uint64_t from, uint64_t limit, Visit visit) const;

  std::filesystem::path dir_;
  std::filesystem::path path_;
  uint64_t base_offset_;
  UniqueFd fd_;
  uint32_t index_interval_;
  std::atomic<uint64_t> end_offset_;
  std::atomic<uint64_t> size_bytes_{0};
  std::atomic<uint64_t> batch_count_{0};
  std::atomic<int64_t> max_append_time_{0};
  uint64_t last_batch_position_ = 0;  // written under the caller's append lock
  mutable std::mutex index_mu_;
  std::vector<IndexEntry> entries_;        // guarded by index_mu_
  std::vector<KeyedBatch> keyed_batches_;  // guarded by index_mu_
};

}  // namespace braid::log
