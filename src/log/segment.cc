#include "log/segment.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <numeric>
#include <utility>

namespace braid::log {

namespace fs = std::filesystem;

namespace {

Result<uint64_t> FileSize(const UniqueFd& fd, const fs::path& path) {
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return IoError("stat", path, errno);
  return static_cast<uint64_t>(st.st_size);
}

Status Unlink(const fs::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("unlink", path, errno);
  return Status::Ok();
}

// Whether a decoded index describes the segment file as it is: same size, and the batch it names
// as the last one is really there, ends the file and ends at the index's end offset.
bool IndexMatchesFile(const SegmentIndex& index, uint64_t file_bytes,
                      Result<BatchHeader> last_header) {
  if (index.segment_bytes != file_bytes) return false;
  if (index.batch_count == 0) {
    return file_bytes == 0 && index.end_offset == index.base_offset && index.entries.empty();
  }
  if (index.entries.empty() || index.entries[0] != IndexEntry{index.base_offset, 0}) return false;
  return last_header.ok() && last_header->end_offset() == index.end_offset &&
         index.last_batch_position + last_header->total_bytes() == file_bytes;
}

}  // namespace

fs::path Segment::LogPath(const fs::path& dir, uint64_t base_offset) {
  return dir / fmt::format("{:020}.log", base_offset);
}

fs::path Segment::IndexPath(const fs::path& dir, uint64_t base_offset) {
  return dir / fmt::format("{:020}.index", base_offset);
}

Segment::Segment(fs::path dir, uint64_t base_offset, UniqueFd fd, uint32_t index_interval)
    : dir_(std::move(dir)),
      path_(LogPath(dir_, base_offset)),
      base_offset_(base_offset),
      fd_(std::move(fd)),
      index_interval_(std::max<uint32_t>(index_interval, 1)),
      end_offset_(base_offset) {}

Result<std::shared_ptr<Segment>> Segment::Create(const fs::path& dir, uint64_t base_offset,
                                                 uint32_t index_interval) {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(LogPath(dir, base_offset), O_RDWR | O_CREAT | O_TRUNC));
  RETURN_IF_ERROR(SyncDirectory(dir));
  return std::shared_ptr<Segment>(new Segment(dir, base_offset, std::move(fd), index_interval));
}

Result<std::shared_ptr<Segment>> Segment::OpenIndexed(const fs::path& dir, uint64_t base_offset,
                                                      uint32_t index_interval) {
  std::error_code ec;
  if (!fs::exists(IndexPath(dir, base_offset), ec)) return std::shared_ptr<Segment>();
  Result<std::string> bytes = ReadWholeFile(IndexPath(dir, base_offset));
  if (!bytes.ok()) return std::shared_ptr<Segment>();
  Result<SegmentIndex> index = DecodeSegmentIndex(*bytes);
  if (!index.ok() || index->base_offset != base_offset) return std::shared_ptr<Segment>();
  ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(LogPath(dir, base_offset), O_RDWR));
  std::shared_ptr<Segment> segment(new Segment(dir, base_offset, std::move(fd), index_interval));
  ASSIGN_OR_RETURN(uint64_t file_bytes, FileSize(segment->fd_, segment->path_));
  std::string header_bytes;
  Result<BatchHeader> last = index->batch_count > 0
                                 ? segment->ReadHeaderAt(index->last_batch_position, &header_bytes)
                                 : Result<BatchHeader>(BatchHeader{});
  if (!IndexMatchesFile(*index, file_bytes, std::move(last))) return std::shared_ptr<Segment>();
  segment->LoadIndex(std::move(index).value());
  return segment;
}

Result<SegmentScan> Segment::OpenAndScan(const fs::path& dir, uint64_t base_offset,
                                         uint32_t index_interval) {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(LogPath(dir, base_offset), O_RDWR));
  SegmentScan scan;
  scan.segment =
      std::shared_ptr<Segment>(new Segment(dir, base_offset, std::move(fd), index_interval));
  Segment& segment = *scan.segment;
  ASSIGN_OR_RETURN(scan.file_bytes, FileSize(segment.fd_, segment.path_));
  std::string header_bytes;
  std::string payload;
  uint64_t position = 0;
  while (position < scan.file_bytes) {
    Result<BatchHeader> header =
        segment.VerifiedBatchAt(position, scan.file_bytes, &header_bytes, &payload);
    if (!header.ok()) {
      scan.damage = fmt::format("{} at byte {}: {}", segment.path_.filename().string(), position,
                                header.status().message());
      break;
    }
    segment.NoteBatch(*header, position);
    position += header->total_bytes();
  }
  scan.valid_bytes = position;
  return scan;
}

