#include "server/api_view_rows.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "server/api_sql.h"
#include "sql/ast.h"
#include "sql/printer.h"
#include "sql/view_plan.h"

namespace braid::server {
namespace {

constexpr std::string_view kParameters = "from, to, consistency, max_staleness, limit, offset";

Status BadParameter(std::string_view name, std::string_view value, std::string_view expected) {
  return Status(
      StatusCode::kInvalidArgument,
      fmt::format("bad value '{}' for parameter '{}': expected {}", value, name, expected));
}

Result<int64_t> ParseInteger(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return Status(StatusCode::kInvalidArgument, "not an integer");
  }
  return value;
}

// RFC 3339, or an integer of epoch milliseconds (as ingest accepts).
Result<Timestamp> ParseTime(std::string_view text) {
  if (Result<int64_t> millis = ParseInteger(text); millis.ok()) {
    if (*millis > INT64_MAX / 1000 || *millis < INT64_MIN / 1000) {
      return Status(StatusCode::kInvalidArgument, "out of range");
    }
    return Timestamp::FromMillis(*millis);
  }
  return ParseRfc3339(text);
}

Result<sql::Literal> ParseTyped(DataType type, std::string_view text) {
  switch (type) {
    case DataType::kString:
      return sql::Literal{std::string(text)};
    case DataType::kBigint: {
      ASSIGN_OR_RETURN(int64_t value, ParseInteger(text));
      return sql::Literal{value};
    }
    case DataType::kDouble: {
      double value = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
          !std::isfinite(value)) {
        return Status(StatusCode::kInvalidArgument, "not a number");
      }
      return sql::Literal{value};
    }
    case DataType::kBoolean:
      if (IdentifierEquals(text, "true")) return sql::Literal{true};
      if (IdentifierEquals(text, "false")) return sql::Literal{false};
      return Status(StatusCode::kInvalidArgument, "not true or false");
    case DataType::kTimestamp: {
      ASSIGN_OR_RETURN(Timestamp value, ParseTime(text));
      return sql::Literal{value};
    }
  }
  return Status(StatusCode::kInternal, "unknown type");
}

sql::ExprPtr ColumnExpr(const std::string& name) {
  return sql::MakeExpr(sql::ColumnRef{std::nullopt, name}, SourcePosition{});
}

sql::ExprPtr LiteralExpr(sql::Literal literal) {
  return sql::MakeExpr(std::move(literal), SourcePosition{});
}

sql::ExprPtr Binary(sql::BinaryOp op, sql::ExprPtr left, sql::ExprPtr right) {
  return sql::MakeExpr(sql::BinaryExpr{op, std::move(left), std::move(right)}, SourcePosition{});
}

// `condition`, or `where AND condition` when there is a WHERE already.
void AddCondition(sql::ExprPtr condition, sql::SelectStatement* select) {
  select->where = select->where
                      ? Binary(sql::BinaryOp::kAnd, std::move(select->where), std::move(condition))
                      : std::move(condition);
}

sql::SelectStatement SelectAll(std::string view) {
  sql::SelectStatement select;
  select.items.push_back(sql::SelectItem{sql::MakeExpr(sql::Star{}, SourcePosition{}), std::nullopt,
                                         SourcePosition{}});
  select.from = std::move(view);
  return select;
}

// What the parameters ask of the view's rows.
struct RowFilter {
  std::vector<std::vector<sql::Literal>> key_values;  // per key of the plan
  std::optional<Timestamp> from;
  std::optional<Timestamp> to;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
};

Status SetOnce(std::string_view name, std::string_view value, bool already_set) {
  if (already_set) {
    return Status(
        StatusCode::kInvalidArgument,
        fmt::format("parameter '{}' is given more than once (again as '{}')", name, value));
  }
  return Status::Ok();
}

Status ParseWindowBound(const sql::ViewPlan& plan, std::string_view name, std::string_view value,
                        std::optional<Timestamp>* bound) {
  if (!plan.window) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("parameter '{}' filters window_end, and view '{}' has no window",
                              name, plan.name));
  }
  RETURN_IF_ERROR(SetOnce(name, value, bound->has_value()));
  Result<Timestamp> time = ParseTime(value);
  if (!time.ok()) return BadParameter(name, value, "an RFC 3339 time or epoch milliseconds");
  *bound = *time;
  return Status::Ok();
}

Status ParseCount(std::string_view name, std::string_view value, std::optional<int64_t>* count) {
  RETURN_IF_ERROR(SetOnce(name, value, count->has_value()));
  Result<int64_t> parsed = ParseInteger(value);
  if (!parsed.ok() || *parsed < 0) return BadParameter(name, value, "an integer >= 0");
  *count = *parsed;
  return Status::Ok();
}

std::string KeyNames(const sql::ViewPlan& plan) {
  std::string names;
  for (const sql::GroupKey& key : plan.keys) names += (names.empty() ? "" : ", ") + key.name;
  return names.empty() ? "none" : names;
}

