// Capture from a real ingestion log through LogCaptureSource: every appended event lands in the
// lake exactly once with its exact values, offsets per partition are dense, the capture consumer's
// committed offsets follow the epochs, a rerun writes nothing, and range reads trim batches.
#include "serving/log_capture_source.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "lake/capture.h"
#include "lake/capture_test_util.h"
#include "lake/lake_test_util.h"
#include "log/group_commit.h"
#include "log/stream_log.h"
#include "serving/stream_capture.h"

namespace braid::serving {
namespace {

using lake::testing::ScratchDir;

class LogCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::StreamLogConfig config{.name = "telemetry",
                                .schema = lake::testing::TelemetrySchema(),
                                .partitions = 4,
                                .partition_key_column = lake::testing::kDeviceColumn,
                                .timestamp_column = lake::testing::kTimeColumn,
                                .retention = {}};
    Result<std::unique_ptr<log::StreamLog>> opened = log::StreamLog::Open(
        dir_.path() / "log" / "telemetry", config, log::LogOptions{}, &committer_, nullptr);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    log_ = std::move(opened).value();
    Result<std::unique_ptr<LogCaptureSource>> source = LogCaptureSource::Open(log_, 256);
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    source_ = std::move(source).value();
    sql::StreamDefinition definition;
    definition.name = "Telemetry";
    definition.schema = lake::testing::TelemetrySchema();
    definition.partition_key = "device_id";
    definition.timestamp = "event_ts";
    options_ = CaptureOptionsFor(definition, dir_.path());
  }

  void Append(int64_t first, size_t count) {
    Chunk events = lake::testing::TelemetryEvents(first, count);
    ASSERT_TRUE(log_->Append(events, {}).ok());
    for (size_t row = 0; row < count; ++row) {
      const uint32_t index = static_cast<uint32_t>(row);
      appended_.emplace(first + static_cast<int64_t>(row), events.Select(std::span(&index, 1)));
    }
  }

  // The lake holds exactly the appended events (by their unique `n`), with dense offsets.
  void ExpectLakeHoldsEverything() {
    const auto lake = lake::testing::LakeContents(options_.files.table_dir);
    EXPECT_EQ(lake.size(), appended_.size());
    std::map<int, std::set<uint64_t>> offsets;
    for (const auto& [id, row] : lake) {
      offsets[id.first].insert(id.second);
      const int64_t n = row.row.column(3).int64s()[0];
      auto it = appended_.find((n + 7) / 1000);
      ASSERT_NE(it, appended_.end()) << "unknown event n=" << n;
      for (size_t c = 0; c < it->second.num_columns(); ++c) {
        EXPECT_EQ(row.row.column(c), it->second.column(c)) << "n=" << n << " column " << c;
      }
      const Column& time = it->second.column(lake::testing::kTimeColumn);
      if (time.IsValid(0)) {
        EXPECT_EQ(row.event_date, FormatDate(Timestamp{time.int64s()[0]}));
      }
    }
    const std::vector<uint64_t> end = log_->EndOffsets();
    for (const auto& [partition, seen] : offsets) {
      EXPECT_EQ(seen.size(), end[partition]);
      EXPECT_EQ(*seen.rbegin() + 1, end[partition]);
    }
  }

  ScratchDir dir_;
  log::GroupCommitter committer_{Duration::Millis(0)};
  std::shared_ptr<log::StreamLog> log_;
  std::unique_ptr<LogCaptureSource> source_;
  lake::CaptureOptions options_;
  std::map<int64_t, Chunk> appended_;  // by event id
};

TEST_F(LogCaptureTest, CapturesEveryEventOnceAcrossEpochs) {
  Append(0, 100);
  Append(100, 37);
  Result<lake::CaptureResult> first = lake::CaptureEpoch(*source_, options_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->epoch, 1);
  EXPECT_EQ(first->events, 137u);
  EXPECT_EQ(log_->CommittedOffsets(LogCaptureSource::kConsumerName), first->end_offsets);
  ExpectLakeHoldsEverything();

  Append(137, 63);
  Result<lake::CaptureResult> second = lake::CaptureEpoch(*source_, options_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->epoch, 2);
  EXPECT_EQ(second->events, 63u);
  ExpectLakeHoldsEverything();

  Result<lake::CaptureResult> rerun = lake::CaptureEpoch(*source_, options_);
  ASSERT_TRUE(rerun.ok());
  EXPECT_EQ(rerun->outcome, lake::CaptureOutcome::kNoNewEvents);
  EXPECT_EQ(rerun->epoch, 2);
  EXPECT_EQ(rerun->table_version, 1);
  EXPECT_EQ(log_->CommittedOffsets(LogCaptureSource::kConsumerName), second->end_offsets);
  ExpectLakeHoldsEverything();
}

TEST_F(LogCaptureTest, OptionsFollowTheStreamDefinition) {
  EXPECT_EQ(options_.files.table_dir, dir_.path() / "lake" / "telemetry");
  EXPECT_EQ(options_.files.timestamp_column, lake::testing::kTimeColumn);
  EXPECT_EQ(options_.files.sort_columns,
            (std::vector<size_t>{lake::testing::kDeviceColumn, lake::testing::kTimeColumn}));
}

TEST_F(LogCaptureTest, ReadRangeTrimsBatchesToTheRange) {
  for (int i = 0; i < 5; ++i) Append(i * 40, 40);
  const std::vector<uint64_t> end = log_->EndOffsets();
  int partition = 0;
  while (end[partition] < 20) ++partition;
  const uint64_t from = 3;
  const uint64_t to = end[partition] - 2;
  uint64_t next = from;
  Status read = source_->ReadRange(partition, from, to,
                                   [&](const Chunk& events, uint64_t first, Timestamp) -> Status {
                                     EXPECT_EQ(first, next);
                                     next += events.num_rows();
                                     return Status::Ok();
                                   });
  ASSERT_TRUE(read.ok()) << read.ToString();
  EXPECT_EQ(next, to);
  EXPECT_EQ(source_
                ->ReadRange(partition, 0, end[partition] + 1,
                            [](const Chunk&, uint64_t, Timestamp) { return Status::Ok(); })
                .code(),
            StatusCode::kCorruption);
}

}  // namespace
}  // namespace braid::serving
