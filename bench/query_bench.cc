// The serving benchmarks (issue 7): point queries and full-view scans of examples/iot.sql's
// device_metrics through a Database (in process), HTTP (POST /v1/sql) and the PostgreSQL wire
// protocol (libpq), beside redis-server's GET latency measured by redis-benchmark in the same run.
//
// Setup: a Database in a temporary directory with examples/iot.sql applied; --events generated
// telemetry events (cli/iot_generator.h, 1,000 devices) spread over the --hours before now,
// appended in 10,000-event batches; once all but --unabsorbed of them are in, a refresh of
// device_metrics seals an epoch and folds it into a batch version, and the rest stays with the
// speed layer, so a merged read merges batch cells with speed cells (the refresh's boundary lies
// half way through a minute window, so each device's window it cuts holds cells of both layers).
// Capture and refreshes run only when asked. The HTTP server (2 io threads, the API's 2 blocking
// threads) and the PostgreSQL server listen on loopback ports in this process; the clients share
// the machine with them.
//
// Point query: `SELECT * FROM device_metrics WHERE device_id = '<random device>' AND window_end >
// '<an hour before the newest event>'`, back to back for --seconds per configuration, from 1 and
// from 8 client threads, each with its own connection (a kept-alive HTTP/1.1 connection written
// with Beast's blocking calls, or a libpq connection running PQexec), in consistency merged and
// exact; over HTTP also 8 connections from one client thread (an asio event loop), the way
// redis-benchmark drives its connections; then in process with consistency speed, and `SELECT 1`
// in process and over HTTP (1 and 8 clients: the floor of a request on this machine), to show
// where the time goes.
// Latency is request sent -> whole answer received. "CPU µs" is the CPU time of the whole process
// (clients, servers, the kernel's work for them) over the run per request: what a request costs
// on a shared machine, where latency mostly measures the load. The server ends a connection
// after a streamed (long) answer, so the HTTP client reconnects then. Full-view scan: `SELECT *
// FROM device_metrics` (consistency merged), the whole answer read (JSON over HTTP, rows over PG,
// the Chunks in process), median of --scans runs, in rows/s. The goal's line (HTTP, merged, 8
// clients) is followed by that configuration's tail: p90, p95, p99 and p99.9. Reference:
// `redis-server` on a free port (no persistence) and `redis-benchmark -t set,get -n 200000 -c 1|8
// --csv`; its GET line.
//
//   query_bench [--seconds=S] [--events=N] [--unabsorbed=N] [--hours=H] [--scans=R]
//               [--skip-pg] [--skip-redis] [--only=LINE]
// --only runs just the point-query lines whose name starts with LINE (e.g. "HTTP, merged" or
// "HTTP, SELECT 1"): no scans or redis, for profiling one path.
#include <fmt/format.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "cli/iot_generator.h"
#include "common/malloc_tuning.h"
#include "redis_reference.h"
#include "server/api.h"
#include "server/http_server.h"
#include "server/pg_server.h"
#include "serving/database.h"

