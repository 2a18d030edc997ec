// The catalog half of pg_compat.h: answers to the pg_catalog and information_schema queries
// psql 15 and drivers send, from Braid's catalog, and the small table type the compatibility
// answers are built with. Written by hand. Thread-safe: reads catalog snapshots.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "server/pg_compat.h"
#include "serving/database.h"
#include "serving/query_result.h"

namespace braid::server {

// One value of a compatibility answer; monostate is NULL.
using CompatValue = std::variant<std::monostate, bool, int64_t, std::string>;

// A small answer built row by row.
struct CompatTable {
  struct Column {
    std::string name;
    DataType type = DataType::kString;
  };
  std::vector<Column> columns;
  std::vector<std::vector<CompatValue>> rows;  // each with one value per column

  // The answer as a QueryResult with the command tag "SELECT <rows>".
  serving::QueryResult ToResult() const;
};

// The answer to a query naming pg_catalog or information_schema relations: a recognized catalog
// query answered from the catalog, an empty answer for the catalog queries whose answer Braid
// has nothing for (indexes, policies, ...), or kUnsupported naming what is not supported.
std::optional<Result<serving::QueryResult>> AnswerCatalogQuery(std::string_view sql,
                                                               serving::Database& database,
                                                               const PgClientInfo& client);

}  // namespace braid::server
