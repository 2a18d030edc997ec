// Queries over views through the real log, speed layer and batch jobs: the merge of batch and
// speed states per cell (SEMANTICS.md example 9, sessions across the boundary), roll-ups from
// states (example 4), aggregation over a view's rows, sessions' SET/SHOW, SELECT without FROM,
// routing by max_staleness, limits, and index lookups answering exactly what a scan answers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "speed_test_fixture.h"
#include "sql/parser.h"

namespace braid::serving::testing {
namespace {

class ViewQueryTest : public SpeedTest {
 protected:
  void SetUp() override { OpenQuiet(); }
  std::vector<std::string> In(std::string_view sql, Session& session) {
    Result<QueryResult> result = db_->Execute(sql, session);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    return result.ok() ? RowTexts(*result) : std::vector<std::string>{};
  }
  Status ErrorOf(std::string_view sql, Session& session) {
    Result<QueryResult> result = db_->Execute(sql, session);
    return result.ok() ? Status::Ok() : result.status();
  }
  // A view's point and range lookups (merged, after a refresh and more events) against the
  // rows of a scan.
  void ExpectLookupsAnswerWhatAScanAnswers();
};

constexpr std::string_view kPerMinute =
    "CREATE VIEW m AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM s "
    "GROUP BY k, TumblingWindow(minute, 1)";
constexpr std::string_view kRows =
    "SELECT k, window_end, n, total, _source FROM m ORDER BY k, window_end";

TEST_F(ViewQueryTest, Example9MergedCountsEachEventOnceAcrossTheBoundary) {
  CreateStream("partitions = 1");
  Run(kPerMinute);
  Append(0, {{"a", At(0, 0, 10), 1}});
  CatchUp();
  EXPECT_EQ(Rows(kRows, Consistency::kMerged), std::vector<std::string>{"a|00:01:00|1|1|SPEED"});
  Refresh("m");
  CatchUp();
  EXPECT_EQ(Rows(kRows, Consistency::kMerged), std::vector<std::string>{"a|00:01:00|1|1|BATCH"});
  EXPECT_EQ(Rows(kRows, Consistency::kExact), std::vector<std::string>{"a|00:01:00|1|1|BATCH"});
  EXPECT_TRUE(Rows(kRows, Consistency::kSpeed).empty());
  // A late event of the same window and one of a new key: the window's row merges both layers.
  Append(0, {{"a", At(0, 0, 20), 2}, {"b", At(0, 0, 30), 4}});
  CatchUp();
  EXPECT_EQ(Rows(kRows, Consistency::kMerged),
            (std::vector<std::string>{"a|00:01:00|2|3|MERGED", "b|00:01:00|1|4|SPEED"}));
  EXPECT_EQ(Rows(kRows, Consistency::kExact), std::vector<std::string>{"a|00:01:00|1|1|BATCH"});
  EXPECT_EQ(Rows(kRows, Consistency::kSpeed),
            (std::vector<std::string>{"a|00:01:00|1|2|SPEED", "b|00:01:00|1|4|SPEED"}));
  // Read twice more: the second read gives both rows kept, the merged one beside this batch
  // version's rows (the speed read before kept a's row beside none, so the first builds it
  // again); once the cell changes, its row is built anew.
  const std::vector<std::string> merged_rows = {"a|00:01:00|2|3|MERGED", "b|00:01:00|1|4|SPEED"};
  EXPECT_EQ(Rows(kRows, Consistency::kMerged), merged_rows);
  auto kept_hits = [&] { return db_->speed().FindView("m")->Describe().kept_rows.hits; };
  const uint64_t hits = kept_hits();
  EXPECT_EQ(Rows(kRows, Consistency::kMerged), merged_rows);
  EXPECT_EQ(kept_hits(), hits + 2);
  Append(0, {{"a", At(0, 0, 40), 5}});
  CatchUp();
  EXPECT_EQ(Rows(kRows, Consistency::kMerged),
            (std::vector<std::string>{"a|00:01:00|3|8|MERGED", "b|00:01:00|1|4|SPEED"}));
  EXPECT_EQ(kept_hits(), hits + 3);  // b's row only
  // Meta: what the answer covers.
  const QueryResult merged = Run("SELECT * FROM m");
  ASSERT_TRUE(merged.coverage.has_value());
  EXPECT_EQ(merged.coverage->batch_epoch, 1);
  EXPECT_EQ(merged.coverage->consistency, Consistency::kMerged);
  EXPECT_TRUE(merged.coverage->speed_watermark.has_value());
  EXPECT_TRUE(merged.coverage->routing.empty());
}

TEST_F(ViewQueryTest, PointAndRangeLookupsAnswerWhatAScanAnswers) {
  ExpectLookupsAnswerWhatAScanAnswers();
}

// The same with a batch view larger than the cache bound: no read keeps it, each indexes the rows
// it read (those of the files its window range meets), unclustered.
TEST_F(ViewQueryTest, LookupsOfAViewLargerThanTheCache) {
  OpenQuiet(/*query_cache_bytes=*/1);
  ExpectLookupsAnswerWhatAScanAnswers();
}

void ViewQueryTest::ExpectLookupsAnswerWhatAScanAnswers() {
  CreateStream("partitions = 2");
  Run(kPerMinute);
  std::vector<Event> events;
  for (int i = 0; i < 300; ++i) {
    events.push_back({fmt::format("k{}", i % 7), At(0, i % 50, i % 60), static_cast<double>(i)});
  }
  Append(0, events);
  Refresh("m");
  Append(1, {{"k1", At(0, 3, 0), 1000}, {"k2", At(0, 49, 59), 2000}});
  CatchUp();
  const std::vector<std::string> all = Rows(kRows, Consistency::kMerged);
  auto filtered = [&](auto keep) {
    std::vector<std::string> rows;
    for (const std::string& row : all) {
      if (keep(row)) rows.push_back(row);
    }
    return rows;
  };
  EXPECT_EQ(Rows("SELECT k, window_end, n, total, _source FROM m WHERE k = 'k1' ORDER BY k, "
                 "window_end",
                 Consistency::kMerged),
            filtered([](const std::string& row) { return row.starts_with("k1|"); }));
  EXPECT_EQ(Rows("SELECT k, window_end, n, total, _source FROM m WHERE k IN ('k2', 'k5') AND "
                 "window_end >= '2024-01-01T00:10:00Z' AND window_end < '2024-01-01T00:49:00Z' "
                 "ORDER BY k, window_end",
                 Consistency::kMerged),
            filtered([](const std::string& row) {
              const std::string end = row.substr(3, 8);
              return (row.starts_with("k2|") || row.starts_with("k5|")) && end >= "00:10:00" &&
                     end < "00:49:00";
            }));
  // A value listed twice is one value: its rows come once.
  EXPECT_EQ(Rows("SELECT k, window_end, n, total, _source FROM m WHERE k IN ('k2', 'k2', 'k5', "
                 "'k2') ORDER BY k, window_end",
                 Consistency::kMerged),
            filtered([](const std::string& row) {
              return row.starts_with("k2|") || row.starts_with("k5|");
            }));
  EXPECT_EQ(Rows("SELECT k, window_end, n, total, _source FROM m WHERE window_end BETWEEN "
                 "'2024-01-01T00:04:00Z' AND '2024-01-01T00:04:00Z' ORDER BY k, window_end",
                 Consistency::kMerged),
            filtered([](const std::string& row) { return row.substr(3, 8) == "00:04:00"; }));
}

TEST_F(ViewQueryTest, SessionsMergeAcrossTheBoundary) {
  CreateStream("partitions = 1, out_of_order = '10m'");
  Run("CREATE VIEW sess AS SELECT k, COUNT(*) AS n FROM s GROUP BY k, SessionWindow(minute, 5, "
      "60)");
  Append(0, {{"a", At(0, 0, 0)}, {"a", At(0, 4, 0)}, {"a", At(0, 9, 0)}, {"a", At(0, 15, 0)}});
  Refresh("sess");
  constexpr std::string_view kSessions =
      "SELECT k, window_start, window_end, n, _source FROM sess ORDER BY window_start";
  EXPECT_EQ(
      Rows(kSessions, Consistency::kExact),
      (std::vector<std::string>{"a|00:00:00|00:14:00|3|BATCH", "a|00:15:00|00:20:00|1|BATCH"}));
  Append(0, {{"a", At(0, 12, 0)}});  // bridges the two batch sessions
  CatchUp();
  EXPECT_EQ(Rows(kSessions, Consistency::kMerged),
            std::vector<std::string>{"a|00:00:00|00:20:00|5|MERGED"});
  EXPECT_EQ(Rows(kSessions, Consistency::kSpeed),
            std::vector<std::string>{"a|00:12:00|00:17:00|1|SPEED"});
  Refresh("sess");
  CatchUp();
  EXPECT_EQ(Rows(kSessions, Consistency::kMerged),
            std::vector<std::string>{"a|00:00:00|00:20:00|5|BATCH"});
}

TEST_F(ViewQueryTest, Example4RollUpFromStatesAcrossBothLayers) {
  CreateStream("partitions = 1, out_of_order = '10m'");
  Run("CREATE VIEW five AS SELECT k, COUNT(*) AS n, AVG(v) AS mean, COUNT(DISTINCT v) AS kinds "
      "FROM s GROUP BY k, TumblingWindow(minute, 5)");
  Append(0, {{"a", At(0, 57, 0), 2}});
  Refresh("five");
  Append(0, {{"a", At(1, 2, 0), 4}, {"a", At(0, 58, 0), 6}});
  CatchUp();
  EXPECT_EQ(Rows("SELECT k, System.Timestamp() AS window_end, n, mean, kinds FROM five "
                 "GROUP BY k, TumblingWindow(hour, 1) ORDER BY window_end",
                 Consistency::kMerged),
            (std::vector<std::string>{"a|01:00:00|2|4|2|MERGED", "a|02:00:00|1|4|1|SPEED"}));
  // All windows of a key; HAVING on the rolled-up value; the roll-up of exact rows.
  EXPECT_EQ(Rows("SELECT k, n, mean FROM five GROUP BY k", Consistency::kMerged),
            std::vector<std::string>{"a|3|4|MERGED"});
  EXPECT_EQ(Rows("SELECT k, n FROM five GROUP BY k HAVING n > 3", Consistency::kMerged),
            std::vector<std::string>{});
  EXPECT_EQ(Rows("SELECT k, n, mean FROM five GROUP BY k", Consistency::kExact),
            std::vector<std::string>{"a|1|2|BATCH"});
  Session session;
  EXPECT_EQ(ErrorOf("SELECT n FROM five GROUP BY n", session).code(), StatusCode::kGroupingError);
  EXPECT_EQ(ErrorOf("SELECT k, n, COUNT(*) FROM five GROUP BY k", session).code(),
            StatusCode::kGroupingError);
}

TEST_F(ViewQueryTest, AggregatesOverAViewsRows) {
  CreateStream("partitions = 1");
  Run(kPerMinute);
  Session session;
  EXPECT_EQ(In("SELECT COUNT(*), SUM(n) FROM m", session), std::vector<std::string>{"0|NULL"});
  Append(0, {{"a", At(0, 0, 10)}, {"a", At(0, 0, 20)}, {"b", At(0, 1, 10)}});
  CatchUp();
  EXPECT_EQ(In("SELECT COUNT(*) AS windows, SUM(n) AS events FROM m", session),
            std::vector<std::string>{"2|3"});
  EXPECT_EQ(In("SELECT k, MAX(n) FROM m GROUP BY k ORDER BY k DESC", session),
            (std::vector<std::string>{"b|1", "a|2"}));
  const Result<QueryResult> named = db_->Execute("SELECT COUNT(*), SUM(n) FROM m", session);
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->schema->field(0).name, "count");
  EXPECT_EQ(named->schema->field(1).name, "sum");
}

TEST_F(ViewQueryTest, SessionSettingsAndSelectWithoutFrom) {
  CreateStream("partitions = 1");
  Run(kPerMinute);
  Session session;
  EXPECT_EQ(In("SHOW consistency", session), std::vector<std::string>{"merged"});
  EXPECT_TRUE(db_->Execute("SET consistency = 'exact'", session).ok());
  EXPECT_EQ(session.consistency, Consistency::kExact);
  EXPECT_EQ(In("SHOW consistency", session), std::vector<std::string>{"exact"});
  EXPECT_TRUE(db_->Execute("SET client_encoding TO 'UTF8'", session).ok());
  EXPECT_TRUE(db_->Execute("SET search_path TO public", session).ok());
  EXPECT_EQ(In("SHOW search_path", session), std::vector<std::string>{"public"});
  EXPECT_TRUE(db_->Execute("SET max_staleness = '10s'", session).ok());
  EXPECT_EQ(In("SHOW max_staleness", session), std::vector<std::string>{"10s"});
  const Status unknown = ErrorOf("SET consistancy = 'exact'", session);
  EXPECT_EQ(unknown.code(), StatusCode::kUndefinedObject);
  EXPECT_EQ(unknown.position()->column, 5);
  EXPECT_EQ(ErrorOf("SET consistency = 'fast'", session).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(In("SELECT 1 + 1 AS two, UPPER('x')", session), std::vector<std::string>{"2|X"});
}

TEST_F(ViewQueryTest, MaxStalenessRoutesAnExactQueryToMerged) {
  CreateStream("partitions = 1");
  Run(kPerMinute);
  Append(0, {{"a", At(0, 0, 10)}});
  CatchUp();
  Session session;
  session.consistency = Consistency::kExact;
  session.max_staleness = Duration::Seconds(10);
  // No batch version yet: the exact answer is infinitely stale; merged (speed) is fresh.
  Result<QueryResult> routed = db_->Execute("SELECT k, n FROM m", session);
  ASSERT_TRUE(routed.ok()) << routed.status().ToString();
  EXPECT_EQ(RowTexts(*routed), std::vector<std::string>{"a|1|SPEED"});
  EXPECT_EQ(routed->coverage->requested, Consistency::kExact);
  EXPECT_EQ(routed->coverage->consistency, Consistency::kMerged);
  EXPECT_NE(routed->coverage->routing.find("max_staleness 10s"), std::string::npos)
      << routed->coverage->routing;
  EXPECT_EQ(routed->coverage->staleness, Duration{0});
  session.max_staleness.reset();
  EXPECT_TRUE(In("SELECT k, n FROM m", session).empty());
}

// A query's staleness comes from SpeedService::StreamLag: the tailer's backlog summed over the
// partitions (as StreamReports gives it per partition) and its event rate; a stream no tailer
// reads (or no such stream) has none. Names match case-insensitively.
TEST_F(ViewQueryTest, StreamLagIsTheTailersBacklogAndRate) {
  CreateStream("partitions = 2");
  Run(kPerMinute);
  Append(0, {{"a", At(0, 0, 10)}});
  Append(1, {{"b", At(0, 0, 11)}, {"c", At(0, 0, 12)}});
  CatchUp();
  const std::optional<speed::TailerLag> lag = db_->speed().StreamLag("S");
  ASSERT_TRUE(lag.has_value());
  EXPECT_EQ(lag->backlog, 0u);
  const std::vector<SpeedStreamReport> reports = db_->speed().StreamReports();
  ASSERT_EQ(reports.size(), 1u);
  ASSERT_EQ(reports[0].tailer.backlog.size(), 2u);
  EXPECT_EQ(reports[0].tailer.backlog[0] + reports[0].tailer.backlog[1], lag->backlog);
  EXPECT_EQ(reports[0].tailer.events, 3u);
  EXPECT_GE(lag->events_per_second, 0.0);
  EXPECT_FALSE(db_->speed().StreamLag("no_such_stream").has_value());
}

TEST_F(ViewQueryTest, ResultLimitsAndTimeouts) {
  CreateStream("partitions = 1");
  Run(kPerMinute);
  Append(0, {{"a", At(0, 0, 10)}, {"b", At(0, 0, 10)}, {"c", At(0, 0, 10)}});
  CatchUp();
  Session session;
  session.limits.max_result_rows = 2;
  const Status too_large = ErrorOf("SELECT * FROM m", session);
  EXPECT_EQ(too_large.code(), StatusCode::kTooLarge);
  EXPECT_NE(too_large.message().find("3 rows, more than max_result_rows 2"), std::string::npos);
  EXPECT_EQ(In("SELECT k FROM m ORDER BY k LIMIT 2", session),
            (std::vector<std::string>{"a|SPEED", "b|SPEED"}));
  session.limits.statement_timeout = Duration::Micros(1);
  const Status timeout = ErrorOf("SELECT * FROM m", session);
  EXPECT_EQ(timeout.code(), StatusCode::kCancelled);
  EXPECT_NE(timeout.message().find("statement timeout"), std::string::npos);
}

TEST_F(ViewQueryTest, DistinctAndQueriesOverAStreamsRecentEvents) {
  CreateStream("partitions = 2");
  Run(kPerMinute);
  Append(0, {{"a", At(0, 0, 10), 1}, {"a", At(0, 1, 10), 2}});
  Append(1, {{"b", At(0, 0, 20), 4}});
  CatchUp();
  Session session;
  EXPECT_EQ(In("SELECT DISTINCT k FROM m ORDER BY k", session),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(In("SELECT DISTINCT n FROM m", session), std::vector<std::string>{"1"});
  EXPECT_EQ(In("SELECT k, ts, v, _partition, _offset FROM s ORDER BY ts", session),
            (std::vector<std::string>{"a|00:00:10|1|0|0", "b|00:00:20|4|1|0", "a|00:01:10|2|0|1"}));
  EXPECT_EQ(In("SELECT k, COUNT(*), SUM(v) FROM s WHERE v > 1 GROUP BY k ORDER BY k", session),
            (std::vector<std::string>{"a|1|2", "b|1|4"}));
  EXPECT_EQ(In("SELECT COUNT(*) FROM s GROUP BY TumblingWindow(minute, 1)", session),
            (std::vector<std::string>{"2", "1"}));
  // At most stream_scan_events of the newest events (split over the partitions).
  session.limits.stream_scan_events = 2;
  EXPECT_EQ(In("SELECT k, ts FROM s ORDER BY ts", session),
            (std::vector<std::string>{"b|00:00:20", "a|00:01:10"}));
}

// A session's cancel flag set before a query starts (HTTP: the client hung up while the query
// waited for a thread) stops it before it reads anything; the protocol clears the flag.
TEST_F(ViewQueryTest, AQueryCancelledBeforeItStartsDoesNotRun) {
  CreateStream("partitions = 1");
  Run(kPerMinute);
  Append(0, {{"a", At(0, 0, 10), 1}});
  CatchUp();
  Session session;
  session.cancelled->store(true);
  const Status cancelled = ErrorOf("SELECT * FROM m", session);
  EXPECT_EQ(cancelled.code(), StatusCode::kCancelled);
  EXPECT_EQ(ErrorOf("SELECT * FROM s", session).code(), StatusCode::kCancelled);
  EXPECT_TRUE(session.cancelled->load());  // not cleared by the engine
  session.cancelled->store(false);
  EXPECT_EQ(In("SELECT k, n FROM m", session), std::vector<std::string>{"a|1|SPEED"});
}

// A statement run with describe_only (PostgreSQL's Describe of a prepared statement) answers the
// columns a run answers, with no rows, and reads nothing: the view's batch rows are not loaded.
TEST_F(ViewQueryTest, DescribeOnlyAnswersTheColumnsWithoutReading) {
  CreateStream("partitions = 2");
  Run(kPerMinute);
  Append(0, {{"a", At(0, 0, 10), 1}, {"a", At(0, 1, 10), 2}});
  Append(1, {{"b", At(0, 0, 20), 4}});
  Refresh("m");
  CatchUp();
  const std::vector<std::string> statements = {
      "SELECT * FROM m WHERE k = 'a'",
      "SELECT * FROM m",
      "SELECT k, n * 2 AS twice FROM m WHERE n > 0 ORDER BY k LIMIT 5",
      "SELECT k, SUM(n) AS events FROM m GROUP BY k",
      "SELECT k, System.Timestamp() AS window_end, n, total FROM m "
      "GROUP BY k, TumblingWindow(hour, 1)",
      "SELECT DISTINCT k FROM m",
      "SELECT k, ts, v, _partition FROM s",
      "SELECT k, COUNT(*) AS c FROM s GROUP BY k"};
  auto fields = [](const QueryResult& result) {
    std::vector<std::string> out;
    for (const Field& field : result.schema->fields()) {
      out.push_back(fmt::format("{} {}", field.name, static_cast<int>(field.type)));
    }
    return out;
  };
  auto point_in_memory = [this] {
    Result<sql::ParsedStatement> point = sql::ParseStatement("SELECT * FROM m WHERE k = 'a'");
    return point.ok() && db_->IsInMemoryRead(*point);
  };
  Session describe;
  describe.describe_only = true;
  std::vector<QueryResult> described;
  for (const std::string& sql : statements) {
    Result<QueryResult> result = db_->Execute(sql, describe);
    ASSERT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    EXPECT_TRUE(RowTexts(*result).empty()) << sql;
    described.push_back(std::move(*result));
  }
  EXPECT_FALSE(point_in_memory());  // no describe loaded the batch rows of the refresh
  Session session;
  for (size_t i = 0; i < statements.size(); ++i) {
    Result<QueryResult> ran = db_->Execute(statements[i], session);
    ASSERT_TRUE(ran.ok()) << statements[i] << ": " << ran.status().ToString();
    EXPECT_FALSE(RowTexts(*ran).empty()) << statements[i];
    EXPECT_EQ(fields(described[i]), fields(*ran)) << statements[i];
  }
  EXPECT_TRUE(point_in_memory());
  // An error of the statement itself is reported as a run reports it.
  const Status unknown = ErrorOf("SELECT nope FROM m", session);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(ErrorOf("SELECT nope FROM m", describe).code(), unknown.code());
  EXPECT_EQ(ErrorOf("SELECT * FROM nope", describe).code(), StatusCode::kUndefinedObject);
}

// A WHERE the index answers exactly is not evaluated again, but only when every layer read
// returned just the cells it admits: the speed layer's filter leaves the keys out when only some
// are constrained (here k, not v), so that WHERE is evaluated on what it read.
TEST_F(ViewQueryTest, AWhereOnSomeKeysIsEvaluatedOnTheSpeedCellsRead) {
  CreateStream("partitions = 1");
  Run("CREATE VIEW kv AS SELECT k, v, COUNT(*) AS n FROM s GROUP BY k, v, "
      "TumblingWindow(minute, 1)");
  Append(0, {{"a", At(0, 0, 10), 1}, {"b", At(0, 0, 20), 1}});
  CatchUp();
  Refresh("kv");
  Append(0, {{"a", At(0, 0, 30), 1}, {"a", At(0, 1, 10), 2}, {"b", At(0, 1, 20), 2}});
  CatchUp();
  Session session;
  constexpr std::string_view kColumns = "SELECT k, v, window_end, n FROM kv WHERE ";
  EXPECT_EQ(In(fmt::format("{}k = 'a' ORDER BY window_end, v", kColumns), session),
            (std::vector<std::string>{"a|1|00:01:00|2|MERGED", "a|2|00:02:00|1|SPEED"}));
  EXPECT_EQ(In(fmt::format("{}k = 'b' AND window_end > '2024-01-01T00:01:00Z'", kColumns), session),
            std::vector<std::string>{"b|2|00:02:00|1|SPEED"});
  // Every key constrained (v is DOUBLE: evaluated anyway), and a condition past the keys.
  EXPECT_EQ(In(fmt::format("{}k = 'b' AND v = 1", kColumns), session),
            std::vector<std::string>{"b|1|00:01:00|1|BATCH"});
  EXPECT_EQ(In(fmt::format("{}k = 'a' AND n > 1", kColumns), session),
            std::vector<std::string>{"a|1|00:01:00|2|MERGED"});
  session.consistency = Consistency::kSpeed;
  EXPECT_EQ(In(fmt::format("{}k = 'a' ORDER BY window_end", kColumns), session),
            (std::vector<std::string>{"a|1|00:01:00|1|SPEED", "a|2|00:02:00|1|SPEED"}));
}

TEST_F(ViewQueryTest, LookupsOfAnUnwindowedDoubleKey) {
  CreateStream("partitions = 3");
  Run("CREATE VIEW byv AS SELECT v, COUNT(*) AS n FROM s GROUP BY v");
  std::vector<Event> events;
  for (int i = 0; i < 200; ++i) events.push_back({fmt::format("k{}", i), At(0, 0, i), double(i % 7)});
  Append(0, std::vector<Event>(events.begin(), events.begin() + 70));
  Append(1, std::vector<Event>(events.begin() + 70, events.end()));
  Refresh("byv");
  Session session;
  session.consistency = Consistency::kExact;
  // A BIGINT constant widens to DOUBLE: not looked up in the index, still answered by the WHERE.
  EXPECT_EQ(In("SELECT v, n FROM byv WHERE v = 4", session), std::vector<std::string>{"4|28|BATCH"});
  EXPECT_EQ(In("SELECT v, n FROM byv WHERE v = 4.0", session), std::vector<std::string>{"4|28|BATCH"});
  EXPECT_EQ(In("SELECT v, n FROM byv WHERE v IN (3.0, 4.0) ORDER BY v", session),
            (std::vector<std::string>{"3|29|BATCH", "4|28|BATCH"}));
}

}  // namespace
}  // namespace braid::serving::testing
