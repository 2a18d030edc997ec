// The extended query protocol of PgConnection (pg_connection.h): Parse, Bind, Describe, Execute,
// Close and Sync. Written by hand after the PostgreSQL protocol documentation.
#include <fmt/format.h>

#include <algorithm>

#include "server/pg_connection.h"

namespace braid::server {

namespace {

// Statements Describe may run to learn their columns: they change nothing.
bool IsReadOnly(std::string_view sql) {
  const std::string head = CanonicalIdentifier(sql.substr(0, sql.find_first_of(" \t\r\n(")));
  return head == "select" || head == "show" || head == "describe" || head == "with" ||
         head == "values" || head == "table";
}

}  // namespace

void PgConnection::FailExtended(std::string_view sqlstate, std::string_view message) {
  SendErrorFields("ERROR", sqlstate, message, std::nullopt);
  skip_until_sync_ = true;
}

void PgConnection::FailPortal(const Portal& portal, const Status& status) {
  std::optional<int> position;
  if (status.position()) {
    const size_t offset =
        portal.sql.OriginalOffset(ByteOffsetOf(portal.sql.text, *status.position()));
    position =
        CharacterPosition(portal.statement->query, portal.statement->statement.offset + offset);
  }
  SendError(status, position);
  skip_until_sync_ = true;
}

Status PgConnection::HandleParse(std::string_view body) {
  MessageReader reader(body);
  const std::string name(reader.CString());
  const std::string_view query = reader.CString();
  const int16_t type_count = reader.Int16();
  auto statement = std::make_shared<PreparedStatement>();
  for (int16_t i = 0; i < type_count; ++i) statement->parameter_types.push_back(reader.Int32());
  RETURN_IF_ERROR(reader.status("Parse"));
  statement->query = std::string(query);
  const std::vector<StatementText> parts = SplitStatements(statement->query);
  if (parts.size() > 1) {
    FailExtended("42601", "cannot insert multiple commands into a prepared statement");
    return Status::Ok();
  }
  if (!parts.empty()) statement->statement = parts[0];
  const size_t parameters = static_cast<size_t>(CountParameters(statement->statement.text));
  if (statement->parameter_types.size() < parameters)
    statement->parameter_types.resize(parameters, 0);
  if (!name.empty() && statements_.count(name)) {
    FailExtended("42P05", fmt::format("prepared statement \"{}\" already exists", name));
    return Status::Ok();
  }
  statements_[name] = std::move(statement);
  wire_.writer().Begin('1').End();  // ParseComplete
  return Status::Ok();
}

Result<std::vector<std::string>> PgConnection::BindParameters(MessageReader& reader,
                                                              const PreparedStatement& statement) {
  const int16_t format_count = reader.Int16();
  std::vector<int16_t> format_codes;
  for (int16_t i = 0; i < format_count; ++i) format_codes.push_back(reader.Int16());
  const int16_t count = reader.Int16();
  RETURN_IF_ERROR(reader.status("Bind"));
  if (static_cast<size_t>(count) != statement.parameter_types.size()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("bind message supplies {} parameters, but prepared statement "
                              "requires {}",
                              count, statement.parameter_types.size()));
  }
  ASSIGN_OR_RETURN(std::vector<PgFormat> formats, ExpandFormats(format_codes, count));
  std::vector<std::string> literals;
  for (int16_t i = 0; i < count; ++i) {
    const int32_t length = reader.Int32();
    if (length < 0) {
      literals.emplace_back("NULL");
      continue;
    }
    const std::string_view bytes = reader.Bytes(static_cast<size_t>(length));
    RETURN_IF_ERROR(reader.status("Bind"));
    ASSIGN_OR_RETURN(std::string literal,
                     ParameterLiteral(bytes, formats[i], statement.parameter_types[i]));
    literals.push_back(std::move(literal));
  }
  return literals;
}

Status PgConnection::HandleBind(std::string_view body) {
  MessageReader reader(body);
  const std::string portal_name(reader.CString());
  const std::string statement_name(reader.CString());
  RETURN_IF_ERROR(reader.status("Bind"));
  auto found = statements_.find(statement_name);
  if (found == statements_.end()) {
    FailExtended("26000", fmt::format("prepared statement \"{}\" does not exist", statement_name));
    return Status::Ok();
  }
  Result<std::vector<std::string>> literals = BindParameters(reader, *found->second);
  Result<SubstitutedSql> sql = literals.ok()
                                   ? SubstituteParameters(found->second->statement.text, *literals)
                                   : Result<SubstitutedSql>(literals.status());
  Portal portal;
  portal.statement = found->second;
  if (sql.ok()) {
    portal.sql = std::move(sql).value();
    const int16_t result_format_count = reader.Int16();
    for (int16_t i = 0; i < result_format_count; ++i) {
      portal.result_format_codes.push_back(reader.Int16());
    }
    RETURN_IF_ERROR(reader.status("Bind"));
  }
  if (!sql.ok()) {
    SendError(sql.status(), std::nullopt);
    skip_until_sync_ = true;
    return Status::Ok();
  }
  if (!portal_name.empty() && portals_.count(portal_name)) {
    FailExtended("42P03", fmt::format("cursor \"{}\" already exists", portal_name));
    return Status::Ok();
  }
  portals_.insert_or_assign(portal_name, std::move(portal));
  wire_.writer().Begin('2').End();  // BindComplete
  return Status::Ok();
}

void PgConnection::ExecutePortal(Portal& portal) {
  portal.executed = true;
  if (portal.statement->statement.text.empty()) return;
  portal.result = RunStatement(portal.sql.text);
}