Result<BatchHeader> Segment::VerifiedBatchAt(uint64_t position, uint64_t file_bytes,
                                             std::string* header_bytes,
                                             std::string* payload) const {
  const uint64_t left = file_bytes - position;
  if (left < kBatchHeaderSize) return Status(StatusCode::kCorruption, "torn batch header");
  ASSIGN_OR_RETURN(BatchHeader header, ReadHeaderAt(position, header_bytes));
  if (header.base_offset != end_offset()) {
    return Status(StatusCode::kCorruption, fmt::format("batch base offset {}, expected {}",
                                                       header.base_offset, end_offset()));
  }
  if (header.total_bytes() > left) {
    return Status(StatusCode::kCorruption,
                  fmt::format("torn batch: {} of {} bytes", left, header.total_bytes()));
  }
  RETURN_IF_ERROR(
      PReadExact(fd_.get(), position + kBatchHeaderSize, header.payload_bytes, payload, path_));
  RETURN_IF_ERROR(VerifyRecordBatch(header, *header_bytes, *payload));
  return header;
}

void Segment::NoteBatch(const BatchHeader& header, uint64_t position) {
  {
    std::lock_guard lock(index_mu_);
    if (entries_.empty() || position - entries_.back().position >= index_interval_) {
      entries_.push_back({header.base_offset, position});
    }
    if (header.idempotency.key_hash != 0) {
      keyed_batches_.push_back({header.base_offset, header.record_count, header.idempotency});
    }
  }
  last_batch_position_ = position;
  batch_count_.fetch_add(1, std::memory_order_release);
  const int64_t appended = header.append_time.micros;
  if (appended > max_append_time_.load(std::memory_order_relaxed)) {
    max_append_time_.store(appended, std::memory_order_release);
  }
  size_bytes_.store(position + header.total_bytes(), std::memory_order_release);
  end_offset_.store(header.end_offset(), std::memory_order_release);
}

void Segment::LoadIndex(SegmentIndex index) {
  {
    std::lock_guard lock(index_mu_);
    entries_ = std::move(index.entries);
    keyed_batches_ = std::move(index.keyed_batches);
  }
  last_batch_position_ = index.last_batch_position;
  batch_count_.store(index.batch_count);
  max_append_time_.store(index.max_append_time.micros);
  size_bytes_.store(index.segment_bytes);
  end_offset_.store(index.end_offset);
}

Status Segment::Append(std::string_view encoded, const BatchHeader& header) {
  const uint64_t position = size_bytes();
  RETURN_IF_ERROR(PWriteAll(fd_.get(), encoded, position, path_));
  NoteBatch(header, position);
  return Status::Ok();
}

Status Segment::Sync() const {
  if (::fdatasync(fd_.get()) != 0) return IoError("fdatasync", path_, errno);
  return Status::Ok();
}

Status Segment::TruncateTo(uint64_t bytes) {
  if (::ftruncate(fd_.get(), static_cast<off_t>(bytes)) != 0) {
    return IoError("truncate", path_, errno);
  }
  return Sync();
}

Status Segment::WriteIndex() {
  SegmentIndex index;
  index.base_offset = base_offset_;
  index.end_offset = end_offset();
  index.segment_bytes = size_bytes();
  index.batch_count = batch_count();
  index.last_batch_position = last_batch_position_;
  index.max_append_time = max_append_time();
  {
    std::lock_guard lock(index_mu_);
    index.entries = entries_;
    index.keyed_batches = keyed_batches_;
  }
  return WriteFileAtomically(IndexPath(dir_, base_offset_), EncodeSegmentIndex(index));
}

Status Segment::Remove() const {
  RETURN_IF_ERROR(Unlink(path_));
  return RemoveIndexFile();
}

Status Segment::RemoveIndexFile() const { return Unlink(IndexPath(dir_, base_offset_)); }

std::vector<KeyedBatch> Segment::keyed_batches() const {
  std::lock_guard lock(index_mu_);
  return keyed_batches_;
}

std::vector<KeyedBatch> Segment::TakeKeyedBatches() {
  std::lock_guard lock(index_mu_);
  return std::exchange(keyed_batches_, {});
}

