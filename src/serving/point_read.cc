#include "serving/point_read.h"

#include <optional>
#include <variant>

#include "serving/query_pushdown.h"

namespace braid::serving {

sql::ViewPlanPtr PointReadView(const sql::ParsedStatement& statement, const sql::Catalog& catalog) {
  const auto* select = std::get_if<sql::SelectStatement>(&statement.statement);
  if (select == nullptr || select->from.empty() || select->where == nullptr) return nullptr;
  sql::ViewPlanPtr plan = catalog.FindView(select->from);
  // A view without keys has one cell per window: reading it is a scan of its windows.
  if (plan == nullptr || plan->keys.empty()) return nullptr;
  const CellLookup lookup = LookupOf(select->where.get(), *plan);
  size_t cells = 1;
  for (const std::optional<Column>& values : lookup.key_values) {
    if (!values) return nullptr;  // an unbound key: the read scans every value of it
    cells *= values->size();
    if (cells > kMaxPointReadCells) return nullptr;
  }
  return plan;
}

}  // namespace braid::serving
