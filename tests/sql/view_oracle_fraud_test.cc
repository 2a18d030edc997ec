// The views of examples/fraud.sql against DuckDB, like view_oracle_test.cc does for iot.sql:
// 12,000 synthetic card transactions (fixed seed; NULL channels and approvals included) through
// ReferenceExecutor, and hand-written DuckDB SQL over the same rows (CSV) per view. Hopping
// windows: an event at t belongs to every end e on the 1-minute grid with t <= e < t + 10 min.
// Sessions: per card in time order, a gap of at most the 2-minute timeout joins (inclusive); a
// session ends at min(last + timeout, cut) where the cut is the first multiple of 30 minutes at
// least 30 minutes after its start (SEMANTICS.md). The data keeps every session shorter than 30
// minutes, so no continuation sessions arise (the executor's own tests cover those); the test
// checks that premise in DuckDB. Skips when the oracle is not installed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "duckdb_oracle.h"
#include "scoped_temp_dir.h"
#include "view_oracle_util.h"

namespace braid::sql {
namespace {

using braid::testing::OracleRow;
using testing::BindScript;
using testing::BoundScript;
using testing::ExampleOracleTest;
using testing::ExampleSpec;
using testing::ExpectRowsAgree;
using testing::GridCeilingSql;
using testing::HopEndsSql;
using testing::ReadCsvViewSql;
using testing::ReadExample;
using testing::RunView;
using testing::SessionRowsSql;
using testing::ViewInputOf;
using testing::WriteCsv;

constexpr int64_t kFraudSecond = 1'000'000;
constexpr int64_t kFraudMinute = 60 * kFraudSecond;
constexpr int64_t kFraudDay0 = 1795392000000000;  // 2026-11-23T00:00:00Z
constexpr int kCards = 200;
constexpr int kBursts = 3000;
// A card outside the random ones: two transactions exactly one timeout apart (one session), and
// a third one microsecond past the timeout after that (a second session).
constexpr std::string_view kEdgeCard = "card-edge";
constexpr int64_t kEdgeStart = kFraudDay0 + 61 * kFraudMinute;

struct Transaction {
  std::string card;
  int64_t time;
};

// Burst start times over two days and a half, 1 to 5 transactions per burst, gaps from a list
// that includes exactly the 2-minute timeout; times unique per card.
std::vector<Transaction> TransactionTimes(std::mt19937_64& rng) {
  static constexpr int64_t kGaps[] = {5 * kFraudSecond, 30 * kFraudSecond,    119 * kFraudSecond,
                                      2 * kFraudMinute, 2 * kFraudMinute + 1, 3 * kFraudMinute,
                                      20 * kFraudMinute};
  std::set<std::pair<std::string, int64_t>> used;
  std::vector<Transaction> result;
  for (int b = 0; b < kBursts; ++b) {
    std::string card = fmt::format("card-{:04}", rng() % kCards);
    int64_t t = kFraudDay0 - 3 * 3600 * kFraudSecond +
                static_cast<int64_t>(rng() % (60 * 3600)) * kFraudSecond;
    for (uint64_t n = 1 + rng() % 5; n > 0; --n) {
      while (!used.emplace(card, t).second) ++t;
      result.push_back({card, t});
      t += kGaps[rng() % std::size(kGaps)];
    }
  }
  for (int64_t t : {kEdgeStart, kEdgeStart + 2 * kFraudMinute, kEdgeStart + 4 * kFraudMinute + 1}) {
    result.push_back({std::string(kEdgeCard), t});
  }
  // Ends the first day's window.
  result.push_back({"card-midnight", kFraudDay0 + 86400 * kFraudSecond});
  return result;
}

// The transactions stream's rows (card_id, txn_ts, amount, merchant_id, country, channel,
// approved), in generation order, as view input chunks.
std::vector<Chunk> GenerateFraudInput(const SchemaPtr& stream_schema,
                                      const SchemaPtr& input_schema) {
  static constexpr const char* kCountries[] = {"US", "US", "US", "US", "DE", "FR", "GB", "BR"};
  static constexpr const char* kChannels[] = {"atm", "pos", "pos", "online", "online"};
  std::mt19937_64 rng(2026);
  Chunk rows(stream_schema);
  for (const Transaction& txn : TransactionTimes(rng)) {
    rows.mutable_column(0).AppendString(txn.card);
    rows.mutable_column(1).AppendInt64(txn.time);
    rows.mutable_column(2).AppendDouble(static_cast<double>(1 + rng() % 300000) / 100);
    rows.mutable_column(3).AppendString(fmt::format("m-{}", rng() % 500));
    rows.mutable_column(4).AppendString(kCountries[rng() % std::size(kCountries)]);
    uint64_t channel = rng() % 21;
    if (channel == 20) {
      rows.mutable_column(5).AppendNull();
    } else {
      rows.mutable_column(5).AppendString(kChannels[channel % std::size(kChannels)]);
    }
    uint64_t approval = rng() % 20;
    if (approval == 0) {
      rows.mutable_column(6).AppendNull();
    } else {
      rows.mutable_column(6).AppendBool(approval > 3);
    }
  }
  return ViewInputOf(rows, input_schema, Timestamp{kFraudDay0});
}

std::string LoadTransactionsSql(const std::filesystem::path& csv) {
  return ReadCsvViewSql(
      "txns", csv,
      "'card_id': 'VARCHAR', 'txn_us': 'BIGINT', 'amount': 'DOUBLE', 'merchant_id': 'VARCHAR', "
      "'country': 'VARCHAR', 'channel': 'VARCHAR', 'approved': 'BOOLEAN'");
}

// card_velocity: every transaction in each of its ten 1-minute-hop windows.
std::string CardVelocitySql() {
  return fmt::format(
      "SELECT card_id, we - {0} AS window_start, we AS window_end, count(*), sum(amount), "
      "max(amount), count(DISTINCT country), count(DISTINCT merchant_id), "
      "CASE WHEN count(DISTINCT country) > 2 OR count(*) > 20 THEN 'BLOCK' "
      "WHEN sum(amount) > 5000 THEN 'REVIEW' ELSE 'OK' END AS risk_level "
      "FROM (SELECT *, unnest({1}) AS we FROM txns) GROUP BY card_id, we "
      "ORDER BY window_end, card_id",
      10 * kFraudMinute, HopEndsSql("txn_us", 10 * kFraudMinute, kFraudMinute));
}

// card_bursts: gaps and islands per card.
std::string FraudSessionsSql() {
  return SessionRowsSql("txns", "card_id", "txn_us", 2 * kFraudMinute, 30 * kFraudMinute,
                        "count(*), count(*) FILTER (WHERE NOT approved), sum(amount)");
}

std::string ChannelDailySql() {
  return fmt::format(
      "SELECT channel, we - {0} AS window_start, we AS window_end, count(*), sum(amount), "
      "stddev_samp(amount), quantile_cont(amount, 0.99) FROM (SELECT *, {1} AS we FROM txns) "
      "GROUP BY channel, we ORDER BY window_end, channel NULLS FIRST",
      86400 * kFraudSecond, GridCeilingSql("txn_us", 86400 * kFraudSecond));
}

constexpr ExampleSpec kFraudViewsTest{"fraud.sql", "transactions", &GenerateFraudInput,
                                      &LoadTransactionsSql};

class FraudViewsTest : public ExampleOracleTest<kFraudViewsTest> {};

TEST_F(FraudViewsTest, HoppingCardVelocityMatchesDuckDb) {
  Result<Chunk> rows = Run("card_velocity");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ExpectRowsAgree("card_velocity", *rows, Oracle(CardVelocitySql()));
  EXPECT_GT(rows->num_rows(), 10000u);
}

TEST_F(FraudViewsTest, SessionCardBurstsMatchDuckDb) {
  Result<Chunk> rows = Run("card_bursts");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_GT(rows->num_rows(), 2000u);
  std::vector<OracleRow> oracle = Oracle(fmt::format(
      "SELECT * EXCLUDE (span) FROM ({}) ORDER BY window_end, card_id", FraudSessionsSql()));
  ExpectRowsAgree("card_bursts", *rows, oracle);
  // The premise: no session reaches the 30-minute maximum, so none is cut.
  std::vector<OracleRow> longest =
      Oracle(fmt::format("SELECT max(span) FROM ({})", FraudSessionsSql()));
  ASSERT_EQ(longest.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<std::string>(longest[0][0]));
  EXPECT_LT(std::stoll(std::get<std::string>(longest[0][0])), 30 * kFraudMinute);
}

TEST_F(FraudViewsTest, DailyChannelTotalsMatchDuckDb) {
  Result<Chunk> rows = Run("channel_daily");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ExpectRowsAgree("channel_daily", *rows, Oracle(ChannelDailySql()));
  EXPECT_GE(rows->num_rows(), 12u);  // 3 days x (3 channels + NULL)
}

// Independently of the oracle: the gap of exactly the timeout joins the session.
TEST(FraudEdgeSessions, GapOfExactlyTheTimeoutJoins) {
  Result<BoundScript> script = BindScript(ReadExample("fraud.sql"));
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  std::vector<Chunk> input = GenerateFraudInput(script->streams["transactions"]->schema,
                                                script->views["card_bursts"]->input_schema);
  Result<Chunk> rows = RunView(script->views["card_bursts"], input);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<std::vector<int64_t>> sessions;  // window_start, window_end, txn_count
  for (size_t r = 0; r < rows->num_rows(); ++r) {
    if (rows->column(0).StringAt(r) != kEdgeCard) continue;
    sessions.push_back(
        {rows->column(1).int64s()[r], rows->column(2).int64s()[r], rows->column(3).int64s()[r]});
  }
  const std::vector<std::vector<int64_t>> expected = {
      {kEdgeStart, kEdgeStart + 4 * kFraudMinute, 2},
      {kEdgeStart + 4 * kFraudMinute + 1, kEdgeStart + 6 * kFraudMinute + 1, 1}};
  EXPECT_EQ(sessions, expected);
}

}  // namespace
}  // namespace braid::sql
