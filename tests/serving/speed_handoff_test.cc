// The hand-off between the speed and the batch layer through the whole engine: whatever the
// interleaving of ingest, capture and refresh, and across restarts and SIGKILL, every event in the
// log is counted exactly once by exact (the batch view, epochs <= B) plus speed (generations > B)
// (SEMANTICS.md "Epochs, generations and the merge"; the adjust policy, so the speed layer counts
// every event). The oracle is the number of events appended (or, after a kill, held by the log).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <numeric>
#include <random>
#include <thread>

#include "speed_test_fixture.h"

namespace braid::serving {
namespace {

using testing::At;
using testing::Event;

constexpr int kPartitions = 4;
constexpr std::string_view kStreamOptions = "partitions = 4, out_of_order = '5s'";
constexpr std::string_view kView =
    "CREATE VIEW m AS SELECT k, COUNT(*) AS n FROM s GROUP BY k, TumblingWindow(minute, 1)";

// Batches of random events: keys k0..k5, times moving forward by up to 20 s a batch, about one
// event in ten late by minutes (late for the speed layer once its windows were emitted).
class RandomEvents {
 public:
  RandomEvents(uint64_t seed, Timestamp start) : rng_(seed), clock_(start) {}

  std::vector<Event> Batch() {
    std::vector<Event> events(1 + rng_() % 12);
    clock_ = clock_ + Duration::Millis(static_cast<int64_t>(rng_() % 20000));
    for (Event& event : events) {
      event.key = fmt::format("k{}", rng_() % 6);
      event.time = clock_ + Duration::Millis(static_cast<int64_t>(rng_() % 5000));
      if (rng_() % 10 == 0) event.time = event.time - Duration::Minutes(2 + rng_() % 8);
    }
    return events;
  }
  int Partition() { return static_cast<int>(rng_() % kPartitions); }
  uint64_t Next() { return rng_(); }

 private:
  std::mt19937_64 rng_;
  Timestamp clock_;
};

class SpeedHandoffTest : public testing::SpeedTest {
 protected:
  void SetUp() override {
    OpenQuiet();
    CreateStream(kStreamOptions);
    Run(kView);
  }

  // Appends one random batch; returns its size.
  uint64_t IngestBatch(RandomEvents& events) {
    const std::vector<Event> batch = events.Batch();
    Append(events.Partition(), batch);
    return batch.size();
  }

  // After catch-up: exact + speed count `events` in all, the speed layer answers only from
  // generations above what the served batch version absorbed, and both agree on that B.
  void ExpectEveryEventCountedOnce(uint64_t events, std::string_view step) {
    SCOPED_TRACE(step);
    CatchUp();
    const int64_t exact = Sum("m", "n", Consistency::kExact);
    const int64_t speed = Sum("m", "n", Consistency::kSpeed);
    EXPECT_EQ(static_cast<uint64_t>(exact + speed), events)
        << "exact " << exact << " speed " << speed;
    std::shared_ptr<speed::SpeedView> view = db_->speed().FindView("m");
    ASSERT_NE(view, nullptr);
    Result<speed::SpeedRows> rows = view->Rows();
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    for (int64_t generation : rows->generations) EXPECT_GT(generation, rows->absorbed_epoch);
    QueryResult answer = Run("SELECT n FROM m", Consistency::kExact);
    ASSERT_TRUE(answer.coverage.has_value());
    EXPECT_EQ(rows->absorbed_epoch, answer.coverage->batch_epoch);
  }

