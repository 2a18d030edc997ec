// Helpers for capture tests: an in-memory CaptureSource (partitions of appended batches, thread-
// safe, with switchable failures), a telemetry-like stream schema and event generator, and
// LakeContents, which reads back every active file of a lake table's latest snapshot. Test-only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/chunk.h"
#include "lake/capture.h"

namespace braid::lake::testing {

// device_id STRING NOT NULL, event_ts TIMESTAMP (NULL every 11th row), temperature DOUBLE (NULL
// every 7th), n BIGINT, ok BOOLEAN.
SchemaPtr TelemetrySchema();
inline constexpr size_t kDeviceColumn = 0;
inline constexpr size_t kTimeColumn = 1;
// Events numbered first..first+count-1, with event times spread over the 72 hours from
// 2026-11-22T23:00Z (four dates).
Chunk TelemetryEvents(int64_t first, size_t count);

// Hands the events of one stored batch (`events`, offsets first_offset..) that fall in
// [from, to) to `callback`: the whole batch when it lies inside, else the overlapping rows.
Status ReadBatchRange(const Chunk& events, uint64_t first_offset, Timestamp ingested_at,
                      uint64_t from, uint64_t to, const CaptureSource::EventsCallback& callback);

class FakeCaptureSource : public CaptureSource {
 public:
  explicit FakeCaptureSource(int partitions) : partitions_(partitions) {}

  void Append(int partition, Chunk events, Timestamp ingested_at);
  // Every event appended, by (partition, offset).
  std::map<std::pair<int, uint64_t>, std::pair<Chunk, size_t>> AllEvents() const;
  std::vector<uint64_t> committed() const;
  void FailReadsOfPartition(int partition) { fail_partition_ = partition; }
  void FailNextCommitCaptured() { fail_commit_ = true; }

  std::vector<uint64_t> EndOffsets() override;
  Status ReadRange(int partition, uint64_t from, uint64_t to,
                   const EventsCallback& callback) override;
  Status CommitCaptured(const std::vector<uint64_t>& offsets) override;

 private:
  struct Batch {
    uint64_t first_offset;
    Chunk events;
    Timestamp ingested_at;
  };
  mutable std::mutex mu_;
  std::vector<std::vector<Batch>> partitions_;
  std::vector<uint64_t> committed_ = std::vector<uint64_t>(partitions_.size(), 0);
  int fail_partition_ = -1;
  bool fail_commit_ = false;
};

// One captured row as read back from the lake.
struct LakeRow {
  std::string file;        // path relative to the table
  std::string event_date;  // the file's partition value
  Chunk row;               // one row of the file schema
};

// Reads every active file of the latest snapshot; fails the test on errors. Rows by
// (_partition, _offset); a duplicate identity is a test failure.
std::map<std::pair<int, uint64_t>, LakeRow> LakeContents(const std::filesystem::path& table_dir);

// Parquet files under the table directory, whether referenced or not.
std::vector<std::string> ParquetFilesUnder(const std::filesystem::path& table_dir);

}  // namespace braid::lake::testing
