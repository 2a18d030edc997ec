// The speed layer's end-to-end fixture: a Database over a scratch directory whose capture and
// batch jobs run only when a test asks (no schedule), a stream `s (k STRING NOT NULL, ts TIMESTAMP
// NOT NULL, v DOUBLE)` with the test's options, appends of events to a chosen partition of its
// log (the real log, read by the real tailer thread), and query answers rendered as text. The
// independent oracle of every test is what it appended. Test-only.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "database_test_fixture.h"
#include "log/stream_log.h"
#include "serving/database.h"

namespace braid::serving::testing {

struct Event {
  std::string key;
  Timestamp time;
  double value = 1;
};

// 2024-01-01T00:00:00Z plus the given time of day.
inline Timestamp At(int hours, int minutes, double seconds) {
  const int64_t day = 1704067200000000;
  return Timestamp{day + (int64_t{hours} * 3600 + minutes * 60) * 1000000 +
                   static_cast<int64_t>(std::llround(seconds * 1e6))};
}

// Options under which nothing runs on its own: no scheduled refreshes (the server's Tick never
// runs here anyway), capture only on CaptureStream, and appends acknowledged once written.
inline DatabaseOptions QuietOptions(const std::filesystem::path& dir) {
  DatabaseOptions options;
  options.data_dir = dir;
  options.log.fsync = log::FsyncPolicy::kNever;
  options.capture_interval = Duration::Days(1);
  options.batch.refresh_interval = Duration{0};
  options.batch.retry_backoff = Duration::Days(1);  // a failed job stays failed
  return options;
}

// A cell as text: NULL, strings as is, numbers as fmt prints them, times of 2024-01-01 as
// HH:MM:SS[.ffffff] without trailing zeros.
inline std::string CellText(const Column& column, size_t row) {
  if (!column.IsValid(row)) return "NULL";
  switch (column.type()) {
    case DataType::kString:
      return std::string(column.StringAt(row));
    case DataType::kDouble:
      return fmt::format("{}", column.doubles()[row]);
    case DataType::kBoolean:
      return column.bools()[row] ? "true" : "false";
    case DataType::kBigint:
      return fmt::format("{}", column.int64s()[row]);
    case DataType::kTimestamp: {
      std::string text = FormatRfc3339(Timestamp{column.int64s()[row]});
      if (!text.starts_with("2024-01-01T")) return text;
      text = text.substr(11, 15);
      while (text.back() == '0') text.pop_back();
      if (text.back() == '.') text.pop_back();
      return text;
    }
  }
  return "?";
}

// Every row of a result, its cells joined by '|'.
inline std::vector<std::string> RowTexts(const QueryResult& result) {
  std::vector<std::string> rows;
  for (const Chunk& chunk : result.chunks) {
    for (size_t row = 0; row < chunk.num_rows(); ++row) {
      std::string line;
      for (size_t c = 0; c < chunk.num_columns(); ++c) {
        if (c > 0) line += "|";
        line += CellText(chunk.column(c), row);
      }
      rows.push_back(std::move(line));
    }
  }
  return rows;
}

// Appends `events` (of stream s) as one batch of `partition`, durably; returns its base offset.
inline Result<uint64_t> AppendTo(log::StreamLog& log, int partition,
                                 const std::vector<Event>& events) {
  Chunk chunk(log.schema());
  Timestamp min{INT64_MAX}, max{INT64_MIN};
  for (const Event& event : events) {
    chunk.mutable_column(0).AppendString(event.key);
    chunk.mutable_column(1).AppendInt64(event.time.micros);
    chunk.mutable_column(2).AppendDouble(event.value);
    min = std::min(min, event.time);
    max = std::max(max, event.time);
  }
  log::AppendRequest request;
  request.events = &chunk;
  request.min_event_time = min;
  request.max_event_time = max;
  return log.partition(partition).Append(request);
}

// The alerts a hub delivers to a subscriber, for waiting on them. Unsubscribes on destruction,
// so it must go before the hub does.
class AlertInbox {
 public:
  // `after`: also the stored alerts with a sequence above it (AlertHub::Subscribe).
  explicit AlertInbox(speed::AlertHub& hub, std::optional<uint64_t> after = std::nullopt)
      : hub_(hub) {
    token_ = hub_.Subscribe(
        [this](const speed::Alert& alert) {
          std::lock_guard<std::mutex> lock(mu_);
          alerts_.push_back(alert);
          arrived_.notify_all();
        },
        after);
  }
  ~AlertInbox() { hub_.Unsubscribe(token_); }
  AlertInbox(const AlertInbox&) = delete;
  AlertInbox& operator=(const AlertInbox&) = delete;

