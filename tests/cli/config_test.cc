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
[batch]
refresh_interval = "1 min"
threads = 2
memory_limit = 1000000
[speed]
memory_limit = 2000000
[query]
max_result_rows = 500
statement_timeout = "2s"
stream_scan_events = 1000
cache_bytes = 4096
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
  EXPECT_EQ(config->batch_refresh_interval, Duration::Minutes(1));
  EXPECT_EQ(config->batch_threads, 2);
  EXPECT_EQ(config->batch_memory_limit, 1000000u);
  EXPECT_EQ(config->speed_memory_limit, 2000000u);
  EXPECT_EQ(config->query_limits.max_result_rows, 500u);
  EXPECT_EQ(config->query_limits.statement_timeout, Duration::Seconds(2));
  EXPECT_EQ(config->query_limits.stream_scan_events, 1000u);
  EXPECT_EQ(config->query_cache_bytes, 4096u);
}

TEST(ConfigTest, ReadsAlertWebhooks) {
  Result<ServeConfig> config = LoadText(R"(
[[alerts.webhooks]]
url = "http://127.0.0.1:9000/hook"

[[alerts.webhooks]]
url = "http://alerts.internal/braid?team=ops"
timeout = "2s"
initial_backoff = "250ms"
max_backoff = "5 min"
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->webhooks.size(), 2u);
  EXPECT_EQ(config->webhooks[0].url, "http://127.0.0.1:9000/hook");
  EXPECT_EQ(config->webhooks[0].timeout, Duration::Seconds(5));
  EXPECT_EQ(config->webhooks[0].initial_backoff, Duration::Millis(100));
  EXPECT_EQ(config->webhooks[0].max_backoff, Duration::Seconds(60));
  EXPECT_EQ(config->webhooks[1].url, "http://alerts.internal/braid?team=ops");
  EXPECT_EQ(config->webhooks[1].timeout, Duration::Seconds(2));
  EXPECT_EQ(config->webhooks[1].initial_backoff, Duration::Millis(250));
  EXPECT_EQ(config->webhooks[1].max_backoff, Duration::Minutes(5));
  EXPECT_TRUE(LoadText("")->webhooks.empty());
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
           {"[speed]\nmemory_limit = 0\n", "'memory_limit' must be at least 1"},
           {"[speed]\nthreads = 2\n", "'threads' is not a known key of [speed]"},
           {"[capture]\nevery = \"5s\"\n", "line 2: 'every' is not a known key of [capture]"},
           {"[server\n", "line 1"},
           {"[[alerts.webhooks]]\nurl = \"http://h:1/x\"\nretries = 3\n",
            "line 3: 'retries' is not a known key of [[alerts.webhooks]]"},
           {"[[alerts.webhooks]]\ntimeout = \"1s\"\n",
            "line 1: 'url' is required in [[alerts.webhooks]]"},
           {"[[alerts.webhooks]]\nurl = \"https://h/x\"\n", "line 2: 'url' invalid URL"},
           {"[[alerts.webhooks]]\nurl = \"http://h:1/x\"\ninitial_backoff = \"soon\"\n",
            "line 3: 'initial_backoff' invalid duration 'soon'"},
           {"[[alerts.webhooks]]\nurl = \"http://h:1/x\"\nmax_backoff = \"10ms\"\n",
            "line 3: 'max_backoff' must not be less than initial_backoff"},
           {"[alerts]\nwebhooks = \"http://h:1/x\"\n",
            "line 2: 'webhooks' must be written [[alerts.webhooks]]"},
           {"[alerts]\nemail = \"ops@example.com\"\n",
            "line 2: 'email' is not a known key of [alerts]"},
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
