// ViewVersions' cleanup of batch view versions, checked against the directories on disk: Publish
// keeps the new and the previous version only, a restart's first use deletes what a killed
// recompute left above CURRENT and what lies below the previous version, leased versions and the
// served one are never deleted, and DROP VIEW leaves nothing a view created again under the same
// name could serve.
#include "serving/view_versions.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "batch/batch_view_table.h"
#include "common/hash.h"
#include "lake/lake_test_util.h"
#include "database_test_fixture.h"
#include "serving/database.h"

namespace braid::serving {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kVersionsStream =
    "CREATE STREAM telemetry (device_id STRING NOT NULL, event_ts TIMESTAMP NOT NULL, "
    "temperature DOUBLE) WITH (partitions = 2, partition_key = 'device_id', "
    "timestamp = 'event_ts')";
constexpr std::string_view kVersionsView =
    "CREATE VIEW temps AS SELECT device_id, MAX(temperature) AS max_temp FROM telemetry "
    "GROUP BY device_id, TumblingWindow(minute, 1)";

class ViewVersionsTest : public testing::DatabaseTest {
 protected:
  void SetUp() override {
    Open();
    ASSERT_TRUE(db_->Execute(kVersionsStream).ok());
    ASSERT_TRUE(db_->Execute(kVersionsView).ok());
  }

  ViewVersions& versions() { return db_->view_versions(); }
  sql::ViewPlanPtr Plan() { return db_->catalog().FindView("temps"); }
  fs::path ViewDir() { return dir_.path() / "views" / "temps"; }

  // The version directories on disk.
  std::set<int64_t> OnDisk() {
    std::set<int64_t> versions;
    std::error_code error;
    if (!fs::exists(ViewDir(), error)) return versions;
    for (const fs::directory_entry& entry : fs::directory_iterator(ViewDir())) {
      const std::string name = entry.path().filename().string();
      if (entry.is_directory() && name.starts_with("v"))
        versions.insert(std::stoll(name.substr(1)));
    }
    return versions;
  }

  // Commits an (empty) batch table for the leased version, absorbing epoch 1.
  void WriteTable(const VersionLease& lease) {
    Result<batch::BatchViewTable> table =
        batch::BatchViewTable::Open(dir_.path(), Plan(), lease.version());
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    batch::BatchHorizon horizon{.epoch = 1,
                                .end_offsets = {0, 0},
                                .definition_hash = Hash64(Plan()->sql),
                                .table_version = -1};
    Result<bool> replaced = table->Replace({}, {}, horizon);
    ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
    ASSERT_TRUE(*replaced);
  }

  // Builds and publishes the next version; returns its number.
  int64_t BuildAndPublish() {
    Result<VersionLease> lease = versions().ReserveNewVersion("temps");
    EXPECT_TRUE(lease.ok()) << lease.status().ToString();
    if (!lease.ok()) return 0;
    WriteTable(*lease);
    Status published = versions().Publish(Plan(), *lease);
    EXPECT_TRUE(published.ok()) << published.ToString();
    return lease->version();
  }

