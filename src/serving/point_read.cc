#include "serving/point_read.h"

#include <optional>
#include <variant>

#include "serving/query_pushdown.h"
#include "sql/parser.h"

namespace braid::serving {

bool IsPointRead(std::string_view sql, const sql::Catalog& catalog) {
  Result<sql::ParsedStatement> parsed = sql::ParseStatement(sql);
  if (!parsed.ok()) return false;
  const auto* select = std::get_if<sql::SelectStatement>(&parsed->statement);
  if (select == nullptr || select->from.empty() || select->where == nullptr) return false;
  const sql::ViewPlanPtr plan = catalog.FindView(select->from);
  // A view without keys has one cell per window: reading it is a scan of its windows.
  if (plan == nullptr || plan->keys.empty()) return false;
  const CellLookup lookup = LookupOf(select->where.get(), *plan);
  size_t cells = 1;
  for (const std::optional<Column>& values : lookup.key_values) {
    if (!values) return false;  // an unbound key: the read scans every value of it
    cells *= values->size();
    if (cells > kMaxPointReadCells) return false;
  }
  return true;
}

}  // namespace braid::serving