namespace braid::bench {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace http = boost::beast::http;

constexpr size_t kAppendEvents = 10'000;
constexpr size_t kReadBufferBytes = 64 << 10;  // the HTTP client's receive buffer

struct Options {
  double seconds = 3;
  size_t events = 2'000'000;
  size_t unabsorbed = 200'000;
  double hours = 3;
  int scans = 3;
  bool pg = true;
  bool redis = true;
  std::string only;  // when set: only the point-query lines whose name starts with it
};

[[noreturn]] void Die(const std::string& what, const Status& status) {
  bench::Die("query_bench", what, status);
}

// ---- Setup ----------------------------------------------------------------------------------

Result<std::unique_ptr<serving::Database>> OpenDatabase(const fs::path& data,
                                                        const fs::path& source) {
  serving::DatabaseOptions options;
  options.data_dir = data;
  options.capture_interval = Duration::Hours(24);  // captures only when a refresh seals one
  options.batch.refresh_interval = Duration{};     // refreshes only when asked
  ASSIGN_OR_RETURN(std::unique_ptr<serving::Database> db, serving::Database::Open(options));
  RETURN_IF_ERROR(db->ApplyDefinitionsFile(source / "examples/iot.sql"));
  return db;
}

Status Refresh(serving::Database& db, std::string_view view) {
  ASSIGN_OR_RETURN(int64_t job, db.batch_jobs().Submit(serving::JobKind::kRefresh, view));
  ASSIGN_OR_RETURN(serving::JobInfo done, db.batch_jobs().Wait(job, Duration::Minutes(10)));
  if (done.state != serving::JobState::kSucceeded) {
    return Status(StatusCode::kInternal, "refresh of " + std::string(view) + ": " + done.error);
  }
  return Status::Ok();
}

// Appends the events, refreshes device_metrics before the last `unabsorbed` of them, and waits
// until the speed layer has read everything. Returns the newest event time.
Result<Timestamp> Ingest(serving::Database& db, const Options& options) {
  ASSIGN_OR_RETURN(serving::StreamHandle stream, db.FindStream("telemetry"));
  cli::IotGeneratorOptions generator_options;
  generator_options.devices = 1000;
  generator_options.rate = static_cast<double>(options.events) / (options.hours * 3600);
  // The refresh happens between two appends.
  const size_t absorbed = (options.events - options.unabsorbed) / kAppendEvents * kAppendEvents;
  // Every run's events lie the same way on the view's minute windows (the same cells), with the
  // refresh's boundary (the first event left to the speed layer) half way through a window, as
  // in a running system, where a refresh seals the log at any moment: every device's window cut
  // by the boundary is one cell of both layers (MERGED rows), the others BATCH or SPEED.
  const int64_t minute = Duration::Minutes(1).micros;
  const auto boundary = static_cast<int64_t>(static_cast<double>(absorbed) /
                                             generator_options.rate * 1e6);  // after the start
  int64_t start = Now().micros - static_cast<int64_t>(options.hours * 3600e6);
  start -= start % minute;
  start += minute / 2 - boundary % minute - minute;  // (none after now)
  generator_options.start = Timestamp{start};
  cli::IotGenerator generator(generator_options);
  Timestamp newest{};
  for (size_t sent = 0; sent < options.events; sent += kAppendEvents) {
    if (sent == absorbed) RETURN_IF_ERROR(Refresh(db, "device_metrics"));
    Chunk events(cli::IotGenerator::TelemetrySchema());
    for (size_t i = 0; i < kAppendEvents && sent + i < options.events; ++i) {
      const cli::IotEvent event = generator.Next();
      newest = std::max(newest, event.event_ts);
      cli::IotGenerator::AppendToChunk(event, &events);
    }
    RETURN_IF_ERROR(stream.log->Append(events, log::AppendOptions{}).status());
  }
  if (absorbed >= options.events) RETURN_IF_ERROR(Refresh(db, "device_metrics"));
  if (!db.speed().WaitUntilCaughtUp("telemetry", Duration::Minutes(5))) {
    return Status(StatusCode::kInternal, "the speed layer did not catch up");
  }
  return newest;
}

// ---- Clients --------------------------------------------------------------------------------

// One connection running statements one at a time; Run returns the answer's row count.
class Client {
 public:
  virtual ~Client() = default;
  virtual Result<size_t> Run(const std::string& sql) = 0;
};
using ClientFactory = std::function<Result<std::unique_ptr<Client>>()>;

class InProcessClient : public Client {
 public:
  InProcessClient(serving::Database& db, serving::Consistency consistency) : db_(db) {
    session_.consistency = consistency;
  }
  Result<size_t> Run(const std::string& sql) override {
    ASSIGN_OR_RETURN(serving::QueryResult result, db_.Execute(sql, session_));
    return result.num_rows();
  }

 private:
  serving::Database& db_;
  serving::Session session_;
};

// A kept-alive HTTP/1.1 connection posting {"sql": ..., "consistency": ...} to /v1/sql. The row
// count is the number of device_id values ("device-...) in the answer: every row has one.
class HttpClient : public Client {
 public:
  static Result<std::unique_ptr<Client>> Connect(uint16_t port, serving::Consistency consistency) {
    auto client = std::unique_ptr<HttpClient>(new HttpClient(port, consistency));
    RETURN_IF_ERROR(client->Reconnect());
    return std::unique_ptr<Client>(std::move(client));
  }

