// The PostgreSQL wire tests' fixture: a Database on a fresh temporary directory where nothing runs
// on its own (capture and refresh happen when a test asks), served by an in-process PgServer on
// an ephemeral port, and libpq connections to it. Known telemetry events are appended straight to
// the log, so a test knows every row a view must answer (the independent oracle). Test-only.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scoped_temp_dir.h"
#include "server/pg_server.h"
#include "serving/database.h"

namespace braid::server::testing {

inline constexpr std::string_view kPgTelemetryDdl = R"(CREATE STREAM telemetry (
  device_id STRING NOT NULL, event_ts TIMESTAMP NOT NULL, temperature DOUBLE,
  energy_consumed DOUBLE, user_id STRING
) WITH (partitions = 2, partition_key = 'device_id', timestamp = 'event_ts'))";

inline constexpr std::string_view kPgViewDdl = R"(CREATE VIEW device_metrics AS
SELECT device_id, System.Timestamp() AS window_end, COUNT(*) AS event_count,
       AVG(temperature) AS avg_temperature, MAX(temperature) AS max_temperature
FROM telemetry TIMESTAMP BY event_ts
GROUP BY device_id, TumblingWindow(minute, 1))";

struct PgConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgConn = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// Every value of a result as text, row by row; NULL as "NULL".
std::vector<std::vector<std::string>> RowsOf(const PGresult* result);
// The column names of a result.
std::vector<std::string> ColumnNamesOf(const PGresult* result);

class PgTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // (Re)starts the server with `options` on an ephemeral port.
  void StartServer(PgServerOptions options);
  // A connection as user "tester" to database "braid"; `extra` adds libpq conninfo settings.
  PgConn Connect(std::string_view extra = "sslmode=disable");
  // Connects, failing the test when the connection does not succeed.
  PgConn MustConnect(std::string_view extra = "sslmode=disable");
  // Runs `sql`, failing the test unless it ends with `expected`.
  PgResult Exec(PGconn* conn, std::string_view sql, ExecStatusType expected = PGRES_TUPLES_OK);

  // Creates telemetry and device_metrics, appends four events (device-a: 20.5 and 21.5 at
  // 10:00:10 and 10:00:20, device-b: 30 at 10:00:30, device-a: 25 at 10:01:05, all 2026-11-23)
  // and refreshes device_metrics, so its exact rows are known.
  void CreateAndRefreshView();

  braid::testing::ScopedTempDir dir_{"pg"};
  std::unique_ptr<serving::Database> db_;
  std::unique_ptr<PgServer> server_;
};

}  // namespace braid::server::testing
