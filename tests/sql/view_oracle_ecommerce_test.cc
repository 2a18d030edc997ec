// The views of examples/ecommerce.sql against DuckDB, like view_oracle_test.cc does for iot.sql:
// synthetic shopper events (fixed seed; NULL categories and quantities included) through
// ReferenceExecutor, and hand-written DuckDB SQL over the same rows (CSV) per view: a hopping
// window with FILTERed aggregates over `price * quantity` (DOUBLE times BIGINT), shopping
// sessions (30-minute timeout, inclusive; 4-hour cut, never reached by this data, which the test
// checks) with a CASE over FILTERed counts, and hourly tumbling windows with a median. Skips when
// the oracle is not installed.
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
using testing::ExampleOracleTest;
using testing::ExampleSpec;
using testing::ExpectRowsAgree;
using testing::GridCeilingSql;
using testing::HopEndsSql;
using testing::ReadCsvViewSql;
using testing::SessionRowsSql;
using testing::ViewInputOf;
using testing::WriteCsv;

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kDay0 = 1795392000000000;  // 2026-11-23T00:00:00Z
constexpr int kUsers = 300;
constexpr int kVisits = 2500;

struct Visit {
  std::string user;
  int64_t time;
};

// Visits spread over two days, 1 to 6 events each, gaps from a list that includes exactly the
// 30-minute session timeout and one microsecond more; times unique per user.
std::vector<Visit> EventTimes(std::mt19937_64& rng) {
  static constexpr int64_t kGaps[] = {10 * kSecond, 2 * kMinute,      10 * kMinute, 29 * kMinute,
                                      30 * kMinute, 30 * kMinute + 1, 45 * kMinute};
  std::set<std::pair<std::string, int64_t>> used;
  std::vector<Visit> result;
  for (int v = 0; v < kVisits; ++v) {
    std::string user = fmt::format("user-{:03}", rng() % kUsers);
    int64_t t = kDay0 + static_cast<int64_t>(rng() % (48 * 3600)) * kSecond;
    for (uint64_t n = 1 + rng() % 6; n > 0; --n) {
      while (!used.emplace(user, t).second) ++t;
      result.push_back({user, t});
      t += kGaps[rng() % std::size(kGaps)];
    }
  }
  return result;
}

void AppendEvent(const Visit& visit, std::mt19937_64& rng, Chunk* rows) {
  static constexpr const char* kTypes[] = {"page_view", "page_view",   "page_view",   "page_view",
                                           "page_view", "add_to_cart", "add_to_cart", "purchase"};
  static constexpr const char* kCategories[] = {"books", "games", "garden", "toys"};
  const std::string_view type = kTypes[rng() % std::size(kTypes)];
  rows->mutable_column(0).AppendString(visit.user);
  rows->mutable_column(1).AppendInt64(visit.time);
  rows->mutable_column(2).AppendString(type);
  rows->mutable_column(3).AppendString(fmt::format("p-{}", rng() % 1000));
  uint64_t category = rng() % 21;
  if (category == 20) {
    rows->mutable_column(4).AppendNull();
  } else {
    rows->mutable_column(4).AppendString(kCategories[category % std::size(kCategories)]);
  }
  rows->mutable_column(5).AppendDouble(static_cast<double>(99 + rng() % 20000) / 100);
  if (type == "page_view") {
    rows->mutable_column(6).AppendNull();
  } else {
    rows->mutable_column(6).AppendInt64(static_cast<int64_t>(1 + rng() % 5));
  }
  rows->mutable_column(7).AppendString(rng() % 3 == 0 ? "mobile" : "web");
}

std::vector<Chunk> GenerateInput(const SchemaPtr& stream_schema, const SchemaPtr& input_schema) {
  std::mt19937_64 rng(11);
  Chunk rows(stream_schema);
  for (const Visit& visit : EventTimes(rng)) AppendEvent(visit, rng, &rows);
  return ViewInputOf(rows, input_schema, Timestamp{kDay0});
}