  Result<size_t> Run(const std::string& sql) override {
    const http::request<http::string_body> request = SqlRequest(sql, consistency_);
    boost::system::error_code ec;
    http::write(socket_, request, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (!ec) http::read(socket_, buffer_, parser, ec);
    if (ec) return ReadError(ec, parser);
    // A streamed answer (over ApiOptions::streamed_answer_bytes) ends its connection.
    if (!parser.get().keep_alive()) RETURN_IF_ERROR(Reconnect());
    return RowsOfAnswer(parser.get());
  }

  // POST /v1/sql of `sql` with `consistency`.
  static http::request<http::string_body> SqlRequest(const std::string& sql,
                                                     serving::Consistency consistency) {
    http::request<http::string_body> request{http::verb::post, "/v1/sql", 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, "application/json");
    // The benchmark's statements hold no '"' or '\\', so they go into the JSON string as they are.
    request.body() = fmt::format(R"({{"sql": "{}", "consistency": "{}"}})", sql,
                                 serving::ConsistencyName(consistency));
    request.prepare_payload();
    return request;
  }

  static Status ReadError(const boost::system::error_code& ec,
                          const http::response_parser<http::string_body>& parser) {
    return Status(StatusCode::kIoError,
                  fmt::format("http: {} after {} bytes of the answer's body ({}...)", ec.message(),
                              parser.get().body().size(), parser.get().body().substr(0, 120)));
  }

  // The answer's row count, from its command tag ("command":"SELECT n").
  static Result<size_t> RowsOfAnswer(const http::response<http::string_body>& answer) {
    const std::string& body = answer.body();
    if (answer.result_int() != 200) {
      return Status(StatusCode::kInternal,
                    "http " + std::to_string(answer.result_int()) + ": " + body.substr(0, 200));
    }
    constexpr std::string_view kTag = "\"command\":\"SELECT ";
    const size_t tag = body.rfind(kTag);
    if (tag == std::string::npos) {
      return Status(StatusCode::kInternal, "http: no SELECT command tag in " + body.substr(0, 200));
    }
    return static_cast<size_t>(std::strtoull(body.c_str() + tag + kTag.size(), nullptr, 10));
  }

 private:
  HttpClient(uint16_t port, serving::Consistency consistency)
      : port_(port), consistency_(consistency), socket_(io_) {}

  Status Reconnect() {
    boost::system::error_code ec;
    if (socket_.is_open()) socket_.close(ec);
    buffer_.clear();
    // Beast reads at most the buffer's free capacity (at least 512 bytes), and the parser moves
    // the body out of the buffer, so it never grows: without this, an answer arrives in 512-byte
    // reads (30 system calls for a 15 KB answer).
    buffer_.reserve(kReadBufferBytes);
    socket_.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
    if (!ec) socket_.set_option(net::ip::tcp::no_delay(true), ec);
    if (ec) return Status(StatusCode::kIoError, "http connect: " + ec.message());
    return Status::Ok();
  }

  uint16_t port_;
  serving::Consistency consistency_;
  net::io_context io_;
  net::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// A libpq connection; the consistency is set once with SET, statements run with PQexec.
class PgClient : public Client {
 public:
  static Result<std::unique_ptr<Client>> Connect(uint16_t port, serving::Consistency consistency) {
    auto client = std::unique_ptr<PgClient>(new PgClient());
    const std::string conninfo =
        fmt::format("host=127.0.0.1 port={} dbname=braid user=bench", port);
    client->connection_.reset(PQconnectdb(conninfo.c_str()));
    if (PQstatus(client->connection_.get()) != CONNECTION_OK) {
      return Status(StatusCode::kIoError,
                    std::string("pg connect: ") + PQerrorMessage(client->connection_.get()));
    }
    const std::string set =
        fmt::format("SET consistency = '{}'", serving::ConsistencyName(consistency));
    RETURN_IF_ERROR(client->Exec(set, PGRES_COMMAND_OK).status());
    return std::unique_ptr<Client>(std::move(client));
  }

  Result<size_t> Run(const std::string& sql) override { return Exec(sql, PGRES_TUPLES_OK); }

 private:
  struct Finish {
    void operator()(PGconn* connection) const { PQfinish(connection); }
  };
  struct Clear {
    void operator()(PGresult* result) const { PQclear(result); }
  };

  Result<size_t> Exec(const std::string& sql, ExecStatusType expected) {
    std::unique_ptr<PGresult, Clear> result(PQexec(connection_.get(), sql.c_str()));
    if (PQresultStatus(result.get()) != expected) {
      return Status(StatusCode::kInternal,
                    std::string("pg: ") + PQresultErrorMessage(result.get()));
    }
    return static_cast<size_t>(PQntuples(result.get()));
  }

  std::unique_ptr<PGconn, Finish> connection_;
};

// ---- Measurements ---------------------------------------------------------------------------

struct LatencyFigures {
  std::string what;
  int clients = 0;
  uint64_t requests = 0;
  double per_second = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  double p90_ms = 0, p95_ms = 0, p999_ms = 0;  // the tail, printed with the goal
  double rows_per_answer = 0;
  double cpu_us = 0;  // CPU time of the whole process (clients, server, kernel) per request
};

// CPU time used by every thread of this process so far (user and system), in seconds.
double ProcessCpuSeconds() {
  timespec now{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// The q-quantile (nearest rank) of sorted values.
double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

struct ClientRun {
  std::vector<double> latencies_ms;
  uint64_t rows = 0;
  Status error;
};

// A statement for a random number (a device's point query).
using Statement = std::function<std::string(uint64_t random)>;

Statement PointQuery(const std::string& since) {
  return [since](uint64_t random) {
    return fmt::format(
        "SELECT * FROM device_metrics WHERE device_id = 'device-{:05d}' AND window_end > '{}'",
        random % 1000, since);
  };
}

// One client: statements for random numbers until `stop`.
void RunStatements(Client& client, const Statement& statement, uint64_t seed,
                   const std::atomic<bool>& stop, ClientRun& run) {
  pthread_setname_np(pthread_self(), "bench-client");  // tells the client's time apart in perf
  uint64_t state = seed;
  while (!stop.load(std::memory_order_relaxed)) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;  // an LCG step
    const std::string sql = statement(state >> 33);
    const Clock::time_point sent = Clock::now();
    Result<size_t> rows = client.Run(sql);
    if (!rows.ok()) {
      run.error = rows.status();
      return;
    }
    run.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
    run.rows += *rows;
  }
}

// The latency figures of `runs` (requests back to back for `elapsed` seconds, using `cpu` seconds
// of the process's CPU).
LatencyFigures FiguresOf(const std::string& what, int clients, const std::vector<ClientRun>& runs,
                         double elapsed, double cpu) {
  std::vector<double> all;
  uint64_t rows = 0;
  for (const ClientRun& run : runs) {
    if (!run.error.ok()) Die(what, run.error);
    all.insert(all.end(), run.latencies_ms.begin(), run.latencies_ms.end());
    rows += run.rows;
  }
  std::sort(all.begin(), all.end());
  const double n = static_cast<double>(std::max<size_t>(all.size(), 1));
  return LatencyFigures{.what = what,
                        .clients = clients,
                        .requests = all.size(),
                        .per_second = static_cast<double>(all.size()) / elapsed,
                        .p50_ms = Quantile(all, 0.5),
                        .p99_ms = Quantile(all, 0.99),
                        .max_ms = all.empty() ? 0 : all.back(),
                        .p90_ms = Quantile(all, 0.9),
                        .p95_ms = Quantile(all, 0.95),
                        .p999_ms = Quantile(all, 0.999),
                        .rows_per_answer = static_cast<double>(rows) / n,
                        .cpu_us = cpu * 1e6 / n};
}

LatencyFigures MeasurePointQueries(const std::string& what, const ClientFactory& connect,
                                   int clients, double seconds, const Statement& statement) {
  std::vector<std::unique_ptr<Client>> connections;
  for (int c = 0; c < clients; ++c) {
    Result<std::unique_ptr<Client>> client = connect();
    if (!client.ok()) Die(what + ": connect", client.status());
    connections.push_back(std::move(*client));
  }
  std::atomic<bool> stop{false};
  std::vector<ClientRun> runs(static_cast<size_t>(clients));
  std::vector<std::thread> threads;
  const Clock::time_point start = Clock::now();
  const double cpu_start = ProcessCpuSeconds();
  for (size_t c = 0; c < connections.size(); ++c) {
    threads.emplace_back(RunStatements, std::ref(*connections[c]), std::cref(statement), c + 1,
                         std::cref(stop), std::ref(runs[c]));
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& thread : threads) thread.join();
  return FiguresOf(what, clients, runs, SecondsSince(start), ProcessCpuSeconds() - cpu_start);
}

// One kept-alive HTTP connection of MeasureOnOneThread: a request in flight at a time.
struct LoopConnection {
  explicit LoopConnection(net::io_context& io) : socket(io) {}
  net::ip::tcp::socket socket;
  boost::beast::flat_buffer buffer;
  http::request<http::string_body> request;
  std::optional<http::response_parser<http::string_body>> parser;
  Clock::time_point sent;
  uint64_t state = 0;
  ClientRun run;
};

// Point queries over `connections` kept-alive HTTP connections driven by one client thread (an
// asio event loop sending each connection's next request as its answer arrives), the way
// redis-benchmark drives its connections: on a 2-core machine, 8 client threads compete with
// the server's threads for the cores, which one thread does not (redis-benchmark's own GET p99
// with --threads 8 is about three times its p99 with one thread here).
LatencyFigures MeasureOnOneThread(const std::string& what, uint16_t port,
                                  serving::Consistency consistency, int connections, double seconds,
                                  const Statement& statement) {
  net::io_context io(1);
  std::vector<std::unique_ptr<LoopConnection>> open;
  for (int c = 0; c < connections; ++c) {
    auto connection = std::make_unique<LoopConnection>(io);
    boost::system::error_code ec;
    connection->socket.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                               ec);
    if (!ec) connection->socket.set_option(net::ip::tcp::no_delay(true), ec);
    if (ec) Die(what + ": connect", Status(StatusCode::kIoError, ec.message()));
    connection->buffer.reserve(kReadBufferBytes);
    connection->state = static_cast<uint64_t>(c) + 1;
    open.push_back(std::move(connection));
  }
  bool stopping = false;
  std::function<void(LoopConnection&)> send = [&](LoopConnection& c) {
    if (stopping) return;
    c.state = c.state * 6364136223846793005ULL + 1442695040888963407ULL;  // an LCG step
    c.request = HttpClient::SqlRequest(statement(c.state >> 33), consistency);
    c.parser.emplace();
    c.parser->body_limit(std::numeric_limits<std::uint64_t>::max());
    c.sent = Clock::now();
    http::async_write(c.socket, c.request, [&](boost::system::error_code ec, size_t) {
      if (ec) {
        c.run.error = Status(StatusCode::kIoError, "http write: " + ec.message());
        return;
      }
      http::async_read(
          c.socket, c.buffer, *c.parser, [&](boost::system::error_code read_ec, size_t) {
            if (read_ec) {
              c.run.error = HttpClient::ReadError(read_ec, *c.parser);
              return;
            }
            c.run.latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - c.sent).count());
            Result<size_t> rows = HttpClient::RowsOfAnswer(c.parser->get());
            if (!rows.ok()) {
              c.run.error = rows.status();
              return;
            }
            c.run.rows += *rows;
            if (!c.parser->get().keep_alive()) {
              c.run.error = Status(StatusCode::kInternal, "a point query's answer was streamed");
              return;
            }
            send(c);
          });
    });
  };
  net::steady_timer stop(io, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::duration<double>(seconds)));
  stop.async_wait([&stopping](boost::system::error_code) { stopping = true; });
  const Clock::time_point start = Clock::now();
  const double cpu_start = ProcessCpuSeconds();
  std::thread client([&] {
    pthread_setname_np(pthread_self(), "bench-client");
    for (const std::unique_ptr<LoopConnection>& connection : open) send(*connection);
    io.run();  // returns once every connection's last answer is in (or it failed)
  });
  client.join();
  std::vector<ClientRun> runs;
  for (std::unique_ptr<LoopConnection>& connection : open)
    runs.push_back(std::move(connection->run));
  return FiguresOf(what, connections, runs, SecondsSince(start), ProcessCpuSeconds() - cpu_start);
}