  int64_t ServedNumber() {
    Result<std::optional<ServedVersion>> served = versions().Served(Plan());
    EXPECT_TRUE(served.ok()) << served.status().ToString();
    return served.ok() && served->has_value() ? (*served)->version : 0;
  }

};

TEST_F(ViewVersionsTest, PublishKeepsTheNewAndThePreviousVersionOnly) {
  EXPECT_EQ(BuildAndPublish(), 1);
  EXPECT_EQ(OnDisk(), (std::set<int64_t>{1}));
  EXPECT_EQ(BuildAndPublish(), 2);
  EXPECT_EQ(OnDisk(), (std::set<int64_t>{1, 2}));
  EXPECT_EQ(BuildAndPublish(), 3);
  EXPECT_EQ(OnDisk(), (std::set<int64_t>{2, 3}));
  EXPECT_EQ(versions().CurrentNumber("temps").value(), 3);
  EXPECT_EQ(ServedNumber(), 3);
}

TEST_F(ViewVersionsTest, FirstUseAfterARestartDeletesLeftovers) {
  BuildAndPublish();
  BuildAndPublish();
  BuildAndPublish();  // v2 (previous) and v3 (served) remain
  // A recompute killed mid-way (v7 > CURRENT) and an old version below the previous one.
  fs::create_directories(ViewDir() / "v7" / "_delta_log");
  std::ofstream(ViewDir() / "v7" / "part-0.parquet") << "half written";
  fs::create_directories(ViewDir() / "v1");
  // Opening the database is the first use: the speed layer starts each view from what its
  // served version absorbed.
  Open();
  EXPECT_EQ(OnDisk(), (std::set<int64_t>{2, 3}));
  EXPECT_EQ(ServedNumber(), 3);
  EXPECT_TRUE(fs::exists(ViewDir() / "CURRENT"));
  // The next version number continues above every version ever seen on disk.
  EXPECT_EQ(BuildAndPublish(), 4);
  EXPECT_EQ(OnDisk(), (std::set<int64_t>{3, 4}));
}

TEST_F(ViewVersionsTest, AViewNeverPublishedLosesItsKilledBuildAtStartup) {
  fs::create_directories(ViewDir() / "v1" / "_delta_log");
  Open();
  EXPECT_EQ(ServedNumber(), 0);
  EXPECT_EQ(OnDisk(), (std::set<int64_t>{}));
}

TEST_F(ViewVersionsTest, LeasedAndServedVersionsAreNeverDeleted) {
  EXPECT_EQ(BuildAndPublish(), 1);
  // A recompute is building v2 while another one builds and publishes v3.
  Result<VersionLease> building = versions().ReserveNewVersion("temps");
  ASSERT_TRUE(building.ok());
  EXPECT_EQ(building->version(), 2);
  WriteTable(*building);
  EXPECT_EQ(versions().Building("temps"), std::optional<int64_t>(2));
  EXPECT_EQ(BuildAndPublish(), 3);
  EXPECT_EQ(OnDisk(), (std::set<int64_t>{1, 2, 3}));  // v1 previous, v2 leased, v3 served
  {
    // A refresh holding served v3 while v4 and v5 are published: v3 stays while held.
    Result<std::optional<ServedVersion>> served = versions().Served(Plan());
    ASSERT_TRUE(served.ok() && served->has_value());
    Result<VersionLease> held = versions().HoldServed(**served);
    ASSERT_TRUE(held.ok()) << held.status().ToString();
    EXPECT_EQ(BuildAndPublish(), 4);
    EXPECT_EQ(BuildAndPublish(), 5);
    EXPECT_EQ(OnDisk(), (std::set<int64_t>{2, 3, 4, 5}));
    // Holding a version that is no longer served is refused.
    EXPECT_EQ(versions().HoldServed(**served).status().code(), StatusCode::kUnavailable);
  }
  { VersionLease released = std::move(building).value(); }
  EXPECT_EQ(versions().Building("temps"), std::nullopt);
  EXPECT_EQ(OnDisk(), (std::set<int64_t>{2, 3, 4, 5}));  // released, not yet cleaned
  EXPECT_EQ(BuildAndPublish(), 6);
  EXPECT_EQ(OnDisk(), (std::set<int64_t>{5, 6}));
  // Startup with only the served version on disk keeps it.
  fs::remove_all(ViewDir() / "v5");
  Open();
  EXPECT_EQ(ServedNumber(), 6);
  EXPECT_EQ(OnDisk(), (std::set<int64_t>{6}));
}

TEST_F(ViewVersionsTest, DropViewLeavesNothingForAViewCreatedAgain) {
  EXPECT_EQ(BuildAndPublish(), 1);
  EXPECT_EQ(BuildAndPublish(), 2);
  Result<VersionLease> building = versions().ReserveNewVersion("temps");
  ASSERT_TRUE(building.ok());
  WriteTable(*building);
  const sql::ViewPlanPtr old_plan = Plan();
  ASSERT_TRUE(db_->Execute("DROP VIEW temps").ok());
  EXPECT_FALSE(fs::exists(ViewDir() / "CURRENT"));
  EXPECT_EQ(OnDisk(), (std::set<int64_t>{3}));  // only the version a job is still writing
  // The same definition again: nothing of the dropped view is served, in memory or on disk.
  ASSERT_TRUE(db_->Execute(kVersionsView).ok());
  EXPECT_EQ(ServedNumber(), 0);
  // The job that was writing v3 for the dropped view cannot publish it.
  EXPECT_EQ(versions().Publish(old_plan, *building).code(), StatusCode::kUndefinedObject);
  EXPECT_EQ(ServedNumber(), 0);
  { VersionLease released = std::move(building).value(); }
  EXPECT_EQ(OnDisk(), (std::set<int64_t>{}));
  Open();
  EXPECT_EQ(ServedNumber(), 0);
}

TEST_F(ViewVersionsTest, StartupFinishesAnInterruptedDropView) {
  EXPECT_EQ(BuildAndPublish(), 1);
  // A view directory without a catalog entry: the DROP committed, its deletion did not run.
  fs::create_directories(dir_.path() / "views" / "gone" / "v1");
  std::ofstream(dir_.path() / "views" / "gone" / "CURRENT") << "1\n";
  Open();
  EXPECT_FALSE(fs::exists(dir_.path() / "views" / "gone"));
  EXPECT_EQ(ServedNumber(), 1);
  EXPECT_EQ(OnDisk(), (std::set<int64_t>{1}));
}

}  // namespace
}  // namespace braid::serving