Status ParseKeyValue(const sql::ViewPlan& plan, std::string_view name, std::string_view value,
                     RowFilter* filter) {
  const Schema& schema = *plan.output_schema;
  const std::optional<size_t> index = schema.FindField(name);
  if (!index) {
    return Status(StatusCode::kUndefinedColumn,
                  fmt::format("view '{}' has no column '{}' (key columns: {}; parameters: {})",
                              plan.name, name, KeyNames(plan), kParameters));
  }
  if (*index >= plan.keys.size()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("column '{}' of view '{}' is not a key column (key columns: {})",
                              schema.field(*index).name, plan.name, KeyNames(plan)));
  }
  const DataType type = schema.field(*index).type;
  Result<sql::Literal> literal = ParseTyped(type, value);
  if (!literal.ok()) {
    return BadParameter(schema.field(*index).name, value,
                        fmt::format("a {} ({})", DataTypeName(type), literal.status().message()));
  }
  filter->key_values[*index].push_back(std::move(*literal));
  return Status::Ok();
}

Result<RowFilter> ParseFilter(const sql::ViewPlan& plan, const NameValues& query) {
  RowFilter filter;
  filter.key_values.resize(plan.keys.size());
  for (const auto& [name, value] : query) {
    if (name == "consistency" || name == "max_staleness") continue;  // the session's
    if (name == "from") {
      RETURN_IF_ERROR(ParseWindowBound(plan, name, value, &filter.from));
    } else if (name == "to") {
      RETURN_IF_ERROR(ParseWindowBound(plan, name, value, &filter.to));
    } else if (name == "limit") {
      RETURN_IF_ERROR(ParseCount(name, value, &filter.limit));
    } else if (name == "offset") {
      RETURN_IF_ERROR(ParseCount(name, value, &filter.offset));
    } else {
      RETURN_IF_ERROR(ParseKeyValue(plan, name, value, &filter));
    }
  }
  return filter;
}

// SELECT * FROM view WHERE keys and window_end bounds ORDER BY window_end, keys LIMIT OFFSET.
sql::SelectStatement SelectRows(const sql::ViewPlan& plan, RowFilter filter) {
  sql::SelectStatement select = SelectAll(plan.name);
  for (size_t k = 0; k < plan.keys.size(); ++k) {
    std::vector<sql::Literal>& values = filter.key_values[k];
    if (values.empty()) continue;
    const std::string& name = plan.output_schema->field(k).name;
    if (values.size() == 1) {
      AddCondition(Binary(sql::BinaryOp::kEqual, ColumnExpr(name), LiteralExpr(values[0])),
                   &select);
      continue;
    }
    sql::InListExpr in{ColumnExpr(name), {}, false};
    for (sql::Literal& value : values) in.list.push_back(LiteralExpr(std::move(value)));
    AddCondition(sql::MakeExpr(std::move(in), SourcePosition{}), &select);
  }
  std::vector<std::string> order;
  if (plan.window) {
    const std::string& window_end = plan.output_schema->field(plan.keys.size() + 1).name;
    if (filter.from) {
      AddCondition(Binary(sql::BinaryOp::kGreaterEqual, ColumnExpr(window_end),
                          LiteralExpr(sql::Literal{*filter.from})),
                   &select);
    }
    if (filter.to) {
      AddCondition(Binary(sql::BinaryOp::kLessEqual, ColumnExpr(window_end),
                          LiteralExpr(sql::Literal{*filter.to})),
                   &select);
    }
    order.push_back(window_end);
  }
  for (size_t k = 0; k < plan.keys.size(); ++k) order.push_back(plan.output_schema->field(k).name);
  for (const std::string& name : order) {
    select.order_by.push_back(sql::OrderItem{ColumnExpr(name), sql::SortDirection::kAscending,
                                             sql::NullsOrder::kDefault, SourcePosition{}});
  }
  select.limit = filter.limit;
  select.offset = filter.offset;
  return select;
}

// consistency and max_staleness, over the server's query limits.
Result<serving::Session> SessionOf(const Request& request, const ApiOptions& options) {
  serving::Session session;
  session.limits = options.query_limits;
  ASSIGN_OR_RETURN(session.consistency,
                   serving::ParseConsistency(request.Query("consistency").value_or("")));
  if (std::optional<std::string_view> text = request.Query("max_staleness");
      text && *text != "none") {
    Result<Duration> staleness = ParseDuration(*text);
    if (!staleness.ok()) {
      return BadParameter("max_staleness", *text, "a duration such as '10s', or 'none'");
    }
    if (staleness->micros > 0) session.max_staleness = *staleness;
  }
  return session;
}

}  // namespace

void HandleGetViewRows(ApiContext& context, const Request& request, Responder responder) {
  Result<serving::Session> session = SessionOf(request, context.options());
  if (!session.ok()) return responder.Send(ErrorResponse(session.status()));
  const std::string view(request.PathParam("view"));
  sql::ViewPlanPtr plan = context.database().catalog().FindView(view);
  if (plan == nullptr) {
    // No such view: the engine's own answer for the name (unknown, or a stream). LIMIT 0 keeps
    // the answer empty should the view be created meanwhile, since its filters went unchecked.
    sql::SelectStatement select = SelectAll(view);
    select.limit = 0;
    return AnswerStatement(context, sql::ToSql(select), std::move(*session), ErrorPositions::kDrop,
                           std::move(responder));
  }
  Result<RowFilter> filter = ParseFilter(*plan, request.query());
  if (!filter.ok()) return responder.Send(ErrorResponse(filter.status()));
  AnswerStatement(context, sql::ToSql(SelectRows(*plan, std::move(*filter))), std::move(*session),
                  ErrorPositions::kDrop, std::move(responder));
}

}  // namespace braid::server
