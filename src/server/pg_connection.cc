#include "server/pg_connection.h"

#include <fmt/format.h>

#include <cctype>

#include "server/pg_compat.h"

namespace braid::server {

namespace {

constexpr int32_t kProtocolVersion3 = 3 << 16;
constexpr int32_t kSslRequest = 80877103;
constexpr int32_t kGssEncRequest = 80877104;
constexpr int32_t kCancelRequest = 80877102;
// Output is sent once this much is buffered, so a large answer streams.
constexpr size_t kFlushBytes = 256 << 10;

std::string LowerCase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsSettingName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') return false;
  }
  return true;
}

// "-c a=b --c=d" (the startup `options` parameter) as name/value pairs.
std::vector<std::pair<std::string, std::string>> CommandLineSettings(std::string_view options) {
  std::vector<std::pair<std::string, std::string>> settings;
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i <= options.size(); ++i) {
    if (i == options.size() || options[i] == ' ') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else if (options[i] == '\\' && i + 1 < options.size()) {
      word.push_back(options[++i]);
    } else {
      word.push_back(options[i]);
    }
  }
  for (size_t i = 0; i < words.size(); ++i) {
    std::string setting = words[i];
    if (setting == "-c" && i + 1 < words.size()) {
      setting = words[++i];
    } else if (setting.starts_with("-c")) {
      setting = setting.substr(2);
    } else if (setting.starts_with("--")) {
      setting = setting.substr(2);
    }
    const size_t equals = setting.find('=');
    if (equals != std::string::npos) {
      settings.emplace_back(setting.substr(0, equals), setting.substr(equals + 1));
    }
  }
  return settings;
}

}  // namespace

PgConnection::PgConnection(boost::asio::ip::tcp::socket& socket, PgConnectionSetup setup)
    : wire_(socket), setup_(std::move(setup)) {
  session_.limits = setup_.options.limits;
  if (setup_.cancelled) session_.cancelled = setup_.cancelled;
}

Status PgConnection::Run() {
  RETURN_IF_ERROR(Startup());
  return ServeMessages();
}

Status PgConnection::SendFatal(std::string_view sqlstate, std::string_view message) {
  SendErrorFields("FATAL", sqlstate, message, std::nullopt);
  RETURN_IF_ERROR(wire_.Flush());
  return Status(StatusCode::kUnavailable, std::string(message));
}

Status PgConnection::Startup() {
  for (int negotiations = 0;; ++negotiations) {
    ASSIGN_OR_RETURN(std::string packet, wire_.ReadStartupPacket());
    MessageReader reader(packet);
    const int32_t code = reader.Int32();
    if ((code == kSslRequest || code == kGssEncRequest) && negotiations < 2) {
      RETURN_IF_ERROR(wire_.SendByte('N'));  // no encryption in this version
      continue;
    }
    if (code == kCancelRequest) {
      const int32_t process_id = reader.Int32();
      const int32_t secret_key = reader.Int32();
      if (reader.status("CancelRequest").ok()) setup_.host.Cancel(process_id, secret_key);
      return Status(StatusCode::kCancelled, "cancel request handled");
    }
    if ((code >> 16) != 3) {
      return SendFatal("0A000", fmt::format("unsupported frontend protocol {}.{}: server "
                                            "supports 3.0 to 3.0",
                                            code >> 16, code & 0xffff));
    }
    return StartSession(reader, code);
  }
}

