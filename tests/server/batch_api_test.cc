// The batch layer over HTTP: POST /v1/views/{view}/refresh and /recompute queue jobs whose state
// GET /v1/jobs/{id} reports; SELECT ... FROM view with consistency exact answers from the served
// batch version (rows worked out by hand from the ingested events); a job that fails on a
// corrupted lake file reports its error and leaves the served version answering as before.
// GET /v1/status reports each view's served version, epoch and batch horizon (checked against the
// lake's own record of when each epoch's end offsets were read), and DROP VIEW then CREATE VIEW of
// the same name serves none of the dropped view's rows.
#include <chrono>
#include <set>
#include <thread>

#include "api_test_fixture.h"
#include "lake/capture.h"

namespace braid::server::testing {
namespace {

constexpr std::string_view kView =
    "CREATE VIEW per_minute AS SELECT device_id, COUNT(*) AS n, MAX(temperature) AS hottest "
    "FROM telemetry GROUP BY device_id, TumblingWindow(minute, 1)";
constexpr std::string_view kQuery =
    R"({"sql": "SELECT device_id, window_end, n, hottest, _source FROM per_minute )"
    R"(WHERE device_id = 'device-007' ORDER BY window_end DESC LIMIT 5", "consistency": "exact"})";

class BatchApiTest : public ApiTest {
 protected:
  void Ingest(int first, int count) {
    ClientResponse response =
        client().Post("/v1/streams/telemetry/events", TelemetryBody(first, count));
    ASSERT_EQ(response.status, 200) << response.body;
  }

  int64_t Submit(std::string_view kind) {
    ClientResponse response = client().Post(fmt::format("/v1/views/per_minute/{}", kind), "");
    EXPECT_EQ(response.status, 202) << response.body;
    return response.status == 202 ? IntOf(Json(response.body).At("job")) : 0;
  }

  // Polls the job until it finished (10 s deadline); returns its JSON text.
  std::string AwaitJob(int64_t id) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (true) {
      ClientResponse response = client().Get(fmt::format("/v1/jobs/{}", id));
      EXPECT_EQ(response.status, 200) << response.body;
      const std::string state = StringOf(Json(response.body).At("state"));
      if (state == "succeeded" || state == "failed") return response.body;
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "job " << id << " did not finish: " << response.body;
        return response.body;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::vector<std::string> QueryRows() {
    ClientResponse response = client().Post("/v1/sql", kQuery);
    EXPECT_EQ(response.status, 200) << response.body;
    std::vector<std::string> rows;
    simdjson::dom::array array;
    const Json json(response.body);  // owns the parsed document the array points into
    if (json.At("rows").get_array().get(array) != simdjson::SUCCESS) return rows;
    for (simdjson::dom::element row : array) rows.push_back(simdjson::minify(row));
    return rows;
  }

  // The sealedAt of capture epoch `epoch` as the lake table recorded it, RFC 3339.
  std::string SealedAt(int64_t epoch) {
    Result<lake::CapturedEpoch> sealed =
        lake::FindCapturedEpoch(lake::DeltaTable(dir_.path() / "lake" / "telemetry"), epoch);
    EXPECT_TRUE(sealed.ok()) << sealed.status().ToString();
    return sealed.ok() ? FormatRfc3339(sealed->sealed_at) : "";
  }

  // The version directories of per_minute on disk.
  std::set<int64_t> VersionsOnDisk() {
    std::set<int64_t> versions;
    for (const auto& entry :
         std::filesystem::directory_iterator(dir_.path() / "views" / "per_minute")) {
      const std::string name = entry.path().filename().string();
      if (!entry.is_directory() || !name.starts_with("v")) continue;
      versions.insert(std::stoll(name.substr(1)));
    }
    return versions;
  }

  std::vector<std::filesystem::path> LakeFiles() {
    std::vector<std::filesystem::path> files;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(dir_.path() / "lake" / "telemetry")) {
      if (entry.path().extension() == ".parquet") files.push_back(entry.path());
    }
    return files;
  }
};

// The keys of a JSON object, in order.
std::vector<std::string> KeysOf(simdjson::dom::element element) {
  std::vector<std::string> keys;
  simdjson::dom::object object;
  EXPECT_EQ(element.get_object().get(object), simdjson::SUCCESS) << simdjson::minify(element);
  for (auto field : object) keys.emplace_back(field.key);
  return keys;
}