  // Events the log of s holds.
  uint64_t EventsInLog() {
    const std::vector<uint64_t> ends = db_->FindStream("s")->log->EndOffsets();
    return std::accumulate(ends.begin(), ends.end(), uint64_t{0});
  }
};

TEST_F(SpeedHandoffTest, RandomInterleavingsCountEveryEventOnce) {
  RandomEvents events(20261125, At(0, 0, 0));
  std::mt19937_64 steps(7);
  uint64_t ingested = 0;
  int captures = 0, refreshes = 0;
  for (int step = 0; step < 40; ++step) {
    const uint64_t kind = steps() % 6;
    std::string what;
    if (kind < 3) {
      ingested += IngestBatch(events);
      what = "ingest";
    } else if (kind == 3) {
      Capture();
      ++captures;
      what = "capture";
    } else {
      Refresh("m");
      ++refreshes;
      what = "refresh";
    }
    ExpectEveryEventCountedOnce(ingested, fmt::format("step {}: {}", step, what));
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(captures, 3);
  EXPECT_GT(refreshes, 3);
  Refresh("m");
  ExpectEveryEventCountedOnce(ingested, "final refresh");
  EXPECT_EQ(Sum("m", "n", Consistency::kSpeed), 0);
  EXPECT_EQ(Sum("m", "n", Consistency::kExact), static_cast<int64_t>(ingested));
}

TEST_F(SpeedHandoffTest, ARestartedSpeedLayerStartsFromWhatTheBatchViewAbsorbed) {
  RandomEvents events(99, At(1, 0, 0));
  uint64_t absorbed = 0, later = 0;
  for (int i = 0; i < 5; ++i) absorbed += IngestBatch(events);
  EXPECT_EQ(Refresh("m").to_epoch, 1);
  for (int i = 0; i < 4; ++i) later += IngestBatch(events);
  EXPECT_EQ(Capture(), 2);  // sealed, not absorbed
  for (int i = 0; i < 3; ++i) later += IngestBatch(events);
  ExpectEveryEventCountedOnce(absorbed + later, "before the restart");

  OpenQuiet();
  ExpectEveryEventCountedOnce(absorbed + later, "after the restart");
  const speed::SpeedViewStatus status = db_->speed().FindView("m")->Describe();
  EXPECT_EQ(status.counters.events, later);  // replayed from E(1), not from the log's start
  EXPECT_EQ(status.counters.counted, later);
  EXPECT_EQ(status.absorbed_epoch, 1);
  // Offsets below E(2) land in generation 2 (the lake's last epoch), later ones in 3.
  EXPECT_EQ(status.generations, (std::vector<int64_t>{2, 3}));

  EXPECT_EQ(Refresh("m").to_epoch, 3);
  ExpectEveryEventCountedOnce(absorbed + later, "after the next refresh");
  EXPECT_EQ(Sum("m", "n", Consistency::kSpeed), 0);
}

// The child of the SIGKILL test: opens the database, then ingests, captures and refreshes at
// random until a thread kills the process at a random moment. Never returns.
[[noreturn]] void RunUntilKilled(const std::filesystem::path& dir, uint64_t seed) {
  RandomEvents events(seed, At(2, 0, 0) + Duration::Minutes(static_cast<int64_t>(seed % 50)));
  const Duration delay = Duration::Millis(static_cast<int64_t>(50 + events.Next() % 1500));
  std::thread([delay] {
    std::this_thread::sleep_for(std::chrono::microseconds(delay.micros));
    kill(getpid(), SIGKILL);
  }).detach();
  Result<std::unique_ptr<Database>> db = Database::Open(testing::QuietOptions(dir));
  if (!db.ok()) {
    std::fprintf(stderr, "child: %s\n", db.status().ToString().c_str());
    _exit(2);
  }
  std::shared_ptr<log::StreamLog> log = (*db)->FindStream("s")->log;
  for (;;) {
    const uint64_t kind = events.Next() % 5;
    Status status;
    if (kind < 3) {
      status = testing::AppendTo(*log, events.Partition(), events.Batch()).status();
    } else if (kind == 3) {
      status = (*db)->capture().CaptureStream("s").status();
    } else {
      Result<int64_t> id = (*db)->batch_jobs().Submit(JobKind::kRefresh, "m");
      Result<JobInfo> job = id.ok() ? (*db)->batch_jobs().Wait(*id, Duration::Seconds(60))
                                    : Result<JobInfo>(id.status());
      status = job.ok() && job->state != JobState::kSucceeded
                   ? Status(StatusCode::kInternal, job->error)
                   : job.status();
    }
    if (!status.ok()) {
      std::fprintf(stderr, "child: %s\n", status.ToString().c_str());
      _exit(3);
    }
  }
}

TEST_F(SpeedHandoffTest, SigkillAtRandomMomentsLosesAndDoublesNothing) {
  db_.reset();  // the children own the directory while they run
  for (uint64_t round = 0; round < 5; ++round) {
    SCOPED_TRACE(fmt::format("round {}", round));
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) RunUntilKilled(dir_.path(), 1000 + round);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "child exited with status " << status;
    OpenQuiet();
    ExpectEveryEventCountedOnce(EventsInLog(), "after the kill");
    db_.reset();
  }
  OpenQuiet();
  const uint64_t events = EventsInLog();
  EXPECT_GT(events, 0u);
  Refresh("m");
  ExpectEveryEventCountedOnce(events, "after a refresh");
  EXPECT_EQ(Sum("m", "n", Consistency::kSpeed), 0);
  EXPECT_EQ(Sum("m", "n", Consistency::kExact), static_cast<int64_t>(events));
}

}  // namespace
}  // namespace braid::serving
