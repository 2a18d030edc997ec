// `braid demo` as a user runs it: the real binary on ephemeral ports, with its built-in
// definitions and generator. Once events arrive and a refresh has run, the exact answer is all
// BATCH rows counting exactly the events the refresh read, the speed answer has SPEED rows, the
// merged answer has MERGED rows (windows both layers hold), and SIGINT stops it with exit code 0.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "cli/config.h"
#include "common/http_client.h"
#include "subprocess.h"

namespace braid::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

std::string ReadText(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Polls `condition` every 50 ms until it holds or `timeout` passes.
template <typename Condition>
bool WaitFor(Condition condition, seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

// A background `braid demo`; SIGKILLed by the destructor if still running.
class DemoProcess {
 public:
  explicit DemoProcess(const fs::path& root, const std::string& pg = "127.0.0.1:0") : root_(root) {
    pid_ = Spawn({"demo", "--data", (root / "data").string(), "--rate", "2000", "--http",
                  "127.0.0.1:0", "--pg", pg},
                 "", root / "out", root / "err");
  }
  ~DemoProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      WaitExit(pid_, seconds(10));
    }
  }
  std::string out() const { return ReadText(root_ / "out"); }
  std::string log() const { return out() + ReadText(root_ / "err"); }

  // The port of the banner line "<label>  <scheme>://127.0.0.1:PORT", once printed.
  std::optional<int> BannerPort(const std::string& label, const std::string& scheme) const {
    std::smatch match;
    const std::string text = out();
    const std::regex line(label + " +" + scheme + "://127\\.0\\.0\\.1:([0-9]+)");
    if (!std::regex_search(text, match, line)) return std::nullopt;
    return std::stoi(match[1]);
  }

  int Interrupt() {
    ::kill(pid_, SIGINT);
    const int code = WaitExit(pid_, seconds(20));
    pid_ = -1;
    return code;
  }

 private:
  fs::path root_;
  pid_t pid_ = -1;
};

// The answer's JSON, parsed; fails the test on another status than `expected_status`.
simdjson::dom::element Call(HttpClient& client, simdjson::dom::parser& parser,
                            std::string_view method, const std::string& target,
                            const std::string& body = "", int expected_status = 200) {
  Result<HttpResponse> response = client.Request(method, target, body, "application/json");
  EXPECT_TRUE(response.ok()) << target << ": " << response.status().ToString();
  const std::string text = response.ok() ? response->body : "{}";  // lookups in {} fail cleanly
  if (response.ok()) {
    EXPECT_EQ(response->status, expected_status) << target << ": " << text;
  }
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << text;
  return doc;
}

// Sum of event_count per _source over every row of device_metrics with `consistency`.
std::map<std::string, int64_t> EventsBySource(HttpClient& client, std::string_view consistency) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc =
      Call(client, parser, "POST", "/v1/sql",
           fmt::format(R"({{"sql": "SELECT event_count, _source FROM device_metrics", )"
                       R"("consistency": "{}"}})",
                       consistency));
  std::map<std::string, int64_t> events;
  simdjson::dom::array rows;
  if (doc["rows"].get(rows) != simdjson::SUCCESS) return events;
  for (simdjson::dom::element row : rows) {
    events[std::string(row.at(1).get_string().value())] += row.at(0).get_int64().value();
  }
  return events;
}

// Runs a refresh of device_metrics through the API and follows its job to the end; the events
// it read, or 0 when it failed (the test fails then too).
int64_t RefreshDeviceMetrics(HttpClient& http) {
  simdjson::dom::parser parser;
  int64_t job = 0;
  EXPECT_EQ(Call(http, parser, "POST", "/v1/views/device_metrics/refresh", "", 202)["job"].get(job),
            simdjson::SUCCESS);
  const std::string job_path = fmt::format("/v1/jobs/{}", job);
  std::string_view state;
  const bool finished = WaitFor(
      [&] {
        if (Call(http, parser, "GET", job_path)["state"].get(state) != simdjson::SUCCESS) {
          return true;
        }
        return state == "succeeded" || state == "failed";
      },
      seconds(20));
  EXPECT_TRUE(finished && state == "succeeded")
      << simdjson::to_string(Call(http, parser, "GET", job_path));
  int64_t rows_read = 0;
  EXPECT_EQ(Call(http, parser, "GET", job_path)["rows_read"].get(rows_read), simdjson::SUCCESS);
  return rows_read;
}

