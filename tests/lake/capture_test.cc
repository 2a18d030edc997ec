// Capture epochs over an in-memory source: every event lands exactly once with its exact values
// in the right event_date directory, epochs chain their end offsets, reruns and racing captures
// write nothing twice, failures before the commit leave nothing behind, and DuckDB reading the
// active files agrees.
#include "lake/capture.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <thread>

#include "lake/capture_test_util.h"
#include "lake/lake_test_util.h"

namespace braid::lake {
namespace {

using testing::FakeCaptureSource;
using testing::ScratchDir;

constexpr Timestamp kCaptureIngested{1'795'400'000'000'000};

CaptureOptions OptionsFor(const std::filesystem::path& table_dir, size_t max_rows = 1 << 20) {
  CaptureOptions options;
  options.files.table_dir = table_dir;
  options.files.stream_schema = testing::TelemetrySchema();
  options.files.timestamp_column = testing::kTimeColumn;
  options.files.sort_columns = {testing::kDeviceColumn, testing::kTimeColumn};
  options.files.max_rows_per_file = max_rows;
  return options;
}

// Appends `per_partition` events to each partition, ids continuing from *next_id.
void Feed(FakeCaptureSource& source, int partitions, size_t per_partition, int64_t* next_id) {
  for (int p = 0; p < partitions; ++p) {
    source.Append(p, testing::TelemetryEvents(*next_id, per_partition),
                  kCaptureIngested + Duration::Seconds(p));
    *next_id += static_cast<int64_t>(per_partition);
  }
}

// The lake holds exactly the source's events below `end`, each once, with exact values, its
// ingestion time and the event_date of its event time (or of its ingestion time when NULL).
void ExpectLakeHolds(const FakeCaptureSource& source, const std::filesystem::path& table_dir,
                     const std::vector<uint64_t>& end) {
  const auto lake = testing::LakeContents(table_dir);
  size_t expected = 0;
  for (const auto& [id, event] : source.AllEvents()) {
    if (id.second >= end[id.first]) continue;
    ++expected;
    auto it = lake.find(id);
    ASSERT_NE(it, lake.end()) << "missing event " << id.first << "/" << id.second;
    const auto& [chunk, row] = event;
    const uint32_t index = static_cast<uint32_t>(row);
    const Chunk original = chunk.Select(std::span(&index, 1));
    for (size_t c = 0; c < original.num_columns(); ++c) {
      EXPECT_EQ(it->second.row.column(c), original.column(c)) << "column " << c;
    }
    const Column& time = original.column(testing::kTimeColumn);
    const Timestamp ingested{it->second.row.column(original.num_columns()).int64s()[0]};
    EXPECT_EQ(ingested, kCaptureIngested + Duration::Seconds(id.first));
    const Timestamp dated = time.IsValid(0) ? Timestamp{time.int64s()[0]} : ingested;
    EXPECT_EQ(it->second.event_date, FormatDate(dated));
    EXPECT_TRUE(it->second.file.starts_with("event_date=" + FormatDate(dated) + "/part-"));
  }
  EXPECT_EQ(lake.size(), expected);
}

TEST(Capture, SealsEpochsThatChainTheirEndOffsets) {
  ScratchDir dir;
  const CaptureOptions options = OptionsFor(dir.path() / "telemetry");
  FakeCaptureSource source(3);
  int64_t next_id = 0;
  Feed(source, 3, 40, &next_id);
  Result<CaptureResult> first = CaptureEpoch(source, options);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->outcome, CaptureOutcome::kCommitted);
  EXPECT_EQ(first->epoch, 1);
  EXPECT_EQ(first->table_version, 0);
  EXPECT_EQ(first->events, 120u);
  EXPECT_EQ(first->files, 4u);  // four event dates
  EXPECT_EQ(source.committed(), (std::vector<uint64_t>{40, 40, 40}));
  ExpectLakeHolds(source, options.files.table_dir, first->end_offsets);

  Feed(source, 2, 25, &next_id);  // partition 2 gets nothing new
  Result<CaptureResult> second = CaptureEpoch(source, options);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->epoch, 2);
  EXPECT_EQ(second->events, 50u);
  EXPECT_EQ(second->end_offsets, (std::vector<uint64_t>{65, 65, 40}));
  ExpectLakeHolds(source, options.files.table_dir, second->end_offsets);