struct ScanFigures {
  std::string what;
  size_t rows = 0;
  double seconds = 0;  // median
};

ScanFigures MeasureScan(const std::string& what, const ClientFactory& connect, int reps) {
  Result<std::unique_ptr<Client>> client = connect();
  if (!client.ok()) Die(what + ": connect", client.status());
  std::vector<double> seconds;
  size_t rows = 0;
  for (int r = 0; r < reps; ++r) {
    const Clock::time_point start = Clock::now();
    Result<size_t> answer = (*client)->Run("SELECT * FROM device_metrics");
    seconds.push_back(SecondsSince(start));
    if (!answer.ok()) Die(what, answer.status());
    rows = *answer;
  }
  return ScanFigures{what, rows, Median(seconds)};
}

// ---- The run --------------------------------------------------------------------------------

struct Servers {
  std::unique_ptr<server::HttpServer> http;
  std::unique_ptr<server::PgServer> pg;
};

Servers StartServers(serving::Database& db, const Options& options) {
  Servers servers;
  server::HttpServerOptions http;
  http.port = 0;
  Result<std::unique_ptr<server::HttpServer>> started =
      server::HttpServer::Start(http, server::MakeApiRouter(db));
  if (!started.ok()) Die("http server", started.status());
  servers.http = std::move(*started);
  if (options.pg) {
    server::PgServerOptions pg;
    pg.port = 0;
    Result<std::unique_ptr<server::PgServer>> pg_started = server::PgServer::Start(pg, db);
    if (!pg_started.ok()) Die("pg server", pg_started.status());
    servers.pg = std::move(*pg_started);
  }
  return servers;
}

