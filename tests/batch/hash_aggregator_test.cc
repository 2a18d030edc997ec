#include "batch/hash_aggregator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hash_aggregator_test_util.h"
#include "sql/view_input.h"
#include "sql/window_assignment.h"

namespace braid::batch {
namespace {

using testing::Concat;
using testing::ExpectSameRows;
using testing::kBase;
using testing::Plan;
using testing::RandomChunks;
using testing::ReferenceRows;
using testing::ViewRows;

// Every aggregate kind, tumbling windows, two STRING keys (one nullable).
constexpr std::string_view kAllAggregates =
    "CREATE VIEW every_aggregate AS SELECT device_id, site, COUNT(*) AS n, "
    "COUNT(temperature) AS nt, SUM(temperature) AS s, AVG(humidity) AS a, "
    "MIN(temperature) AS lo, MAX(humidity) AS hi, STDEV(temperature) AS sd, "
    "STDEVP(humidity) AS sdp, VAR(temperature) AS v, VARP(humidity) AS vp, "
    "COUNT(DISTINCT site) AS ds, APPROX_COUNT_DISTINCT(humidity) AS ads, "
    "PERCENTILE_CONT(0.5) OVER (ORDER BY temperature) AS med, "
    "PERCENTILE_DISC(0.9) OVER (ORDER BY humidity) AS p90, "
    "PERCENTILE_APPROX(temperature, 0.5) AS pa, "
    "COUNT(*) FILTER (WHERE humidity > 50) AS humid "
    "FROM telemetry GROUP BY device_id, site, TumblingWindow(minute, 5)";
// Hopping windows with WHERE, HAVING and an output expression; a DOUBLE key.
constexpr std::string_view kHopping =
    "CREATE VIEW hopping AS SELECT site, humidity, COUNT(*) AS n, SUM(temperature) * 2 AS s2, "
    "MIN(ts) AS first_ts FROM telemetry WHERE temperature > 0 OR temperature IS NULL "
    "GROUP BY site, humidity, HoppingWindow(minute, 10, 5) HAVING COUNT(*) > 1";
constexpr std::string_view kSession =
    "CREATE VIEW sessions AS SELECT device_id, COUNT(*) AS n, AVG(temperature) AS a, "
    "COUNT(DISTINCT site) AS ds FROM telemetry "
    "GROUP BY device_id, SessionWindow(minute, 1, 10, PARTITION BY device_id)";
constexpr std::string_view kSessionByKey =
    "CREATE VIEW site_sessions AS SELECT site, device_id, SUM(humidity) AS s, "
    "MAX(temperature) AS hi FROM telemetry "
    "GROUP BY site, device_id, SessionWindow(second, 20, 120, PARTITION BY site)";
constexpr std::string_view kNoWindow =
    "CREATE VIEW totals AS SELECT site, COUNT(*) AS n, SUM(humidity) AS s, "
    "STDEV(temperature) AS sd FROM telemetry GROUP BY site";
// BIGINT keys and the ingestion time as event time.
constexpr std::string_view kRaw =
    "CREATE VIEW raw_counts AS SELECT tag, v, COUNT(*) AS n, SUM(v) AS s FROM raw "
    "GROUP BY tag, v, TumblingWindow(minute, 1)";

// Tumbling windows shifted off the minute grid, and a key that is a computed expression.
constexpr std::string_view kShiftedTumbling =
    "CREATE VIEW shifted AS SELECT UPPER(site) AS site_upper, COUNT(*) AS n, "
    "SUM(humidity) AS s FROM telemetry "
    "GROUP BY UPPER(site), TumblingWindow(minute, 5, Offset(second, 90))";

// Outputs that reference one column twice (a key, an aggregate), beside computed ones.
constexpr std::string_view kRepeatedOutputs =
    "CREATE VIEW repeats AS SELECT site, site AS site_again, COUNT(*) AS n, COUNT(*) AS n_again, "
    "AVG(humidity) AS a, AVG(humidity) > 50 AS humid, COUNT(*) + 1 AS n_plus "
    "FROM telemetry GROUP BY site, TumblingWindow(minute, 2)";

constexpr std::string_view kViews[] = {kAllAggregates,   kHopping,        kSession,
                                       kSessionByKey,    kNoWindow,       kRaw,
                                       kShiftedTumbling, kRepeatedOutputs};

std::vector<Chunk> Finish(HashAggregator& aggregator, size_t rows_per_chunk = 65536) {
  Result<std::vector<Chunk>> rows = aggregator.Finish(rows_per_chunk);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? std::move(rows).value() : std::vector<Chunk>{};
}

void ConsumeAll(HashAggregator& aggregator, const std::vector<Chunk>& chunks) {
  for (const Chunk& chunk : chunks) {
    Status status = aggregator.Consume(chunk);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
}

class HashAggregatorViews : public ::testing::TestWithParam<std::string_view> {};

TEST_P(HashAggregatorViews, EqualsReferenceExecutor) {
  sql::ViewPlanPtr plan = Plan(GetParam());
  ASSERT_NE(plan->input_schema, nullptr);
  for (uint64_t seed : {1, 2, 3}) {
    std::vector<Chunk> chunks = RandomChunks(*plan, 2000 + 1000 * seed, seed);
    HashAggregator aggregator(plan, AggregatorOptions{});
    ConsumeAll(aggregator, chunks);
    std::vector<Chunk> rows = Finish(aggregator, 97);
    for (const Chunk& chunk : rows) {
      EXPECT_LE(chunk.num_rows(), 97u);
      EXPECT_EQ(*chunk.schema(), *BatchViewSchema(*plan));
    }
    Chunk expected = ReferenceRows(plan, chunks);
    ASSERT_GT(expected.num_rows(), 5u);
    ExpectSameRows(expected, ViewRows(*plan, rows));
  }
}

TEST_P(HashAggregatorViews, MergeFromEqualsOnePass) {
  sql::ViewPlanPtr plan = Plan(GetParam());
  std::vector<Chunk> chunks = RandomChunks(*plan, 4000, 7);
  for (size_t parts : {2, 3, 4}) {
    std::vector<std::unique_ptr<HashAggregator>> aggregators;
    for (size_t i = 0; i < parts; ++i) {
      aggregators.push_back(std::make_unique<HashAggregator>(plan, AggregatorOptions{}));
    }
    for (size_t i = 0; i < chunks.size(); ++i) {
      ASSERT_TRUE(aggregators[i % parts]->Consume(chunks[i]).ok());
    }
    for (size_t i = 1; i < parts; ++i) {
      ASSERT_TRUE(aggregators[0]->MergeFrom(*aggregators[i]).ok());
      EXPECT_EQ(aggregators[i]->groups(), 0u);
      EXPECT_TRUE(Finish(*aggregators[i]).empty());
    }
    ExpectSameRows(ReferenceRows(plan, chunks), ViewRows(*plan, Finish(*aggregators[0])));
  }
}

INSTANTIATE_TEST_SUITE_P(Views, HashAggregatorViews, ::testing::ValuesIn(kViews));

class HashAggregatorRefresh : public ::testing::TestWithParam<std::string_view> {};

// Incremental refresh: the stored rows of a first part, then the rows of a second.
TEST_P(HashAggregatorRefresh, ConsumeStatesThenRowsEqualsOnePass) {
  sql::ViewPlanPtr plan = Plan(GetParam());
  std::vector<Chunk> first = RandomChunks(*plan, 3000, 11);
  std::vector<Chunk> second = RandomChunks(*plan, 1500, 12, 300, 3000);
  HashAggregator before(plan, AggregatorOptions{});
  ConsumeAll(before, first);
  std::vector<Chunk> stored = Finish(before, 50);
  HashAggregator refreshed(plan, AggregatorOptions{});
  for (const Chunk& chunk : stored) {
    Status status = refreshed.ConsumeStates(chunk);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  ConsumeAll(refreshed, second);
  std::vector<Chunk> all = first;
  all.insert(all.end(), second.begin(), second.end());
  ExpectSameRows(ReferenceRows(plan, all), ViewRows(*plan, Finish(refreshed)));
  // The stored states alone give back the stored rows.
  HashAggregator reloaded(plan, AggregatorOptions{});
  for (const Chunk& chunk : stored) ASSERT_TRUE(reloaded.ConsumeStates(chunk).ok());
  ExpectSameRows(ViewRows(*plan, stored), ViewRows(*plan, Finish(reloaded)));
}

INSTANTIATE_TEST_SUITE_P(Views, HashAggregatorRefresh,
                         ::testing::Values(kAllAggregates, kHopping, kNoWindow, kRaw,
                                           kShiftedTumbling));

// A cell's identity in output_schema rows: its keys and window, as text.
std::string CellIdentity(const sql::ViewPlan& plan, const Chunk& rows, size_t row) {
  const size_t identity_columns = plan.keys.size() + (plan.window ? 2 : 0);
  std::string text;
  for (size_t c = 0; c < identity_columns; ++c) {
    const Column& column = rows.column(c);
    const bool zero = column.type() == DataType::kDouble && column.IsValid(row) &&
                      column.doubles()[row] == 0;  // -0.0 and 0.0 are one key
    text += (zero ? std::string("0") : sql::testing::RenderCell(column, row)) + "|";
  }
  return text;
}

std::set<std::string> CellIdentities(const sql::ViewPlan& plan, const Chunk& rows) {
  std::set<std::string> cells;
  for (size_t row = 0; row < rows.num_rows(); ++row) cells.insert(CellIdentity(plan, rows, row));
  return cells;
}

// `rows` (output_schema) reordered as `like` orders the same cells (keys and window), so that
// rows built in pieces compare with one pass's rows. Fails when a cell is missing or repeated.
Chunk InOrderOf(const sql::ViewPlan& plan, const Chunk& like, const Chunk& rows) {
  std::map<std::string, uint32_t> row_of;
  for (uint32_t row = 0; row < rows.num_rows(); ++row) {
    EXPECT_TRUE(row_of.emplace(CellIdentity(plan, rows, row), row).second) << "a cell twice";
  }
  std::vector<uint32_t> order;
  for (size_t row = 0; row < like.num_rows(); ++row) {
    auto it = row_of.find(CellIdentity(plan, like, row));
    if (it == row_of.end()) {
      ADD_FAILURE() << "missing cell " << CellIdentity(plan, like, row);
      continue;
    }
    order.push_back(it->second);
  }
  return rows.Select(order);
}

// The rows at `positions` (counted over `chunks` in order) in one chunk: ReadBeside's
// StoredStates over stored rows.
Chunk RowsAt(const std::vector<Chunk>& chunks, std::span<const uint32_t> positions) {
  Chunk out(chunks.front().schema());
  size_t chunk = 0, offset = 0;
  for (const uint32_t position : positions) {
    while (position >= offset + chunks[chunk].num_rows()) offset += chunks[chunk++].num_rows();
    out.AppendRow(chunks[chunk], position - offset);
  }
  return out;
}

// Stored rows as a query reads them: states left out.
std::vector<Chunk> WithoutStates(const sql::ViewPlan& plan, std::vector<Chunk> stored) {
  for (Chunk& values : stored) {
    for (size_t c = FirstStateColumn(plan); c < values.num_columns(); ++c) {
      Column empty(DataType::kString);
      empty.AppendEmptyStrings(values.num_rows());
      values.mutable_column(c) = std::move(empty);
    }
  }
  return stored;
}

class HashAggregatorReadBeside : public ::testing::TestWithParam<std::string_view> {};

// A merged query's read (serving/view_cells.cc): two generations read beside stored rows, with
// the shared cells' stored states merged in, give every cell once (the stored rows no
// generation shares as they are), as one pass over all the events does; with a filter, the
// admitted cells only.
TEST_P(HashAggregatorReadBeside, EqualsOnePass) {
  sql::ViewPlanPtr plan = Plan(GetParam());
  const std::vector<Chunk> batch_events = RandomChunks(*plan, 300, 31);
  const std::vector<Chunk> first = RandomChunks(*plan, 300, 32, 100, 300);
  const std::vector<Chunk> second = RandomChunks(*plan, 60, 33, 30, 600);
  HashAggregator batch(plan, AggregatorOptions{});
  ConsumeAll(batch, batch_events);
  const std::vector<Chunk> stored = Finish(batch, 40);
  const std::vector<Chunk> stored_values = WithoutStates(*plan, stored);
  const AggregatorOptions tracked{.memory_limit = SIZE_MAX, .track_window_ends = true};
  HashAggregator one(plan, tracked), two(plan, tracked);
  ConsumeAll(one, first);
  ConsumeAll(two, second);
  const std::vector<const HashAggregator*> sources = {&one, &two};

  auto states_of = [&](std::span<const uint32_t> positions) -> Result<Chunk> {
    return RowsAt(stored, positions);
  };
  Result<HashAggregator::RowsBeside> read =
      HashAggregator::ReadBeside(sources, CellFilter{}, stored_values, states_of, false);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->shared.size(), stored.size());
  std::vector<Chunk> rows = read->rows;
  size_t shared_rows = 0;
  for (size_t c = 0; c < stored.size(); ++c) {
    std::vector<uint32_t> alone;
    for (uint32_t r = 0; r < stored[c].num_rows(); ++r) {
      if (read->shared[c][r]) {
        ++shared_rows;
      } else {
        alone.push_back(r);
      }
    }
    rows.push_back(stored[c].Select(alone));
  }
  size_t read_rows = 0;
  for (const Chunk& chunk : read->rows) read_rows += chunk.num_rows();
  ASSERT_EQ(read->with_stored.size(), read_rows);
  EXPECT_EQ(std::count(read->with_stored.begin(), read->with_stored.end(), 1),
            static_cast<std::ptrdiff_t>(shared_rows));
  std::vector<Chunk> all = batch_events;
  all.insert(all.end(), first.begin(), first.end());
  all.insert(all.end(), second.begin(), second.end());
  const Chunk expected = ReferenceRows(plan, all);
  ExpectSameRows(expected, InOrderOf(*plan, expected, ViewRows(*plan, rows)));
  // Cells of each kind were read, or the test proves less than it says: shared with stored rows,
  // held by both generations alone, by one alone (the unwindowed view has 3 cells, all stored; the
  // hopping view's DOUBLE key seldom repeats).
  const std::set<std::string> in_batch = CellIdentities(*plan, ReferenceRows(plan, batch_events));
  const std::set<std::string> in_first = CellIdentities(*plan, ReferenceRows(plan, first));
  const std::set<std::string> in_second = CellIdentities(*plan, ReferenceRows(plan, second));
  size_t both = 0, one_only = 0;
  for (const std::string& cell : in_first) {
    if (in_batch.count(cell) > 0) continue;
    (in_second.count(cell) > 0 ? both : one_only) += 1;
  }
  EXPECT_GT(shared_rows, 0u);
  if (plan->window && !plan->having) {  // (HAVING hides cells from the reference's rows)
    EXPECT_GT(both, 0u);
    EXPECT_GT(one_only, 0u);
  }

  // The sources are unchanged: a second read gives the same rows.
  Result<HashAggregator::RowsBeside> again =
      HashAggregator::ReadBeside(sources, CellFilter{}, stored_values, states_of, false);
  ASSERT_TRUE(again.ok());
  ExpectSameRows(ViewRows(*plan, read->rows), ViewRows(*plan, again->rows));
  EXPECT_EQ(again->with_stored, read->with_stored);

  // A filter on the keys of one speed cell and, for windowed views, on window ends from that
  // cell's on (no stored rows): the admitted cells only, each once.
  std::vector<Chunk> speed_events = first;
  speed_events.insert(speed_events.end(), second.begin(), second.end());
  const Chunk speed_rows = ReferenceRows(plan, speed_events);
  ASSERT_GT(speed_rows.num_rows(), 0u);
  const size_t picked = speed_rows.num_rows() / 2;
  std::vector<Column> keys;
  std::vector<const Column*> key_columns;
  for (size_t k = 0; k < plan->keys.size(); ++k) {
    keys.emplace_back(speed_rows.column(k).type());
    keys.back().AppendFrom(speed_rows.column(k), picked);
  }
  for (const Column& key : keys) key_columns.push_back(&key);
  CellFilter filter{.keys = CellKeysOf(key_columns, 1)};
  const size_t end_column = plan->keys.size() + 1;
  if (plan->window) filter.min_end = speed_rows.column(end_column).int64s()[picked];
  Result<HashAggregator::RowsBeside> some_read =
      HashAggregator::ReadBeside(sources, filter, {}, states_of, false);
  ASSERT_TRUE(some_read.ok());
  EXPECT_EQ(std::count(some_read->with_stored.begin(), some_read->with_stored.end(), 1), 0);
  const std::vector<Chunk>& some_rows = some_read->rows;
  std::vector<uint32_t> admitted;
  for (uint32_t r = 0; r < speed_rows.num_rows(); ++r) {
    bool same_keys = true;
    for (size_t k = 0; k < plan->keys.size(); ++k) {
      same_keys = same_keys && speed_rows.column(k).IsValid(r) == keys[k].IsValid(0) &&
                  (!keys[k].IsValid(0) ||
                   sql::ValueAt(speed_rows.column(k), r) == sql::ValueAt(keys[k], 0));
    }
    if (same_keys &&
        (!plan->window || speed_rows.column(end_column).int64s()[r] >= filter.min_end)) {
      admitted.push_back(r);
    }
  }
  ASSERT_FALSE(admitted.empty());
  const Chunk expected_some = speed_rows.Select(admitted);
  ExpectSameRows(expected_some, InOrderOf(*plan, expected_some, ViewRows(*plan, some_rows)));
}

// Kept rows (read_cache_rows) are never stale: a read through sources that keep rows equals, in
// order and bit for bit, the same read through twins that build every row, after each kind of
// change to a source, and beside other stored rows (another identity); a repeated read gives
// kept rows, of cells held alone and of cells shared with stored rows. With a bound of 4 rows the
// kept rows are dropped and kept anew on most reads.
TEST_P(HashAggregatorReadBeside, KeptRowsEqualBuiltRowsAfterEveryChange) {
  sql::ViewPlanPtr plan = Plan(GetParam());
  const SchemaPtr schema = BatchViewSchema(*plan);
  HashAggregator batch(plan, AggregatorOptions{});
  ConsumeAll(batch, RandomChunks(*plan, 300, 31));
  const std::vector<Chunk> stored = Finish(batch, 40);
  const std::vector<Chunk> stored_values = WithoutStates(*plan, stored);
  // Another batch version: other events, so the cells it shares hold other states.
  HashAggregator other_batch(plan, AggregatorOptions{});
  ConsumeAll(other_batch, RandomChunks(*plan, 300, 41));
  const std::vector<Chunk> other_stored = Finish(other_batch, 40);
  const std::vector<Chunk> other_values = WithoutStates(*plan, other_stored);
  for (const size_t bound : {size_t{4}, size_t{40}, size_t{100000}}) {
    SCOPED_TRACE(bound);
    const AggregatorOptions keeping{
        .memory_limit = SIZE_MAX, .track_window_ends = true, .read_cache_rows = bound};
    const AggregatorOptions building{.memory_limit = SIZE_MAX, .track_window_ends = true};
    HashAggregator one(plan, keeping), two(plan, keeping);
    HashAggregator one_twin(plan, building), two_twin(plan, building);
    auto consume = [&](HashAggregator& source, HashAggregator& twin, uint64_t seed) {
      const std::vector<Chunk> events = RandomChunks(*plan, 120, seed, 40, 300);
      ConsumeAll(source, events);
      ConsumeAll(twin, events);
    };
    consume(one, one_twin, 32);
    consume(two, two_twin, 33);
    const std::vector<const HashAggregator*> keepers = {&one, &two};
    const std::vector<const HashAggregator*> twins = {&one_twin, &two_twin};
    // The first read of a kind builds its rows; the second gives kept ones. Beside `stored`
    // (identity 1) or `other_stored` (identity 2); the twins' reads name no identity.
    auto expect_same_twice = [&](const CellFilter& filter, bool beside_other, bool beside_none,
                                 size_t num_sources = 2) {
      const std::span<const HashAggregator* const> keeping_sources =
          std::span(keepers).first(num_sources);
      const std::span<const HashAggregator* const> twin_sources =
          std::span(twins).first(num_sources);
      const std::vector<Chunk>& states = beside_other ? other_stored : stored;
      std::span<const Chunk> beside = beside_other ? other_values : stored_values;
      if (beside_none) beside = {};
      auto states_of = [&](std::span<const uint32_t> positions) -> Result<Chunk> {
        return RowsAt(states, positions);
      };
      for (int read_number = 0; read_number < 2; ++read_number) {
        Result<HashAggregator::RowsBeside> kept = HashAggregator::ReadBeside(
            keeping_sources, filter, beside, states_of, false, beside_other ? 2 : 1);
        Result<HashAggregator::RowsBeside> built =
            HashAggregator::ReadBeside(twin_sources, filter, beside, states_of, false);
        ASSERT_TRUE(kept.ok()) << kept.status().ToString();
        ASSERT_TRUE(built.ok()) << built.status().ToString();
        EXPECT_EQ(Concat(schema, kept->rows), Concat(schema, built->rows)) << read_number;
        EXPECT_EQ(kept->with_stored, built->with_stored);
        EXPECT_EQ(kept->shared, built->shared);
      }
    };
    auto hits = [&] { return one.read_cache_stats().hits + two.read_cache_stats().hits; };
    expect_same_twice(CellFilter{}, false, false);
    const bool cells_alone = plan->window.has_value();  // (the unwindowed view's 3 are shared)
    if (bound > 40 && cells_alone) {  // (smaller bounds keep no read of every cell)
      EXPECT_GT(hits(), 0u);
      EXPECT_GT(one.read_cache_stats().rows, 0u);
    }
    EXPECT_LE(one.read_cache_stats().rows, bound);
    if (bound > 40) {
      // One source: the cells it shares with stored rows are held once, so a second read gives
      // every row kept, merged ones (MERGED) among them.
      expect_same_twice(CellFilter{}, false, false, 1);
      const uint64_t before = one.read_cache_stats().hits;
      auto states_of = [&](std::span<const uint32_t> positions) -> Result<Chunk> {
        return RowsAt(stored, positions);
      };
      Result<HashAggregator::RowsBeside> again = HashAggregator::ReadBeside(
          std::span(keepers).first(1), CellFilter{}, stored_values, states_of, false, 1);
      ASSERT_TRUE(again.ok());
      EXPECT_GT(std::count(again->with_stored.begin(), again->with_stored.end(), 1), 0);
      EXPECT_EQ(one.read_cache_stats().hits - before, again->with_stored.size());
    }
    // The same cells beside other stored rows, then beside none: none of those rows is given.
    expect_same_twice(CellFilter{}, true, false);
    expect_same_twice(CellFilter{}, false, true);
    expect_same_twice(CellFilter{}, false, false);
    // ConsumeEvaluated: new events in some cells, new cells.
    consume(one, one_twin, 34);
    expect_same_twice(CellFilter{}, false, false);
    // ConsumeStates: stored states merged into cells of `two`.
    ASSERT_TRUE(two.ConsumeStates(stored.front()).ok());
    ASSERT_TRUE(two_twin.ConsumeStates(stored.front()).ok());
    expect_same_twice(CellFilter{}, false, true);
    // MergeFrom and MergeCopiesInto: another aggregator's cells merged in.
    HashAggregator three(plan, keeping), three_twin(plan, building);
    consume(three, three_twin, 35);
    ASSERT_TRUE(three.MergeCopiesInto(two).ok());
    ASSERT_TRUE(three_twin.MergeCopiesInto(two_twin).ok());
    expect_same_twice(CellFilter{}, false, false);
    ASSERT_TRUE(one.MergeFrom(three).ok());
    ASSERT_TRUE(one_twin.MergeFrom(three_twin).ok());
    expect_same_twice(CellFilter{}, true, false);
    // A point read of one cell's keys, then more events.
    const Chunk rows = Concat(schema, Finish(one));
    ASSERT_GT(rows.num_rows(), 0u);
    const Chunk last_cell = rows.Select(std::vector<uint32_t>{
        static_cast<uint32_t>(rows.num_rows() - 1)});
    std::vector<const Column*> cell_keys;
    for (size_t k = 0; k < plan->keys.size(); ++k) cell_keys.push_back(&last_cell.column(k));
    const CellFilter point{.keys = CellKeysOf(cell_keys, 1)};
    const uint64_t before_point = hits();
    expect_same_twice(point, false, false);
    if (cells_alone) {
      EXPECT_GT(hits(), before_point);
    }
    consume(one, one_twin, 36);
    expect_same_twice(point, false, false);
  }
}

INSTANTIATE_TEST_SUITE_P(Views, HashAggregatorReadBeside,
                         ::testing::Values(kAllAggregates, kHopping, kNoWindow, kRaw,
                                           kShiftedTumbling));

TEST(HashAggregator, ReadBesideRefusesSessionViews) {
  sql::ViewPlanPtr plan = Plan(kSession);
  HashAggregator source(plan, AggregatorOptions{});
  const std::vector<const HashAggregator*> sources = {&source};
  auto no_states = [](std::span<const uint32_t>) -> Result<Chunk> { return Chunk(); };
  Result<HashAggregator::RowsBeside> read =
      HashAggregator::ReadBeside(sources, CellFilter{}, {}, no_states, false);
  EXPECT_EQ(read.status().code(), StatusCode::kUnsupported);
}

// Exact rows written out by hand: window columns, HAVING's `_having`, states that decode.
TEST(HashAggregator, FinishRowsByHand) {
  sql::ViewPlanPtr plan = Plan(
      "CREATE VIEW per_device AS SELECT device_id, COUNT(*) AS n, MAX(temperature) AS hi "
      "FROM telemetry GROUP BY device_id, TumblingWindow(minute, 1) HAVING COUNT(*) > 1");
  Chunk rows(plan->input_schema);
  struct Row {
    const char* device;
    int64_t seconds;
    double temperature;
  };
  for (const Row& r : {Row{"b", 10, 1.5}, Row{"a", 30, 2.0}, Row{"b", 60, 3.0}, Row{"b", 61, -1.0},
                       Row{"a", 59, 4.0}}) {
    rows.mutable_column(0).AppendString(r.device);
    rows.mutable_column(1).AppendNull();
    rows.mutable_column(2).AppendDouble(r.temperature);
    rows.mutable_column(3).AppendNull();
    rows.mutable_column(4).AppendInt64(kBase + r.seconds * 1000000);
    rows.mutable_column(5).AppendInt64(kBase);
    rows.mutable_column(6).AppendInt64(0);
    rows.mutable_column(7).AppendInt64(r.seconds);
  }
  HashAggregator aggregator(plan, AggregatorOptions{});
  ASSERT_TRUE(aggregator.Consume(rows).ok());
  EXPECT_EQ(aggregator.groups(), 3u);
  std::vector<Chunk> out = Finish(aggregator);
  ASSERT_EQ(out.size(), 1u);
  std::vector<std::string> rendered = sql::testing::Render(out[0]);
  ASSERT_EQ(rendered.size(), 3u);
  // kBase is a whole minute: (kBase, kBase + 1 min] holds seconds 10 through 60.
  const int64_t minute = 60000000;
  std::vector<std::vector<std::string>> expected = {
      {"'a'", std::to_string(kBase), std::to_string(kBase + minute), "2", "4", "true"},
      {"'b'", std::to_string(kBase), std::to_string(kBase + minute), "2", "3", "true"},
      {"'b'", std::to_string(kBase + minute), std::to_string(kBase + 2 * minute), "1", "-1",
       "false"}};
  for (size_t row = 0; row < 3; ++row) {
    for (size_t c = 0; c < 6; ++c) {
      const Column& column = out[0].column(c);
      std::string cell = column.type() == DataType::kTimestamp
                             ? std::to_string(column.int64s()[row])
                             : sql::testing::RenderCell(column, row);
      EXPECT_EQ(cell, expected[row][c]) << "row " << row << " column " << c;
    }
  }
  EXPECT_EQ(FirstStateColumn(*plan), 6u);
  EXPECT_EQ(out[0].schema()->field(6).name, "_state_0");
  EXPECT_EQ(out[0].schema()->field(7).name, "_state_1");
}

// ConsumeEvaluated with `min_window_ends` (the speed layer's emitted windows) gives a row nothing
// in a window ending before its entry: over a tumbling view, the same as consuming only the rows
// whose one window ends at or after their entry.
TEST(HashAggregator, MinWindowEndsSkipEarlierWindows) {
  sql::ViewPlanPtr plan = Plan(kShiftedTumbling);
  const sql::WindowDefinition& window = *plan->window;
  HashAggregator skipping(plan, AggregatorOptions{});
  HashAggregator reference(plan, AggregatorOptions{});
  for (const Chunk& chunk : RandomChunks(*plan, 2000, 21)) {
    Result<sql::EvaluatedRows> evaluated = sql::EvaluateRows(*plan, chunk);
    ASSERT_TRUE(evaluated.ok()) << evaluated.status().ToString();
    // Rows 0, 3, 6, ... must start after their window's end; rows 1, 4, ... exactly at it.
    std::vector<int64_t> min_ends(chunk.num_rows(), INT64_MIN);
    std::vector<uint32_t> counted;
    std::span<const int64_t> times = evaluated->times.int64s();
    for (uint32_t row = 0; row < min_ends.size(); ++row) {
      const int64_t end =
          sql::TumblingWindowEnd(Timestamp{times[row]}, window.size, window.offset).micros;
      if (row % 3 == 0) min_ends[row] = end + 1;
      if (row % 3 == 1) min_ends[row] = end;
      if (row % 3 != 0) counted.push_back(row);
    }
    ASSERT_TRUE(skipping.ConsumeEvaluated(*evaluated, chunk, min_ends).ok());
    ASSERT_TRUE(reference.Consume(chunk.Select(counted)).ok());
  }
  ExpectSameRows(ViewRows(*plan, Finish(reference)), ViewRows(*plan, Finish(skipping)));
}

TEST(HashAggregator, OutOfMemoryPastTheLimit) {
  sql::ViewPlanPtr plan = Plan(kAllAggregates);
  std::vector<Chunk> chunks = RandomChunks(*plan, 3000, 5);
  HashAggregator aggregator(plan, AggregatorOptions{.memory_limit = 64 * 1024});
  Status status = Status::Ok();
  for (const Chunk& chunk : chunks) {
    status = aggregator.Consume(chunk);
    if (!status.ok()) break;
  }
  ASSERT_EQ(status.code(), StatusCode::kOutOfMemory) << status.ToString();
  EXPECT_NE(status.message().find("every_aggregate"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("65536"), std::string::npos) << status.message();
  // Session windows count their buffered rows.
  sql::ViewPlanPtr sessions = Plan(kSession);
  HashAggregator buffered(sessions, AggregatorOptions{.memory_limit = 16 * 1024});
  status = Status::Ok();
  for (const Chunk& chunk : RandomChunks(*sessions, 3000, 5)) {
    status = buffered.Consume(chunk);
    if (!status.ok()) break;
  }
  EXPECT_EQ(status.code(), StatusCode::kOutOfMemory) << status.ToString();
}

// The rows Finish builds count against the limit with the cells: a limit the cells fit in but
// not the rows as well fails Finish with kOutOfMemory; a little more room and it succeeds.
TEST(HashAggregator, FinishRowsCountAgainstTheLimit) {
  sql::ViewPlanPtr plan = Plan(kAllAggregates);
  std::vector<Chunk> chunks = RandomChunks(*plan, 3000, 5);
  HashAggregator measure(plan, AggregatorOptions{});
  ConsumeAll(measure, chunks);
  const size_t cells = measure.memory_bytes();
  size_t rows = 0;
  for (const Chunk& chunk : Finish(measure, 64)) rows += chunk.MemoryBytes();
  ASSERT_GT(rows, 0u);

  HashAggregator tight(plan, AggregatorOptions{.memory_limit = cells + rows / 2});
  ConsumeAll(tight, chunks);
  Result<std::vector<Chunk>> failed = tight.Finish(64);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kOutOfMemory) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("every_aggregate"), std::string::npos);

  HashAggregator roomy(plan, AggregatorOptions{.memory_limit = cells + rows + 4096});
  ConsumeAll(roomy, chunks);
  EXPECT_TRUE(roomy.Finish(64).ok());
}

TEST(HashAggregator, ErrorsAreValues) {
  sql::ViewPlanPtr plan = Plan(kNoWindow);
  HashAggregator aggregator(plan, AggregatorOptions{});
  // A NULL event time.
  Chunk rows = RandomChunks(*plan, 1, 1)[0];
  Chunk null_time(plan->input_schema);
  for (size_t c = 0; c < rows.num_columns(); ++c) {
    if (plan->input_schema->field(c).name == "ts") {
      null_time.mutable_column(c).AppendNull();
    } else {
      null_time.mutable_column(c).AppendFrom(rows.column(c), 0);
    }
  }
  EXPECT_EQ(aggregator.Consume(null_time).code(), StatusCode::kDataError);
  // An undecodable state.
  ASSERT_TRUE(aggregator.Consume(rows).ok());
  std::vector<Chunk> stored = Finish(aggregator);
  ASSERT_EQ(stored.size(), 1u);
  std::vector<Column> columns;
  for (size_t c = 0; c < stored[0].num_columns(); ++c) columns.push_back(stored[0].column(c));
  columns[FirstStateColumn(*plan)] = Column(DataType::kString);
  columns[FirstStateColumn(*plan)].AppendString("\x01\x02garbage");
  Result<Chunk> corrupt = Chunk::Make(BatchViewSchema(*plan), std::move(columns));
  ASSERT_TRUE(corrupt.ok()) << corrupt.status().ToString();
  HashAggregator reader(plan, AggregatorOptions{});
  EXPECT_EQ(reader.ConsumeStates(*corrupt).code(), StatusCode::kCorruption);
  // Sessions have no stored states to merge.
  sql::ViewPlanPtr sessions = Plan(kSession);
  HashAggregator session_aggregator(sessions, AggregatorOptions{});
  EXPECT_EQ(session_aggregator.ConsumeStates(Chunk(BatchViewSchema(*sessions))).code(),
            StatusCode::kUnsupported);
  EXPECT_EQ(aggregator.MergeFrom(aggregator).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace braid::batch