  Result<DeltaSnapshot> snapshot = DeltaTable(options.files.table_dir).LoadSnapshot();
  ASSERT_TRUE(snapshot.ok());
  Result<CapturedEpoch> sealed = LastCapturedEpoch(*snapshot, 3);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->epoch, 2);
  EXPECT_EQ(sealed->end_offsets, second->end_offsets);
  EXPECT_EQ(snapshot->metadata().schema.partition[0].name, "event_date");
  EXPECT_EQ(snapshot->metadata().schema.data->size(), 8u);
}

TEST(Capture, RerunWithoutNewEventsWritesNothing) {
  ScratchDir dir;
  const CaptureOptions options = OptionsFor(dir.path());
  FakeCaptureSource source(2);
  Result<CaptureResult> empty = CaptureEpoch(source, options);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->outcome, CaptureOutcome::kNoNewEvents);
  EXPECT_EQ(empty->epoch, 0);
  EXPECT_FALSE(DeltaTable(dir.path()).LoadSnapshot()->exists());

  int64_t next_id = 0;
  Feed(source, 2, 10, &next_id);
  ASSERT_TRUE(CaptureEpoch(source, options).ok());
  const std::vector<std::string> files = testing::ParquetFilesUnder(dir.path());
  Result<CaptureResult> rerun = CaptureEpoch(source, options);
  ASSERT_TRUE(rerun.ok());
  EXPECT_EQ(rerun->outcome, CaptureOutcome::kNoNewEvents);
  EXPECT_EQ(rerun->epoch, 1);
  EXPECT_EQ(DeltaTable(dir.path()).LoadSnapshot()->version(), 0);
  EXPECT_EQ(testing::ParquetFilesUnder(dir.path()), files);
}

TEST(Capture, CrashAfterCommitIsNotCapturedTwice) {
  ScratchDir dir;
  const CaptureOptions options = OptionsFor(dir.path());
  FakeCaptureSource source(2);
  int64_t next_id = 0;
  Feed(source, 2, 30, &next_id);
  source.FailNextCommitCaptured();  // the commit lands, telling the log fails
  EXPECT_EQ(CaptureEpoch(source, options).status().code(), StatusCode::kIoError);
  EXPECT_EQ(source.committed(), (std::vector<uint64_t>{0, 0}));
  Result<CaptureResult> rerun = CaptureEpoch(source, options);
  ASSERT_TRUE(rerun.ok());
  EXPECT_EQ(rerun->outcome, CaptureOutcome::kNoNewEvents);
  EXPECT_EQ(rerun->epoch, 1);
  EXPECT_EQ(source.committed(), (std::vector<uint64_t>{30, 30}));
  ExpectLakeHolds(source, dir.path(), {30, 30});
}

TEST(Capture, FailureBeforeCommitLeavesNothing) {
  ScratchDir dir;
  const CaptureOptions options = OptionsFor(dir.path());
  FakeCaptureSource source(3);
  int64_t next_id = 0;
  Feed(source, 3, 20, &next_id);
  source.FailReadsOfPartition(2);
  EXPECT_EQ(CaptureEpoch(source, options).status().code(), StatusCode::kIoError);
  EXPECT_FALSE(DeltaTable(dir.path()).LoadSnapshot()->exists());
  EXPECT_TRUE(testing::ParquetFilesUnder(dir.path()).empty());
  EXPECT_EQ(source.committed(), (std::vector<uint64_t>{0, 0, 0}));
  source.FailReadsOfPartition(-1);
  Result<CaptureResult> retry = CaptureEpoch(source, options);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(retry->epoch, 1);
  ExpectLakeHolds(source, dir.path(), {20, 20, 20});
}