  // Waits until at least `count` alerts arrived or `timeout` passed; returns whether they did.
  bool WaitFor(size_t count, Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return arrived_.wait_for(lock, std::chrono::microseconds(timeout.micros),
                             [&] { return alerts_.size() >= count; });
  }
  std::vector<speed::Alert> alerts() {
    std::lock_guard<std::mutex> lock(mu_);
    return alerts_;
  }

 private:
  speed::AlertHub& hub_;
  uint64_t token_ = 0;
  std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<speed::Alert> alerts_;
};

// The stored JSON of an alert from "rule" on: what does not depend on its id, fired_at and
// sequence.
inline std::string AlertBody(const std::string& json) {
  const size_t rule = json.find(R"("rule":)");
  const size_t fired = json.find(R"(,"fired_at":)");
  if (rule == std::string::npos || fired == std::string::npos || fired < rule) return json;
  return json.substr(rule, fired - rule);
}

class SpeedTest : public DatabaseTest {
 protected:
  static constexpr Duration kWait = Duration::Seconds(20);

  // `query_cache_bytes`: DatabaseOptions' bound on cached batch views.
  void OpenQuiet(size_t query_cache_bytes = DatabaseOptions{}.query_cache_bytes) {
    db_.reset();
    DatabaseOptions options = QuietOptions(dir_.path());
    options.query_cache_bytes = query_cache_bytes;
    Result<std::unique_ptr<Database>> db = Database::Open(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  QueryResult Run(std::string_view sql, Consistency consistency = Consistency::kMerged) {
    Result<QueryResult> result = db_->Execute(sql, consistency);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    return result.ok() ? *std::move(result) : QueryResult{};
  }

  void CreateStream(std::string_view options) {
    Run(
        fmt::format("CREATE STREAM s (k STRING NOT NULL, ts TIMESTAMP NOT NULL, v DOUBLE) WITH "
                    "(timestamp = 'ts', {})",
                    options));
  }

  // Appends `events` as one batch of `partition`, durably; returns its base offset.
  uint64_t Append(int partition, const std::vector<Event>& events) {
    Result<uint64_t> base = AppendTo(*db_->FindStream("s")->log, partition, events);
    EXPECT_TRUE(base.ok()) << base.status().ToString();
    return base.ok() ? *base : 0;
  }

  // Waits until the speed layer has read everything appended so far.
  void CatchUp() { ASSERT_TRUE(db_->speed().WaitUntilCaughtUp("s", kWait)); }

  std::vector<std::string> Rows(std::string_view sql, Consistency consistency) {
    return RowTexts(Run(sql, consistency));
  }

  // Seals the next epoch of s; returns it.
  int64_t Capture() {
    Result<lake::CaptureResult> captured = db_->capture().CaptureStream("s");
    EXPECT_TRUE(captured.ok()) << captured.status().ToString();
    return captured.ok() ? captured->epoch : -1;
  }

  // Runs a refresh of `view` (it seals an epoch first) to completion.
  JobInfo Refresh(std::string_view view) {
    Result<int64_t> id = db_->batch_jobs().Submit(JobKind::kRefresh, view);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    if (!id.ok()) return JobInfo{};
    Result<JobInfo> job = db_->batch_jobs().Wait(*id, kWait);
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    if (!job.ok()) return JobInfo{};
    EXPECT_EQ(job->state, JobState::kSucceeded) << job->error;
    return *job;
  }

  // sum(column) over the rows of `view` at `consistency` (the column must be BIGINT).
  int64_t Sum(std::string_view view, std::string_view column, Consistency consistency) {
    int64_t sum = 0;
    const QueryResult result = Run(fmt::format("SELECT {} FROM {}", column, view), consistency);
    for (const Chunk& chunk : result.chunks) {
      for (size_t row = 0; row < chunk.num_rows(); ++row) sum += chunk.column(0).int64s()[row];
    }
    return sum;
  }
};

}  // namespace braid::serving::testing
