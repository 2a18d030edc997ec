#include "log/partition.h"

#include <gtest/gtest.h>

#include <limits>
#include <mutex>
#include <thread>

#include "log/completion.h"
#include "log/group_commit.h"
#include "log_test_util.h"

namespace braid::log {
namespace {

using testing::EventIds;
using testing::MakeEvents;
using testing::Range;
using testing::ReadAllIds;
using testing::RequestFor;
using testing::TempDir;

std::unique_ptr<Partition> OpenPartition(const std::filesystem::path& dir,
                                         const LogOptions& options, GroupCommitter* committer,
                                         RecoveryReport* report = nullptr) {
  Result<std::unique_ptr<Partition>> partition =
      Partition::Open(dir, 3, options, committer, report);
  EXPECT_TRUE(partition.ok()) << partition.status().ToString();
  return partition.ok() ? std::move(partition).value() : nullptr;
}

class PartitionPolicyTest : public ::testing::TestWithParam<FsyncPolicy> {};

TEST_P(PartitionPolicyTest, AppendsAreDenseAndVisibleOnceAcknowledged) {
  TempDir dir;
  LogOptions options;
  options.fsync = GetParam();
  GroupCommitter committer(options.group_commit_delay);
  auto partition = OpenPartition(dir.path(), options, &committer);
  ASSERT_NE(partition, nullptr);
  EXPECT_EQ(partition->id(), 3);
  int64_t next_id = 0;
  for (size_t size : {10, 1, 25}) {
    const Chunk events = MakeEvents(next_id, size);
    Result<uint64_t> base = partition->Append(RequestFor(events));
    ASSERT_TRUE(base.ok()) << base.status().ToString();
    EXPECT_EQ(*base, static_cast<uint64_t>(next_id));
    next_id += static_cast<int64_t>(size);
    EXPECT_EQ(partition->end_offset(), static_cast<uint64_t>(next_id));
  }
  EXPECT_EQ(ReadAllIds(*partition), Range(0, 36));
  EXPECT_EQ(partition->start_offset(), 0u);
  EXPECT_GT(partition->size_bytes(), 3 * kBatchHeaderSize);
  EXPECT_GE(partition->last_append_time(), Now() - Duration::Seconds(60));
}

INSTANTIATE_TEST_SUITE_P(Policies, PartitionPolicyTest,
                         ::testing::Values(FsyncPolicy::kGroup, FsyncPolicy::kAlways,
                                           FsyncPolicy::kNever));

TEST(PartitionTest, RollsSegmentsAndReadsAcrossThem) {
  TempDir dir;
  LogOptions options;
  options.segment_bytes = 2048;
  GroupCommitter committer(Duration::Millis(0));
  auto partition = OpenPartition(dir.path(), options, &committer);
  for (int64_t i = 0; i < 40; ++i) {
    const Chunk events = MakeEvents(i * 10, 10);
    ASSERT_TRUE(partition->Append(RequestFor(events)).ok());
  }
  size_t logs = 0, indexes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    logs += entry.path().extension() == ".log";
    indexes += entry.path().extension() == ".index";
  }
  EXPECT_GT(logs, 3u);
  EXPECT_EQ(indexes, logs - 1);  // every sealed segment, not the active one
  EXPECT_EQ(ReadAllIds(*partition), Range(0, 400));
  EXPECT_EQ(ReadAllIds(*partition, 123), Range(123, 277));

  // Reopen: sealed segments come from their indexes, offsets continue.
  partition.reset();
  RecoveryReport report;
  partition = OpenPartition(dir.path(), options, &committer, &report);
  EXPECT_EQ(report.valid_batches, 40u);
  EXPECT_EQ(report.end_offset, 400u);
  EXPECT_EQ(report.reason, "");
  const Chunk more = MakeEvents(400, 5);
  EXPECT_EQ(partition->Append(RequestFor(more)).value(), 400u);
  EXPECT_EQ(ReadAllIds(*partition, 390), Range(390, 15));
}

TEST(PartitionTest, ReadsRespectMaxBytesAndHeadersListBatches) {
  TempDir dir;
  GroupCommitter committer(Duration::Millis(0));
  auto partition = OpenPartition(dir.path(), LogOptions{}, &committer);
  for (int64_t i = 0; i < 5; ++i) {
    const Chunk events = MakeEvents(i * 100, 100);
    ASSERT_TRUE(partition->Append(RequestFor(events)).ok());
  }
  Result<std::vector<RecordBatch>> one = partition->Read(150, 1);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].header.base_offset, 150u);
  EXPECT_EQ((*one)[0].header.record_count, 50u);
  EXPECT_EQ(EventIds((*one)[0].events), Range(150, 50));

  Result<std::vector<BatchHeader>> headers = partition->ReadHeaders(150, 2);
  ASSERT_TRUE(headers.ok());
  ASSERT_EQ(headers->size(), 2u);
  EXPECT_EQ((*headers)[0].base_offset, 100u);  // headers are not sliced
  EXPECT_EQ((*headers)[1].base_offset, 200u);

  EXPECT_TRUE(partition->Read(500, 1 << 20)->empty());
  EXPECT_TRUE(partition->Read(9999, 1 << 20)->empty());
}