std::string LoadShopEventsSql(const std::filesystem::path& csv) {
  return ReadCsvViewSql("shop", csv,
                        "'user_id': 'VARCHAR', 'event_us': 'BIGINT', 'event_type': 'VARCHAR', "
                        "'product_id': 'VARCHAR', 'category': 'VARCHAR', 'price': 'DOUBLE', "
                        "'quantity': 'BIGINT', 'channel': 'VARCHAR'");
}

std::string CategorySalesSql() {
  return fmt::format(
      "SELECT category, we - {0} AS window_start, we AS window_end, "
      "count(*) FILTER (WHERE event_type = 'page_view'), "
      "count(*) FILTER (WHERE event_type = 'purchase'), "
      "sum(price * quantity) FILTER (WHERE event_type = 'purchase'), count(DISTINCT user_id) "
      "FROM (SELECT *, unnest({1}) AS we FROM shop WHERE category IS NOT NULL) "
      "GROUP BY category, we ORDER BY window_end, category",
      10 * kMinute, HopEndsSql("event_us", 10 * kMinute, kMinute));
}

std::string SessionsSql() {
  return SessionRowsSql(
      "shop", "user_id", "event_us", 30 * kMinute, 240 * kMinute,
      "count(*), count(*) FILTER (WHERE event_type = 'add_to_cart') AS cart_adds, "
      "count(*) FILTER (WHERE event_type = 'purchase') AS purchases, "
      "sum(price * quantity) FILTER (WHERE event_type = 'purchase'), "
      "CASE WHEN cart_adds > 0 AND purchases = 0 THEN 'ABANDONED' ELSE 'OK' END");
}

std::string ChannelRevenueSql() {
  return fmt::format(
      "SELECT channel, we - {0} AS window_start, we AS window_end, count(*), "
      "sum(price * quantity), avg(price * quantity), quantile_cont(price * quantity, 0.5) "
      "FROM (SELECT *, {1} AS we FROM shop WHERE event_type = 'purchase') "
      "GROUP BY channel, we ORDER BY window_end, channel NULLS FIRST",
      60 * kMinute, GridCeilingSql("event_us", 60 * kMinute));
}

constexpr ExampleSpec kEcommerceViewsTest{"ecommerce.sql", "shop_events", &GenerateInput,
                                          &LoadShopEventsSql};

class EcommerceViewsTest : public ExampleOracleTest<kEcommerceViewsTest> {};

TEST_F(EcommerceViewsTest, HoppingCategorySalesMatchDuckDb) {
  Result<Chunk> rows = Run("category_sales");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ExpectRowsAgree("category_sales", *rows, Oracle(CategorySalesSql()));
  EXPECT_GT(rows->num_rows(), 10000u);
}

TEST_F(EcommerceViewsTest, ShopperSessionsMatchDuckDb) {
  Result<Chunk> rows = Run("shopper_sessions");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_GT(rows->num_rows(), 2000u);
  ExpectRowsAgree("shopper_sessions", *rows,
                  Oracle(fmt::format("SELECT * EXCLUDE (span) FROM ({}) ORDER BY window_end, "
                                     "user_id",
                                     SessionsSql())));
  // The premise: no session reaches the 4-hour maximum, so none is cut.
  std::vector<OracleRow> longest = Oracle(fmt::format("SELECT max(span) FROM ({})", SessionsSql()));
  ASSERT_EQ(longest.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<std::string>(longest[0][0]));
  EXPECT_LT(std::stoll(std::get<std::string>(longest[0][0])), 240 * kMinute);
  // Some carts are abandoned, so the alert has something to say.
  std::vector<OracleRow> abandoned = Oracle(fmt::format(
      "SELECT count(*) FROM ({}) WHERE cart_adds > 0 AND purchases = 0", SessionsSql()));
  ASSERT_EQ(abandoned.size(), 1u);
  EXPECT_NE(abandoned[0][0], braid::testing::OracleValue{std::string("0")});
}

TEST_F(EcommerceViewsTest, HourlyChannelRevenueMatchesDuckDb) {
  Result<Chunk> rows = Run("channel_revenue");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ExpectRowsAgree("channel_revenue", *rows, Oracle(ChannelRevenueSql()));
  EXPECT_GE(rows->num_rows(), 90u);  // 48 hours x 2 channels
}

}  // namespace
}  // namespace braid::sql
