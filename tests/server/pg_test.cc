// The PostgreSQL wire protocol through libpq (server/pg_server.h) and a raw client: startup,
// simple and extended queries, text and binary formats, errors with SQLSTATE and position,
// cancel, SCRAM-SHA-256, SSLRequest, the connection limit, compatibility answers.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <sys/select.h>

#include <bit>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstring>

#include "pg_test_fixture.h"
#include "server/pg_messages.h"
#include "sql/parser.h"

namespace braid::server::testing {
namespace {

using Rows = std::vector<std::vector<std::string>>;

uint64_t BigEndian64(const char* bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

std::string ErrorField(const PGresult* result, int field) {
  const char* value = PQresultErrorField(result, field);
  return value == nullptr ? "(none)" : value;
}

// "SQLSTATE position" of a failed result.
std::string ErrorOf(const PGresult* result) {
  return ErrorField(result, PG_DIAG_SQLSTATE) + " " +
         ErrorField(result, PG_DIAG_STATEMENT_POSITION);
}

TEST_F(PgTest, StartupReportsParametersAndKeepsApplicationName) {
  PgConn conn = MustConnect("sslmode=disable application_name=pgtest");
  EXPECT_STREQ(PQparameterStatus(conn.get(), "server_version"), "15.0");
  EXPECT_STREQ(PQparameterStatus(conn.get(), "server_encoding"), "UTF8");
  EXPECT_STREQ(PQparameterStatus(conn.get(), "client_encoding"), "UTF8");
  EXPECT_STREQ(PQparameterStatus(conn.get(), "DateStyle"), "ISO, MDY");
  EXPECT_STREQ(PQparameterStatus(conn.get(), "TimeZone"), "UTC");
  EXPECT_STREQ(PQparameterStatus(conn.get(), "integer_datetimes"), "on");
  EXPECT_STREQ(PQparameterStatus(conn.get(), "standard_conforming_strings"), "on");
  EXPECT_STREQ(PQparameterStatus(conn.get(), "application_name"), "pgtest");
  EXPECT_EQ(PQserverVersion(conn.get()), 150000);
  EXPECT_NE(PQbackendPID(conn.get()), 0);
  PgResult shown = Exec(conn.get(), "SHOW application_name");
  EXPECT_EQ(RowsOf(shown.get()), (Rows{{"pgtest"}}));
}

TEST_F(PgTest, SslRequestIsAnsweredNo) {
  PgConn prefer = MustConnect("sslmode=prefer");
  EXPECT_EQ(PQsslInUse(prefer.get()), 0);
  PgResult ok = Exec(prefer.get(), "SHOW STREAMS");
  PgConn require = Connect("sslmode=require");
  EXPECT_EQ(PQstatus(require.get()), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(require.get())).find("server does not support SSL"),
            std::string::npos)
      << PQerrorMessage(require.get());
}

TEST_F(PgTest, SimpleQueriesCreateShowAndDescribe) {
  PgConn conn = MustConnect();
  PgResult created = Exec(conn.get(), kPgTelemetryDdl, PGRES_COMMAND_OK);
  EXPECT_STREQ(PQcmdStatus(created.get()), "CREATE STREAM");
  PgResult streams = Exec(conn.get(), "SHOW STREAMS");
  ASSERT_EQ(PQntuples(streams.get()), 1);
  EXPECT_EQ(std::string(PQgetvalue(streams.get(), 0, 0)), "telemetry");
  PgResult described = Exec(conn.get(), "DESCRIBE telemetry");
  EXPECT_EQ(ColumnNamesOf(described.get()),
            (std::vector<std::string>{"column", "type", "nullable", "role"}));
  EXPECT_EQ(RowsOf(described.get()), (Rows{{"device_id", "STRING", "f", "partition_key"},
                                           {"event_ts", "TIMESTAMP", "f", "timestamp"},
                                           {"temperature", "DOUBLE", "t", "NULL"},
                                           {"energy_consumed", "DOUBLE", "t", "NULL"},
                                           {"user_id", "STRING", "t", "NULL"}}));
}

TEST_F(PgTest, SelectOverAViewWithExactConsistency) {
  CreateAndRefreshView();
  PgConn conn = MustConnect();
  Exec(conn.get(), "SET consistency = 'exact'", PGRES_COMMAND_OK);
  PgResult rows = Exec(conn.get(),
                       "SELECT device_id, window_end, event_count, avg_temperature, "
                       "max_temperature, _source FROM device_metrics "
                       "ORDER BY window_end, device_id");
  EXPECT_EQ(RowsOf(rows.get()),
            (Rows{{"device-a", "2026-11-23 10:01:00+00", "2", "21", "21.5", "BATCH"},
                  {"device-b", "2026-11-23 10:01:00+00", "1", "30", "30", "BATCH"},
                  {"device-a", "2026-11-23 10:02:00+00", "1", "25", "25", "BATCH"}}));
  EXPECT_EQ(PQftype(rows.get(), 0), 25u);
  EXPECT_EQ(PQftype(rows.get(), 1), 1184u);
  EXPECT_EQ(PQftype(rows.get(), 2), 20u);
  EXPECT_EQ(PQftype(rows.get(), 3), 701u);
  EXPECT_STREQ(PQcmdStatus(rows.get()), "SELECT 3");
}

TEST_F(PgTest, ExecParamsWithTextAndBinaryParametersAndBinaryResults) {
  CreateAndRefreshView();
  PgConn conn = MustConnect();
  Exec(conn.get(), "SET consistency = 'exact'", PGRES_COMMAND_OK);
  const char* sql =
      "SELECT device_id, window_end, event_count, avg_temperature FROM device_metrics "
      "WHERE device_id = $1 AND event_count >= $2 ORDER BY window_end";
  // Untyped text parameters: a string and a number.
  const char* text_values[] = {"device-a", "1"};
  PgResult text(PQexecParams(conn.get(), sql, 2, nullptr, text_values, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(text.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(text.get());
  // Braid adds `_source` to every answer over a view.
  EXPECT_EQ(RowsOf(text.get()), (Rows{{"device-a", "2026-11-23 10:01:00+00", "2", "21", "BATCH"},
                                      {"device-a", "2026-11-23 10:02:00+00", "1", "25", "BATCH"}}));
  // Typed binary parameters (text, int8) and binary results.
  const Oid types[] = {25, 20};
  const uint64_t two = htobe64(2);
  const char* binary_values[] = {"device-a", reinterpret_cast<const char*>(&two)};
  const int lengths[] = {8, 8};
  const int formats[] = {1, 1};
  PgResult binary(PQexecParams(conn.get(), sql, 2, types, binary_values, lengths, formats, 1));
  ASSERT_EQ(PQresultStatus(binary.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(binary.get());
  ASSERT_EQ(PQntuples(binary.get()), 1);
  EXPECT_EQ(PQfformat(binary.get(), 2), 1);
  EXPECT_EQ(std::string(PQgetvalue(binary.get(), 0, 0), PQgetlength(binary.get(), 0, 0)),
            "device-a");
  ASSERT_EQ(PQgetlength(binary.get(), 0, 1), 8);
  // 2026-11-23 10:01:00 UTC in microseconds since 2000-01-01.
  EXPECT_EQ(static_cast<int64_t>(BigEndian64(PQgetvalue(binary.get(), 0, 1))),
            (ParseRfc3339("2026-11-23T10:01:00Z")->micros - 946684800LL * 1000000));
  ASSERT_EQ(PQgetlength(binary.get(), 0, 2), 8);
  EXPECT_EQ(BigEndian64(PQgetvalue(binary.get(), 0, 2)), 2u);
  ASSERT_EQ(PQgetlength(binary.get(), 0, 3), 8);
  EXPECT_EQ(std::bit_cast<double>(BigEndian64(PQgetvalue(binary.get(), 0, 3))), 21.0);
  // A timestamptz parameter in text.
  const Oid ts_type[] = {1184};
  const char* ts_value[] = {"2026-11-23 10:02:00+00"};
  PgResult by_time(PQexecParams(conn.get(),
                                "SELECT device_id, event_count FROM device_metrics "
                                "WHERE window_end = $1",
                                1, ts_type, ts_value, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(by_time.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(by_time.get());
  EXPECT_EQ(RowsOf(by_time.get()), (Rows{{"device-a", "1", "BATCH"}}));
}

TEST_F(PgTest, PreparedStatementsAreDescribedAndReused) {
  CreateAndRefreshView();
  PgConn conn = MustConnect();
  Exec(conn.get(), "SET consistency = 'exact'", PGRES_COMMAND_OK);
  PgResult prepared(PQprepare(conn.get(), "by_device",
                              "SELECT SUM(event_count) AS events FROM device_metrics "
                              "WHERE device_id = $1",
                              0, nullptr));
  ASSERT_EQ(PQresultStatus(prepared.get()), PGRES_COMMAND_OK)
      << PQresultErrorMessage(prepared.get());
  PgResult described(PQdescribePrepared(conn.get(), "by_device"));
  ASSERT_EQ(PQresultStatus(described.get()), PGRES_COMMAND_OK);
  EXPECT_EQ(PQnparams(described.get()), 1);
  EXPECT_EQ(PQparamtype(described.get(), 0), 25u);
  EXPECT_EQ(ColumnNamesOf(described.get()), (std::vector<std::string>{"events"}));
  for (const auto& [device, events] :
       {std::pair{"device-a", "3"}, std::pair{"device-b", "1"}, std::pair{"device-a", "3"}}) {
    const char* values[] = {device};
    PgResult result(PQexecPrepared(conn.get(), "by_device", 1, values, nullptr, nullptr, 0));
    ASSERT_EQ(PQresultStatus(result.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(result.get());
    EXPECT_EQ(RowsOf(result.get()), (Rows{{events}})) << device;
  }
  // A second Parse of the same name fails; the statement stays usable.
  PgResult again(PQprepare(conn.get(), "by_device", "SHOW STREAMS", 0, nullptr));
  EXPECT_EQ(ErrorOf(again.get()), "42P05 (none)");
}

// Describe of a prepared scan answers its columns without reading the view (no scan twice):
// the view's batch rows are loaded by the Execute only.
TEST_F(PgTest, PreparedScanIsDescribedWithoutReadingTheView) {
  CreateAndRefreshView();
  PgConn conn = MustConnect();
  Result<sql::ParsedStatement> point =
      sql::ParseStatement("SELECT * FROM device_metrics WHERE device_id = 'device-a'");
  ASSERT_TRUE(point.ok());
  PgResult prepared(PQprepare(conn.get(), "scan",
                              "SELECT * FROM device_metrics ORDER BY window_end", 0, nullptr));
  ASSERT_EQ(PQresultStatus(prepared.get()), PGRES_COMMAND_OK)
      << PQresultErrorMessage(prepared.get());
  PgResult described(PQdescribePrepared(conn.get(), "scan"));
  ASSERT_EQ(PQresultStatus(described.get()), PGRES_COMMAND_OK);
  EXPECT_FALSE(db_->IsInMemoryRead(*point));
  PgResult result(PQexecPrepared(conn.get(), "scan", 0, nullptr, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(result.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(result.get());
  EXPECT_EQ(PQntuples(result.get()), 3);
  EXPECT_EQ(ColumnNamesOf(described.get()), ColumnNamesOf(result.get()));
  for (int c = 0; c < PQnfields(result.get()); ++c) {
    EXPECT_EQ(PQftype(described.get(), c), PQftype(result.get(), c)) << c;
  }
  EXPECT_TRUE(db_->IsInMemoryRead(*point));
}

TEST_F(PgTest, MultiStatementSimpleQueryAnswersEachAndStopsAtAnError) {
  CreateAndRefreshView();
  PgConn conn = MustConnect();
  ASSERT_EQ(PQsendQuery(conn.get(),
                        "SET consistency = 'exact'; SELECT device_id FROM device_metrics "
                        "ORDER BY device_id LIMIT 1; SHOW consistency; SELEC 1; SHOW STREAMS"),
            1);
  std::vector<std::string> answers;
  while (PGresult* raw = PQgetResult(conn.get())) {
    PgResult result(raw);
    std::string answer = PQresStatus(PQresultStatus(raw));
    if (PQresultStatus(raw) == PGRES_TUPLES_OK) answer += " " + RowsOf(raw)[0][0];
    if (PQresultStatus(raw) == PGRES_FATAL_ERROR) answer += " " + ErrorOf(raw);
    answers.push_back(answer);
  }
  // "SELEC" starts at character 111 of the query string.
  EXPECT_EQ(answers,
            (std::vector<std::string>{"PGRES_COMMAND_OK", "PGRES_TUPLES_OK device-a",
                                      "PGRES_TUPLES_OK exact", "PGRES_FATAL_ERROR 42601 111"}));
  PgResult empty = Exec(conn.get(), " -- nothing\n", PGRES_EMPTY_QUERY);
}

TEST_F(PgTest, ErrorsCarrySqlStateAndCharacterPosition) {
  CreateAndRefreshView();
  PgConn conn = MustConnect();
  PgResult unknown = Exec(conn.get(), "SELECT * FROM nowhere", PGRES_FATAL_ERROR);
  EXPECT_EQ(ErrorOf(unknown.get()), "42P01 15");
  // Positions count characters, not bytes: 'é' is one character.
  PgResult syntax = Exec(conn.get(), "SELECT 'é' FROM device_metrics WHERE", PGRES_FATAL_ERROR);
  EXPECT_EQ(ErrorOf(syntax.get()), "42601 37");
  // With parameters, positions refer to the text the client sent, not the substituted one.
  const char* values[] = {"a much longer value than $1"};
  PgResult column(PQexecParams(conn.get(),
                               "SELECT device_id FROM device_metrics WHERE device_id = $1 "
                               "AND nosuch = 1",
                               1, nullptr, values, nullptr, nullptr, 0));
  EXPECT_EQ(ErrorOf(column.get()), "42703 63");
  // The connection still works after each error.
  PgResult streams = Exec(conn.get(), "SHOW STREAMS");
  EXPECT_EQ(PQntuples(streams.get()), 1);
}

TEST_F(PgTest, CancelRequestStopsASleepingQuery) {
  PgConn conn = MustConnect();
  PgResult pid = Exec(conn.get(), "SELECT pg_backend_pid()");
  EXPECT_EQ(RowsOf(pid.get()), (Rows{{std::to_string(PQbackendPID(conn.get()))}}));
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(PQsendQuery(conn.get(), "SELECT pg_sleep(10)"), 1);
  PGcancel* cancel = PQgetCancel(conn.get());
  // Cancel until the answer arrives: a cancel sent before the statement started is a no-op.
  const auto deadline = started + std::chrono::seconds(8);
  while (PQisBusy(conn.get()) && std::chrono::steady_clock::now() < deadline) {
    char error[256];
    ASSERT_EQ(PQcancel(cancel, error, sizeof(error)), 1) << error;
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(PQsocket(conn.get()), &readable);
    timeval wait{.tv_sec = 0, .tv_usec = 100000};
    select(PQsocket(conn.get()) + 1, &readable, nullptr, nullptr, &wait);
    ASSERT_EQ(PQconsumeInput(conn.get()), 1);
  }
  PQfreeCancel(cancel);
  PgResult result(PQgetResult(conn.get()));
  EXPECT_EQ(ErrorOf(result.get()), "57014 (none)");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(8));
  while (PGresult* rest = PQgetResult(conn.get())) PQclear(rest);
  PgResult after = Exec(conn.get(), "SELECT pg_sleep(0)");
  EXPECT_EQ(RowsOf(after.get()), (Rows{{""}}));
}

TEST_F(PgTest, ScramSha256Authentication) {
  PgServerOptions options;
  options.user = "tester";
  options.password = "s3cret pass";
  StartServer(options);
  PgConn right = MustConnect("sslmode=prefer password='s3cret pass'");
  PgResult ok = Exec(right.get(), "SHOW STREAMS");
  PgConn wrong = Connect("sslmode=disable password=guess");
  EXPECT_EQ(PQstatus(wrong.get()), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(wrong.get()))
                .find("password authentication failed for user \"tester\""),
            std::string::npos)
      << PQerrorMessage(wrong.get());
  PgConn other_user(PQconnectdb(
      fmt::format("host=127.0.0.1 port={} user=someone password='s3cret pass' sslmode=disable",
                  server_->port())
          .c_str()));
  EXPECT_EQ(PQstatus(other_user.get()), CONNECTION_BAD);
}

TEST_F(PgTest, ConnectionsBeyondTheLimitAreRefused) {
  PgServerOptions options;
  options.max_connections = 1;
  StartServer(options);
  PgConn first = MustConnect();
  PgConn second = Connect();
  EXPECT_EQ(PQstatus(second.get()), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(second.get())).find("sorry, too many clients already"),
            std::string::npos)
      << PQerrorMessage(second.get());
}

// A raw protocol client, for what libpq does not expose: Execute with a row limit, GSSENCRequest,
// protocol versions.
class RawClient {
 public:
  explicit RawClient(uint16_t port) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }
  void SendStartup(int32_t code, std::string_view parameters) {
    std::string body;
    AppendInt32(code, body);
    body.append(parameters);
    std::string packet;
    AppendInt32(static_cast<int32_t>(body.size() + 4), packet);
    boost::asio::write(socket_, boost::asio::buffer(packet + body));
  }
  void Send(char type, std::string_view body) {
    std::string message(1, type);
    AppendInt32(static_cast<int32_t>(body.size() + 4), message);
    message.append(body);
    boost::asio::write(socket_, boost::asio::buffer(message));
  }
  char ReadByte() {
    char byte = 0;
    boost::asio::read(socket_, boost::asio::buffer(&byte, 1));
    return byte;
  }
  // The next message: its type and body.
  std::pair<char, std::string> Read() {
    char header[5];
    boost::asio::read(socket_, boost::asio::buffer(header, 5));
    std::string body(ReadBigEndian(std::string_view(header + 1, 4)) - 4, '\0');
    boost::asio::read(socket_, boost::asio::buffer(body.data(), body.size()));
    return {header[0], body};
  }
  // The types of messages up to and including ReadyForQuery (or an error when `until_error`).
  std::string TypesUntil(char last) {
    std::string types;
    for (;;) {
      const char type = Read().first;
      types.push_back(type);
      if (type == last) return types;
    }
  }
  static void AppendInt32(int32_t value, std::string& out) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
};

constexpr int32_t kProtocol30 = 3 << 16;
constexpr char kStartupBytes[] = "user\0tester\0database\0braid\0";  // and the array's NUL
const std::string kStartupParameters(kStartupBytes, sizeof(kStartupBytes));

TEST_F(PgTest, ExecuteWithARowLimitSuspendsAndResumes) {
  CreateAndRefreshView();
  RawClient client(server_->port());
  client.SendStartup(kProtocol30, kStartupParameters + "");
  EXPECT_EQ(client.TypesUntil('Z'), "RSSSSSSSSSSSKZ");
  client.Send('Q', std::string("SET consistency = 'exact'\0", 26));
  EXPECT_EQ(client.TypesUntil('Z'), "CZ");
  const std::string sql = "SELECT device_id FROM device_metrics ORDER BY window_end, device_id";
  client.Send('P', std::string("\0", 1) + sql + std::string("\0\0\0", 3));
  client.Send('B', std::string("\0\0\0\0\0\0\0\0", 8));
  client.Send('D', std::string("P\0", 2));
  std::string execute_two("\0\0\0\0\2", 5);
  client.Send('E', execute_two);
  client.Send('E', execute_two);
  client.Send('E', execute_two);
  client.Send('S', "");
  std::string rows;
  std::string types;
  for (;;) {
    auto [type, body] = client.Read();
    types.push_back(type);
    if (type == 'D') rows += body.substr(6, ReadBigEndian(body.substr(2, 4))) + ",";
    if (type == 'C') rows += body.substr(0, body.size() - 1) + ";";
    if (type == 'Z') break;
  }
  // ParseComplete, BindComplete, RowDescription, two rows, PortalSuspended, the last row and
  // CommandComplete, then an exhausted portal completes with no rows.
  EXPECT_EQ(types, "12TDDsDCCZ");
  EXPECT_EQ(rows, "device-a,device-b,device-a,SELECT 1;SELECT 0;");
}

TEST_F(PgTest, GssEncryptionIsRefusedAndOldProtocolsAreRejected) {
  RawClient gss(server_->port());
  gss.SendStartup(80877104, "");
  EXPECT_EQ(gss.ReadByte(), 'N');
  gss.SendStartup(kProtocol30, kStartupParameters);
  EXPECT_EQ(gss.TypesUntil('Z'), "RSSSSSSSSSSSKZ");

  RawClient old(server_->port());
  old.SendStartup(2 << 16, kStartupParameters);
  auto [type, body] = old.Read();
  EXPECT_EQ(type, 'E');
  EXPECT_NE(body.find(std::string("C0A000\0", 7)), std::string::npos) << body;
  EXPECT_NE(body.find("unsupported frontend protocol 2.0"), std::string::npos) << body;
}

TEST_F(PgTest, AClosedConnectionCancelsItsStatement) {
  PgServerOptions options;
  options.max_connections = 1;
  options.limits.statement_timeout = Duration::Seconds(300);
  StartServer(options);
  {
    RawClient client(server_->port());
    client.SendStartup(kProtocol30, kStartupParameters);
    EXPECT_EQ(client.TypesUntil('Z'), "RSSSSSSSSSSSKZ");
    client.Send('Q', std::string("SELECT pg_sleep(60)\0", 20));
  }  // the client hangs up: before or while the statement runs, it stops
  // Its connection counts against max_connections until the statement stops.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  PgConn conn = Connect();
  while (PQstatus(conn.get()) != CONNECTION_OK && std::chrono::steady_clock::now() < deadline) {
    conn = Connect();
  }
  EXPECT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
}

TEST_F(PgTest, AnswersFunctionsAndInformationSchema) {
  CreateAndRefreshView();
  PgConn conn = MustConnect();
  PgResult functions = Exec(conn.get(),
                            "SELECT version(), current_database(), current_schema(), "
                            "current_user AS who");
  EXPECT_EQ(ColumnNamesOf(functions.get()),
            (std::vector<std::string>{"version", "current_database", "current_schema", "who"}));
  EXPECT_EQ(
      RowsOf(functions.get()),
      (Rows{{"PostgreSQL 15.0 (Braid) on x86_64-pc-linux-gnu", "braid", "public", "tester"}}));
  PgResult tables = Exec(conn.get(),
                         "SELECT table_schema, table_name, table_type FROM "
                         "information_schema.tables WHERE table_schema = 'public' ORDER BY 2");
  EXPECT_EQ(RowsOf(tables.get()),
            (Rows{{"public", "device_metrics", "VIEW"}, {"public", "telemetry", "BASE TABLE"}}));
  PgResult columns = Exec(conn.get(),
                          "SELECT column_name, data_type, is_nullable, ordinal_position\n"
                          "FROM information_schema.columns WHERE table_name = 'telemetry'\n"
                          "ORDER BY ordinal_position");
  EXPECT_EQ(RowsOf(columns.get()), (Rows{{"device_id", "text", "NO", "1"},
                                         {"event_ts", "timestamp with time zone", "NO", "2"},
                                         {"temperature", "double precision", "YES", "3"},
                                         {"energy_consumed", "double precision", "YES", "4"},
                                         {"user_id", "text", "YES", "5"}}));
  PgResult unsupported = Exec(conn.get(),
                              "SELECT table_name FROM information_schema.tables "
                              "WHERE table_name LIKE 'tele%'",
                              PGRES_FATAL_ERROR);
  EXPECT_EQ(ErrorOf(unsupported.get()), "0A000 (none)");
}

}  // namespace
}  // namespace braid::server::testing
