// Delta log: commit encoding, snapshot replay, time travel, add/remove, racing writers (threads
// and processes: exactly one wins each version, losers retry) and damaged logs.
#include "lake/delta_table.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <thread>

#include "common/file_util.h"
#include "lake_test_util.h"

namespace braid::lake {
namespace {

using testing::ScratchDir;

DeltaMetadata TestMetadata() {
  DeltaMetadata metadata;
  metadata.id = NewGuid();
  metadata.schema.data =
      std::make_shared<const Schema>(std::vector<Field>{{"device_id", DataType::kString, false},
                                                        {"temperature", DataType::kDouble, true},
                                                        {"ok", DataType::kBoolean, true},
                                                        {"n", DataType::kBigint, true},
                                                        {"event_ts", DataType::kTimestamp, false}});
  metadata.schema.partition = {{"event_date", PartitionType::kDate}};
  metadata.configuration["delta.appendOnly"] = "false";
  metadata.created_time_ms = 1'700'000'000'000;
  return metadata;
}

DeltaAddFile TestAdd(const std::string& name, const std::string& date = "2026-11-23") {
  return DeltaAddFile{.path = fmt::format("event_date={}/{}", date, name),
                      .partition_values = {{"event_date", date}},
                      .size = 1234,
                      .modification_time_ms = 1'700'000'000'123,
                      .data_change = true,
                      .stats = R"({"numRecords":3,"minValues":{"n":1},"maxValues":{"n":9}})",
                      .tags = {}};
}

DeltaCommit CreateCommit() {
  DeltaCommit commit;
  commit.protocol = DeltaProtocol{};
  commit.metadata = TestMetadata();
  return commit;
}

DeltaCommit AddCommit(const std::string& name) {
  DeltaCommit commit;
  commit.adds.push_back(TestAdd(name));
  return commit;
}

void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(DeltaActions, CommitRoundTripsThroughJsonLines) {
  DeltaCommit commit = CreateCommit();
  commit.adds.push_back(TestAdd("a.parquet"));
  commit.adds.back().partition_values["other"] = std::nullopt;
  commit.removes.push_back({"event_date=2026-11-22/old.parquet", 1'700'000'000'999, false});
  commit.txns.push_back({"braid-capture", 7});
  commit.commit_info = R"({"operation":"WRITE","braidCapture":{"epoch":7}})";
  const std::string text = EncodeCommit(commit);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 6);
  Result<DeltaCommit> decoded = DecodeCommit(text, "test");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(EncodeCommit(*decoded), text);
  EXPECT_EQ(*decoded->metadata->schema.data, *commit.metadata->schema.data);
  EXPECT_EQ(decoded->metadata->schema.partition, commit.metadata->schema.partition);
  EXPECT_EQ(decoded->adds[0].partition_values.at("other"), std::nullopt);
  EXPECT_EQ(decoded->txns[0].version, 7);
}

TEST(DeltaActions, SchemaStringUsesDeltaTypeNames) {
  const std::string text = EncodeSchemaString(TestMetadata().schema);
  EXPECT_NE(text.find(R"({"name":"device_id","type":"string","nullable":false,"metadata":{}})"),
            std::string::npos);
  for (const char* type : {"\"long\"", "\"double\"", "\"boolean\"", "\"timestamp\"", "\"date\""}) {
    EXPECT_NE(text.find(type), std::string::npos) << type;
  }
}

TEST(DeltaActions, GuidsAreVersion4AndDistinct) {
  const std::string a = NewGuid();
  EXPECT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(a, NewGuid());
}

TEST(DeltaTable, ReplaysCommitsAndTravelsInTime) {
  ScratchDir dir;
  DeltaTable table(dir.path() / "t");
  Result<DeltaSnapshot> empty = table.LoadSnapshot();
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->exists());
  ASSERT_EQ(*table.Commit(*empty, CreateCommit()), 0);
  for (int i = 0; i < 3; ++i) {
    Result<DeltaSnapshot> read = table.LoadSnapshot();
    ASSERT_TRUE(read.ok());
    ASSERT_EQ(*table.Commit(*read, AddCommit(fmt::format("f{}.parquet", i))), i + 1);
  }
  DeltaCommit compact;
  compact.removes = {{TestAdd("f0.parquet").path, 5, false},
                     {TestAdd("f1.parquet").path, 5, false}};
  compact.adds.push_back(TestAdd("f01.parquet"));
  compact.adds.back().data_change = false;
  ASSERT_EQ(*table.Commit(*table.LoadSnapshot(), compact), 4);