TEST(DemoCliTest, ServesGeneratedEventsFromBatchSpeedAndMerged) {
  const fs::path root = FreshDirectory("demo");
  DemoProcess demo(root);
  std::optional<int> http_port;
  ASSERT_TRUE(WaitFor([&] { return (http_port = demo.BannerPort("HTTP", "http")).has_value(); },
                      seconds(30)))
      << demo.log();
  EXPECT_TRUE(demo.BannerPort("PostgreSQL", "postgresql").has_value()) << demo.out();
  Result<std::unique_ptr<HttpClient>> client =
      HttpClient::Connect(fmt::format("http://127.0.0.1:{}", *http_port));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  HttpClient& http = **client;

  simdjson::dom::parser parser;
  ASSERT_TRUE(WaitFor(
      [&] {
        int64_t events = 0;
        simdjson::dom::element status = Call(http, parser, "GET", "/v1/status");
        return status["streams"]["telemetry"]["events"].get(events) == simdjson::SUCCESS &&
               events > 0;
      },
      seconds(10)))
      << demo.log();

  const int64_t rows_read = RefreshDeviceMetrics(http);
  ASSERT_GT(rows_read, 0);

  // The batch view holds exactly the events the refresh read, every row from it; the banner's
  // roll-up by _source says the same.
  EXPECT_EQ(EventsBySource(http, "exact"), (std::map<std::string, int64_t>{{"BATCH", rows_read}}));
  simdjson::dom::element by_source =
      Call(http, parser, "POST", "/v1/sql",
           R"({"sql": "SELECT _source, SUM(event_count) FROM device_metrics GROUP BY _source", )"
           R"("consistency": "exact"})");
  EXPECT_EQ(simdjson::to_string(by_source["rows"]), fmt::format(R"([["BATCH",{}]])", rows_read));
  // The generator goes on, so the speed layer soon holds events newer than the batch view.
  EXPECT_TRUE(WaitFor([&] { return EventsBySource(http, "speed")["SPEED"] > 0; }, seconds(5)))
      << demo.log();
  std::map<std::string, int64_t> merged = EventsBySource(http, "merged");
  EXPECT_GT(merged["MERGED"], 0) << demo.log();
  EXPECT_EQ(merged.count("SPEED") + merged.count("BATCH") + merged.count("MERGED"), merged.size());
  int64_t merged_events = 0;
  for (const auto& [source, events] : merged) merged_events += events;
  EXPECT_GT(merged_events, rows_read);  // what batch holds plus what speed added since

  EXPECT_EQ(demo.Interrupt(), 0) << demo.log();
  EXPECT_NE(demo.log().find("received SIGINT, shutting down"), std::string::npos) << demo.log();
  fs::remove_all(root);
}

TEST(DemoCliTest, PgOffServesHttpOnly) {
  const fs::path root = FreshDirectory("demo-pg-off");
  DemoProcess demo(root, "off");
  ASSERT_TRUE(WaitFor([&] { return demo.BannerPort("HTTP", "http").has_value(); }, seconds(30)))
      << demo.log();
  EXPECT_EQ(demo.out().find("PostgreSQL"), std::string::npos) << demo.out();
  EXPECT_EQ(demo.out().find("psql"), std::string::npos) << demo.out();
  EXPECT_NE(demo.log().find("PostgreSQL wire protocol not served (--pg off)"), std::string::npos)
      << demo.log();
  EXPECT_EQ(demo.Interrupt(), 0) << demo.log();
  fs::remove_all(root);
}

TEST(DemoCliTest, BadAddressesFailBeforeTheDataDirectoryIsCreated) {
  const fs::path root = FreshDirectory("demo-bad");
  RunResult bad_pg = RunBraid({"demo", "--data", (root / "data").string(), "--pg", "5433"});
  EXPECT_EQ(bad_pg.exit_code, 1);
  EXPECT_NE(bad_pg.err.find("--pg: invalid address '5433': expected HOST:PORT"), std::string::npos)
      << bad_pg.err;
  RunResult bad_http = RunBraid({"serve", "--data", (root / "data").string(), "--http", "x:y"});
  EXPECT_EQ(bad_http.exit_code, 1);
  EXPECT_NE(bad_http.err.find("--http: invalid address 'x:y'"), std::string::npos) << bad_http.err;
  EXPECT_FALSE(fs::exists(root / "data"));
  fs::remove_all(root);
}

TEST(DemoCliTest, PgSectionOfBraidToml) {
  const fs::path root = FreshDirectory("pg-toml");
  const fs::path file = root / "braid.toml";
  std::ofstream(file) << "[pg]\naddress = \"0.0.0.0:6432\"\nuser = \"ann\"\npassword = \"pw\"\n";
  Result<cli::ServeConfig> config = cli::LoadConfigFile(file);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->pg_address, "0.0.0.0:6432");
  EXPECT_EQ(config->pg_user, "ann");
  EXPECT_EQ(config->pg_password, "pw");
  EXPECT_EQ(cli::ServeConfig().pg_password, "");
  std::ofstream(file) << "[pg]\nport = 5433\n";
  Result<cli::ServeConfig> bad = cli::LoadConfigFile(file);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2: 'port' is not a known key of [pg]"),
            std::string::npos)
      << bad.status().ToString();
  fs::remove_all(root);
}

}  // namespace
}  // namespace braid::testing
