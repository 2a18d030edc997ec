// SIGKILL of batch view runs at random points (DESIGN.md batch/, issue 5): a forked child runs
// RefreshView (version 1 of device_metrics of examples/iot.sql) or RecomputeView (into a fresh
// version each time) over a lake of 100,000 generated events sealed in epochs as the test goes;
// the parent kills it after a random time up to the measured duration of an uninterrupted run.
// After each kill the table must open and read, its horizon must be the one it had before the run
// (B) or the lake's last sealed epoch (K), and its rows must equal those of an uninterrupted run
// to that horizon (a reference table refreshed in another directory, copied per horizon; an empty
// table for horizon 0). A rerun into the same version, uninterrupted, must then reach K with the
// reference rows: this covers a recompute killed while its version directory is empty or half
// created. At the end both kinds of table are completed and compared with DuckDB computing the
// view from the lake (iot_lake_util.h). The parent never starts a thread (fork would copy only
// the forking one); the runs use two threads inside the children. Skips without the oracle.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "batch/batch_view_table.h"
#include "batch/view_refresh.h"
#include "duckdb_oracle.h"
#include "iot_lake_util.h"
#include "scoped_temp_dir.h"
#include "sql/view_oracle_util.h"

namespace braid::batch {
namespace {

namespace fs = std::filesystem;
using braid::testing::ScopedTempDir;
using testing::IotLake;

constexpr uint64_t kEvents = 100'000;
constexpr int kIterations = 16;
constexpr int64_t kRefreshed = 1;          // the version every refresh iteration runs on
constexpr int64_t kFirstRecomputed = 100;  // recompute iteration i builds version 100 + i

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The threads of this process (fork copies only the calling one, so it must be the only one).
size_t ThreadCount() {
  size_t threads = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/task")) ++threads;
  return threads;
}

// The Parquet files under a table directory that its latest snapshot does not reference: what a
// run killed before its commit leaves behind (0 when the table does not exist).
size_t UnreferencedFiles(const fs::path& table_dir) {
  if (!fs::exists(table_dir)) return 0;
  Result<std::vector<std::string>> active = testing::ActiveDataFiles(table_dir);
  EXPECT_TRUE(active.ok()) << active.status().ToString();
  size_t on_disk = 0;
  for (const auto& entry : fs::recursive_directory_iterator(table_dir)) {
    if (entry.path().extension() == ".parquet") ++on_disk;
  }
  return active.ok() ? on_disk - active->size() : 0;
}

// Runs `run` in a forked child, which exits 0 when it returns OK and 1 (printing why) otherwise.
pid_t Spawn(const std::function<Status()>& run) {
  const pid_t pid = fork();
  if (pid == 0) {
    const Status status = run();
    if (!status.ok()) std::fprintf(stderr, "child run failed: %s\n", status.ToString().c_str());
    std::fflush(stderr);
    _exit(status.ok() ? 0 : 1);
  }
  return pid;
}

int Reap(pid_t pid) {
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return status;
}

// Runs `run` in a child to completion; fails the test unless it exits 0. Returns its seconds.
double RunToCompletion(const std::function<Status()>& run) {
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = Spawn(run);
  EXPECT_GT(pid, 0);
  const int status = Reap(pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
  return SecondsSince(start);
}

class ViewRefreshCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!braid::testing::OracleAvailable()) GTEST_SKIP() << "DuckDB oracle not installed";
    Result<sql::testing::BoundScript> script =
        sql::testing::BindScript(sql::testing::ReadExample("iot.sql"));
    ASSERT_TRUE(script.ok()) << script.status().ToString();
    plan_ = script->views.at("device_metrics");
    options_.threads = 2;
  }

  fs::path work() const { return dir_.path() / "work"; }
  fs::path reference() const { return dir_.path() / "reference"; }
  // The data directory holding the reference table (version 1) at horizon `epoch`.
  fs::path expected(int64_t epoch) const {
    return dir_.path() / "expected" / std::to_string(epoch);
  }

  std::function<Status()> Refresh(const fs::path& data_dir, int64_t version) {
    return [this, data_dir, version] {
      return RefreshView(data_dir, plan_, version, lake_.source(), options_).status();
    };
  }
  std::function<Status()> Recompute(int64_t version) {
    return [this, version] {
      return RecomputeView(work(), plan_, version, lake_.source(), options_).status();
    };
  }

