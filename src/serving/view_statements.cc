#include "serving/view_statements.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "common/time.h"
#include "sql/bound_expression.h"

namespace braid::serving {
namespace {

std::string_view OutcomeWord(sql::ApplyOutcome outcome) {
  switch (outcome) {
    case sql::ApplyOutcome::kCreated: return "created";
    case sql::ApplyOutcome::kUnchanged: return "unchanged";
    case sql::ApplyOutcome::kReplaced: return "replaced";
  }
  return "changed";
}

sql::OnConflict ConflictOf(bool or_replace) {
  return or_replace ? sql::OnConflict::kReplace : sql::OnConflict::kFail;
}

// "TumblingWindow(1m)", "HoppingWindow(10m, 5m, offset 1ms)", "SessionWindow(5m, 1h)".
std::string DescribeWindow(const std::optional<sql::WindowDefinition>& window) {
  if (!window) return "none";
  std::string text = fmt::format("{}({}", sql::WindowKindName(window->kind),
                                 FormatDuration(window->size));
  if (window->kind == sql::WindowKind::kHopping) text += ", " + FormatDuration(window->hop);
  if (window->kind == sql::WindowKind::kSession) {
    text += ", " + FormatDuration(window->max_duration);
  }
  if (window->offset.micros != 0) text += ", offset " + FormatDuration(window->offset);
  text += ")";
  return text;
}

std::string JoinKeys(const sql::ViewPlan& plan) {
  std::string keys;
  for (const sql::GroupKey& key : plan.keys) {
    if (!keys.empty()) keys += ", ";
    keys += key.name;
  }
  return keys;
}

}  // namespace

Result<QueryResult> ExecuteCreateView(const sql::CreateViewStatement& statement,
                                      sql::Catalog& catalog) {
  ASSIGN_OR_RETURN(sql::ViewOutcome outcome,
                   catalog.CreateView(statement, ConflictOf(statement.or_replace)));
  QueryResult result;
  result.command_tag = "CREATE VIEW";
  result.message = fmt::format("view {} {}", outcome.plan->name, OutcomeWord(outcome.outcome));
  for (const sql::BindWarning& warning : outcome.warnings) {
    result.message += fmt::format("; warning at {}:{}: {}", warning.position.line,
                                  warning.position.column, warning.message);
  }
  return result;
}

Result<QueryResult> ExecuteCreateAlert(const sql::CreateAlertStatement& statement,
                                       sql::Catalog& catalog) {
  ASSIGN_OR_RETURN(sql::ApplyOutcome outcome,
                   catalog.CreateAlert(statement, ConflictOf(statement.or_replace)));
  // The stored name, as for views: an unchanged re-definition may spell it in another case.
  sql::AlertPlanPtr stored = catalog.FindAlert(statement.name);
  QueryResult result;
  result.command_tag = "CREATE ALERT";
  result.message =
      fmt::format("alert {} {}", stored ? stored->name : statement.name, OutcomeWord(outcome));
  return result;
}

Result<QueryResult> ExecuteDropViewOrAlert(const sql::DropStatement& statement,
                                           sql::Catalog& catalog) {
  const bool is_view = statement.kind == sql::ObjectKind::kView;
  const sql::OnMissing on_missing =
      statement.if_exists ? sql::OnMissing::kIgnore : sql::OnMissing::kFail;
  const bool existed = is_view ? catalog.FindView(statement.name) != nullptr
                               : catalog.FindAlert(statement.name) != nullptr;
  Status dropped = is_view ? catalog.DropView(statement.name, on_missing)
                           : catalog.DropAlert(statement.name, on_missing);
  if (!dropped.ok()) return Status(dropped.code(), dropped.message(), statement.name_position);
  QueryResult result;
  result.command_tag = is_view ? "DROP VIEW" : "DROP ALERT";
  result.message = fmt::format("{} {} {}", is_view ? "view" : "alert", statement.name,
                               existed ? "dropped" : "does not exist, skipped");
  return result;
}

QueryResult ShowViews(const sql::Catalog& catalog) {
  QueryResult result;
  result.command_tag = "SHOW";
  result.schema = MakeSchema({{"name", DataType::kString, false},
                              {"stream", DataType::kString, false},
                              {"window", DataType::kString, false},
                              {"keys", DataType::kString, false},
                              {"columns", DataType::kBigint, false}});
  Chunk rows(result.schema);
  for (const sql::ViewPlanPtr& plan : catalog.Views()) {
    rows.mutable_column(0).AppendString(plan->name);
    rows.mutable_column(1).AppendString(plan->source);
    rows.mutable_column(2).AppendString(DescribeWindow(plan->window));
    rows.mutable_column(3).AppendString(JoinKeys(*plan));
    rows.mutable_column(4).AppendInt64(static_cast<int64_t>(plan->output_schema->size()));
  }
  result.chunks.push_back(std::move(rows));
  return result;
}

QueryResult ShowAlerts(const sql::Catalog& catalog) {
  QueryResult result;
  result.command_tag = "SHOW";
  result.schema = MakeSchema({{"name", DataType::kString, false},
                              {"view", DataType::kString, false},
                              {"condition", DataType::kString, false}});
  Chunk rows(result.schema);
  for (const sql::AlertPlanPtr& alert : catalog.Alerts()) {
    rows.mutable_column(0).AppendString(alert->name);
    rows.mutable_column(1).AppendString(alert->view);
    rows.mutable_column(2).AppendString(sql::BoundToString(*alert->condition));
  }
  result.chunks.push_back(std::move(rows));
  return result;
}

QueryResult DescribeView(const sql::ViewPlan& plan) {
  QueryResult result;
  result.command_tag = "DESCRIBE";
  result.message = plan.sql;
  result.schema = MakeSchema({{"column", DataType::kString, false},
                              {"type", DataType::kString, false},
                              {"nullable", DataType::kBoolean, false},
                              {"role", DataType::kString, false}});
  Chunk rows(result.schema);
  const size_t keys = plan.keys.size();
  const size_t window_columns = plan.window ? 2 : 0;
  for (size_t i = 0; i < plan.output_schema->size(); ++i) {
    const Field& field = plan.output_schema->field(i);
    rows.mutable_column(0).AppendString(field.name);
    rows.mutable_column(1).AppendString(DataTypeName(field.type));
    rows.mutable_column(2).AppendBool(field.nullable);
    std::string_view role = i < keys                        ? "key"
                            : i == keys && window_columns   ? "window_start"
                            : i < keys + window_columns     ? "window_end"
                                                            : "output";
    rows.mutable_column(3).AppendString(role);
  }
  result.chunks.push_back(std::move(rows));
  return result;
}

QueryResult DescribeAlert(const sql::AlertPlan& alert) {
  QueryResult result;
  result.command_tag = "DESCRIBE";
  result.message = alert.sql;
  result.schema = MakeSchema(
      {{"view", DataType::kString, false}, {"condition", DataType::kString, false}});
  Chunk rows(result.schema);
  rows.mutable_column(0).AppendString(alert.view);
  rows.mutable_column(1).AppendString(sql::BoundToString(*alert.condition));
  result.chunks.push_back(std::move(rows));
  return result;
}

}  // namespace braid::serving
