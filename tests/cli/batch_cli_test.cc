// `braid refresh`, `braid recompute` and `braid sql --consistency exact` against a real server
// running examples/iot.sql: each job reports the events it read, and the exact answer comes from
// the batch view (every row BATCH, the event counts adding up to the events ingested).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli/config.h"
#include "subprocess.h"
#include "test_paths.h"

namespace braid::testing {
namespace {

namespace fs = std::filesystem;

TEST(BatchCliTest, RefreshRecomputeAndExactSql) {
  const fs::path root = FreshDirectory("batch-cli");
  ServerProcess server(root / "data", {"--definitions", SourceDir() + "/examples/iot.sql"});
  ASSERT_TRUE(server.Start()) << server.log();
  const fs::path events = root / "events.ndjson";
  RunResult gen = RunBraid({"gen", "iot", "--events", "3000", "--devices", "20"});
  ASSERT_EQ(gen.exit_code, 0);
  std::ofstream(events) << gen.out;
  ASSERT_EQ(RunBraid({"ingest", "--server", server.url(), "telemetry", events.string()}).exit_code,
            0);

  RunResult refresh = RunBraid({"refresh", "--server", server.url(), "device_metrics"});
  ASSERT_EQ(refresh.exit_code, 0) << refresh.err << server.log();
  EXPECT_NE(refresh.out.find("version 1, epochs 0..1, 3000 rows read"), std::string::npos)
      << refresh.out;
  RunResult recompute = RunBraid({"recompute", "--server", server.url(), "device_metrics"});
  ASSERT_EQ(recompute.exit_code, 0) << recompute.err;
  EXPECT_NE(recompute.out.find("version 2, epochs 0..1, 3000 rows read"), std::string::npos)
      << recompute.out;

  RunResult sql = RunBraid({"sql", "--server", server.url(), "--consistency", "exact",
                            "SELECT event_count, _source FROM device_metrics"});
  ASSERT_EQ(sql.exit_code, 0) << sql.err;
  std::stringstream lines(sql.out);
  int64_t total = 0;
  size_t rows = 0;
  std::string line;
  std::getline(lines, line);  // header
  std::getline(lines, line);  // rule
  while (std::getline(lines, line) && line.find('|') != std::string::npos) {
    EXPECT_NE(line.find("| BATCH"), std::string::npos) << line;
    total += std::stoll(line.substr(0, line.find('|')));
    ++rows;
  }
  EXPECT_EQ(total, 3000);
  EXPECT_NE(sql.out.find(fmt::format("({} rows)", rows)), std::string::npos) << sql.out;

  RunResult unknown = RunBraid({"refresh", "--server", server.url(), "nosuch"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("nosuch"), std::string::npos) << unknown.err;
  EXPECT_EQ(server.Terminate(), 0) << server.log();
  fs::remove_all(root);
}

TEST(BatchCliTest, BatchSectionOfBraidToml) {
  const fs::path root = FreshDirectory("batch-toml");
  const fs::path file = root / "braid.toml";
  std::ofstream(file) << "[batch]\nrefresh_interval = \"90s\"\nthreads = 2\nmemory_limit = 1024\n";
  Result<cli::ServeConfig> config = cli::LoadConfigFile(file);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->batch_refresh_interval, Duration::Seconds(90));
  EXPECT_EQ(config->batch_threads, 2);
  EXPECT_EQ(config->batch_memory_limit, 1024u);
  EXPECT_EQ(cli::ServeConfig().batch_refresh_interval, Duration::Minutes(5));
  std::ofstream(file) << "[batch]\nrefresh_every = \"90s\"\n";
  Result<cli::ServeConfig> bad = cli::LoadConfigFile(file);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("refresh_every"), std::string::npos)
      << bad.status().ToString();
  fs::remove_all(root);
}

}  // namespace
}  // namespace braid::testing
