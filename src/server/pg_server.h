// PgServer: Braid's PostgreSQL wire protocol (v3) server, so psql, libpq, JDBC and other
// PostgreSQL clients can query Braid. It accepts connections on one address and serves each on
// its own thread (blocking Boost.Asio sockets), at most max_connections at once; one more is
// answered with ErrorResponse 53300 and closed. Each connection keeps one serving::Session
// (consistency, limits, client settings) and runs its statements through
// serving::Database::Execute; catalog queries that psql and drivers send are answered by
// pg_compat.h. TLS is not offered (SSLRequest and GSSENCRequest are answered 'N'). With a
// password configured every client authenticates with SCRAM-SHA-256 (pg_auth.h); without one,
// every client is trusted. A CancelRequest carrying a connection's process id and secret key
// sets that connection's cancel flag, and so does a connection closing mid-statement.
//
// The protocol is written by hand (no library implements the server side of it); pg_messages.h
// frames messages, pg_connection.h runs one connection's state machine.
//
// Thread-safety: Start, port and Stop may be called from any thread; the destructor calls Stop().
// The Database must outlive the server.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "serving/database.h"
#include "serving/session.h"

namespace braid::server {

struct PgServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 5433;          // 0: any free port (tests)
  size_t max_connections = 100;  // more: ErrorResponse 53300 too_many_connections
  // Authentication: empty password = trust (the default; the server listens on loopback by
  // default). With a password every client must authenticate with SCRAM-SHA-256 (libpq's
  // default), user `user` (empty: any user name).
  std::string user;
  std::string password;
  serving::QueryLimits limits;  // each session's initial limits
};

class PgServer {
 public:
  // Binds, listens and starts the accept thread. Bind errors are kIoError / kInvalidArgument
  // naming the address.
  static Result<std::unique_ptr<PgServer>> Start(const PgServerOptions& options,
                                                 serving::Database& database);
  ~PgServer();  // Stop()
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // The bound port (the ephemeral one when options.port was 0).
  uint16_t port() const;
  // Stops accepting, cancels running statements, closes connections and joins every thread.
  // Idempotent.
  void Stop();

 private:
  struct Core;
  explicit PgServer(std::unique_ptr<Core> core);

  std::unique_ptr<Core> core_;
};

}  // namespace braid::server