TEST(PartitionTest, EmptyAppendsAndClosedPartitionsAreRefused) {
  TempDir dir;
  GroupCommitter committer(Duration::Millis(0));
  auto partition = OpenPartition(dir.path(), LogOptions{}, &committer);
  const Chunk empty(testing::EventSchema());
  EXPECT_EQ(partition->Append(RequestFor(empty)).status().code(), StatusCode::kInvalidArgument);
  const Chunk one = MakeEvents(0, 1);
  AppendRequest backwards = RequestFor(one);
  backwards.min_event_time = backwards.max_event_time + Duration::Micros(1);
  EXPECT_EQ(partition->Append(backwards).status().message(), "min event time after max event time");
  partition->Close();
  const Chunk events = MakeEvents(0, 3);
  Result<uint64_t> refused = partition->Append(RequestFor(events));
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(partition->end_offset(), 0u);
}

TEST(PartitionTest, WaitForDataWakesOnDurableAppend) {
  TempDir dir;
  GroupCommitter committer(Duration::Millis(1));
  auto partition = OpenPartition(dir.path(), LogOptions{}, &committer);
  std::thread writer([&] {
    const Chunk events = MakeEvents(0, 4);
    EXPECT_TRUE(partition->Append(RequestFor(events)).ok());
  });
  EXPECT_TRUE(partition->WaitForData(0, Now() + Duration::Seconds(30)));
  EXPECT_EQ(partition->end_offset(), 4u);
  writer.join();
  // Already available: answers at once.
  EXPECT_TRUE(partition->WaitForData(3, Now() - Duration::Seconds(1)));
  // Nothing new before the deadline.
  const Timestamp before = Now();
  EXPECT_FALSE(partition->WaitForData(4, before + Duration::Millis(20)));
  EXPECT_GE(Now(), before + Duration::Millis(20));
}

TEST(PartitionTest, CloseWakesWaiters) {
  TempDir dir;
  GroupCommitter committer(Duration::Millis(0));
  auto partition = OpenPartition(dir.path(), LogOptions{}, &committer);
  bool woke_with_data = true;
  std::thread waiter([&] {
    woke_with_data = partition->WaitForData(0, Timestamp{std::numeric_limits<int64_t>::max()});
  });
  partition->Close();
  waiter.join();
  EXPECT_FALSE(woke_with_data);
}

TEST(PartitionTest, ConcurrentAppendersGetDisjointRanges) {
  TempDir dir;
  GroupCommitter committer(Duration::Millis(1));
  auto partition = OpenPartition(dir.path(), LogOptions{}, &committer);
  constexpr int64_t kThreads = 4, kAppends = 25, kSize = 8;
  std::vector<std::thread> threads;
  std::vector<std::vector<uint64_t>> bases(kThreads);
  for (int64_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int64_t i = 0; i < kAppends; ++i) {
        const int64_t first = (t * kAppends + i) * kSize;
        const Chunk events = MakeEvents(first, kSize);
        Result<uint64_t> base = partition->Append(RequestFor(events));
        ASSERT_TRUE(base.ok());
        bases[t].push_back(*base);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(partition->end_offset(), uint64_t{kThreads * kAppends * kSize});
  const std::vector<int64_t> ids = ReadAllIds(*partition);
  // Each acknowledged base offset holds exactly that append's events.
  for (int64_t t = 0; t < kThreads; ++t) {
    for (int64_t i = 0; i < kAppends; ++i) {
      const int64_t first = (t * kAppends + i) * kSize;
      for (int64_t k = 0; k < kSize; ++k) EXPECT_EQ(ids[bases[t][i] + k], first + k);
    }
  }
  EXPECT_LT(committer.groups(), uint64_t{kThreads * kAppends});  // appends shared syncs
}

TEST(PartitionTest, AsyncCompletionsRunOnceEach) {
  TempDir dir;
  GroupCommitter committer(Duration::Millis(5));
  auto partition = OpenPartition(dir.path(), LogOptions{}, &committer);
  std::mutex mu;
  std::vector<uint64_t> bases;
  Completion<bool> all;
  const Chunk events = MakeEvents(0, 2);
  for (int i = 0; i < 10; ++i) {
    partition->AppendAsync(RequestFor(events), [&](Result<uint64_t> base) {
      ASSERT_TRUE(base.ok());
      std::lock_guard lock(mu);
      bases.push_back(*base);
      if (bases.size() == 10) all.Set(true);
    });
  }
  EXPECT_TRUE(all.Wait());
  EXPECT_EQ(bases, (std::vector<uint64_t>{0, 2, 4, 6, 8, 10, 12, 14, 16, 18}));
}

}  // namespace
}  // namespace braid::log