Status PgConnection::StartSession(MessageReader& reader, int32_t version) {
  std::map<std::string, std::string> parameters;
  std::vector<std::string> unknown_protocol_options;
  for (std::string_view name = reader.CString(); !name.empty(); name = reader.CString()) {
    std::string_view value = reader.CString();
    if (name.starts_with("_pq_.")) {
      unknown_protocol_options.emplace_back(name);
    } else {
      parameters[std::string(name)] = std::string(value);
    }
  }
  if (!reader.status("startup").ok()) return SendFatal("08P01", "invalid startup packet layout");
  if (version != kProtocolVersion3 || !unknown_protocol_options.empty()) {
    MessageWriter w = wire_.writer();  // NegotiateProtocolVersion: we speak 3.0 only
    w.Begin('v')
        .Int32(kProtocolVersion3)
        .Int32(static_cast<int32_t>(unknown_protocol_options.size()));
    for (const std::string& option : unknown_protocol_options) w.CString(option);
    w.End();
  }
  if (!setup_.admitted) return SendFatal("53300", "sorry, too many clients already");
  user_ = parameters["user"];
  if (user_.empty()) {
    return SendFatal("28000", "no PostgreSQL user name specified in startup packet");
  }
  database_name_ = parameters.count("database") ? parameters["database"] : user_;
  RETURN_IF_ERROR(Authenticate());
  RETURN_IF_ERROR(ApplyStartupParameters(parameters));
  SendReadyParameters();
  return wire_.Flush();
}

Status PgConnection::ApplyStartupParameters(const std::map<std::string, std::string>& parameters) {
  std::vector<std::pair<std::string, std::string>> settings;
  for (const auto& [name, value] : parameters) {
    if (name == "user" || name == "database" || name == "replication") continue;
    if (name == "options") {
      for (auto& setting : CommandLineSettings(value)) settings.push_back(std::move(setting));
    } else {
      settings.emplace_back(name, value);
    }
  }
  for (const auto& [name, value] : settings) {
    if (!IsSettingName(name)) {
      return SendFatal("42704", fmt::format("unrecognized configuration parameter \"{}\"", name));
    }
    Result<serving::QueryResult> set =
        setup_.database.Execute(fmt::format("SET {} = {}", name, QuoteString(value)), session_);
    if (!set.ok()) {
      return SendFatal(SqlState(set.status().code()), set.status().message());
    }
  }
  return Status::Ok();
}

Status PgConnection::Authenticate() {
  if (setup_.credentials == nullptr) return Status::Ok();
  MessageWriter w = wire_.writer();
  w.Begin('R').Int32(10).CString(kScramMechanism).Byte('\0').End();  // AuthenticationSASL
  RETURN_IF_ERROR(wire_.Flush());
  const std::string failed = fmt::format("password authentication failed for user \"{}\"", user_);
  ASSIGN_OR_RETURN(FrontendMessage initial, wire_.ReadMessage());
  MessageReader reader(initial.body);
  const std::string_view mechanism = reader.CString();
  const int32_t length = reader.Int32();
  const std::string_view client_first = reader.Bytes(length < 0 ? 0 : static_cast<size_t>(length));
  if (initial.type != 'p' || !reader.status("SASLInitialResponse").ok()) {
    return SendFatal("08P01", "expected SASL response");
  }
  if (mechanism != kScramMechanism) {
    return SendFatal("28000", "client selected an invalid SASL authentication mechanism");
  }
  ScramExchange exchange(*setup_.credentials);
  Result<std::string> server_first = exchange.ServerFirst(client_first);
  if (!server_first.ok()) return SendFatal("08P01", server_first.status().message());
  wire_.writer().Begin('R').Int32(11).Bytes(*server_first).End();  // AuthenticationSASLContinue
  RETURN_IF_ERROR(wire_.Flush());
  ASSIGN_OR_RETURN(FrontendMessage response, wire_.ReadMessage());
  if (response.type != 'p') return SendFatal("08P01", "expected SASL response");
  Result<ScramOutcome> outcome = exchange.ServerFinal(response.body);
  if (!outcome.ok()) return SendFatal("08P01", outcome.status().message());
  const bool user_matches = setup_.options.user.empty() || setup_.options.user == user_;
  if (!outcome->authenticated || !user_matches) return SendFatal("28P01", failed);
  wire_.writer().Begin('R').Int32(12).Bytes(outcome->server_final).End();  // SASLFinal
  return Status::Ok();
}

