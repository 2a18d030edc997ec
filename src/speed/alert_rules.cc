#include "speed/alert_rules.h"

#include <fmt/format.h>

#include "common/hash.h"
#include "common/json_writer.h"
#include "sql/expression_evaluator.h"

namespace braid::speed {
namespace {

// The view's output columns of `rows` (a BatchViewSchema chunk) whose `_having` is TRUE.
Result<Chunk> OutputRows(const sql::ViewPlan& plan, const Chunk& rows) {
  const size_t outputs = plan.output_schema->size();
  const Column& having = rows.column(outputs);
  std::vector<uint32_t> passing;
  for (uint32_t row = 0; row < rows.num_rows(); ++row) {
    if (having.IsValid(row) && having.bools()[row] != 0) passing.push_back(row);
  }
  std::vector<Column> columns;
  for (size_t c = 0; c < outputs; ++c) {
    Column column(rows.column(c).type());
    column.Reserve(passing.size());
    for (uint32_t row : passing) column.AppendFrom(rows.column(c), row);
    columns.push_back(std::move(column));
  }
  return Chunk::Make(plan.output_schema, std::move(columns));
}

}  // namespace

Result<std::vector<Alert>> MatchAlerts(const sql::ViewPlan& plan,
                                       const std::vector<sql::AlertPlanPtr>& rules,
                                       const std::vector<Chunk>& rows, Timestamp fired_at) {
  std::vector<Alert> alerts;
  if (rules.empty()) return alerts;
  const size_t num_keys = plan.keys.size();
  const size_t first_value = num_keys + (plan.window ? 2 : 0);
  const std::string fired = FormatRfc3339(fired_at);
  for (const Chunk& chunk : rows) {
    ASSIGN_OR_RETURN(Chunk outputs, OutputRows(plan, chunk));
    if (outputs.num_rows() == 0) continue;
    const Schema& schema = *plan.output_schema;
    for (const sql::AlertPlanPtr& rule : rules) {
      ASSIGN_OR_RETURN(std::vector<uint32_t> matching, sql::SelectTrue(*rule->condition, outputs));
      for (uint32_t row : matching) {
        JsonWriter keys;
        keys.BeginObject();
        for (size_t k = 0; k < num_keys; ++k) {
          keys.Key(schema.field(k).name);
          keys.Cell(outputs.column(k), row);
        }
        keys.EndObject();
        std::string window_start, window_end;
        Timestamp end_time{0};
        if (plan.window) {
          window_start = FormatRfc3339(Timestamp{outputs.column(num_keys).int64s()[row]});
          end_time = Timestamp{outputs.column(num_keys + 1).int64s()[row]};
          window_end = FormatRfc3339(end_time);
        }
        const std::string identity =
            fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}", rule->name, plan.name, keys.str(),
                        window_start, window_end);
        Alert alert;
        alert.id = fmt::format("{}-{:016x}", rule->name, Hash64(identity));
        alert.rule = rule->name;
        alert.view = plan.name;
        alert.window_end = end_time;
        JsonWriter json;
        json.BeginObject().Key("id").String(alert.id).Key("rule").String(rule->name);
        json.Key("view").String(plan.name).Key("keys").Raw(keys.str());
        json.Key("window_start");
        plan.window ? json.String(window_start) : json.Null();
        json.Key("window_end");
        plan.window ? json.String(window_end) : json.Null();
        json.Key("values").BeginObject();
        for (size_t c = first_value; c < outputs.num_columns(); ++c) {
          json.Key(schema.field(c).name);
          json.Cell(outputs.column(c), row);
        }
        json.EndObject().Key("fired_at").String(fired).EndObject();
        alert.json = json.Take();
        alerts.push_back(std::move(alert));
      }
    }
  }
  return alerts;
}

}  // namespace braid::speed