// Delegates to a FakeCaptureSource and notes when its end offsets were read.
class TimedSource : public CaptureSource {
 public:
  explicit TimedSource(FakeCaptureSource& inner) : inner_(inner) {}
  std::vector<uint64_t> EndOffsets() override {
    end_offsets_read = Now();
    return inner_.EndOffsets();
  }
  Status ReadRange(int partition, uint64_t from, uint64_t to,
                   const EventsCallback& callback) override {
    if (!first_read) first_read = Now();
    return inner_.ReadRange(partition, from, to, callback);
  }
  Status CommitCaptured(const std::vector<uint64_t>& offsets) override {
    return inner_.CommitCaptured(offsets);
  }

  Timestamp end_offsets_read;
  std::optional<Timestamp> first_read;

 private:
  FakeCaptureSource& inner_;
};

CapturedEpoch LastEpochOf(const std::filesystem::path& table_dir, size_t partitions) {
  Result<DeltaSnapshot> snapshot = DeltaTable(table_dir).LoadSnapshot();
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  if (!snapshot.ok()) return {};
  Result<CapturedEpoch> epoch = LastCapturedEpoch(*snapshot, partitions);
  EXPECT_TRUE(epoch.ok()) << epoch.status().ToString();
  return epoch.ok() ? *epoch : CapturedEpoch{};
}