  Result<DeltaSnapshot> latest = table.LoadSnapshot();
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(latest->version(), 4);
  std::set<std::string> paths;
  for (const auto& [path, add] : latest->files()) paths.insert(path);
  EXPECT_EQ(paths,
            (std::set<std::string>{TestAdd("f01.parquet").path, TestAdd("f2.parquet").path}));
  EXPECT_EQ(latest->metadata().id, table.LoadSnapshotAt(0)->metadata().id);
  EXPECT_EQ(latest->files().begin()->second.size, 1234);

  Result<DeltaSnapshot> v2 = table.LoadSnapshotAt(2);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->version(), 2);
  EXPECT_EQ(v2->files().size(), 2u);
  EXPECT_TRUE(table.LoadSnapshotAt(0)->files().empty());
  EXPECT_EQ(table.LoadSnapshotAt(5).status().code(), StatusCode::kInvalidArgument);
}

TEST(DeltaTable, FirstCommitNeedsProtocolAndMetadata) {
  ScratchDir dir;
  DeltaTable table(dir.path());
  EXPECT_EQ(table.Commit(DeltaSnapshot(), AddCommit("x.parquet")).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(DeltaTable, RecordsTransactionsWithTheirCommitInfo) {
  ScratchDir dir;
  DeltaTable table(dir.path());
  DeltaCommit commit = CreateCommit();
  commit.txns.push_back({"app", 3});
  commit.commit_info = R"({"epoch":3})";
  ASSERT_TRUE(table.Commit(DeltaSnapshot(), commit).ok());
  ASSERT_TRUE(table.Commit(*table.LoadSnapshot(), AddCommit("y.parquet")).ok());
  std::optional<AppTransaction> txn = table.LoadSnapshot()->TransactionOf("app");
  ASSERT_TRUE(txn.has_value());
  EXPECT_EQ(txn->version, 3);
  EXPECT_EQ(txn->commit_version, 0);
  EXPECT_EQ(txn->commit_info, R"({"epoch":3})");
  EXPECT_FALSE(table.LoadSnapshot()->TransactionOf("other").has_value());
}

TEST(DeltaTable, SameTransactionFromAStaleSnapshotConflicts) {
  ScratchDir dir;
  DeltaTable table(dir.path());
  ASSERT_TRUE(table.Commit(DeltaSnapshot(), CreateCommit()).ok());
  const DeltaSnapshot read = *table.LoadSnapshot();
  DeltaCommit first = AddCommit("a.parquet");
  first.txns.push_back({"app", 1});
  DeltaCommit second = AddCommit("b.parquet");
  second.txns.push_back({"app", 1});
  ASSERT_EQ(*table.Commit(read, first), 1);
  Result<int64_t> lost = table.Commit(read, second);
  EXPECT_EQ(lost.status().code(), StatusCode::kDuplicateObject) << lost.status().ToString();
  EXPECT_EQ(table.LoadSnapshot()->version(), 1);
  // A blind append from the same stale snapshot does not conflict: it lands at version 2.
  EXPECT_EQ(*table.Commit(read, AddCommit("c.parquet")), 2);
  // Removing a file another commit already removed conflicts.
  DeltaCommit remove_a;
  remove_a.removes.push_back({TestAdd("a.parquet").path, 1, true});
  const DeltaSnapshot before_remove = *table.LoadSnapshot();
  ASSERT_EQ(*table.Commit(before_remove, remove_a), 3);
  EXPECT_EQ(table.Commit(before_remove, remove_a).status().code(), StatusCode::kDuplicateObject);
}

// Each writer commits `commits` blind appends named after itself, re-reading the snapshot each
// time.
void RunWriter(const DeltaTable& table, int writer, int commits) {
  for (int i = 0; i < commits; ++i) {
    Result<DeltaSnapshot> read = table.LoadSnapshot();
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    Result<int64_t> version =
        table.Commit(*read, AddCommit(fmt::format("w{}-{}.parquet", writer, i)), {1000});
    ASSERT_TRUE(version.ok()) << version.status().ToString();
  }
}

// Every version 1..n holds exactly one add, and every writer's commits are all there once.
void ExpectEveryCommitOnce(const DeltaTable& table, int writers, int commits) {
  Result<DeltaSnapshot> snapshot = table.LoadSnapshot();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  ASSERT_EQ(snapshot->version(), writers * commits);
  std::set<std::string> seen;
  for (int64_t v = 1; v <= snapshot->version(); ++v) {
    Result<DeltaCommit> commit = table.ReadCommit(v);
    ASSERT_TRUE(commit.ok());
    ASSERT_EQ(commit->adds.size(), 1u);
    EXPECT_TRUE(seen.insert(commit->adds[0].path).second);
  }
  EXPECT_EQ(snapshot->files().size(), static_cast<size_t>(writers * commits));
  std::vector<std::string> leftovers = *ListDirectory(table.log_dir());
  EXPECT_EQ(leftovers.size(), static_cast<size_t>(writers * commits + 1)) << "temporaries left";
}

TEST(DeltaTable, RacingThreadsEachWinDistinctVersions) {
  ScratchDir dir;
  DeltaTable table(dir.path());
  ASSERT_TRUE(table.Commit(DeltaSnapshot(), CreateCommit()).ok());
  constexpr int kWriters = 4;
  constexpr int kCommits = 15;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) threads.emplace_back(RunWriter, std::cref(table), w, kCommits);
  for (std::thread& thread : threads) thread.join();
  ExpectEveryCommitOnce(table, kWriters, kCommits);
}

TEST(DeltaTable, RacingProcessesEachWinDistinctVersions) {
  ScratchDir dir;
  DeltaTable table(dir.path());
  ASSERT_TRUE(table.Commit(DeltaSnapshot(), CreateCommit()).ok());
  constexpr int kWriters = 3;
  constexpr int kCommits = 10;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      RunWriter(table, w, kCommits);
      ::_exit(::testing::Test::HasFailure() ? 1 : 0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  ExpectEveryCommitOnce(table, kWriters, kCommits);
}

class DamagedLog : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(table_.Commit(DeltaSnapshot(), CreateCommit()).ok());
    ASSERT_TRUE(table_.Commit(*table_.LoadSnapshot(), AddCommit("a.parquet")).ok());
  }
  Status LoadError() { return table_.LoadSnapshot().status(); }

  ScratchDir dir_;
  DeltaTable table_{dir_.path()};
};