uint64_t Segment::IndexedPositionFor(uint64_t offset) const {
  std::lock_guard lock(index_mu_);
  auto after = std::upper_bound(entries_.begin(), entries_.end(), offset,
                                [](uint64_t o, const IndexEntry& e) { return o < e.offset; });
  return after == entries_.begin() ? 0 : std::prev(after)->position;
}

Result<BatchHeader> Segment::ReadHeaderAt(uint64_t position, std::string* bytes) const {
  RETURN_IF_ERROR(PReadExact(fd_.get(), position, kBatchHeaderSize, bytes, path_));
  return DecodeRecordBatchHeader(*bytes);
}

// Visits the batches holding offsets in [from, limit) in order. `visit(header, position,
// header_bytes)` answers false to stop before that batch. Returns the offset after the last
// batch visited.
template <typename Visit>
Result<uint64_t> Segment::Walk(uint64_t from, uint64_t limit, Visit visit) const {
  uint64_t position = IndexedPositionFor(from);
  uint64_t next = from;
  const uint64_t size = size_bytes();
  std::string header_bytes;
  while (position < size) {
    Result<BatchHeader> header = ReadHeaderAt(position, &header_bytes);
    if (!header.ok()) {
      return header.status().WithContext(
          fmt::format("reading {} at byte {}", path_.string(), position));
    }
    if (header->base_offset >= limit) break;
    if (header->end_offset() > from) {
      ASSIGN_OR_RETURN(bool taken, visit(*header, position, header_bytes));
      if (!taken) break;
      next = header->end_offset();
    }
    position += header->total_bytes();
  }
  return next;
}

Result<uint64_t> Segment::ReadBatches(uint64_t from, uint64_t limit, size_t max_bytes,
                                      std::vector<RecordBatch>* out, size_t* payload_bytes) const {
  // The segment is read in windows of at least kReadAhead bytes rather than with two preads per
  // batch: the speed layer reads many small batches (a request spread over many partitions).
  constexpr uint64_t kReadAhead = uint64_t{256} << 10;
  uint64_t position = IndexedPositionFor(from);
  uint64_t next = from;
  const uint64_t size = size_bytes();
  std::string window;
  uint64_t window_start = position;
  auto bytes_at = [&](uint64_t at, uint64_t length) -> Result<std::string_view> {
    if (at < window_start || at + length > window_start + window.size()) {
      const uint64_t want = std::max(length, std::min(kReadAhead, size - at));
      RETURN_IF_ERROR(PReadExact(fd_.get(), at, want, &window, path_));
      window_start = at;
    }
    return std::string_view(window).substr(at - window_start, length);
  };
  std::string header_bytes;
  while (position < size) {
    Result<std::string_view> header_view = bytes_at(position, kBatchHeaderSize);
    Result<BatchHeader> header =
        header_view.ok() ? DecodeRecordBatchHeader(*header_view) : header_view.status();
    if (!header.ok()) {
      return header.status().WithContext(
          fmt::format("reading {} at byte {}", path_.string(), position));
    }
    if (header->base_offset >= limit) break;
    if (header->end_offset() > from) {
      if (!out->empty() && *payload_bytes >= max_bytes) break;
      header_bytes.assign(*header_view);  // the payload's read may move the window
      Result<std::string_view> payload =
          bytes_at(position + kBatchHeaderSize, header->payload_bytes);
      Result<RecordBatch> batch = payload.ok()
                                      ? DecodeRecordBatch(*header, header_bytes, *payload)
                                      : Result<RecordBatch>(payload.status());
      if (!batch.ok()) {
        return batch.status().WithContext(
            fmt::format("reading {} at byte {}", path_.string(), position));
      }
      if (header->base_offset < from) {
        std::vector<uint32_t> rows(header->end_offset() - from);
        std::iota(rows.begin(), rows.end(), static_cast<uint32_t>(from - header->base_offset));
        batch->events = batch->events.Select(rows);
        batch->header.base_offset = from;
        batch->header.record_count = static_cast<uint32_t>(rows.size());
      }
      *payload_bytes += header->payload_bytes;
      out->push_back(std::move(batch).value());
      next = header->end_offset();
    }
    position += header->total_bytes();
  }
  return next;
}

Result<uint64_t> Segment::ReadHeaders(uint64_t from, uint64_t limit, size_t max_headers,
                                      std::vector<BatchHeader>* out) const {
  auto visit = [&](const BatchHeader& header, uint64_t, std::string_view) -> Result<bool> {
    if (out->size() >= max_headers) return false;
    out->push_back(header);
    return true;
  };
  return Walk(from, limit, visit);
}

}  // namespace braid::log
