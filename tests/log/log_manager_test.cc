#include "log/log_manager.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "log_test_util.h"

namespace braid::log {
namespace {

using testing::MakeEvents;
using testing::TempDir;
namespace fs = std::filesystem;

StreamLogConfig Telemetry(std::string name, int partitions) {
  StreamLogConfig config;
  config.name = std::move(name);
  config.schema = testing::EventSchema();
  config.partitions = partitions;
  config.partition_key_column = 1;
  return config;
}

TEST(LogManagerTest, OpensFindsAndDropsStreams) {
  TempDir dir;
  auto manager = LogManager::Open(dir.path() / "log", LogOptions{}).value();
  Result<std::shared_ptr<StreamLog>> opened = manager->OpenStream(Telemetry("Telemetry", 3));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(fs::is_directory(dir.path() / "log" / "telemetry" / "2"));
  EXPECT_TRUE(fs::is_directory(dir.path() / "log" / "telemetry" / "dead_letter"));
  EXPECT_EQ(manager->Find("TELEMETRY"), *opened);
  EXPECT_EQ(manager->Find("other"), nullptr);
  // Opening again is idempotent; another partition count is refused.
  EXPECT_EQ(manager->OpenStream(Telemetry("telemetry", 3)).value(), *opened);
  EXPECT_EQ(manager->OpenStream(Telemetry("telemetry", 5)).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE((*opened)->Append(MakeEvents(0, 10), {}).ok());

  ASSERT_TRUE(manager->DropStream("telemetry").ok());
  EXPECT_EQ(manager->Find("telemetry"), nullptr);
  EXPECT_FALSE(fs::exists(dir.path() / "log" / "telemetry"));
  // A holder of the dropped stream keeps a closed but valid object.
  EXPECT_EQ((*opened)->Append(MakeEvents(10, 1), {}).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(manager->OpenStream(Telemetry("../x", 1)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(LogManagerTest, ReportsRecoveryWarningsPerPartition) {
  TempDir dir;
  {
    auto manager = LogManager::Open(dir.path(), LogOptions{}).value();
    auto stream = manager->OpenStream(Telemetry("t", 2)).value();
    ASSERT_TRUE(stream->Append(MakeEvents(0, 50), {}).ok());
  }
  const fs::path segment = dir.path() / "t" / "1" / "00000000000000000000.log";
  ASSERT_GT(fs::file_size(segment), 10u);
  ASSERT_EQ(::truncate(segment.c_str(), static_cast<off_t>(fs::file_size(segment) - 10)), 0);
  auto manager = LogManager::Open(dir.path(), LogOptions{}).value();
  ASSERT_TRUE(manager->OpenStream(Telemetry("t", 2)).ok());
  const std::vector<std::string> warnings = manager->RecoveryWarnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_TRUE(warnings[0].starts_with("t/1: 00000000000000000000.log at byte 0: torn batch"))
      << warnings[0];
}

TEST(LogManagerTest, AppliesRetentionToEveryStream) {
  TempDir dir;
  LogOptions options;
  options.segment_bytes = 1000;
  auto manager = LogManager::Open(dir.path(), options).value();
  for (const char* name : {"a", "b"}) {
    StreamLogConfig config = Telemetry(name, 1);
    config.retention.max_age = Duration::Minutes(1);
    auto stream = manager->OpenStream(config).value();
    for (int64_t i = 0; i < 10; ++i) ASSERT_TRUE(stream->Append(MakeEvents(i * 10, 10), {}).ok());
  }
  Result<int> deleted = manager->ApplyRetention(Now() + Duration::Minutes(5));
  ASSERT_TRUE(deleted.ok());
  EXPECT_GE(*deleted, 4);
  EXPECT_GT(manager->Find("a")->partition(0).start_offset(), 0u);
  EXPECT_GT(manager->Find("b")->partition(0).start_offset(), 0u);
}

}  // namespace
}  // namespace braid::log
