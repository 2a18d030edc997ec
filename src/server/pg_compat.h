// Compatibility answers for what PostgreSQL clients ask that is not Braid SQL: the catalog
// queries psql 15 sends for \d, \dt, \dv, \d name and \gdesc (pg_catalog.pg_class, pg_attribute,
// format_type over psql's VALUES list, ...), information_schema.tables and
// information_schema.columns, and the functions tools call at connect time (version(),
// current_database(), current_schema(), current_user, pg_backend_pid(), pg_sleep(seconds)). Answers come from the catalog: views are relations of
// relkind 'v' with their output columns plus `_source`, streams are relkind 'r' with their
// columns; relation OIDs are a stable hash of the name. Queries are recognized by their shape
// (the tables and functions they name), not parsed as PostgreSQL SQL; anything not recognized
// goes to the engine. Written by hand. Thread-safe: reads catalog snapshots.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "serving/database.h"
#include "serving/query_result.h"
#include "serving/session.h"

namespace braid::server {

struct PgClientInfo {
  std::string_view user;
  std::string_view database;
  int32_t process_id = 0;
};

// The answer to `sql` when it is a compatibility query, nullopt when the engine should run it.
// pg_sleep waits on the session's cancel flag and statement timeout (kCancelled).
std::optional<Result<serving::QueryResult>> AnswerCompatQuery(std::string_view sql,
                                                              serving::Database& database,
                                                              const serving::Session& session,
                                                              const PgClientInfo& client);

}  // namespace braid::server