// Every protocol's client factory for a consistency, named.
std::vector<std::pair<std::string, ClientFactory>> Protocols(serving::Database& db,
                                                             const Servers& servers,
                                                             serving::Consistency consistency) {
  const uint16_t http_port = servers.http->port();
  std::vector<std::pair<std::string, ClientFactory>> protocols = {
      {"in process",
       [&db, consistency]() -> Result<std::unique_ptr<Client>> {
         return std::unique_ptr<Client>(std::make_unique<InProcessClient>(db, consistency));
       }},
      {"HTTP", [http_port, consistency] { return HttpClient::Connect(http_port, consistency); }}};
  if (servers.pg) {
    const uint16_t pg_port = servers.pg->port();
    protocols.emplace_back(
        "PG", [pg_port, consistency] { return PgClient::Connect(pg_port, consistency); });
  }
  return protocols;
}

void PrintLatency(const LatencyFigures& f, const std::vector<LatencyFigures>& redis) {
  std::string ratio = "-";
  for (const LatencyFigures& r : redis) {
    if (r.clients == f.clients && r.p50_ms > 0 && r.p99_ms > 0) {
      ratio = fmt::format("{:.0f}x / {:.0f}x", f.p50_ms / r.p50_ms, f.p99_ms / r.p99_ms);
    }
  }
  const std::string cpu = f.cpu_us > 0 ? fmt::format("{:.0f}", f.cpu_us) : "-";
  fmt::print(
      "| {:<36} | {:>7} | {:>8} | {:>9.0f} | {:>7.3f} | {:>7.3f} | {:>7.2f} | {:>5.1f} | {:>7} | "
      "{:>15} |\n",
      f.what, f.clients, f.requests, f.per_second, f.p50_ms, f.p99_ms, f.max_ms, f.rows_per_answer,
      cpu, ratio);
}