TEST(Capture, RecordsTheInstantTheEndOffsetsWereRead) {
  ScratchDir dir;
  const CaptureOptions options = OptionsFor(dir.path());
  FakeCaptureSource fake(2);
  TimedSource source(fake);
  int64_t next_id = 0;
  Feed(fake, 2, 25, &next_id);
  const Timestamp before = Now();
  ASSERT_TRUE(CaptureEpoch(source, options).ok());
  const CapturedEpoch first = LastEpochOf(dir.path(), 2);
  EXPECT_EQ(first.epoch, 1);
  // Taken just before E(1) was read: no later than the read, before any event was copied.
  EXPECT_GE(first.sealed_at, before);
  EXPECT_LE(first.sealed_at, source.end_offsets_read);
  ASSERT_TRUE(source.first_read.has_value());
  EXPECT_LT(first.sealed_at, *source.first_read);
  Result<DeltaCommit> commit = DeltaTable(dir.path()).ReadCommit(0);
  ASSERT_TRUE(commit.ok());
  EXPECT_NE(commit->commit_info.find(fmt::format(R"("sealedAt":{})", first.sealed_at.micros)),
            std::string::npos)
      << commit->commit_info;

  // A commit that is not a capture's (as OPTIMIZE makes) sits between epochs 1 and 2.
  Result<DeltaSnapshot> snapshot = DeltaTable(dir.path()).LoadSnapshot();
  ASSERT_TRUE(snapshot.ok());
  DeltaCommit other;
  other.commit_info = R"({"timestamp":1,"operation":"OPTIMIZE"})";
  Result<int64_t> optimized = DeltaTable(dir.path()).Commit(*snapshot, other);
  ASSERT_TRUE(optimized.ok()) << optimized.status().ToString();
  ASSERT_EQ(*optimized, 1);
  Feed(fake, 2, 5, &next_id);
  ASSERT_TRUE(CaptureEpoch(source, options).ok());
  const CapturedEpoch second = LastEpochOf(dir.path(), 2);
  EXPECT_EQ(second.epoch, 2);
  EXPECT_LE(second.sealed_at, source.end_offsets_read);
  EXPECT_GT(second.sealed_at, first.sealed_at);

  // Each epoch found by number, from its own commit (not the latest).
  const DeltaTable table(dir.path());
  Result<CapturedEpoch> found_first = FindCapturedEpoch(table, 1);
  ASSERT_TRUE(found_first.ok()) << found_first.status().ToString();
  EXPECT_EQ(found_first->epoch, 1);
  EXPECT_EQ(found_first->sealed_at, first.sealed_at);
  EXPECT_EQ(found_first->end_offsets, (std::vector<uint64_t>{25, 25}));
  Result<CapturedEpoch> found_second = FindCapturedEpoch(table, 2);
  ASSERT_TRUE(found_second.ok()) << found_second.status().ToString();
  EXPECT_EQ(found_second->sealed_at, second.sealed_at);
  EXPECT_EQ(found_second->end_offsets, (std::vector<uint64_t>{30, 30}));
  EXPECT_EQ(FindCapturedEpoch(table, 3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FindCapturedEpoch(table, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(Capture, CommitsWithoutSealedAtFallBackToTheCommitTimestamp) {
  ScratchDir dir;
  const CaptureOptions options = OptionsFor(dir.path());
  FakeCaptureSource source(2);
  int64_t next_id = 0;
  Feed(source, 2, 10, &next_id);
  ASSERT_TRUE(CaptureEpoch(source, options).ok());
  // Epoch 2 as capture wrote it before sealedAt existed.
  const DeltaTable table(dir.path());
  Result<DeltaSnapshot> snapshot = table.LoadSnapshot();
  ASSERT_TRUE(snapshot.ok());
  DeltaCommit old;
  old.txns.push_back(DeltaTxn{std::string(kCaptureAppId), 2});
  old.commit_info = R"({"timestamp":1795400000123,"operation":"STREAMING UPDATE",)"
                    R"("braidCapture":{"epoch":2,"endOffsets":[10,12],"events":2}})";
  Result<int64_t> committed = table.Commit(*snapshot, old);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  ASSERT_EQ(*committed, 1);
  const CapturedEpoch last = LastEpochOf(dir.path(), 2);
  EXPECT_EQ(last.epoch, 2);
  EXPECT_EQ(last.sealed_at, Timestamp::FromMillis(1795400000123));
  Result<CapturedEpoch> found = FindCapturedEpoch(table, 2);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->sealed_at, Timestamp::FromMillis(1795400000123));
  EXPECT_EQ(found->end_offsets, (std::vector<uint64_t>{10, 12}));
}

TEST(Capture, FilesAreSortedByKeyAndEventTime) {
  ScratchDir dir;
  const CaptureOptions options = OptionsFor(dir.path(), 16);
  FakeCaptureSource source(2);
  int64_t next_id = 0;
  Feed(source, 2, 100, &next_id);
  Result<CaptureResult> result = CaptureEpoch(source, options);
  ASSERT_TRUE(result.ok());
  EXPECT_GT(result->files, 8u);
  const DeltaSnapshot snapshot = *DeltaTable(dir.path()).LoadSnapshot();
  for (const auto& [path, add] : snapshot.files()) {
    Result<Chunk> chunk = testing::ReadAll(dir.path() / path);
    ASSERT_TRUE(chunk.ok());
    EXPECT_LE(chunk->num_rows(), 16u);
    EXPECT_NE(add.stats.find(fmt::format("\"numRecords\":{}", chunk->num_rows())),
              std::string::npos);
    const Column& key = chunk->column(testing::kDeviceColumn);
    const Column& time = chunk->column(testing::kTimeColumn);
    for (size_t row = 1; row < chunk->num_rows(); ++row) {
      const auto before =
          std::tuple(key.StringAt(row - 1), time.IsValid(row - 1), time.int64s()[row - 1]);
      const auto after = std::tuple(key.StringAt(row), time.IsValid(row), time.int64s()[row]);
      EXPECT_LE(before, after) << path << " row " << row;
    }
  }
  ExpectLakeHolds(source, dir.path(), {100, 100});
}

TEST(Capture, RacingCapturesWriteEveryEventOnce) {
  for (int round = 0; round < 5; ++round) {
    ScratchDir dir;
    const CaptureOptions options = OptionsFor(dir.path());
    FakeCaptureSource source(2);
    int64_t next_id = 0;
    Feed(source, 2, 50, &next_id);
    std::vector<CaptureOutcome> outcomes(2);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        Result<CaptureResult> result = CaptureEpoch(source, options);
        ASSERT_TRUE(result.ok()) << result.status().ToString();
        EXPECT_EQ(result->epoch, 1);
        outcomes[t] = result->outcome;
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), CaptureOutcome::kCommitted), 1);
    EXPECT_EQ(DeltaTable(dir.path()).LoadSnapshot()->version(), 0);
    ExpectLakeHolds(source, dir.path(), {50, 50});
    // The loser deleted its files: every Parquet file is referenced.
    EXPECT_EQ(testing::ParquetFilesUnder(dir.path()).size(),
              DeltaTable(dir.path()).LoadSnapshot()->files().size());
  }
}

