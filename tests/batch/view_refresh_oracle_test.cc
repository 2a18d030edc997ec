// The batch views of examples/iot.sql over 1,000,000 generated events against DuckDB: the events
// (100 devices, 1,000 users, about 93 hours of event time from 2026-11-23, 5% out of order and
// 1% late by minutes) are sealed into the lake in epochs of seeded random sizes; version 2 of
// every view is refreshed incrementally after random groups of epochs, version 1 is recomputed
// once at the end on two threads. DuckDB computes each view from the lake's Parquet files with
// the SQL of tests/sql/view_oracle_test.cc and compares it with both stored tables' Parquet
// files, and the two versions with each other (iot_lake_util.h). Skips without the oracle.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "batch/batch_view_table.h"
#include "batch/view_refresh.h"
#include "duckdb_oracle.h"
#include "iot_lake_util.h"
#include "scoped_temp_dir.h"
#include "sql/view_oracle_util.h"

namespace braid::batch {
namespace {

using braid::testing::ScopedTempDir;
using testing::IotLake;

constexpr uint64_t kEvents = 1'000'000;
constexpr int64_t kRecomputed = 1;   // the version built by one RecomputeView
constexpr int64_t kIncremental = 2;  // the version refreshed after groups of epochs
const std::vector<std::string> kViews = {"device_metrics", "user_activity", "user_hourly"};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Epoch sizes from 5,000 to 200,000 events, log-uniform (about 20 epochs), summing to `total`.
std::vector<size_t> EpochSizes(std::mt19937_64& rng, uint64_t total) {
  std::uniform_real_distribution<double> exponent(std::log(5000.0), std::log(200000.0));
  std::vector<size_t> sizes;
  uint64_t sealed = 0;
  while (sealed < total) {
    const uint64_t size = std::min<uint64_t>(total - sealed, std::llround(std::exp(exponent(rng))));
    sizes.push_back(size);
    sealed += size;
  }
  return sizes;
}

TEST(BatchOracleTest, IotViewsOverAMillionEventsMatchDuckDb) {
  if (!braid::testing::OracleAvailable()) GTEST_SKIP() << "DuckDB oracle not installed";
  Result<sql::testing::BoundScript> script =
      sql::testing::BindScript(sql::testing::ReadExample("iot.sql"));
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  ASSERT_EQ(script->streams.at("telemetry")->partitions, static_cast<int>(testing::kIotPartitions));
  for (const std::string& view : kViews) ASSERT_EQ(script->views.count(view), 1u) << view;

  ScopedTempDir dir("batch-oracle");
  IotLake lake(dir.path() / "lake" / "telemetry",
               cli::IotGeneratorOptions{.devices = 100,
                                        .users = 1000,
                                        .rate = 3.0,  // 1M events in about 93 hours
                                        .disorder_fraction = 0.05,
                                        .max_disorder = Duration::Seconds(5),
                                        .late_fraction = 0.01,
                                        .seed = 20261124});
  std::mt19937_64 rng(5);
  const std::vector<size_t> sizes = EpochSizes(rng, kEvents);
  std::bernoulli_distribution refresh_now(0.6);

  RefreshOptions two_threads;
  two_threads.threads = 2;
  const auto start = std::chrono::steady_clock::now();
  double capture_seconds = 0, refresh_seconds = 0;
  std::map<std::string, double> view_refresh_seconds;
  std::map<std::string, int> incremental_runs;
  for (size_t i = 0; i < sizes.size(); ++i) {
    auto capture_start = std::chrono::steady_clock::now();
    Status sealed = lake.SealEpoch(sizes[i]);
    ASSERT_TRUE(sealed.ok()) << sealed.ToString();
    capture_seconds += SecondsSince(capture_start);
    if (i + 1 < sizes.size() && !refresh_now(rng)) continue;
    for (const std::string& view : kViews) {
      auto refresh_start = std::chrono::steady_clock::now();
      Result<RefreshStats> stats =
          RefreshView(dir.path(), script->views.at(view), kIncremental, lake.source(), two_threads);
      ASSERT_TRUE(stats.ok()) << view << ": " << stats.status().ToString();
      ASSERT_TRUE(stats->committed) << view;
      ASSERT_EQ(stats->to_epoch, lake.epoch()) << view;
      // Only the first refresh of the empty version reads every epoch.
      EXPECT_EQ(stats->full, stats->from_epoch == 0) << view;
      if (!stats->full) ++incremental_runs[view];
      view_refresh_seconds[view] += SecondsSince(refresh_start);
      refresh_seconds += SecondsSince(refresh_start);
    }
  }
  ASSERT_EQ(lake.events(), kEvents);
  for (const std::string& view : kViews) EXPECT_GE(incremental_runs[view], 10) << view;

  auto recompute_start = std::chrono::steady_clock::now();
  for (const std::string& view : kViews) {
    Result<RefreshStats> stats =
        RecomputeView(dir.path(), script->views.at(view), kRecomputed, lake.source(), two_threads);
    ASSERT_TRUE(stats.ok()) << view << ": " << stats.status().ToString();
    EXPECT_TRUE(stats->full) << view;
    EXPECT_EQ(stats->to_epoch, lake.epoch()) << view;
    EXPECT_EQ(stats->rows_read, kEvents) << view;
  }
  const double recompute_seconds = SecondsSince(recompute_start);

  auto oracle_start = std::chrono::steady_clock::now();
  testing::ExpectLakeHolds(lake.dir(), kEvents);
  for (const std::string& view : kViews) {
    SCOPED_TRACE(view);
    const sql::ViewPlanPtr& plan = script->views.at(view);
    std::vector<std::filesystem::path> tables;
    for (int64_t version : {kRecomputed, kIncremental}) {
      Result<BatchViewTable> table = BatchViewTable::Open(dir.path(), plan, version);
      ASSERT_TRUE(table.ok()) << table.status().ToString();
      Result<BatchHorizon> horizon = table->Horizon();
      ASSERT_TRUE(horizon.ok()) << horizon.status().ToString();
      EXPECT_EQ(horizon->epoch, lake.epoch());
      tables.push_back(table->dir());
    }
    // About 93 hours from 2026-11-23T00:00Z: window ends on at least four dates.
    testing::ExpectTablesMatchDuckDb(*plan, lake.dir(), tables, /*min_dates=*/4);
  }
  const double oracle_seconds = SecondsSince(oracle_start);
  std::printf(
      "[ batch oracle ] %zu epochs, %d incremental refreshes per view; capture %.1fs, refreshes "
      "%.1fs, recompute %.1fs, DuckDB %.1fs, total %.1fs\n",
      sizes.size(), incremental_runs[kViews[0]], capture_seconds, refresh_seconds,
      recompute_seconds, oracle_seconds, SecondsSince(start));
  for (const auto& [view, seconds] : view_refresh_seconds) {
    std::printf("[ batch oracle ] refreshes of %s: %.1fs\n", view.c_str(), seconds);
  }
}

}  // namespace
}  // namespace braid::batch