TEST_F(DamagedLog, GarbageIsCorruptionNamingTheFile) {
  WriteText(table_.CommitPath(1), "this is not json\n");
  EXPECT_EQ(LoadError().code(), StatusCode::kCorruption);
  EXPECT_NE(LoadError().message().find("00000000000000000001.json line 1"), std::string::npos)
      << LoadError().ToString();
}

TEST_F(DamagedLog, TruncatedCommitIsCorruption) {
  const std::string text = *ReadWholeFile(table_.CommitPath(1));
  WriteText(table_.CommitPath(1), text.substr(0, text.size() / 2));
  EXPECT_EQ(LoadError().code(), StatusCode::kCorruption) << LoadError().ToString();
  WriteText(table_.CommitPath(1), "");
  EXPECT_EQ(LoadError().code(), StatusCode::kCorruption) << LoadError().ToString();
}

TEST_F(DamagedLog, MissingFieldIsCorruption) {
  WriteText(table_.CommitPath(1), R"({"add":{"path":"x.parquet","size":1}})"
                                  "\n");
  EXPECT_EQ(LoadError().code(), StatusCode::kCorruption);
  EXPECT_NE(LoadError().message().find("modificationTime"), std::string::npos);
}

TEST_F(DamagedLog, UnknownActionIsUnsupported) {
  WriteText(table_.CommitPath(1), R"({"domainMetadata":{"domain":"x"}})"
                                  "\n");
  EXPECT_EQ(LoadError().code(), StatusCode::kUnsupported);
  EXPECT_NE(LoadError().message().find("unknown action type 'domainMetadata'"), std::string::npos);
}

TEST_F(DamagedLog, NewerReaderProtocolIsUnsupported) {
  WriteText(table_.CommitPath(1),
            R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["x"]}})"
            "\n");
  EXPECT_EQ(LoadError().code(), StatusCode::kUnsupported);
  EXPECT_NE(LoadError().message().find("reader version 3"), std::string::npos);
}

TEST_F(DamagedLog, NewerWriterProtocolRefusesCommits) {
  WriteText(table_.CommitPath(1), R"({"protocol":{"minReaderVersion":1,"minWriterVersion":4}})"
                                  "\n");
  Result<DeltaSnapshot> read = table_.LoadSnapshot();
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(table_.Commit(*read, AddCommit("b.parquet")).status().code(), StatusCode::kUnsupported);
}

TEST_F(DamagedLog, GapsAndMissingStartAreReported) {
  std::filesystem::copy_file(table_.CommitPath(1), table_.CommitPath(3));
  EXPECT_EQ(LoadError().code(), StatusCode::kCorruption);
  std::filesystem::remove(table_.CommitPath(0));
  std::filesystem::remove(table_.CommitPath(1));
  EXPECT_EQ(LoadError().code(), StatusCode::kUnsupported);
  EXPECT_NE(LoadError().message().find("checkpoint"), std::string::npos);
}

TEST(DeltaPaths, DecodesEscapesAndRejectsEscapes) {
  EXPECT_EQ(*DecodeDataFilePath("event_date=2026-11-23/part%20one.parquet"),
            "event_date=2026-11-23/part one.parquet");
  EXPECT_EQ(DecodeDataFilePath("s3://bucket/x.parquet").status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(DecodeDataFilePath("../x.parquet").status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(DecodeDataFilePath("bad%2").status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace braid::lake
