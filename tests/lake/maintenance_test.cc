// OPTIMIZE and VACUUM on a captured lake table: compaction keeps exactly the same rows, sorted,
// in one file per event date with dataChange=false actions; time travel still sees the old files;
// VACUUM deletes only unreferenced files past the retention, never the log or recent tombstones.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

#include "lake/capture.h"
#include "lake/capture_test_util.h"
#include "lake/lake_test_util.h"
#include "lake/optimize.h"
#include "lake/vacuum.h"

namespace braid::lake {
namespace {

using testing::FakeCaptureSource;
using testing::ScratchDir;

class MaintenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.files.table_dir = dir_.path();
    options_.files.stream_schema = testing::TelemetrySchema();
    options_.files.timestamp_column = testing::kTimeColumn;
    options_.files.sort_columns = {testing::kDeviceColumn, testing::kTimeColumn};
    for (int epoch = 0; epoch < 3; ++epoch) {
      for (int p = 0; p < 2; ++p) {
        source_.Append(p, testing::TelemetryEvents(next_id_, 30), Timestamp{1'795'400'000'000'000});
        next_id_ += 30;
      }
      ASSERT_TRUE(CaptureEpoch(source_, options_).ok());
    }
    optimize_.sort_columns = {"device_id", "event_ts"};
  }

  std::set<std::string> ActivePaths() {
    std::set<std::string> paths;
    const DeltaSnapshot snapshot = *table_.LoadSnapshot();
    for (const auto& [path, add] : snapshot.files()) paths.insert(path);
    return paths;
  }

  ScratchDir dir_;
  DeltaTable table_{dir_.path()};
  FakeCaptureSource source_{2};
  CaptureOptions options_;
  OptimizeOptions optimize_;
  int64_t next_id_ = 0;
};

// Same identities and exactly the same row values.
void ExpectSameRows(const std::map<std::pair<int, uint64_t>, testing::LakeRow>& before,
                    const std::map<std::pair<int, uint64_t>, testing::LakeRow>& after) {
  ASSERT_EQ(before.size(), after.size());
  for (const auto& [id, row] : before) {
    auto it = after.find(id);
    ASSERT_NE(it, after.end());
    EXPECT_EQ(it->second.row, row.row);
    EXPECT_EQ(it->second.event_date, row.event_date);
  }
}

TEST_F(MaintenanceTest, OptimizeCompactsEachDateIntoOneSortedFile) {
  const auto before = testing::LakeContents(dir_.path());
  const std::set<std::string> old_paths = ActivePaths();
  std::set<std::string> dates;
  for (const std::string& path : old_paths) dates.insert(path.substr(0, path.find('/')));
  ASSERT_EQ(dates.size(), 4u);
  ASSERT_GT(old_paths.size(), 8u);  // 3 epochs, most of which span all 4 dates
  Result<OptimizeResult> result = Optimize(table_, optimize_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->table_version, 3);
  EXPECT_EQ(result->files_removed, old_paths.size());
  EXPECT_EQ(result->files_added, 4u);
  ExpectSameRows(before, testing::LakeContents(dir_.path()));

  Result<DeltaCommit> commit = table_.ReadCommit(3);
  ASSERT_TRUE(commit.ok());
  for (const DeltaAddFile& add : commit->adds) EXPECT_FALSE(add.data_change);
  for (const DeltaRemoveFile& remove : commit->removes) EXPECT_FALSE(remove.data_change);
  const DeltaSnapshot snapshot = *table_.LoadSnapshot();
  for (const auto& [path, add] : snapshot.files()) {
    Result<Chunk> chunk = testing::ReadAll(dir_.path() / path);
    ASSERT_TRUE(chunk.ok());
    const Column& key = chunk->column(testing::kDeviceColumn);
    for (size_t row = 1; row < chunk->num_rows(); ++row) {
      EXPECT_LE(key.StringAt(row - 1), key.StringAt(row));
    }
  }
  EXPECT_EQ(snapshot.tombstones().size(), old_paths.size());
  // Time travel still reads the old files; capture carries on from epoch 3.
  const DeltaSnapshot v2 = *table_.LoadSnapshotAt(2);
  for (const auto& [path, add] : v2.files()) EXPECT_TRUE(old_paths.contains(path));
  source_.Append(0, testing::TelemetryEvents(next_id_, 5), Timestamp{1'795'400'000'000'000});
  Result<CaptureResult> next = CaptureEpoch(source_, options_);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->epoch, 4);
  EXPECT_EQ(testing::LakeContents(dir_.path()).size(), before.size() + 5);
}

TEST_F(MaintenanceTest, OptimizeWithNothingToDoCommitsNothing) {
  optimize_.min_files = 4;
  Result<OptimizeResult> result = Optimize(table_, optimize_);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->table_version, -1);
  EXPECT_EQ(table_.LoadSnapshot()->version(), 2);
  optimize_.sort_columns = {"no_such_column"};
  optimize_.min_files = 2;
  EXPECT_EQ(Optimize(table_, optimize_).status().code(), StatusCode::kUndefinedColumn);
}

TEST_F(MaintenanceTest, RacingOptimizesLeaveNoStrayFiles) {
  const auto before = testing::LakeContents(dir_.path());
  std::vector<Status> outcomes(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] { outcomes[t] = Optimize(table_, optimize_).status(); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Status& status : outcomes) {
    EXPECT_TRUE(status.ok() || status.code() == StatusCode::kDuplicateObject) << status.ToString();
  }
  ExpectSameRows(before, testing::LakeContents(dir_.path()));
  const DeltaSnapshot snapshot = *table_.LoadSnapshot();
  EXPECT_EQ(testing::ParquetFilesUnder(dir_.path()).size(),
            snapshot.files().size() + snapshot.tombstones().size());
}

TEST_F(MaintenanceTest, VacuumDeletesOnlyExpiredUnreferencedFiles) {
  const size_t captured_files = ActivePaths().size();
  ASSERT_TRUE(Optimize(table_, optimize_).ok());
  const auto before = testing::LakeContents(dir_.path());
  const std::filesystem::path orphan =
      dir_.path() / "event_date=2026-11-23" / "part-orphan.parquet";
  std::ofstream(orphan) << "left by a crashed capture";
  std::filesystem::last_write_time(
      orphan, std::filesystem::file_time_type::clock::now() - std::chrono::hours(24 * 30));
  const size_t log_files = std::distance(std::filesystem::directory_iterator(table_.log_dir()),
                                         std::filesystem::directory_iterator());

  VacuumOptions options;  // 7 days: only the month-old orphan has expired
  options.mode = VacuumOptions::Mode::kDryRun;
  Result<VacuumResult> dry = Vacuum(table_, options);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->deleted, std::vector<std::string>{"event_date=2026-11-23/part-orphan.parquet"});
  EXPECT_TRUE(std::filesystem::exists(orphan));
  options.mode = VacuumOptions::Mode::kDelete;
  ASSERT_TRUE(Vacuum(table_, options).ok());
  EXPECT_FALSE(std::filesystem::exists(orphan));
  // The 4 compacted files and the recently removed captured ones remain.
  EXPECT_EQ(testing::ParquetFilesUnder(dir_.path()).size(), 4 + captured_files);

  options.now = Now() + Duration::Days(8);  // now the tombstones have expired too
  Result<VacuumResult> later = Vacuum(table_, options);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->deleted.size(), captured_files);
  EXPECT_EQ(testing::ParquetFilesUnder(dir_.path()).size(), 4u);
  EXPECT_EQ(static_cast<size_t>(std::distance(std::filesystem::directory_iterator(table_.log_dir()),
                                              std::filesystem::directory_iterator())),
            log_files);
  ExpectSameRows(before, testing::LakeContents(dir_.path()));
}

}  // namespace
}  // namespace braid::lake