void PrintSummary(const std::vector<LatencyFigures>& points,
                  const std::vector<LatencyFigures>& redis, const std::vector<ScanFigures>& scans) {
  fmt::print(
      "\n| {:<36} | {:>7} | {:>8} | {:>9} | {:>7} | {:>7} | {:>7} | {:>5} | {:>7} | {:>15} |\n",
      "point query", "clients", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "rows",
      "CPU µs", "p50/p99 vs redis");
  fmt::print("|{:-<38}|{:-<9}|{:-<10}|{:-<11}|{:-<9}|{:-<9}|{:-<9}|{:-<7}|{:-<9}|{:-<17}|\n", "",
             "", "", "", "", "", "", "", "", "");
  for (const LatencyFigures& f : points) PrintLatency(f, redis);
  for (const LatencyFigures& f : redis) PrintLatency(f, {});
  fmt::print("\n| {:<36} | {:>8} | {:>9} | {:>12} |\n", "full scan of device_metrics", "rows",
             "median s", "rows/s");
  fmt::print("|{:-<38}|{:-<10}|{:-<11}|{:-<14}|\n", "", "", "", "");
  for (const ScanFigures& s : scans) {
    fmt::print("| {:<36} | {:>8} | {:>9.3f} | {:>12.0f} |\n", s.what, s.rows, s.seconds,
               static_cast<double>(s.rows) / s.seconds);
  }
  for (const LatencyFigures& f : points) {
    if (f.what == "HTTP, merged" && f.clients == 8) {
      fmt::print("\ngoal: p99 <= 1 ms over HTTP with 8 clients (merged): {:.3f} ms, {}\n", f.p99_ms,
                 f.p99_ms <= 1.0 ? "met" : "NOT met");
      fmt::print("its tail: p90 {:.3f}, p95 {:.3f}, p99 {:.3f}, p99.9 {:.3f} ms\n", f.p90_ms,
                 f.p95_ms, f.p99_ms, f.p999_ms);
    }
    if (f.what == "HTTP, merged, one client thread") {
      fmt::print(
          "8 connections from one client thread, as redis-benchmark drives its own: p50 "
          "{:.3f}, p90 {:.3f}, p99 {:.3f}, p99.9 {:.3f} ms\n",
          f.p50_ms, f.p90_ms, f.p99_ms, f.p999_ms);
    }
  }
}