void PgConnection::SendReadyParameters() {
  MessageWriter w = wire_.writer();
  w.Begin('R').Int32(0).End();  // AuthenticationOk
  auto found = session_.client_settings.find("application_name");
  const std::string_view application_name =
      found == session_.client_settings.end() ? std::string_view() : found->second;
  const std::pair<std::string_view, std::string_view> parameters[] = {
      {"server_version", "15.0"},
      {"server_encoding", "UTF8"},
      {"client_encoding", "UTF8"},
      {"DateStyle", "ISO, MDY"},
      {"TimeZone", "UTC"},
      {"IntervalStyle", "postgres"},
      {"integer_datetimes", "on"},
      {"standard_conforming_strings", "on"},
      {"is_superuser", "off"},
      {"session_authorization", user_},
      {"application_name", application_name},
  };
  for (const auto& [name, value] : parameters) w.Begin('S').CString(name).CString(value).End();
  w.Begin('K').Int32(setup_.process_id).Int32(setup_.secret_key).End();  // BackendKeyData
  SendReadyForQuery();
}

Status PgConnection::ServeMessages() {
  for (;;) {
    ASSIGN_OR_RETURN(FrontendMessage message, wire_.ReadMessage());
    if (message.type == 'X') return Status::Ok();  // Terminate
    if (skip_until_sync_ && message.type != 'S') continue;
    const Status handled = Dispatch(message);
    if (!handled.ok()) {  // a malformed message: PostgreSQL ends the connection
      return SendFatal("08P01", handled.message());
    }
    if (message.type == 'Q' || message.type == 'S' || message.type == 'H') {
      RETURN_IF_ERROR(wire_.Flush());
    } else {
      RETURN_IF_ERROR(FlushIfLarge());
    }
  }
}

Status PgConnection::Dispatch(const FrontendMessage& message) {
  switch (message.type) {
    case 'Q': {
      MessageReader reader(message.body);
      const std::string_view query = reader.CString();
      RETURN_IF_ERROR(reader.status("Query"));
      return HandleQuery(query);
    }
    case 'P':
      return HandleParse(message.body);
    case 'B':
      return HandleBind(message.body);
    case 'D':
      return HandleDescribe(message.body);
    case 'E':
      return HandleExecute(message.body);
    case 'C':
      return HandleClose(message.body);
    case 'S':
      HandleSync();
      return Status::Ok();
    case 'H':  // Flush: the caller sends what is buffered
    case 'd':  // copy data outside COPY: ignored
    case 'c':
    case 'f':
      return Status::Ok();
    default:
      return Status(StatusCode::kInvalidArgument, fmt::format("invalid frontend message type {}",
                                                              static_cast<int>(message.type)));
  }
}

Status PgConnection::HandleQuery(std::string_view query) {
  statements_.erase("");
  portals_.erase("");
  const std::vector<StatementText> statements = SplitStatements(query);
  if (statements.empty()) wire_.writer().Begin('I').End();  // EmptyQueryResponse
  for (const StatementText& statement : statements) {
    Result<serving::QueryResult> result = RunStatement(statement.text);
    if (!result.ok()) {
      std::optional<int> position;
      if (result.status().position()) {
        const size_t offset = ByteOffsetOf(statement.text, *result.status().position());
        position = CharacterPosition(query, statement.offset + offset);
      }
      SendError(result.status(), position);
      break;
    }
    std::vector<PgFormat> formats;
    if (result->schema) {
      formats.assign(result->schema->size(), PgFormat::kText);
      SendRowDescription(*result->schema, formats);
      size_t chunk = 0, row = 0, sent = 0;
      Result<bool> done = SendDataRows(*result, formats, 0, chunk, row, sent);
      RETURN_IF_ERROR(done);
    }
    wire_.writer().Begin('C').CString(result->command_tag).End();
  }
  SendReadyForQuery();
  return Status::Ok();
}

Result<serving::QueryResult> PgConnection::RunStatement(std::string_view sql) {
  // Braid has no transactions; BEGIN/COMMIT/ROLLBACK are accepted so drivers work.
  const std::string head = LowerCase(sql.substr(0, sql.find_first_of(" \t\r\n;")));
  serving::QueryResult answer;
  if (head == "begin" || head == "start") {
    in_transaction_ = true;
    answer.command_tag = head == "begin" ? "BEGIN" : "START TRANSACTION";
    return answer;
  }
  if (head == "commit" || head == "end" || head == "rollback" || head == "abort") {
    in_transaction_ = false;
    answer.command_tag = head == "commit" || head == "end" ? "COMMIT" : "ROLLBACK";
    return answer;
  }
  session_.cancelled->store(false);  // a CancelRequest cancels the statement running when it came
  const PgClientInfo client{
      .user = user_, .database = database_name_, .process_id = setup_.process_id};
  std::optional<Result<serving::QueryResult>> compat =
      AnswerCompatQuery(sql, setup_.database, session_, client);
  if (compat) return std::move(*compat);
  return setup_.database.Execute(sql, session_);
}

