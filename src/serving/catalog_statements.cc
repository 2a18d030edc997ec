#include "serving/catalog_statements.h"

#include <fmt/format.h>

#include "serving/view_statements.h"

namespace braid::serving {
namespace {

void AppendOptionalString(Column& column, const std::optional<std::string>& value) {
  if (value) {
    column.AppendString(*value);
  } else {
    column.AppendNull();
  }
}

}  // namespace

log::StreamLogConfig LogConfigFor(const sql::StreamDefinition& definition) {
  log::StreamLogConfig config;
  config.name = definition.name;
  config.schema = definition.schema;
  config.partitions = definition.partitions;
  if (definition.partition_key) {
    config.partition_key_column = definition.schema->FindField(*definition.partition_key);
  }
  if (definition.timestamp) {
    config.timestamp_column = definition.schema->FindField(*definition.timestamp);
  }
  config.retention.max_age = definition.retention;
  config.retention.max_bytes = definition.retention_bytes;
  return config;
}

Result<QueryResult> ExecuteCreateStream(const sql::CreateStreamStatement& statement,
                                        sql::Catalog& catalog, log::LogManager& logs) {
  ASSIGN_OR_RETURN(sql::StreamDefinition definition, sql::BindCreateStream(statement));
  const sql::OnExisting on_existing = statement.if_not_exists
                                          ? sql::OnExisting::kKeepExisting
                                          : sql::OnExisting::kFailIfDifferent;
  ASSIGN_OR_RETURN(sql::ApplyOutcome outcome, catalog.CreateStream(definition, on_existing));
  // The log is opened even when the definition was unchanged: it is idempotent, and it repairs a
  // crash between an earlier catalog write and the log's creation.
  sql::StreamDefinitionPtr stored = catalog.FindStream(definition.name);
  if (stored == nullptr) {
    return Status(StatusCode::kInternal, "stream vanished from the catalog while being created");
  }
  RETURN_IF_ERROR(logs.OpenStream(LogConfigFor(*stored)));
  QueryResult result;
  result.command_tag = "CREATE STREAM";
  result.message = fmt::format("stream {} {}", stored->name,
                               outcome == sql::ApplyOutcome::kCreated ? "created" : "unchanged");
  return result;
}

Result<QueryResult> ExecuteAlterStream(const sql::AlterStreamStatement& statement,
                                       sql::Catalog& catalog, log::LogManager& logs) {
  size_t columns_before = 0;
  Result<sql::StreamDefinitionPtr> altered =
      catalog.AlterStream(statement.name, [&](const sql::StreamDefinition& current) {
        columns_before = current.schema->size();
        return sql::BindAlterStream(current, statement);
      });
  if (!altered.ok()) {
    const Status& status = altered.status();
    if (status.position()) return status;
    return Status(status.code(), status.message(), statement.name_position);
  }
  // Opening is idempotent; it also repairs a log missing after a crash.
  ASSIGN_OR_RETURN(std::shared_ptr<log::StreamLog> log, logs.OpenStream(LogConfigFor(**altered)));
  RETURN_IF_ERROR(log->AlterSchema((*altered)->schema));
  QueryResult result;
  result.command_tag = "ALTER STREAM";
  const bool added = (*altered)->schema->size() > columns_before;
  result.message =
      fmt::format("stream {} {}: column {} {} {}", (*altered)->name,
                  added ? "altered" : "unchanged", statement.column.name,
                  DataTypeName(statement.column.type), added ? "added" : "already exists");
  return result;
}

Result<QueryResult> ExecuteDrop(const sql::DropStatement& statement, sql::Catalog& catalog,
                                log::LogManager& logs) {
  const sql::OnMissing on_missing =
      statement.if_exists ? sql::OnMissing::kIgnore : sql::OnMissing::kFail;
  QueryResult result;
  result.command_tag = fmt::format("DROP {}", statement.kind == sql::ObjectKind::kStream ? "STREAM"
                                              : statement.kind == sql::ObjectKind::kView ? "VIEW"
                                                                                          : "ALERT");
  if (statement.kind != sql::ObjectKind::kStream) return ExecuteDropViewOrAlert(statement, catalog);
  const bool existed = catalog.FindStream(statement.name) != nullptr;
  if (Status dropped = catalog.DropStream(statement.name, on_missing); !dropped.ok()) {
    return Status(dropped.code(), dropped.message(), statement.name_position);
  }
  if (existed) RETURN_IF_ERROR(logs.DropStream(statement.name));
  result.message = existed ? fmt::format("stream {} dropped", statement.name)
                           : fmt::format("stream {} does not exist, skipped", statement.name);
  return result;
}

Result<QueryResult> ExecuteShow(const sql::ShowStatement& statement, const sql::Catalog& catalog,
                                const log::LogManager& logs) {
  QueryResult result;
  result.command_tag = "SHOW";
  if (statement.kind == sql::ObjectKind::kView) return ShowViews(catalog);
  if (statement.kind == sql::ObjectKind::kAlert) return ShowAlerts(catalog);
  result.schema = MakeSchema({{"name", DataType::kString, false},
                              {"partitions", DataType::kBigint, false},
                              {"partition_key", DataType::kString, true},
                              {"timestamp", DataType::kString, true},
                              {"events", DataType::kBigint, false}});
  Chunk rows(result.schema);
  for (const sql::StreamDefinitionPtr& stream : catalog.Streams()) {
    rows.mutable_column(0).AppendString(stream->name);
    rows.mutable_column(1).AppendInt64(stream->partitions);
    AppendOptionalString(rows.mutable_column(2), stream->partition_key);
    AppendOptionalString(rows.mutable_column(3), stream->timestamp);
    std::shared_ptr<log::StreamLog> log = logs.Find(stream->name);
    rows.mutable_column(4).AppendInt64(log ? static_cast<int64_t>(log->TotalEvents()) : 0);
  }
  result.chunks.push_back(std::move(rows));
  return result;
}

Result<QueryResult> ExecuteDescribe(const sql::DescribeStatement& statement,
                                    const sql::Catalog& catalog) {
  const bool any_kind = !statement.kind.has_value();
  if (any_kind || statement.kind == sql::ObjectKind::kView) {
    if (sql::ViewPlanPtr view = catalog.FindView(statement.name)) return DescribeView(*view);
  }
  if (any_kind || statement.kind == sql::ObjectKind::kAlert) {
    if (sql::AlertPlanPtr alert = catalog.FindAlert(statement.name)) return DescribeAlert(*alert);
  }
  sql::StreamDefinitionPtr stream = any_kind || statement.kind == sql::ObjectKind::kStream
                                        ? catalog.FindStream(statement.name)
                                        : nullptr;
  if (stream == nullptr) {
    return Status(StatusCode::kUndefinedObject,
                  fmt::format("'{}' is not a stream, view or alert", statement.name),
                  statement.position);
  }
  QueryResult result;
  result.command_tag = "DESCRIBE";
  result.message = stream->ToSql();
  result.schema = MakeSchema({{"column", DataType::kString, false},
                              {"type", DataType::kString, false},
                              {"nullable", DataType::kBoolean, false},
                              {"role", DataType::kString, true}});
  Chunk rows(result.schema);
  for (const Field& field : stream->schema->fields()) {
    rows.mutable_column(0).AppendString(field.name);
    rows.mutable_column(1).AppendString(DataTypeName(field.type));
    rows.mutable_column(2).AppendBool(field.nullable);
    std::optional<std::string> role;
    if (stream->partition_key && IdentifierEquals(*stream->partition_key, field.name)) {
      role = "partition_key";
    }
    if (stream->timestamp && IdentifierEquals(*stream->timestamp, field.name)) {
      role = role ? *role + ",timestamp" : "timestamp";
    }
    AppendOptionalString(rows.mutable_column(3), role);
  }
  result.chunks.push_back(std::move(rows));
  return result;
}

}  // namespace braid::serving
