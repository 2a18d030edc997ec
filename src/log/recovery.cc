#include "log/recovery.h"

#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <span>
#include <string>

#include "common/file_util.h"

namespace braid::log {

namespace fs = std::filesystem;

namespace {

constexpr size_t kSegmentNameDigits = 20;

// The base offset a segment file name "{base:020}.log" encodes.
std::optional<uint64_t> ParseSegmentName(std::string_view name) {
  if (name.size() != kSegmentNameDigits + 4 || !name.ends_with(".log")) return std::nullopt;
  uint64_t base = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + kSegmentNameDigits, base);
  if (ec != std::errc() || end != name.data() + kSegmentNameDigits) return std::nullopt;
  return base;
}

// Deletes leftovers of interrupted atomic writes and returns the segment base offsets, sorted.
Result<std::vector<uint64_t>> ListSegments(const fs::path& dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(dir));
  std::vector<uint64_t> bases;
  for (const std::string& name : names) {
    if (name.find(".tmp-") != std::string::npos) {
      std::error_code ec;
      fs::remove(dir / name, ec);
      if (ec) return IoError("remove", dir / name, ec.value());
    } else if (std::optional<uint64_t> base = ParseSegmentName(name)) {
      bases.push_back(*base);
    }
  }
  return bases;  // ListDirectory sorts names, and zero-padded names sort by offset
}

Status RemoveSegmentFiles(const fs::path& dir, uint64_t base) {
  for (const fs::path& path : {Segment::LogPath(dir, base), Segment::IndexPath(dir, base)}) {
    std::error_code ec;
    fs::remove(path, ec);
    if (ec) return IoError("remove", path, ec.value());
  }
  return Status::Ok();
}

// Opens segment `base`, trusting its index unless it is the last one. Returns the segment and a
// description of the damage that ends the log inside it (empty when none).
Result<SegmentScan> OpenSegment(const fs::path& dir, uint64_t base, bool is_last,
                                const LogOptions& options) {
  if (!is_last) {
    ASSIGN_OR_RETURN(std::shared_ptr<Segment> indexed,
                     Segment::OpenIndexed(dir, base, options.index_interval_bytes));
    if (indexed) return SegmentScan{indexed, indexed->size_bytes(), indexed->size_bytes(), ""};
  }
  ASSIGN_OR_RETURN(SegmentScan scan, Segment::OpenAndScan(dir, base, options.index_interval_bytes));
  // A sealed segment that had to be scanned gets its index back.
  if (!is_last && scan.damage.empty()) RETURN_IF_ERROR(scan.segment->WriteIndex());
  return scan;
}

// Cuts the log at the damage found in `scan` (the last opened segment) and deletes `later`.
Status CutLog(const fs::path& dir, const SegmentScan& scan, std::span<const uint64_t> later,
              RecoveryReport* report) {
  if (scan.segment && scan.valid_bytes < scan.file_bytes) {
    RETURN_IF_ERROR(scan.segment->TruncateTo(scan.valid_bytes));
    RETURN_IF_ERROR(scan.segment->RemoveIndexFile());
    report->truncated_bytes = scan.file_bytes - scan.valid_bytes;
  }
  for (uint64_t base : later) RETURN_IF_ERROR(RemoveSegmentFiles(dir, base));
  report->removed_segments = later.size();
  std::string reason = scan.damage;
  if (report->truncated_bytes > 0) reason += fmt::format("; cut {} bytes", report->truncated_bytes);
  if (!later.empty()) reason += fmt::format("; removed {} later segment(s)", later.size());
  report->reason = std::move(reason);
  return SyncDirectory(dir);
}

// Prepares the last segment for appends: its index file (if a clean shutdown left one) would go
// stale with the first append, and its tail, found intact, is made durable before it is exposed.
Status PrepareActive(const fs::path& dir, RecoveredSegments* recovered, const LogOptions& options) {
  if (recovered->segments.empty()) {
    ASSIGN_OR_RETURN(std::shared_ptr<Segment> fresh,
                     Segment::Create(dir, 0, options.index_interval_bytes));
    recovered->segments.push_back(std::move(fresh));
  }
  Segment& active = *recovered->segments.back();
  RETURN_IF_ERROR(active.RemoveIndexFile());
  RETURN_IF_ERROR(active.Sync());
  return SyncDirectory(dir);
}

}  // namespace

Result<RecoveredSegments> RecoverSegments(const fs::path& dir, const LogOptions& options,
                                          RecoveryReport* report) {
  RETURN_IF_ERROR(CreateDirectoriesDurably(dir));
  ASSIGN_OR_RETURN(std::vector<uint64_t> bases, ListSegments(dir));
  RecoveredSegments recovered;
  *report = RecoveryReport{};
  for (size_t i = 0; i < bases.size(); ++i) {
    const std::span<const uint64_t> later = std::span(bases).subspan(i + 1);
    if (!recovered.segments.empty() && bases[i] != recovered.segments.back()->end_offset()) {
      SegmentScan gap{nullptr, 0, 0,
                      fmt::format("segment {:020}.log starts at offset {}, expected {}", bases[i],
                                  bases[i], recovered.segments.back()->end_offset())};
      RETURN_IF_ERROR(CutLog(dir, gap, std::span(bases).subspan(i), report));
      break;
    }
    ASSIGN_OR_RETURN(SegmentScan scan, OpenSegment(dir, bases[i], later.empty(), options));
    recovered.segments.push_back(scan.segment);
    if (!scan.damage.empty()) {
      RETURN_IF_ERROR(CutLog(dir, scan, later, report));
      break;
    }
  }
  RETURN_IF_ERROR(PrepareActive(dir, &recovered, options));
  for (const auto& segment : recovered.segments) {
    // Sealed segments hand their keyed batches over; the active one keeps them for its index.
    std::vector<KeyedBatch> keyed = segment == recovered.segments.back()
                                        ? segment->keyed_batches()
                                        : segment->TakeKeyedBatches();
    recovered.keyed_batches.insert(recovered.keyed_batches.end(), keyed.begin(), keyed.end());
    report->valid_batches += segment->batch_count();
  }
  report->end_offset = recovered.segments.back()->end_offset();
  return recovered;
}

}  // namespace braid::log