void PgConnection::SendError(const Status& status, std::optional<int> position) {
  SendErrorFields("ERROR", SqlState(status.code()), status.message(), position);
}

void PgConnection::SendErrorFields(std::string_view severity, std::string_view sqlstate,
                                   std::string_view message, std::optional<int> position) {
  MessageWriter w = wire_.writer();
  w.Begin('E');
  w.Byte('S').CString(severity).Byte('V').CString(severity);
  w.Byte('C').CString(sqlstate).Byte('M').CString(message);
  if (position) w.Byte('P').CString(std::to_string(*position));
  w.Byte('\0').End();
}

void PgConnection::SendRowDescription(const Schema& schema, const std::vector<PgFormat>& formats) {
  MessageWriter w = wire_.writer();
  w.Begin('T').Int16(static_cast<int16_t>(schema.size()));
  for (size_t i = 0; i < schema.size(); ++i) {
    const Field& field = schema.field(i);
    w.CString(field.name).Int32(0).Int16(0);  // no table, no attribute number
    w.Int32(TypeOid(field.type)).Int16(TypeLength(field.type)).Int32(-1);
    w.Int16(static_cast<int16_t>(formats[i]));
  }
  w.End();
}

Result<bool> PgConnection::SendDataRows(const serving::QueryResult& result,
                                        const std::vector<PgFormat>& formats, size_t max_rows,
                                        size_t& chunk, size_t& row, size_t& sent) {
  std::string& out = wire_.output();
  for (; chunk < result.chunks.size(); ++chunk, row = 0) {
    const Chunk& rows = result.chunks[chunk];
    for (; row < rows.num_rows(); ++row) {
      if (max_rows != 0 && sent == max_rows) return false;
      MessageWriter w(out);
      w.Begin('D').Int16(static_cast<int16_t>(rows.num_columns()));
      for (size_t c = 0; c < rows.num_columns(); ++c) {
        const Column& column = rows.column(c);
        if (!column.IsValid(row)) {
          w.Int32(-1);
          continue;
        }
        const size_t length_at = out.size();
        w.Int32(0);
        AppendValue(column, row, formats[c], out);
        const auto length = static_cast<uint32_t>(out.size() - length_at - 4);
        for (int i = 0; i < 4; ++i) out[length_at + i] = static_cast<char>(length >> (24 - 8 * i));
      }
      w.End();
      ++sent;
      RETURN_IF_ERROR(FlushIfLarge());
    }
  }
  return true;
}

void PgConnection::SendReadyForQuery() {
  wire_.writer().Begin('Z').Byte(in_transaction_ ? 'T' : 'I').End();
}

Status PgConnection::FlushIfLarge() {
  return wire_.output().size() >= kFlushBytes ? wire_.Flush() : Status::Ok();
}

Result<std::vector<PgFormat>> ExpandFormats(const std::vector<int16_t>& codes, size_t columns) {
  if (codes.size() > 1 && codes.size() != columns) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("bind message has {} result formats but query has {} columns",
                              codes.size(), columns));
  }
  std::vector<PgFormat> formats(columns, PgFormat::kText);
  for (size_t i = 0; i < columns; ++i) {
    const int16_t code = codes.empty() ? 0 : codes.size() == 1 ? codes[0] : codes[i];
    if (code != 0 && code != 1) {
      return Status(StatusCode::kInvalidArgument, fmt::format("unsupported format code: {}", code));
    }
    formats[i] = code == 1 ? PgFormat::kBinary : PgFormat::kText;
  }
  return formats;
}

}  // namespace braid::server