TEST(Capture, RejectsATableOfAnotherSchemaAndBadOptions) {
  ScratchDir dir;
  FakeCaptureSource source(1);
  int64_t next_id = 0;
  Feed(source, 1, 5, &next_id);
  ASSERT_TRUE(CaptureEpoch(source, OptionsFor(dir.path())).ok());
  CaptureOptions other = OptionsFor(dir.path());
  other.files.stream_schema = std::make_shared<const Schema>(
      std::vector<Field>{{"x", DataType::kBigint, true}, {"event_ts", DataType::kTimestamp, true}});
  EXPECT_EQ(CaptureEpoch(source, other).status().code(), StatusCode::kTypeMismatch);
  CaptureOptions bad = OptionsFor(dir.path());
  bad.files.timestamp_column = testing::kDeviceColumn;
  EXPECT_EQ(CaptureEpoch(source, bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(Capture, DuckDbReadingTheActiveFilesAgrees) {
  if (!testing::OracleAvailable()) GTEST_SKIP() << "node or the DuckDB oracle is missing";
  ScratchDir dir;
  const CaptureOptions options = OptionsFor(dir.path(), 50);
  FakeCaptureSource source(3);
  int64_t next_id = 0;
  Feed(source, 3, 70, &next_id);
  ASSERT_TRUE(CaptureEpoch(source, options).ok());
  Feed(source, 3, 30, &next_id);
  ASSERT_TRUE(CaptureEpoch(source, options).ok());
  std::string files;
  const DeltaSnapshot snapshot = *DeltaTable(dir.path()).LoadSnapshot();
  for (const auto& [path, add] : snapshot.files()) {
    files += fmt::format("{}'{}'", files.empty() ? "" : ", ", (dir.path() / path).string());
  }
  const std::vector<std::string> lines = testing::DuckDbQuery(
      {fmt::format("SELECT count(*), count(DISTINCT (_partition, _offset)), sum(n), "
                   "count(temperature), round(sum(temperature), 6), count(DISTINCT event_date), "
                   "min(event_date)::VARCHAR, max(_offset) "
                   "FROM read_parquet([{}], hive_partitioning = true)",
                   files)});
  // The oracle's expectations, computed from the events: ids 0..299.
  int64_t sum_n = 0;
  int64_t temperatures = 0;
  double sum_temperature = 0;
  for (int64_t id = 0; id < 300; ++id) {
    sum_n += id * 1000 - 7;
    if (id % 7 != 0) {
      ++temperatures;
      sum_temperature += 15.0 + static_cast<double>(id % 40) * 0.75;
    }
  }
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], fmt::format("[\"300\",\"300\",\"{}\",\"{}\",{},\"4\",\"2026-11-22\",\"99\"]",
                                  sum_n, temperatures, sum_temperature));
}

}  // namespace
}  // namespace braid::lake
