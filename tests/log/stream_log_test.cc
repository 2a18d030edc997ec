#include "log/stream_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "common/hash.h"
#include "log/completion.h"
#include "log/group_commit.h"
#include "log_test_util.h"

namespace braid::log {
namespace {

using testing::MakeEvents;
using testing::Range;
using testing::ReadAllIds;
using testing::TempDir;
namespace fs = std::filesystem;

class StreamLogTest : public ::testing::Test {
 protected:
  StreamLogConfig Config(int partitions, bool keyed = true) {
    StreamLogConfig config;
    config.name = "telemetry";
    config.schema = testing::EventSchema();
    config.partitions = partitions;
    if (keyed) config.partition_key_column = 1;  // device_id
    config.timestamp_column = 2;
    return config;
  }

  std::unique_ptr<StreamLog> Open(const StreamLogConfig& config) {
    reports_.clear();
    Result<std::unique_ptr<StreamLog>> log =
        StreamLog::Open(dir_.path() / "telemetry", config, options_, committer_.get(), &reports_);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }

  // Partition of an event made by MakeEvents(id): its device's hash modulo n.
  static int PartitionOfId(int64_t id, int n) {
    return static_cast<int>(Hash64(fmt::format("device-{}", id % 13)) % n);
  }

  static AppendOptions Key(std::string key) { return AppendOptions{std::move(key)}; }