// device-007 gets events i = 7, 57 (10:00:07, 10:00:57), 107 (10:01:47) and 157 (10:02:37) of
// the first 200, with temperature 20 + (i % 40) * 0.5.
const std::vector<std::string> kDevice7Rows = {
    R"(["device-007","2026-11-23T10:03:00.000000Z",1,38.5,"BATCH"])",
    R"(["device-007","2026-11-23T10:02:00.000000Z",1,33.5,"BATCH"])",
    R"(["device-007","2026-11-23T10:01:00.000000Z",2,28.5,"BATCH"])",
};

TEST_F(BatchApiTest, RefreshThenSelectFromViewExact) {
  ASSERT_EQ(client().Post("/v1/sql", kView).status, 200);
  EXPECT_EQ(QueryRows(), std::vector<std::string>{});  // no batch version yet
  Ingest(0, 200);
  const Json job(AwaitJob(Submit("refresh")));
  EXPECT_EQ(StringOf(job.At("state")), "succeeded") << simdjson::minify(job.root());
  EXPECT_EQ(StringOf(job.At("kind")), "refresh");
  EXPECT_EQ(IntOf(job.At("to_epoch")), 1);
  EXPECT_EQ(IntOf(job.At("rows_read")), 200);
  EXPECT_EQ(IntOf(job.At("version")), 1);
  EXPECT_EQ(QueryRows(), kDevice7Rows);

  const Json answer(client().Post("/v1/sql", kQuery).body);
  EXPECT_EQ(IntOf(answer.At("meta", "batch_epoch")), 1);
  EXPECT_EQ(StringOf(answer.At("meta", "consistency")), "exact");

  // A recompute builds version 2 with the same rows and serves it.
  const Json recompute(AwaitJob(Submit("recompute")));
  EXPECT_EQ(StringOf(recompute.At("state")), "succeeded");
  EXPECT_EQ(IntOf(recompute.At("version")), 2);
  EXPECT_EQ(QueryRows(), kDevice7Rows);
  Reopen();  // the served version survives a restart (DATA/views/per_minute/CURRENT)
  EXPECT_EQ(QueryRows(), kDevice7Rows);
  EXPECT_EQ(IntOf(Json(client().Post("/v1/sql", kQuery).body).At("meta", "batch_version")), 2);
  EXPECT_EQ(client().Get("/v1/jobs").status, 200);
  EXPECT_EQ(client().Get("/v1/jobs/999").status, 404);
  EXPECT_EQ(client().Post("/v1/views/nope/refresh", "").status, 404);
  // The default consistency (merged) answers the same rows once the speed layer holds nothing
  // newer than the batch version.
  ClientResponse merged = client().Post("/v1/sql", "SELECT * FROM per_minute");
  EXPECT_EQ(merged.status, 200) << merged.body;
  EXPECT_EQ(StringOf(Json(merged.body).At("meta", "consistency")), "merged");
}

TEST_F(BatchApiTest, FailedJobReportsErrorAndKeepsServedVersion) {
  ASSERT_EQ(client().Post("/v1/sql", kView).status, 200);
  Ingest(0, 200);
  ASSERT_EQ(StringOf(Json(AwaitJob(Submit("refresh"))).At("state")), "succeeded");
  const std::vector<std::filesystem::path> before = LakeFiles();
  Ingest(200, 100);
  ASSERT_EQ(client().Post("/v1/capture", "").status, 200);
  for (const std::filesystem::path& file : LakeFiles()) {
    if (std::find(before.begin(), before.end(), file) != before.end()) continue;
    std::filesystem::resize_file(file, std::filesystem::file_size(file) / 2);
  }
  const Json failed(AwaitJob(Submit("refresh")));
  EXPECT_EQ(StringOf(failed.At("state")), "failed");
  EXPECT_NE(StringOf(failed.At("error")), "");
  EXPECT_GT(IntOf(failed.At("retried_by")), 0);  // retried after a backoff
  EXPECT_EQ(QueryRows(), kDevice7Rows);          // version 1 still served, epoch 1
  const Json answer(client().Post("/v1/sql", kQuery).body);
  EXPECT_EQ(IntOf(answer.At("meta", "batch_epoch")), 1);
}

