#include "lake/capture_test_util.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "lake/delta_table.h"
#include "lake/lake_test_util.h"

namespace braid::lake::testing {

SchemaPtr TelemetrySchema() {
  static const SchemaPtr schema = std::make_shared<const Schema>(std::vector<Field>{
      {"device_id", DataType::kString, false},
      {"event_ts", DataType::kTimestamp, true},
      {"temperature", DataType::kDouble, true},
      {"n", DataType::kBigint, true},
      {"ok", DataType::kBoolean, true},
  });
  return schema;
}

Chunk TelemetryEvents(int64_t first, size_t count) {
  constexpr int64_t kStart = 1'795'388'400'000'000;  // 2026-11-22T23:00:00Z
  Chunk chunk(TelemetrySchema());
  for (size_t i = 0; i < count; ++i) {
    const int64_t id = first + static_cast<int64_t>(i);
    chunk.mutable_column(0).AppendString(fmt::format("device-{}", (id * 7) % 5));
    if (id % 11 == 0) {
      chunk.mutable_column(1).AppendNull();
    } else {
      chunk.mutable_column(1).AppendInt64(kStart +
                                          (id * 3'600'000'000 * 7) % (72 * 3'600'000'000LL));
    }
    if (id % 7 == 0) {
      chunk.mutable_column(2).AppendNull();
    } else {
      chunk.mutable_column(2).AppendDouble(15.0 + static_cast<double>(id % 40) * 0.75);
    }
    chunk.mutable_column(3).AppendInt64(id * 1000 - 7);
    chunk.mutable_column(4).AppendBool(id % 3 == 0);
  }
  return chunk;
}

void FakeCaptureSource::Append(int partition, Chunk events, Timestamp ingested_at) {
  std::lock_guard lock(mu_);
  std::vector<Batch>& batches = partitions_[partition];
  const uint64_t first =
      batches.empty() ? 0 : batches.back().first_offset + batches.back().events.num_rows();
  batches.push_back(Batch{first, std::move(events), ingested_at});
}

std::map<std::pair<int, uint64_t>, std::pair<Chunk, size_t>> FakeCaptureSource::AllEvents() const {
  std::lock_guard lock(mu_);
  std::map<std::pair<int, uint64_t>, std::pair<Chunk, size_t>> all;
  for (size_t p = 0; p < partitions_.size(); ++p) {
    for (const Batch& batch : partitions_[p]) {
      for (size_t row = 0; row < batch.events.num_rows(); ++row) {
        all.emplace(std::pair(static_cast<int>(p), batch.first_offset + row),
                    std::pair(batch.events, row));
      }
    }
  }
  return all;
}

std::vector<uint64_t> FakeCaptureSource::committed() const {
  std::lock_guard lock(mu_);
  return committed_;
}

std::vector<uint64_t> FakeCaptureSource::EndOffsets() {
  std::lock_guard lock(mu_);
  std::vector<uint64_t> end;
  for (const std::vector<Batch>& batches : partitions_) {
    end.push_back(batches.empty() ? 0
                                  : batches.back().first_offset + batches.back().events.num_rows());
  }
  return end;
}

Status ReadBatchRange(const Chunk& events, uint64_t first_offset, Timestamp ingested_at,
                      uint64_t from, uint64_t to, const CaptureSource::EventsCallback& callback) {
  const uint64_t end = first_offset + events.num_rows();
  if (end <= from || first_offset >= to) return Status::Ok();
  if (first_offset >= from && end <= to) return callback(events, first_offset, ingested_at);
  std::vector<uint32_t> rows;
  for (uint64_t offset = std::max(from, first_offset); offset < std::min(to, end); ++offset) {
    rows.push_back(static_cast<uint32_t>(offset - first_offset));
  }
  return callback(events.Select(rows), first_offset + rows[0], ingested_at);
}

Status FakeCaptureSource::ReadRange(int partition, uint64_t from, uint64_t to,
                                    const EventsCallback& callback) {
  std::vector<Batch> batches;  // only the overlapping ones, copied so the callback runs unlocked
  {
    std::lock_guard lock(mu_);
    if (partition == fail_partition_) return Status(StatusCode::kIoError, "injected read error");
    for (const Batch& batch : partitions_[partition]) {
      const uint64_t end = batch.first_offset + batch.events.num_rows();
      if (end > from && batch.first_offset < to) batches.push_back(batch);
    }
  }
  for (const Batch& batch : batches) {
    RETURN_IF_ERROR(
        ReadBatchRange(batch.events, batch.first_offset, batch.ingested_at, from, to, callback));
  }
  return Status::Ok();
}

Status FakeCaptureSource::CommitCaptured(const std::vector<uint64_t>& offsets) {
  std::lock_guard lock(mu_);
  if (fail_commit_) {
    fail_commit_ = false;
    return Status(StatusCode::kIoError, "injected commit failure");
  }
  committed_ = offsets;
  return Status::Ok();
}

std::map<std::pair<int, uint64_t>, LakeRow> LakeContents(const std::filesystem::path& table_dir) {
  std::map<std::pair<int, uint64_t>, LakeRow> rows;
  Result<DeltaSnapshot> snapshot = DeltaTable(table_dir).LoadSnapshot();
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  if (!snapshot.ok()) return rows;
  for (const auto& [path, add] : snapshot->files()) {
    Result<Chunk> chunk = ReadAll(table_dir / *DecodeDataFilePath(path));
    EXPECT_TRUE(chunk.ok()) << chunk.status().ToString();
    if (!chunk.ok()) continue;
    const size_t columns = chunk->num_columns();
    for (size_t row = 0; row < chunk->num_rows(); ++row) {
      const std::pair<int, uint64_t> id(
          static_cast<int>(chunk->column(columns - 2).int64s()[row]),
          static_cast<uint64_t>(chunk->column(columns - 1).int64s()[row]));
      const uint32_t index = static_cast<uint32_t>(row);
      LakeRow lake_row{path, add.partition_values.at("event_date").value_or(""),
                       chunk->Select(std::span(&index, 1))};
      EXPECT_TRUE(rows.emplace(id, std::move(lake_row)).second)
          << "event " << id.first << "/" << id.second << " captured twice";
    }
  }
  return rows;
}

std::vector<std::string> ParquetFilesUnder(const std::filesystem::path& table_dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(table_dir)) {
    if (entry.path().extension() == ".parquet") {
      files.push_back(std::filesystem::relative(entry.path(), table_dir).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace braid::lake::testing
