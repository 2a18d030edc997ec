// PgConnection: one PostgreSQL client connection, run on its own thread by PgServer. It reads the
// startup packet (answering SSLRequest and GSSENCRequest with 'N' and forwarding a CancelRequest
// to the server), authenticates (trust, or SCRAM-SHA-256 when the server has credentials),
// reports the parameters clients expect, and then serves the simple and the extended query
// protocols until the client terminates or the socket closes. Statements run through
// serving::Database::Execute within the connection's Session; catalog queries of psql and
// drivers are answered by pg_compat.h first.
//
// Extended protocol choices: bound parameters are substituted into the statement text as
// literals (pg_sql_text.h, pg_types.h); Describe of a portal executes it and keeps the answer for
// the following Execute (which then only sends rows); Describe of a statement executes a
// read-only statement (SELECT, SHOW, DESCRIBE, ...) with every parameter NULL to learn its
// columns and answers NoData for any other; unspecified parameter types are described as text.
// Execute with a row limit sends PortalSuspended and resumes from the kept answer. After an error
// every message up to Sync is skipped; Sync closes every portal (each Sync ends the implicit
// transaction).
//
// Written by hand after the PostgreSQL protocol documentation. Not thread-safe: owned by its
// thread; only the cancel flag is shared.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/pg_auth.h"
#include "server/pg_messages.h"
#include "server/pg_server.h"
#include "server/pg_sql_text.h"
#include "server/pg_types.h"
#include "serving/database.h"
#include "serving/session.h"

namespace braid::server {

// What a connection needs from its server.
class PgConnectionHost {
 public:
  virtual ~PgConnectionHost() = default;
  // Sets the cancel flag of connection `process_id` when `secret_key` matches it.
  virtual void Cancel(int32_t process_id, int32_t secret_key) = 0;
};

struct PgConnectionSetup {
  serving::Database& database;
  const PgServerOptions& options;
  const ScramCredentials* credentials;  // nullptr: trust every client
  PgConnectionHost& host;
  int32_t process_id = 0;
  int32_t secret_key = 0;
  // False when the server already has max_connections clients: the client gets 53300.
  bool admitted = true;
  std::shared_ptr<std::atomic<bool>> cancelled;  // the session's cancel flag
};

class PgConnection {
 public:
  PgConnection(boost::asio::ip::tcp::socket& socket, PgConnectionSetup setup);
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Serves the connection until it ends; returns why it ended (OK for a Terminate message).
  Status Run();

 private:
  struct PreparedStatement {
    std::string query;        // as the client sent it (error positions count in it)
    StatementText statement;  // the one statement in `query` (empty text: an empty query)
    std::vector<int32_t> parameter_types;  // one per parameter; 0 = unspecified
  };
  struct Portal {
    std::shared_ptr<const PreparedStatement> statement;
    SubstitutedSql sql;
    std::vector<int16_t> result_format_codes;  // as bound: none, one for all, or one per column
    bool executed = false;
    Result<serving::QueryResult> result = serving::QueryResult{};
    size_t chunk = 0;  // where the next Execute resumes
    size_t row = 0;
  };

  // Startup and authentication (pg_connection.cc).
  Status Startup();
  // The rest of a v3 StartupMessage after its version: parameters, authentication, settings.
  Status StartSession(MessageReader& reader, int32_t version);
  Status ApplyStartupParameters(const std::map<std::string, std::string>& parameters);
  Status Authenticate();
  Status SendFatal(std::string_view sqlstate, std::string_view message);
  void SendReadyParameters();

  // The simple query protocol.
  Status ServeMessages();
  // Handles one message; an error is a protocol violation that ends the connection.
  Status Dispatch(const FrontendMessage& message);
  Status HandleQuery(std::string_view query);
  // Runs one statement: transaction no-ops, compatibility answers, or the engine.
  Result<serving::QueryResult> RunStatement(std::string_view sql);

  // The extended query protocol (pg_extended.cc).
  Status HandleParse(std::string_view body);
  Status HandleBind(std::string_view body);
  Status HandleDescribe(std::string_view body);
  // The columns of a statement or a portal (nullptr: no rows); nullopt after an error was sent.
  std::optional<SchemaPtr> DescribeStatement(const std::string& name);
  std::optional<SchemaPtr> DescribePortal(const std::string& name);
  Status HandleExecute(std::string_view body);
  Status HandleClose(std::string_view body);
  void HandleSync();
  void ExecutePortal(Portal& portal);
  // The portal named `name`; nullptr after sending the error that it does not exist.
  Portal* FindPortal(const std::string& name);
  // Sends an ErrorResponse for a failed statement of `portal` (the position mapped back to the
  // client's text) and skips messages until Sync.
  void FailPortal(const Portal& portal, const Status& status);
  void FailExtended(std::string_view sqlstate, std::string_view message);
  Result<std::vector<std::string>> BindParameters(MessageReader& reader,
                                                  const PreparedStatement& statement);

  // Answers (pg_connection.cc).
  void SendError(const Status& status, std::optional<int> position);
  void SendErrorFields(std::string_view severity, std::string_view sqlstate,
                       std::string_view message, std::optional<int> position);
  void SendRowDescription(const Schema& schema, const std::vector<PgFormat>& formats);
  // Sends up to max_rows (0: all) rows from the cursor; true when the answer is exhausted.
  Result<bool> SendDataRows(const serving::QueryResult& result,
                            const std::vector<PgFormat>& formats, size_t max_rows, size_t& chunk,
                            size_t& row, size_t& sent);
  void SendReadyForQuery();
  Status FlushIfLarge();

  PgSocket wire_;
  PgConnectionSetup setup_;
  serving::Session session_;
  std::string user_;
  std::string database_name_;
  bool in_transaction_ = false;
  bool skip_until_sync_ = false;
  std::map<std::string, std::shared_ptr<const PreparedStatement>> statements_;
  std::map<std::string, Portal> portals_;
};

// Column formats from Bind's format codes (none: text; one: for all; else one per column) for
// `columns` columns; kInvalidArgument for another count or a code other than 0 and 1.
Result<std::vector<PgFormat>> ExpandFormats(const std::vector<int16_t>& codes, size_t columns);

}  // namespace braid::server
