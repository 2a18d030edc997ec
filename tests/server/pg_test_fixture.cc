#include "pg_test_fixture.h"

#include <fmt/format.h>

#include "log/stream_log.h"

namespace braid::server::testing {

std::vector<std::vector<std::string>> RowsOf(const PGresult* result) {
  std::vector<std::vector<std::string>> rows;
  for (int r = 0; r < PQntuples(result); ++r) {
    std::vector<std::string>& row = rows.emplace_back();
    for (int c = 0; c < PQnfields(result); ++c) {
      row.push_back(PQgetisnull(result, r, c) ? "NULL" : std::string(PQgetvalue(result, r, c)));
    }
  }
  return rows;
}

std::vector<std::string> ColumnNamesOf(const PGresult* result) {
  std::vector<std::string> names;
  for (int c = 0; c < PQnfields(result); ++c) names.emplace_back(PQfname(result, c));
  return names;
}

void PgTest::SetUp() {
  serving::DatabaseOptions options;
  options.data_dir = dir_.path();
  options.log.fsync = log::FsyncPolicy::kNever;
  options.capture_interval = Duration::Days(1);
  options.batch.refresh_interval = Duration{0};
  options.batch.retry_backoff = Duration::Days(1);
  Result<std::unique_ptr<serving::Database>> db = serving::Database::Open(options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  db_ = std::move(db).value();
  StartServer(PgServerOptions{});
}

void PgTest::TearDown() {
  server_.reset();
  if (db_) db_->Close();
  db_.reset();
}

void PgTest::StartServer(PgServerOptions options) {
  server_.reset();
  options.port = 0;
  Result<std::unique_ptr<PgServer>> server = PgServer::Start(options, *db_);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  server_ = std::move(server).value();
}

PgConn PgTest::Connect(std::string_view extra) {
  const std::string conninfo =
      fmt::format("host=127.0.0.1 port={} dbname=braid user=tester connect_timeout=10 {}",
                  server_->port(), extra);
  return PgConn(PQconnectdb(conninfo.c_str()));
}

PgConn PgTest::MustConnect(std::string_view extra) {
  PgConn conn = Connect(extra);
  EXPECT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  return conn;
}

PgResult PgTest::Exec(PGconn* conn, std::string_view sql, ExecStatusType expected) {
  PgResult result(PQexec(conn, std::string(sql).c_str()));
  EXPECT_EQ(PQresultStatus(result.get()), expected)
      << sql << ": " << PQresultErrorMessage(result.get());
  return result;
}

void PgTest::CreateAndRefreshView() {
  ASSERT_TRUE(db_->Execute(kPgTelemetryDdl).ok());
  ASSERT_TRUE(db_->Execute(kPgViewDdl).ok());
  Result<serving::StreamHandle> stream = db_->FindStream("telemetry");
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  Chunk events(stream->definition->schema);
  struct Event {
    std::string_view device;
    std::string_view at;
    double temperature;
  };
  const Event kEvents[] = {{"device-a", "2026-11-23T10:00:10Z", 20.5},
                           {"device-a", "2026-11-23T10:00:20Z", 21.5},
                           {"device-b", "2026-11-23T10:00:30Z", 30},
                           {"device-a", "2026-11-23T10:01:05Z", 25}};
  for (const Event& event : kEvents) {
    events.mutable_column(0).AppendString(event.device);
    events.mutable_column(1).AppendInt64(ParseRfc3339(event.at)->micros);
    events.mutable_column(2).AppendDouble(event.temperature);
    events.mutable_column(3).AppendNull();
    events.mutable_column(4).AppendString("user-1");
  }
  Result<log::AppendResult> appended = stream->log->Append(events, log::AppendOptions{});
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  Result<int64_t> job = db_->batch_jobs().Submit(serving::JobKind::kRefresh, "device_metrics");
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  Result<serving::JobInfo> done = db_->batch_jobs().Wait(*job, Duration::Seconds(60));
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  ASSERT_EQ(done->state, serving::JobState::kSucceeded) << done->error;
}

}  // namespace braid::server::testing