  // Seals the next epoch and keeps the reference's rows at its horizon.
  void SealEpoch(size_t events) {
    ASSERT_EQ(ThreadCount(), 1u);
    Status sealed = lake_.SealEpoch(events);
    ASSERT_TRUE(sealed.ok()) << sealed.ToString();
    RunToCompletion(Refresh(reference(), 1));
    Result<BatchViewTable> table = BatchViewTable::Open(reference(), plan_, 1);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    ASSERT_EQ(table->Horizon()->epoch, lake_.epoch());
    const fs::path copy = expected(lake_.epoch()) / fs::relative(table->dir(), reference());
    fs::create_directories(copy.parent_path());
    fs::copy(table->dir(), copy, fs::copy_options::recursive);
  }

  // Version `version` of the work directory holds the uninterrupted rows of its horizon, which
  // is returned (-1 on failure).
  int64_t ExpectUninterruptedRows(const std::string& what, int64_t version) {
    Result<BatchViewTable> table = BatchViewTable::Open(work(), plan_, version);
    EXPECT_TRUE(table.ok()) << what << ": " << table.status().ToString();
    if (!table.ok()) return -1;
    Result<BatchHorizon> horizon = table->Horizon();
    EXPECT_TRUE(horizon.ok()) << what << ": " << horizon.status().ToString();
    if (!horizon.ok()) return -1;
    if (horizon->epoch == 0) {
      Result<std::vector<Chunk>> rows = table->Read(std::nullopt);
      EXPECT_TRUE(rows.ok()) << what << ": " << rows.status().ToString();
      if (rows.ok()) {
        for (const Chunk& chunk : *rows) EXPECT_EQ(chunk.num_rows(), 0u) << what;
      }
      return 0;
    }
    Result<BatchViewTable> reference = BatchViewTable::Open(expected(horizon->epoch), plan_, 1);
    EXPECT_TRUE(reference.ok()) << what << ": " << reference.status().ToString();
    if (reference.ok()) testing::ExpectSameStoredRows(what, *table, *reference, *plan_);
    return horizon->epoch;
  }

  int64_t HorizonOf(int64_t version) {
    Result<BatchViewTable> table = BatchViewTable::Open(work(), plan_, version);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    if (!table.ok()) return -1;
    Result<BatchHorizon> horizon = table->Horizon();
    EXPECT_TRUE(horizon.ok()) << horizon.status().ToString();
    return horizon.ok() ? horizon->epoch : -1;
  }

  ScopedTempDir dir_{"batch-crash"};
  IotLake lake_{dir_.path() / "lake" / "telemetry",
                cli::IotGeneratorOptions{.devices = 100,
                                         .users = 1000,
                                         .rate = 1.0,  // 100,000 events in about 28 hours
                                         .disorder_fraction = 0.05,
                                         .max_disorder = Duration::Seconds(5),
                                         .late_fraction = 0.01,
                                         .seed = 99}};
  sql::ViewPlanPtr plan_;
  RefreshOptions options_;
};