PgConnection::Portal* PgConnection::FindPortal(const std::string& name) {
  auto found = portals_.find(name);
  if (found != portals_.end()) return &found->second;
  FailExtended("34000", fmt::format("portal \"{}\" does not exist", name));
  return nullptr;
}

std::optional<SchemaPtr> PgConnection::DescribeStatement(const std::string& name) {
  auto found = statements_.find(name);
  if (found == statements_.end()) {
    FailExtended("26000", fmt::format("prepared statement \"{}\" does not exist", name));
    return std::nullopt;
  }
  const PreparedStatement& statement = *found->second;
  MessageWriter w = wire_.writer();  // ParameterDescription
  w.Begin('t').Int16(static_cast<int16_t>(statement.parameter_types.size()));
  for (int32_t oid : statement.parameter_types) w.Int32(oid == 0 ? pg_oid::kText : oid);
  w.End();
  if (!IsReadOnly(statement.statement.text)) return SchemaPtr();
  // The statement with NULL parameters, run over no data to learn its columns (a prepared scan
  // is not read twice).
  Portal probe;
  probe.statement = found->second;
  std::vector<std::string> nulls(statement.parameter_types.size(), "NULL");
  Result<SubstitutedSql> sql = SubstituteParameters(statement.statement.text, nulls);
  if (sql.ok()) probe.sql = std::move(sql).value();
  session_.describe_only = true;
  ExecutePortal(probe);
  session_.describe_only = false;
  if (!probe.result.ok()) {
    FailPortal(probe, probe.result.status());
    return std::nullopt;
  }
  return probe.result->schema;
}

std::optional<SchemaPtr> PgConnection::DescribePortal(const std::string& name) {
  Portal* found = FindPortal(name);
  if (found == nullptr) return std::nullopt;
  Portal& portal = *found;
  if (!portal.executed) ExecutePortal(portal);
  if (!portal.result.ok()) {
    FailPortal(portal, portal.result.status());
    return std::nullopt;
  }
  return portal.result->schema;
}

Status PgConnection::HandleDescribe(std::string_view body) {
  MessageReader reader(body);
  const char kind = static_cast<char>(reader.Byte());
  const std::string name(reader.CString());
  RETURN_IF_ERROR(reader.status("Describe"));
  if (kind != 'S' && kind != 'P') {
    return Status(StatusCode::kInvalidArgument, "invalid DESCRIBE message subtype");
  }
  const std::optional<SchemaPtr> schema =
      kind == 'S' ? DescribeStatement(name) : DescribePortal(name);
  if (!schema) return Status::Ok();  // the error was sent
  if (*schema == nullptr) {
    wire_.writer().Begin('n').End();  // NoData
    return Status::Ok();
  }
  // A statement's columns are described in text: its result formats come with Bind.
  const std::vector<int16_t> no_codes;
  Result<std::vector<PgFormat>> formats =
      ExpandFormats(kind == 'P' ? portals_[name].result_format_codes : no_codes, (*schema)->size());
  if (!formats.ok()) {
    FailExtended("08P01", formats.status().message());
    return Status::Ok();
  }
  SendRowDescription(**schema, *formats);
  return Status::Ok();
}

Status PgConnection::HandleExecute(std::string_view body) {
  MessageReader reader(body);
  const std::string name(reader.CString());
  const int32_t max_rows = reader.Int32();
  RETURN_IF_ERROR(reader.status("Execute"));
  Portal* found = FindPortal(name);
  if (found == nullptr) return Status::Ok();
  Portal& portal = *found;
  if (!portal.executed) ExecutePortal(portal);
  if (portal.statement->statement.text.empty()) {
    wire_.writer().Begin('I').End();  // EmptyQueryResponse
    return Status::Ok();
  }
  if (!portal.result.ok()) {
    FailPortal(portal, portal.result.status());
    return Status::Ok();
  }
  const serving::QueryResult& result = *portal.result;
  std::string tag = result.command_tag;
  if (result.schema) {
    Result<std::vector<PgFormat>> formats =
        ExpandFormats(portal.result_format_codes, result.schema->size());
    if (!formats.ok()) {
      FailExtended("08P01", formats.status().message());
      return Status::Ok();
    }
    size_t sent = 0;
    ASSIGN_OR_RETURN(bool done,
                     SendDataRows(result, *formats, static_cast<size_t>(std::max(max_rows, 0)),
                                  portal.chunk, portal.row, sent));
    if (!done) {
      wire_.writer().Begin('s').End();  // PortalSuspended
      return Status::Ok();
    }
    if (tag.starts_with("SELECT")) tag = fmt::format("SELECT {}", sent);
  }
  wire_.writer().Begin('C').CString(tag).End();
  return Status::Ok();
}

Status PgConnection::HandleClose(std::string_view body) {
  MessageReader reader(body);
  const char kind = static_cast<char>(reader.Byte());
  const std::string name(reader.CString());
  RETURN_IF_ERROR(reader.status("Close"));
  if (kind == 'S') {
    statements_.erase(name);
  } else if (kind == 'P') {
    portals_.erase(name);
  } else {
    return Status(StatusCode::kInvalidArgument, "invalid CLOSE message subtype");
  }
  wire_.writer().Begin('3').End();  // CloseComplete
  return Status::Ok();
}

void PgConnection::HandleSync() {
  skip_until_sync_ = false;
  if (!in_transaction_) portals_.clear();  // Sync ends the implicit transaction
  SendReadyForQuery();
}

}  // namespace braid::server