TEST_F(BatchApiTest, ReplacedDefinitionServesTheOldVersionUntilTheNewOneCommits) {
  ASSERT_EQ(client().Post("/v1/sql", kView).status, 200);
  Ingest(0, 200);
  ASSERT_EQ(StringOf(Json(AwaitJob(Submit("refresh"))).At("state")), "succeeded");
  // The new definition counts only hot readings, under another column name.
  ClientResponse replaced = client().Post(
      "/v1/sql",
      "CREATE OR REPLACE VIEW per_minute AS SELECT device_id, COUNT(*) AS hot FROM telemetry "
      "WHERE temperature > 30 GROUP BY device_id, TumblingWindow(minute, 1)");
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(QueryRows(), kDevice7Rows);  // version 1, computed with the old definition

  const Json job(AwaitJob(Submit("refresh")));  // a changed definition: a new version
  EXPECT_EQ(StringOf(job.At("state")), "succeeded") << simdjson::minify(job.root());
  EXPECT_EQ(IntOf(job.At("version")), 2);
  const Json answer(client()
                        .Post("/v1/sql", R"({"sql": "SELECT * FROM per_minute WHERE )"
                                         R"(device_id = 'device-007'", "consistency": "exact"})")
                        .body);
  std::vector<std::string> rows;
  simdjson::dom::array array;
  ASSERT_EQ(answer.At("rows").get_array().get(array), simdjson::SUCCESS);
  for (simdjson::dom::element row : array) rows.push_back(simdjson::minify(row));
  // Hot readings of device-007: 33.5 at 10:01:47 and 38.5 at 10:02:37.
  EXPECT_EQ(
      rows,
      (std::vector<std::string>{
          R"(["device-007","2026-11-23T10:01:00.000000Z","2026-11-23T10:02:00.000000Z",1,"BATCH"])",
          R"(["device-007","2026-11-23T10:02:00.000000Z","2026-11-23T10:03:00.000000Z",1,"BATCH"])",
      }));
}