TEST_F(ViewRefreshCrashTest, KilledRunsLeaveTheOldOrTheNewHorizonAndRerunsComplete) {
  std::mt19937_64 rng(11);
  // Epoch sizes between 1,500 and 7,500 events summing to kEvents (about 22 epochs).
  std::vector<size_t> epochs;
  for (uint64_t total = 0; total < kEvents;) {
    const uint64_t size = std::min<uint64_t>(
        kEvents - total, std::uniform_int_distribution<uint64_t>(1'500, 7'500)(rng));
    epochs.push_back(size);
    total += size;
  }
  size_t next_epoch = 0;
  auto seal_next = [&] {
    if (next_epoch < epochs.size()) SealEpoch(epochs[next_epoch++]);
  };
  seal_next();
  seal_next();
  ASSERT_FALSE(HasFatalFailure());
  // The uninterrupted durations of a refresh and a recompute bound the kill times.
  double refresh_seconds = RunToCompletion(Refresh(work(), kRefreshed));
  double recompute_seconds = refresh_seconds;
  ASSERT_EQ(ExpectUninterruptedRows("first refresh", kRefreshed), lake_.epoch());

  int before_commit = 0, after_commit = 0, finished = 0, fresh_without_table = 0;
  int left_partial_files = 0;  // kills that left data files no snapshot references
  std::bernoulli_distribution seal_more(0.5);
  for (int i = 0; i < kIterations; ++i) {
    const bool refresh = i % 2 == 0;
    const int64_t version = refresh ? kRefreshed : kFirstRecomputed + i;
    if (seal_more(rng) || (refresh && HorizonOf(version) == lake_.epoch())) seal_next();
    ASSERT_FALSE(HasFatalFailure());
    // A recompute target is a version never opened: the child creates its directory.
    const int64_t old_horizon = refresh ? HorizonOf(version) : 0;
    const int64_t new_horizon = lake_.epoch();
    ASSERT_LT(old_horizon, new_horizon) << "iteration " << i << " has no work";
    const std::string what =
        fmt::format("iteration {} ({} of v{}, epochs {} to {})", i,
                    refresh ? "refresh" : "recompute", version, old_horizon, new_horizon);

    const size_t unreferenced =
        refresh ? UnreferencedFiles(work() / "views" / "device_metrics" / "v1") : 0;
    ASSERT_EQ(ThreadCount(), 1u);
    const double bound = refresh ? refresh_seconds : recompute_seconds;
    // Half the kills fall in the last quarter of the run, where files are written and the
    // commit happens; the other half anywhere in it.
    const int64_t bound_us = std::llround(bound * 1e6);
    const auto delay = std::chrono::microseconds(
        std::uniform_int_distribution<int64_t>(i % 4 < 2 ? 0 : bound_us * 3 / 4, bound_us)(rng));
    const pid_t pid = Spawn(refresh ? Refresh(work(), version) : Recompute(version));
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(delay);  // the random kill point, not a wait for a condition
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    const int status = Reap(pid);
    const bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    if (!killed) {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << what << ": status " << status;
    }
    const fs::path table_dir = work() / "views" / "device_metrics" / fmt::format("v{}", version);
    if (!refresh && !fs::exists(table_dir / "_delta_log")) ++fresh_without_table;
    if (killed && UnreferencedFiles(table_dir) > unreferenced) ++left_partial_files;

    const int64_t horizon = ExpectUninterruptedRows(what + " after the kill", version);
    EXPECT_TRUE(horizon == old_horizon || horizon == new_horizon)
        << what << ": horizon " << horizon;
    if (!killed) {
      ++finished;
      EXPECT_EQ(horizon, new_horizon) << what;
    } else if (horizon == old_horizon) {
      ++before_commit;
    } else {
      ++after_commit;
    }

    const double rerun = RunToCompletion(refresh ? Refresh(work(), version) : Recompute(version));
    (refresh ? refresh_seconds : recompute_seconds) = rerun;
    EXPECT_EQ(ExpectUninterruptedRows(what + " after the rerun", version), new_horizon);
    std::printf("[ batch crash ] %s: kill after %.3fs of %.3fs: %s, horizon %lld\n", what.c_str(),
                static_cast<double>(delay.count()) / 1e6, bound,
                killed ? "killed" : "finished first", static_cast<long long>(horizon));
  }
  EXPECT_GE(before_commit, 1);

  // Every epoch, then the refreshed version and the last recomputed one completed without a kill.
  while (next_epoch < epochs.size()) seal_next();
  ASSERT_FALSE(HasFatalFailure());
  const int64_t last_recomputed = kFirstRecomputed + kIterations - 1;
  RunToCompletion(Refresh(work(), kRefreshed));
  RunToCompletion(Recompute(last_recomputed));
  EXPECT_EQ(ExpectUninterruptedRows("final refresh", kRefreshed), lake_.epoch());
  EXPECT_EQ(ExpectUninterruptedRows("final recompute", last_recomputed), lake_.epoch());
  ASSERT_EQ(lake_.events(), kEvents);
  testing::ExpectLakeHolds(lake_.dir(), kEvents);
  std::vector<fs::path> tables;
  for (int64_t version : {kRefreshed, last_recomputed}) {
    Result<BatchViewTable> table = BatchViewTable::Open(work(), plan_, version);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    tables.push_back(table->dir());
  }
  testing::ExpectTablesMatchDuckDb(*plan_, lake_.dir(), tables, /*min_dates=*/2);
  std::printf(
      "[ batch crash ] %d kills before the commit, %d after it, %d runs finished first; %d "
      "recompute kills left no table at all; %d kills left unreferenced data files; %zu epochs\n",
      before_commit, after_commit, finished, fresh_without_table, left_partial_files,
      epochs.size());
}

}  // namespace
}  // namespace braid::batch
