// Helpers shared by the log tests: a unique temporary directory removed at the end of the test,
// a telemetry-like schema with an event id column, chunk builders, and readers that collect what
// a partition holds. Test-only code.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/chunk.h"
#include "log/partition.h"

namespace braid::log::testing {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = fmt::format("braid_log_{}_{}_{}_{}", test ? test->test_suite_name() : "x",
                                   test ? test->name() : "x", ::getpid(), counter++);
    std::replace(name.begin(), name.end(), '/', '_');  // parameterized tests: "Suite/Test/0"
    path_ = std::filesystem::path(::testing::TempDir()) / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// event_id BIGINT, device_id STRING, event_ts TIMESTAMP, temperature DOUBLE (NULL every 7th row).
inline SchemaPtr EventSchema() {
  static const SchemaPtr schema = std::make_shared<const Schema>(std::vector<Field>{
      {"event_id", DataType::kBigint, false},
      {"device_id", DataType::kString, false},
      {"event_ts", DataType::kTimestamp, false},
      {"temperature", DataType::kDouble, true},
  });
  return schema;
}

inline constexpr int64_t kBaseTime = 1'790'000'000'000'000;  // 2026-09-21, in microseconds

// Rows with event ids first_id .. first_id + count - 1; row values derive from the id.
inline Chunk MakeEvents(int64_t first_id, size_t count) {
  Chunk chunk(EventSchema());
  for (size_t i = 0; i < count; ++i) {
    const int64_t id = first_id + static_cast<int64_t>(i);
    chunk.mutable_column(0).AppendInt64(id);
    chunk.mutable_column(1).AppendString(fmt::format("device-{}", id % 13));
    chunk.mutable_column(2).AppendInt64(kBaseTime + id * 1000);
    if (id % 7 == 0) {
      chunk.mutable_column(3).AppendNull();
    } else {
      chunk.mutable_column(3).AppendDouble(20.0 + static_cast<double>(id % 50) / 4);
    }
  }
  return chunk;
}

inline std::vector<int64_t> EventIds(const Chunk& chunk) {
  const auto ids = chunk.column(0).int64s();
  return std::vector<int64_t>(ids.begin(), ids.end());
}

inline std::vector<int64_t> Range(int64_t first, int64_t count) {
  std::vector<int64_t> ids(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) ids[static_cast<size_t>(i)] = first + i;
  return ids;
}

// Every event id in `partition` from `offset` to its end, in offset order.
inline std::vector<int64_t> ReadAllIds(const Partition& partition, uint64_t offset = 0) {
  std::vector<int64_t> ids;
  while (offset < partition.end_offset()) {
    Result<std::vector<RecordBatch>> batches = partition.Read(offset, 1 << 20);
    EXPECT_TRUE(batches.ok()) << batches.status().ToString();
    if (!batches.ok() || batches->empty()) break;
    for (const RecordBatch& batch : *batches) {
      EXPECT_EQ(batch.header.base_offset, offset);
      for (int64_t id : EventIds(batch.events)) ids.push_back(id);
      offset += batch.header.record_count;
    }
  }
  return ids;
}

inline AppendRequest RequestFor(const Chunk& events) {
  AppendRequest request;
  request.events = &events;
  request.min_event_time = Timestamp{kBaseTime};
  request.max_event_time = Timestamp{kBaseTime};
  return request;
}

}  // namespace braid::log::testing
