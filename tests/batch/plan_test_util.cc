#include "plan_test_util.h"

#include <memory>
#include <variant>

#include "sql/parser.h"
#include "sql/stream_definition.h"
#include "sql/view_binder.h"

namespace braid::batch::testing {

Result<sql::ViewPlanPtr> BindViewPlan(std::string_view stream_sql, std::string_view view_sql) {
  ASSIGN_OR_RETURN(sql::ParsedStatement stream_parsed, sql::ParseStatement(stream_sql));
  const auto* create = std::get_if<sql::CreateStreamStatement>(&stream_parsed.statement);
  if (create == nullptr) return Status(StatusCode::kInternal, "not a CREATE STREAM");
  ASSIGN_OR_RETURN(sql::StreamDefinition stream, sql::BindCreateStream(*create));
  auto definition = std::make_shared<const sql::StreamDefinition>(std::move(stream));
  ASSIGN_OR_RETURN(sql::ParsedStatement parsed, sql::ParseStatement(view_sql));
  const auto* view = std::get_if<sql::CreateViewStatement>(&parsed.statement);
  if (view == nullptr) return Status(StatusCode::kInternal, "not a CREATE VIEW");
  sql::BindEnvironment environment{
      .find_stream = [&](std::string_view) { return definition; },
      .find_view = [](std::string_view) -> sql::ViewPlanPtr { return nullptr; }};
  ASSIGN_OR_RETURN(sql::BoundView bound, sql::BindView(*view, environment));
  return bound.plan;
}

}  // namespace braid::batch::testing