TEST_F(BatchApiTest, StatusReportsEachViewsVersionEpochAndHorizon) {
  ASSERT_EQ(client().Post("/v1/sql", kView).status, 200);
  {
    const Json status(client().Get("/v1/status").body);
    const simdjson::dom::element view = status.At("views", "per_minute");
    EXPECT_EQ(KeysOf(view),
              (std::vector<std::string>{"version", "batch_epoch", "batch_horizon", "last_refresh",
                                        "building", "speed_watermark", "generations", "speed"}));
    EXPECT_TRUE(view["version"].is_null());
    EXPECT_EQ(IntOf(view["batch_epoch"]), 0);
    EXPECT_TRUE(view["batch_horizon"].is_null());
    EXPECT_TRUE(view["last_refresh"].is_null());
    EXPECT_TRUE(view["building"].is_null());
  }
  Ingest(0, 200);
  const Timestamp acknowledged = Now();  // every event so far was acknowledged before this
  const int64_t job = Submit("refresh");
  ASSERT_EQ(StringOf(Json(AwaitJob(job)).At("state")), "succeeded");
  const Timestamp refreshed = Now();
  std::string horizon;
  {
    const Json status(client().Get("/v1/status").body);
    const simdjson::dom::element view = status.At("views", "per_minute");
    EXPECT_EQ(IntOf(view["version"]), 1);
    EXPECT_EQ(IntOf(view["batch_epoch"]), 1);
    horizon = StringOf(view["batch_horizon"]);
    EXPECT_EQ(horizon, SealedAt(1));
    Result<Timestamp> instant = ParseRfc3339(horizon);
    ASSERT_TRUE(instant.ok()) << horizon;
    EXPECT_GT(*instant, acknowledged);
    EXPECT_LT(*instant, refreshed);
    EXPECT_EQ(KeysOf(view["last_refresh"]),
              (std::vector<std::string>{"job", "kind", "state", "finished"}));
    EXPECT_EQ(IntOf(view["last_refresh"]["job"]), job);
    EXPECT_EQ(StringOf(view["last_refresh"]["kind"]), "refresh");
    EXPECT_EQ(StringOf(view["last_refresh"]["state"]), "succeeded");
    EXPECT_TRUE(ParseRfc3339(StringOf(view["last_refresh"]["finished"])).ok());
    EXPECT_TRUE(view["building"].is_null());
  }
  const Json answer(client().Post("/v1/sql", kQuery).body);
  EXPECT_EQ(StringOf(answer.At("meta", "batch_horizon")), horizon);

  // Epoch 2 sealed but not absorbed: the horizon stays epoch 1's.
  Ingest(200, 50);
  ASSERT_EQ(client().Post("/v1/capture", "").status, 200);
  ASSERT_NE(SealedAt(2), horizon);
  {
    const Json status(client().Get("/v1/status").body);
    EXPECT_EQ(IntOf(status.At("views", "per_minute")["batch_epoch"]), 1);
    EXPECT_EQ(StringOf(status.At("views", "per_minute")["batch_horizon"]), horizon);
  }
  // A refresh folds epoch 2 into version 1: the status follows the table's new commit.
  ASSERT_EQ(StringOf(Json(AwaitJob(Submit("refresh"))).At("state")), "succeeded");
  {
    const Json status(client().Get("/v1/status").body);
    EXPECT_EQ(IntOf(status.At("views", "per_minute")["version"]), 1);
    EXPECT_EQ(IntOf(status.At("views", "per_minute")["batch_epoch"]), 2);
    EXPECT_EQ(StringOf(status.At("views", "per_minute")["batch_horizon"]), SealedAt(2));
  }
  EXPECT_EQ(StringOf(Json(client().Post("/v1/sql", kQuery).body).At("meta", "batch_horizon")),
            SealedAt(2));

  // Recomputes publish versions 2 and 3; only the served one and the previous one stay.
  ASSERT_EQ(StringOf(Json(AwaitJob(Submit("recompute"))).At("state")), "succeeded");
  EXPECT_EQ(VersionsOnDisk(), (std::set<int64_t>{1, 2}));
  const int64_t recompute = Submit("recompute");
  ASSERT_EQ(StringOf(Json(AwaitJob(recompute)).At("state")), "succeeded");
  EXPECT_EQ(VersionsOnDisk(), (std::set<int64_t>{2, 3}));
  Reopen();
  const Json status(client().Get("/v1/status").body);
  const simdjson::dom::element view = status.At("views", "per_minute");
  EXPECT_EQ(IntOf(view["version"]), 3);
  EXPECT_EQ(IntOf(view["batch_epoch"]), 2);
  EXPECT_EQ(StringOf(view["batch_horizon"]), SealedAt(2));
  EXPECT_TRUE(view["last_refresh"].is_null());  // jobs are kept in memory only
  // Event 207 (10:03:27, 23.5) of the second batch joins device-007's rows.
  std::vector<std::string> rows = {
      R"(["device-007","2026-11-23T10:04:00.000000Z",1,23.5,"BATCH"])"};
  rows.insert(rows.end(), kDevice7Rows.begin(), kDevice7Rows.end());
  EXPECT_EQ(QueryRows(), rows);
}

TEST_F(BatchApiTest, AViewCreatedAgainAfterDropServesNoneOfTheOldRows) {
  ASSERT_EQ(client().Post("/v1/sql", kView).status, 200);
  Ingest(0, 200);
  ASSERT_EQ(StringOf(Json(AwaitJob(Submit("refresh"))).At("state")), "succeeded");
  ASSERT_EQ(QueryRows(), kDevice7Rows);
  ASSERT_EQ(client().Post("/v1/sql", "DROP VIEW per_minute").status, 200);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "views" / "per_minute"));
  // The same definition again: no version until a job builds one, in this process or the next.
  ASSERT_EQ(client().Post("/v1/sql", kView).status, 200);
  EXPECT_EQ(QueryRows(), std::vector<std::string>{});
  const Json answer(client().Post("/v1/sql", kQuery).body);
  EXPECT_EQ(IntOf(answer.At("meta", "batch_epoch")), 0);
  EXPECT_TRUE(answer.At("meta", "batch_horizon").is_null());
  EXPECT_TRUE(Json(client().Get("/v1/status").body).At("views", "per_minute")["version"].is_null());
  Reopen();
  EXPECT_EQ(QueryRows(), std::vector<std::string>{});
  const Json job(AwaitJob(Submit("refresh")));
  EXPECT_EQ(StringOf(job.At("state")), "succeeded");
  EXPECT_EQ(IntOf(job.At("version")), 1);
  EXPECT_EQ(QueryRows(), kDevice7Rows);
}

}  // namespace
}  // namespace braid::server::testing
