#include "iot_query_util.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <utility>

#include "log/stream_log.h"
#include "sql/view_oracle_util.h"

namespace braid::serving::testing {
namespace {

constexpr size_t kAppendRows = 5000;  // events per append (about 4 minutes of event time)
constexpr std::string_view kStream = "telemetry";
constexpr std::string_view kView = "device_metrics";

// Options under which nothing runs on its own (as speed_test_fixture.h's QuietOptions).
DatabaseOptions QuietIotOptions(const std::filesystem::path& dir) {
  DatabaseOptions options;
  options.data_dir = dir;
  options.log.fsync = log::FsyncPolicy::kNever;
  options.capture_interval = Duration::Days(1);
  options.batch.refresh_interval = Duration{0};
  options.batch.retry_backoff = Duration::Days(1);
  return options;
}

}  // namespace

cli::IotGeneratorOptions IotWorkload(double late_fraction, uint64_t seed, double rate) {
  return cli::IotGeneratorOptions{
      .devices = 200, .users = 2000, .rate = rate, .late_fraction = late_fraction, .seed = seed};
}

Chunk ColumnsOf(const QueryResult& result, const std::vector<std::string>& names) {
  if (result.schema == nullptr) {
    ADD_FAILURE() << "the answer has no rows schema";
    return Chunk();
  }
  std::vector<size_t> picked;
  std::vector<Field> fields;
  for (const std::string& name : names) {
    const std::optional<size_t> index = result.schema->FindField(name);
    if (!index) {
      ADD_FAILURE() << "the answer has no column " << name;
      return Chunk();
    }
    picked.push_back(*index);
    fields.push_back(result.schema->field(*index));
  }
  Chunk rows(std::make_shared<const Schema>(std::move(fields)));
  for (const Chunk& chunk : result.chunks) {
    for (size_t c = 0; c < picked.size(); ++c) {
      rows.mutable_column(c).AppendColumn(chunk.column(picked[c]));
    }
  }
  return rows;
}

bool NearlyEqual(double a, double b) {
  return a == b || std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

void IotDatabaseTest::OpenIot(std::string_view out_of_order,
                              const cli::IotGeneratorOptions& workload) {
  std::string definitions = sql::testing::ReadExample("iot.sql");
  const std::string original = "out_of_order = '10s'";
  const size_t at = definitions.find(original);
  ASSERT_NE(at, std::string::npos) << "examples/iot.sql no longer says " << original;
  definitions.replace(at, original.size(), fmt::format("out_of_order = '{}'", out_of_order));
  const std::filesystem::path file = scratch_.File("iot.sql");
  std::ofstream(file) << definitions;
  db_.reset();
  Result<std::unique_ptr<Database>> db = Database::Open(QuietIotOptions(dir_.path()));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  db_ = std::move(db).value();
  const Status applied = db_->ApplyDefinitionsFile(file);
  ASSERT_TRUE(applied.ok()) << applied.ToString();
  generator_ = std::make_unique<cli::IotGenerator>(workload);
}

void IotDatabaseTest::Ingest(size_t events) {
  Result<StreamHandle> stream = db_->FindStream(kStream);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  for (size_t done = 0; done < events;) {
    const size_t rows = std::min(kAppendRows, events - done);
    Chunk chunk(cli::IotGenerator::TelemetrySchema());
    for (size_t i = 0; i < rows; ++i) {
      cli::IotGenerator::AppendToChunk(generator_->Next(), &chunk);
    }
    Result<log::AppendResult> appended = stream->log->Append(chunk, log::AppendOptions{});
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
    ASSERT_EQ(appended->accepted, rows);
    events_.push_back(std::move(chunk));
    ingested_ += rows;
    done += rows;
  }
}

void IotDatabaseTest::CatchUp() { ASSERT_TRUE(db_->speed().WaitUntilCaughtUp(kStream, kWait)); }

int64_t IotDatabaseTest::Capture() {
  Result<lake::CaptureResult> captured = db_->capture().CaptureStream(kStream);
  EXPECT_TRUE(captured.ok()) << captured.status().ToString();
  return captured.ok() ? captured->epoch : -1;
}

int64_t IotDatabaseTest::Refresh() {
  Result<int64_t> id = db_->batch_jobs().Submit(JobKind::kRefresh, kView);
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  if (!id.ok()) return -1;
  Result<JobInfo> job = db_->batch_jobs().Wait(*id, kWait);
  EXPECT_TRUE(job.ok()) << job.status().ToString();
  if (!job.ok()) return -1;
  EXPECT_EQ(job->state, JobState::kSucceeded) << job->error;
  return job->to_epoch;
}

Result<QueryResult> IotDatabaseTest::Try(std::string_view sql, Consistency consistency) {
  return db_->Execute(sql, consistency);
}

QueryResult IotDatabaseTest::Run(std::string_view sql, Consistency consistency) {
  Result<QueryResult> result = Try(sql, consistency);
  EXPECT_TRUE(result.ok()) << sql << " (" << ConsistencyName(consistency)
                           << "): " << result.status().ToString();
  return result.ok() ? *std::move(result) : QueryResult{};
}

std::vector<braid::testing::OracleRow> IotDatabaseTest::Oracle(const std::string& query,
                                                               std::optional<uint64_t> events) {
  std::vector<Chunk> prefix;
  uint64_t rows = 0;
  for (const Chunk& chunk : events_) {
    if (events && rows + chunk.num_rows() > *events) break;
    prefix.push_back(chunk);
    rows += chunk.num_rows();
  }
  EXPECT_EQ(rows, events.value_or(ingested_)) << "not a prefix of whole appends";
  const std::filesystem::path csv = scratch_.File("events.csv");
  sql::testing::WriteCsv(prefix, cli::IotGenerator::TelemetrySchema()->size(), csv);
  const std::string load = sql::testing::ReadCsvViewSql(
      "events", csv,
      "'device_id': 'VARCHAR', 'event_us': 'BIGINT', 'temperature': 'DOUBLE', "
      "'energy_consumed': 'DOUBLE', 'user_id': 'VARCHAR', 'event_type': 'VARCHAR', "
      "'session_duration': 'DOUBLE', 'revenue': 'DOUBLE'");
  return braid::testing::DuckDbRows({load, query});
}

}  // namespace braid::serving::testing