  TempDir dir_;
  LogOptions options_;
  std::unique_ptr<GroupCommitter> committer_ =
      std::make_unique<GroupCommitter>(Duration::Millis(1));
  std::vector<RecoveryReport> reports_;
};

TEST_F(StreamLogTest, SplitsByKeyAndKeepsEveryEventOnceInOrder) {
  auto log = Open(Config(4));
  int64_t next = 0;
  for (size_t size : {100, 1, 57}) {
    const Chunk events = MakeEvents(next, size);
    Result<AppendResult> result = log->Append(events, {});
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->accepted, size);
    EXPECT_FALSE(result->duplicate);
    next += static_cast<int64_t>(size);
  }
  EXPECT_EQ(reports_.size(), 5u);  // 4 partitions and the dead letters
  std::vector<uint64_t> expected_ends(4, 0);
  for (int p = 0; p < 4; ++p) {
    std::vector<int64_t> expected;
    for (int64_t id = 0; id < next; ++id) {
      if (PartitionOfId(id, 4) == p) expected.push_back(id);
    }
    EXPECT_EQ(ReadAllIds(log->partition(p)), expected) << "partition " << p;
    expected_ends[p] = expected.size();
  }
  EXPECT_EQ(log->EndOffsets(), expected_ends);
  EXPECT_EQ(log->TotalEvents(), 158u);
  EXPECT_GT(log->TotalBytes(), 0u);
}

TEST_F(StreamLogTest, ResultNamesEachPartitionBatch) {
  auto log = Open(Config(4));
  const Chunk first = MakeEvents(0, 40);
  ASSERT_TRUE(log->Append(first, {}).ok());
  const std::vector<uint64_t> before = log->EndOffsets();
  const Chunk second = MakeEvents(40, 40);
  Result<AppendResult> result = log->Append(second, {});
  ASSERT_TRUE(result.ok());
  std::set<int> touched;
  for (int64_t id = 40; id < 80; ++id) touched.insert(PartitionOfId(id, 4));
  ASSERT_EQ(result->batches.size(), touched.size());
  for (const auto& [partition, base] : result->batches) {
    EXPECT_TRUE(touched.contains(partition));
    EXPECT_EQ(base, before[partition]);
  }
}

TEST_F(StreamLogTest, BatchHeadersCarryTheEventTimeRange) {
  auto log = Open(Config(1));
  const Chunk events = MakeEvents(10, 20);
  ASSERT_TRUE(log->Append(events, {}).ok());
  Result<std::vector<BatchHeader>> headers = log->partition(0).ReadHeaders(0, 10);
  ASSERT_TRUE(headers.ok());
  ASSERT_EQ(headers->size(), 1u);
  EXPECT_EQ((*headers)[0].min_event_time, Timestamp{testing::kBaseTime + 10'000});
  EXPECT_EQ((*headers)[0].max_event_time, Timestamp{testing::kBaseTime + 29'000});
}

TEST_F(StreamLogTest, FullRetryAppendsNothing) {
  auto log = Open(Config(4));
  const Chunk events = MakeEvents(0, 50);
  Result<AppendResult> first = log->Append(events, Key("req-1"));
  ASSERT_TRUE(first.ok());
  Result<AppendResult> retry = log->Append(events, Key("req-1"));
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->accepted, 50u);
  EXPECT_EQ(retry->batches, first->batches);
  EXPECT_EQ(log->TotalEvents(), 50u);
  EXPECT_EQ(log->KnownIdempotencyKeys(), 1u);
}

TEST_F(StreamLogTest, KeysSurviveARestart) {
  const Chunk events = MakeEvents(0, 50);
  std::vector<std::pair<int, uint64_t>> batches;
  {
    auto log = Open(Config(4));
    batches = log->Append(events, Key("req-1")).value().batches;
  }
  auto log = Open(Config(4));
  Result<AppendResult> retry = log->Append(events, Key("req-1"));
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->batches, batches);
  EXPECT_EQ(log->TotalEvents(), 50u);
}

TEST_F(StreamLogTest, PartialRetryAppendsOnlyTheMissingParts) {
  const Chunk events = MakeEvents(0, 60);
  std::vector<std::pair<int, uint64_t>> batches;
  {
    auto log = Open(Config(4));
    batches = log->Append(events, Key("req-1")).value().batches;
  }
  ASSERT_GE(batches.size(), 2u);
  // A crash took back the part in the second partition touched (its only batch).
  const int lost = batches[1].first;
  ASSERT_EQ(
      ::truncate(
          (dir_.path() / "telemetry" / std::to_string(lost) / "00000000000000000000.log").c_str(),
          0),
      0);
  auto log = Open(Config(4));
  EXPECT_EQ(log->partition(lost).end_offset(), 0u);
  Result<AppendResult> retry = log->Append(events, Key("req-1"));
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_FALSE(retry->duplicate);
  EXPECT_EQ(retry->accepted, 60u);
  EXPECT_EQ(retry->batches, batches);  // the lost part landed where it was before: offset 0
  EXPECT_EQ(log->TotalEvents(), 60u);
  for (int p = 0; p < 4; ++p) {
    std::vector<int64_t> expected;
    for (int64_t id = 0; id < 60; ++id) {
      if (PartitionOfId(id, 4) == p) expected.push_back(id);
    }
    EXPECT_EQ(ReadAllIds(log->partition(p)), expected);
  }
  EXPECT_TRUE(log->Append(events, Key("req-1"))->duplicate);
}

TEST_F(StreamLogTest, AKeyInFlightIsRefused) {
  committer_ = std::make_unique<GroupCommitter>(Duration::Millis(300));
  auto log = Open(Config(2));
  const Chunk events = MakeEvents(0, 10);
  Completion<Result<AppendResult>> first;
  log->AppendAsync(events, Key("req-1"), [&](Result<AppendResult> r) { first.Set(std::move(r)); });
  Result<AppendResult> concurrent = log->Append(events, Key("req-1"));
  ASSERT_FALSE(concurrent.ok());
  EXPECT_EQ(concurrent.status().code(), StatusCode::kDuplicateObject);
  EXPECT_EQ(concurrent.status().message(), "request with this Idempotency-Key is in progress");
  EXPECT_TRUE(first.Wait().ok());
  EXPECT_TRUE(log->Append(events, Key("req-1"))->duplicate);
}

TEST_F(StreamLogTest, ACallbackMayDropTheLastReference) {
  std::shared_ptr<StreamLog> log = Open(Config(1));
  StreamLog* raw = log.get();
  const Chunk events = MakeEvents(0, 10);
  Completion<bool> done;
  // The callback runs on the committer's thread and destroys the log there.
  raw->AppendAsync(events, {},
                   [log = std::move(log), &done](const Result<AppendResult>& r) mutable {
                     EXPECT_TRUE(r.ok());
                     log.reset();
                     done.Set(true);
                   });
  EXPECT_TRUE(done.Wait());
  auto reopened = Open(Config(1));
  EXPECT_EQ(reopened->TotalEvents(), 10u);
}

TEST_F(StreamLogTest, AKeyReusedForADifferentRequestIsRefused) {
  auto log = Open(Config(4));
  const Chunk events = MakeEvents(0, 30);
  ASSERT_TRUE(log->Append(events, Key("req-1")).ok());
  const Chunk other = MakeEvents(100, 3);
  Result<AppendResult> reused = log->Append(other, Key("req-1"));
  EXPECT_EQ(reused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->TotalEvents(), 30u);
  // The claim was released: the real retry still answers.
  EXPECT_TRUE(log->Append(events, Key("req-1"))->duplicate);
}

TEST_F(StreamLogTest, RoundRobinWithoutKeyStartsFromTheIdempotencyKey) {
  auto log = Open(Config(4, /*keyed=*/false));
  const Chunk events = MakeEvents(0, 10);
  Result<AppendResult> keyed = log->Append(events, Key("abc"));
  ASSERT_TRUE(keyed.ok());
  ASSERT_EQ(keyed->batches.size(), 1u);
  const uint64_t hash = Hash64(std::string_view("abc"));
  EXPECT_EQ(keyed->batches[0].first, static_cast<int>((hash == 0 ? 1 : hash) % 4));
  // Without a key, consecutive requests rotate over the partitions.
  std::set<int> used;
  for (int i = 0; i < 4; ++i) used.insert(log->Append(events, {}).value().batches[0].first);
  EXPECT_EQ(used.size(), 4u);
}

TEST_F(StreamLogTest, RefusesForeignSchemasAndAcceptsEmptyChunks) {
  auto log = Open(Config(2));
  Chunk foreign(std::make_shared<const Schema>(std::vector<Field>{{"x", DataType::kBigint, true}}));
  foreign.mutable_column(0).AppendInt64(1);
  EXPECT_EQ(log->Append(foreign, {}).status().code(), StatusCode::kInvalidArgument);
  const Chunk empty(testing::EventSchema());
  Result<AppendResult> nothing = log->Append(empty, {});
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->accepted, 0u);
  EXPECT_TRUE(nothing->batches.empty());
}

TEST_F(StreamLogTest, PartitionCountIsFixedAtCreation) {
  Open(Config(4));
  Result<std::unique_ptr<StreamLog>> reopened =
      StreamLog::Open(dir_.path() / "telemetry", Config(8), options_, committer_.get(), nullptr);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().message(), "the log of stream 'telemetry' has 4 partitions, not 8");
}

TEST_F(StreamLogTest, DeadLettersAreKeptDurably) {
  auto log = Open(Config(2));
  const std::vector<DeadLetter> letters = {{3, "{\"x\": 1}", "event_ts", "missing"},
                                           {7, "not json", "", "bad JSON"}};
  Result<uint64_t> base = log->AppendDeadLetters(letters);
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(*base, 0u);
  Result<std::vector<RecordBatch>> read = log->dead_letters().Read(0, 1 << 20);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 1u);
  const Chunk& chunk = (*read)[0].events;
  EXPECT_EQ(*chunk.schema(), *StreamLog::DeadLetterSchema());
  EXPECT_EQ(chunk.column(1).int64s()[1], 7);
  EXPECT_EQ(chunk.column(2).StringAt(0), "{\"x\": 1}");
  EXPECT_EQ(chunk.column(3).StringAt(0), "event_ts");
  EXPECT_FALSE(chunk.column(3).IsValid(1));
  EXPECT_EQ(chunk.column(4).StringAt(1), "bad JSON");
  EXPECT_EQ(log->TotalEvents(), 0u);  // dead letters are not events
  EXPECT_EQ(log->AppendDeadLetters({}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(StreamLogTest, ConsumerOffsetsArePersisted) {
  {
    auto log = Open(Config(2));
    ASSERT_TRUE(log->Append(MakeEvents(0, 40), {}).ok());
    ASSERT_TRUE(log->RegisterConsumer("capture").ok());
    EXPECT_EQ(log->CommittedOffsets("capture"), (std::vector<uint64_t>{0, 0}));
    const std::vector<uint64_t> ends = log->EndOffsets();
    ASSERT_TRUE(log->CommitConsumer("capture", ends).ok());
    EXPECT_EQ(log->CommitConsumer("capture", {ends[0] + 1, 0}).code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(log->CommitConsumer("capture", {0}).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(log->CommitConsumer("nobody", {0, 0}).code(), StatusCode::kUndefinedObject);
    EXPECT_EQ(log->RegisterConsumer("").code(), StatusCode::kInvalidArgument);
  }
  auto log = Open(Config(2));
  EXPECT_EQ(log->CommittedOffsets("capture"), log->EndOffsets());
  EXPECT_EQ(log->CommittedOffsets("speed"), std::nullopt);
  ASSERT_TRUE(log->RegisterConsumer("capture").ok());  // again: keeps its offsets
  EXPECT_EQ(log->CommittedOffsets("capture"), log->EndOffsets());
}

class StreamRetentionTest : public StreamLogTest {
 protected:
  // One partition of small segments, 30 appends of 10 events each.
  std::unique_ptr<StreamLog> Filled(RetentionPolicy retention) {
    options_.segment_bytes = 1500;
    StreamLogConfig config = Config(1);
    config.retention = retention;
    auto log = Open(config);
    for (int i = 0; i < 30; ++i) {
      EXPECT_TRUE(log->Append(MakeEvents(int64_t{i} * 10, 10), Key(fmt::format("k{}", i))).ok());
    }
    return log;
  }

  size_t SegmentCount() const {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir_.path() / "telemetry" / "0")) {
      n += e.path().extension() == ".log";
    }
    return n;
  }
};

TEST_F(StreamRetentionTest, AgeRetentionWithoutConsumersKeepsOnlyTheActiveSegment) {
  auto log = Filled({.max_age = Duration::Hours(1), .max_bytes = std::nullopt});
  ASSERT_GT(SegmentCount(), 3u);
  EXPECT_EQ(log->ApplyRetention(Now()).value(), 0);  // nothing is an hour old
  const size_t before = SegmentCount();
  Result<int> deleted = log->ApplyRetention(Now() + Duration::Hours(2));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(static_cast<size_t>(*deleted), before - 1);
  EXPECT_EQ(SegmentCount(), 1u);
  const uint64_t start = log->partition(0).start_offset();
  EXPECT_GT(start, 0u);
  EXPECT_EQ(ReadAllIds(log->partition(0), start),
            Range(static_cast<int64_t>(start), 300 - static_cast<int64_t>(start)));
  EXPECT_EQ(log->partition(0).Read(0, 100).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->TotalEvents(), 300 - start);
  // Keys of deleted batches are forgotten with them.
  EXPECT_EQ(log->KnownIdempotencyKeys(), (300 - start) / 10);
}

TEST_F(StreamRetentionTest, ConsumersHoldBackRetention) {
  auto log = Filled({.max_age = Duration::Hours(1), .max_bytes = std::nullopt});
  ASSERT_TRUE(log->RegisterConsumer("capture").ok());
  EXPECT_EQ(log->ApplyRetention(Now() + Duration::Hours(2)).value(), 0);  // committed nothing
  ASSERT_TRUE(log->CommitConsumer("capture", {95}).ok());
  ASSERT_TRUE(log->ApplyRetention(Now() + Duration::Hours(2)).ok());
  const uint64_t start = log->partition(0).start_offset();
  EXPECT_GT(start, 0u);
  EXPECT_LE(start, 95u);  // every deleted segment ended at or before the committed offset
  EXPECT_EQ(ReadAllIds(log->partition(0), start).front(), static_cast<int64_t>(start));
}

TEST_F(StreamRetentionTest, SizeRetentionDeletesTheOldestFirst) {
  auto log = Filled({.max_age = std::nullopt, .max_bytes = 3000});
  ASSERT_TRUE(log->ApplyRetention(Now()).ok());
  EXPECT_LE(log->partition(0).size_bytes(), 3000u + 1500u);
  EXPECT_GT(log->partition(0).start_offset(), 0u);
  EXPECT_EQ(log->partition(0).end_offset(), 300u);
}

}  // namespace
}  // namespace braid::log
