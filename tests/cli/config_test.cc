#include "cli/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "subprocess.h"
#include "test_paths.h"

namespace braid::cli {
namespace {

namespace fs = std::filesystem;

Result<ServeConfig> LoadText(const std::string& text) {
  fs::path dir = testing::FreshDirectory("config");
  fs::path file = dir / "braid.toml";
  std::ofstream(file) << text;
  Result<ServeConfig> config = LoadConfigFile(file);
  fs::remove_all(dir);
  return config;
}

TEST(ConfigTest, DefaultsWhenEmpty) {
  Result<ServeConfig> config = LoadText("");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "braid-data");
  EXPECT_EQ(config->http_address, "127.0.0.1:8080");
  EXPECT_EQ(config->pg_address, "127.0.0.1:5433");
  EXPECT_EQ(config->log.fsync, log::FsyncPolicy::kGroup);
  EXPECT_EQ(config->max_body_bytes, 64ull << 20);
  EXPECT_EQ(config->capture_interval, Duration::Seconds(300));
  EXPECT_EQ(config->lake_maintenance_interval, Duration::Hours(1));
  EXPECT_EQ(config->vacuum_retention, Duration::Days(7));
}

TEST(ConfigTest, ReadsTheExampleFile) {
  Result<ServeConfig> config =
      LoadConfigFile(fs::path(testing::SourceDir()) / "examples" / "braid.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->log.group_commit_delay, Duration::Millis(0));
  EXPECT_EQ(config->log.compression, log::Compression::kLz4);
  ASSERT_EQ(config->definitions.size(), 1u);
  EXPECT_EQ(config->definitions[0], "examples/iot.sql");
}

TEST(ConfigTest, ReadsEveryKey) {
  Result<ServeConfig> config = LoadText(R"(
[server]
data_dir = "/var/lib/braid"
http = "0.0.0.0:9000"
pg = "0.0.0.0:6543"
io_threads = 4
max_body_bytes = 1024
definitions = ["a.sql", "b.sql"]
[log]
fsync = "always"
group_commit_delay = "5ms"
segment_bytes = 1048576
compression = "zstd"
zstd_level = 3
retention_check_interval = "30s"
[capture]
interval = "10s"
max_bytes = 1000
[lake]
maintenance_interval = "0s"
vacuum_retention = "2d"
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "/var/lib/braid");
  EXPECT_EQ(config->http_address, "0.0.0.0:9000");
  EXPECT_EQ(config->io_threads, 4);
  EXPECT_EQ(config->max_body_bytes, 1024u);
  EXPECT_EQ(config->definitions.size(), 2u);
  EXPECT_EQ(config->log.fsync, log::FsyncPolicy::kAlways);
  EXPECT_EQ(config->log.group_commit_delay, Duration::Millis(5));
  EXPECT_EQ(config->log.segment_bytes, 1048576u);
  EXPECT_EQ(config->log.compression, log::Compression::kZstd);
  EXPECT_EQ(config->log.zstd_level, 3);
  EXPECT_EQ(config->retention_check_interval, Duration::Seconds(30));
  EXPECT_EQ(config->capture_interval, Duration::Seconds(10));
  EXPECT_EQ(config->capture_max_bytes, 1000u);
  EXPECT_EQ(config->lake_maintenance_interval, Duration{});
  EXPECT_EQ(config->vacuum_retention, Duration::Days(2));
}

TEST(ConfigTest, MistakesNameTheKeyAndLine) {
  struct Case {
    const char* text;
    const char* expected;
  };
  for (const Case& c : std::vector<Case>{
           {"[server]\nhttp_port = 80\n", "line 2: 'http_port' is not a known key of [server]"},
           {"[log]\nfsync = \"sometimes\"\n", "line 2: 'fsync' must be 'group', 'always' or 'never'"},
           {"[log]\n\ngroup_commit_delay = \"fast\"\n", "line 3: 'group_commit_delay' invalid duration 'fast'"},
           {"[server]\nio_threads = \"two\"\n", "line 2: 'io_threads' must be an integer"},
           {"[storage]\nx = 1\n", "'storage' is not a known section"},
           {"[capture]\nevery = \"5s\"\n", "line 2: 'every' is not a known key of [capture]"},
           {"[server\n", "line 1"},
       }) {
    Result<ServeConfig> config = LoadText(c.text);
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(config.status().message().find(c.expected), std::string::npos)
        << config.status().message();
  }
}

TEST(ConfigTest, ParsesHostPort) {
  EXPECT_EQ(*ParseHostPort("127.0.0.1:8080"), std::make_pair(std::string("127.0.0.1"), uint16_t{8080}));
  EXPECT_EQ(*ParseHostPort("[::1]:5433"), std::make_pair(std::string("::1"), uint16_t{5433}));
  for (const char* bad : {"8080", ":8080", "host:", "host:99999", "host:80x"}) {
    EXPECT_FALSE(ParseHostPort(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace braid::cli