std::vector<LatencyFigures> MeasureRedis() {
  Result<std::vector<RedisGetFigures>> redis = RedisGetLatency({1, 8}, 200'000);
  if (!redis.ok()) {
    if (redis.status().code() != StatusCode::kUnavailable) Die("redis", redis.status());
    fmt::print("redis-server not run ({}); apt-get install redis-server\n",
               redis.status().ToString());
    return {};
  }
  std::vector<LatencyFigures> figures;
  for (const RedisGetFigures& get : *redis) {
    figures.push_back(LatencyFigures{.what = "redis-server GET (redis-benchmark)",
                                     .clients = get.clients,
                                     .requests = get.requests,
                                     .per_second = get.per_second,
                                     .p50_ms = get.p50_ms,
                                     .p99_ms = get.p99_ms,
                                     .max_ms = get.max_ms,
                                     .rows_per_answer = 1});
  }
  return figures;
}

// Which layers one device's point query reads: its rows per `_source` (merged).
void PrintRowSources(serving::Database& db, const std::string& since) {
  serving::Session session;
  const std::string sql = fmt::format(
      "SELECT _source, COUNT(*) FROM device_metrics WHERE device_id = 'device-00000' AND "
      "window_end > '{}' GROUP BY _source ORDER BY _source",
      since);
  Result<serving::QueryResult> result = db.Execute(sql, session);
  if (!result.ok()) Die("row sources", result.status());
  std::string sources;
  for (const Chunk& rows : result->chunks) {
    for (size_t r = 0; r < rows.num_rows(); ++r) {
      sources += fmt::format("{}{} {}", sources.empty() ? "" : ", ", rows.column(1).int64s()[r],
                             rows.column(0).StringAt(r));
    }
  }
  fmt::print("a point query's rows: {}\n", sources);
}

// Where a point query's time goes: the statement path alone (SELECT 1, in process and over
// HTTP: the floor of a request on this machine) and the speed layer's part (consistency speed).
// Only the lines whose name starts with `only` (all when empty).
std::vector<LatencyFigures> MeasurePhases(serving::Database& db, const Servers& servers,
                                          const Options& options, const std::string& since) {
  const ClientFactory speed = [&db]() -> Result<std::unique_ptr<Client>> {
    return std::unique_ptr<Client>(
        std::make_unique<InProcessClient>(db, serving::Consistency::kSpeed));
  };
  const uint16_t http_port = servers.http->port();
  const ClientFactory http = [http_port] {
    return HttpClient::Connect(http_port, serving::Consistency::kMerged);
  };
  const Statement select_one = [](uint64_t) { return std::string("SELECT 1"); };
  struct Phase {
    std::string what;
    const ClientFactory& connect;
    int clients;
    Statement statement;
  };
  const std::vector<Phase> phases = {{"in process, speed", speed, 1, PointQuery(since)},
                                     {"in process, SELECT 1", speed, 1, select_one},
                                     {"HTTP, SELECT 1", http, 1, select_one},
                                     {"HTTP, SELECT 1", http, 8, select_one}};
  std::vector<LatencyFigures> figures;
  for (const Phase& phase : phases) {
    if (phase.what.rfind(options.only, 0) != 0) continue;
    figures.push_back(MeasurePointQueries(phase.what, phase.connect, phase.clients, options.seconds,
                                          phase.statement));
    PrintLatency(figures.back(), {});
  }
  return figures;
}

void Run(const Options& options, const fs::path& data, const fs::path& source) {
  Result<std::unique_ptr<serving::Database>> db = OpenDatabase(data, source);
  if (!db.ok()) Die("open", db.status());
  const Clock::time_point setup = Clock::now();
  Result<Timestamp> newest = Ingest(**db, options);
  if (!newest.ok()) Die("setup", newest.status());
  const std::string since = FormatRfc3339(*newest - Duration::Hours(1));
  fmt::print("setup: {} events ({} unabsorbed) over {} h, {:.1f} s; point queries since {}\n",
             options.events, options.unabsorbed, options.hours, SecondsSince(setup), since);
  PrintRowSources(**db, since);
  Servers servers = StartServers(**db, options);
  std::vector<LatencyFigures> points;
  std::vector<ScanFigures> scans;
  for (const auto& [name, connect] : Protocols(**db, servers, serving::Consistency::kMerged)) {
    if (!options.only.empty()) break;
    scans.push_back(MeasureScan(name + ", merged", connect, options.scans));  // warms caches too
  }
  for (serving::Consistency consistency :
       {serving::Consistency::kMerged, serving::Consistency::kExact}) {
    for (const auto& [name, connect] : Protocols(**db, servers, consistency)) {
      const std::string what = fmt::format("{}, {}", name, ConsistencyName(consistency));
      if (what.rfind(options.only, 0) != 0) continue;
      for (int clients : {1, 8}) {
        points.push_back(
            MeasurePointQueries(what, connect, clients, options.seconds, PointQuery(since)));
        PrintLatency(points.back(), {});
      }
      if (name == "HTTP") {
        points.push_back(MeasureOnOneThread(what + ", one client thread", servers.http->port(),
                                            consistency, 8, options.seconds, PointQuery(since)));
        PrintLatency(points.back(), {});
      }
    }
  }
  for (LatencyFigures& f : MeasurePhases(**db, servers, options, since)) points.push_back(f);
  std::vector<LatencyFigures> redis;
  if (options.redis && options.only.empty()) redis = MeasureRedis();
  PrintSummary(points, redis, scans);
  if (servers.pg) servers.pg->Stop();
  servers.http->Stop();
  (*db)->Close();
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string_view flag) { return arg.substr(flag.size()); };
    if (arg.rfind("--seconds=", 0) == 0) {
      options.seconds = std::stod(value("--seconds="));
    } else if (arg.rfind("--events=", 0) == 0) {
      options.events = std::stoull(value("--events="));
    } else if (arg.rfind("--unabsorbed=", 0) == 0) {
      options.unabsorbed = std::stoull(value("--unabsorbed="));
    } else if (arg.rfind("--hours=", 0) == 0) {
      options.hours = std::stod(value("--hours="));
    } else if (arg.rfind("--scans=", 0) == 0) {
      options.scans = std::max(1, std::stoi(value("--scans=")));
    } else if (arg == "--skip-pg") {
      options.pg = false;
    } else if (arg == "--skip-redis") {
      options.redis = false;
    } else if (arg.rfind("--only=", 0) == 0) {
      options.only = value("--only=");
    } else {
      std::fprintf(stderr,
                   "usage: query_bench [--seconds=S] [--events=N] [--unabsorbed=N] [--hours=H] "
                   "[--scans=R] [--skip-pg] [--skip-redis] [--only=LINE]\n");
      std::exit(2);
    }
  }
  options.unabsorbed = std::min(options.events, options.unabsorbed);
  return options;
}

}  // namespace
}  // namespace braid::bench

int main(int argc, char** argv) {
  braid::ReexecWithTunedMalloc(argv);  // as braid runs (common/malloc_tuning.h)
  namespace fs = std::filesystem;
  const braid::bench::Options options = braid::bench::ParseOptions(argc, argv);
  const char* env_source = std::getenv("BRAID_SOURCE_DIR");
  const fs::path source = env_source ? env_source : BRAID_SOURCE_DIR;
  std::string data = (fs::temp_directory_path() / "braid-query-bench-XXXXXX").string();
  if (::mkdtemp(data.data()) == nullptr) return 2;
  braid::bench::Run(options, data, source);
  std::error_code ec;
  fs::remove_all(data, ec);
  return 0;
}
