#include "server/api_sql.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "common/json_writer.h"
#include "common/time.h"
#include "sql/parser.h"

namespace braid::server {
namespace {

constexpr std::string_view kExpectedBody =
    R"({"sql": "...", "consistency": "merged|exact|speed", "max_staleness": "10s", )"
    R"("max_rows": n, "timeout_ms": n} or the SQL text)";

struct SqlRequest {
  std::string sql;
  std::string consistency;  // empty = the default (merged)
  std::optional<Duration> max_staleness;
  std::optional<int64_t> max_rows;
  std::optional<int64_t> timeout_ms;
};

bool IsJsonBody(std::string_view content_type, std::string_view body) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  if (media.size() >= 16 && media.substr(0, 16) == "application/json") return true;
  for (char c : body) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c == '{';
  }
  return false;
}

Status BadSqlRequest(std::string_view why) {
  return Status(StatusCode::kInvalidArgument,
                fmt::format("bad SQL request body: {} (expected {})", why, kExpectedBody));
}

Result<std::string_view> StringMember(const simdjson::dom::key_value_pair& member) {
  std::string_view value;
  if (member.value.get_string().get(value) != simdjson::SUCCESS) {
    return BadSqlRequest(fmt::format("'{}' must be a string", member.key));
  }
  return value;
}

// max_rows (> 0) and timeout_ms (>= 0, 0 = no timeout).
Result<int64_t> CountMember(const simdjson::dom::key_value_pair& member, int64_t minimum) {
  int64_t value = 0;
  if (member.value.get_int64().get(value) != simdjson::SUCCESS || value < minimum) {
    return BadSqlRequest(fmt::format("'{}' must be an integer >= {}", member.key, minimum));
  }
  return value;
}

// max_staleness: a duration such as "10s"; "none" or zero means no bound.
Result<std::optional<Duration>> StalenessMember(const simdjson::dom::key_value_pair& member) {
  ASSIGN_OR_RETURN(std::string_view text, StringMember(member));
  if (text == "none") return std::optional<Duration>();
  Result<Duration> staleness = ParseDuration(text);
  if (!staleness.ok()) {
    return BadSqlRequest(fmt::format("'max_staleness' {}", staleness.status().message()));
  }
  return staleness->micros > 0 ? std::optional<Duration>(*staleness) : std::nullopt;
}

Status ParseMember(const simdjson::dom::key_value_pair& member, SqlRequest* parsed) {
  const std::string_view key = member.key;
  if (key == "sql") {
    ASSIGN_OR_RETURN(std::string_view sql, StringMember(member));
    parsed->sql = std::string(sql);
  } else if (key == "consistency") {
    ASSIGN_OR_RETURN(std::string_view consistency, StringMember(member));
    parsed->consistency = std::string(consistency);
  } else if (key == "max_staleness") {
    ASSIGN_OR_RETURN(parsed->max_staleness, StalenessMember(member));
  } else if (key == "max_rows") {
    ASSIGN_OR_RETURN(parsed->max_rows, CountMember(member, 1));
  } else if (key == "timeout_ms") {
    ASSIGN_OR_RETURN(parsed->timeout_ms, CountMember(member, 0));
  } else {
    return BadSqlRequest(fmt::format("unknown member '{}'", key));
  }
  return Status::Ok();
}

// Bodies up to this size are parsed by a parser kept per io thread (its buffers allocated once);
// larger ones by a parser of their own, so no thread keeps a large body's buffers for good.
constexpr size_t kReusedParserBytes = 64 << 10;

Result<SqlRequest> ParseJsonSqlRequest(const PaddedText& body) {
  thread_local simdjson::dom::parser reused_parser;
  std::optional<simdjson::dom::parser> own_parser;
  simdjson::dom::parser& parser =
      body.size() <= kReusedParserBytes ? reused_parser : own_parser.emplace();
  simdjson::dom::object object;
  if (auto error = parser.parse(body.data(), body.size(), false).get(object)) {
    return BadSqlRequest(simdjson::error_message(error));
  }
  SqlRequest parsed;
  bool has_sql = false;
  for (const simdjson::dom::key_value_pair& member : object) {
    RETURN_IF_ERROR(ParseMember(member, &parsed));
    has_sql = has_sql || member.key == "sql";
  }
  if (!has_sql) return BadSqlRequest("missing member 'sql'");
  return parsed;
}

// The request as a statement and the session it runs in.
Result<std::pair<std::string, serving::Session>> ParseSqlRequest(const Request& request,
                                                                 const ApiOptions& options) {
  SqlRequest parsed;
  if (IsJsonBody(request.Header("Content-Type"), request.body().view())) {
    ASSIGN_OR_RETURN(parsed, ParseJsonSqlRequest(request.body()));
  } else {
    parsed.sql = std::string(request.body().view());
  }
  serving::Session session;
  session.limits = options.query_limits;
  ASSIGN_OR_RETURN(session.consistency, serving::ParseConsistency(parsed.consistency));
  session.max_staleness = parsed.max_staleness;
  if (parsed.max_rows) session.limits.max_result_rows = static_cast<size_t>(*parsed.max_rows);
  if (parsed.timeout_ms) session.limits.statement_timeout = Duration::Millis(*parsed.timeout_ms);
  return std::make_pair(std::move(parsed.sql), std::move(session));
}

void WriteOptionalTime(JsonWriter& json, std::string_view key,
                       const std::optional<Timestamp>& time) {
  json.Key(key);
  time ? json.Time(*time) : json.Null();
}

void WriteMeta(JsonWriter& json, const serving::QueryResult& result, const AnswerMeta& meta) {
  const std::optional<serving::QueryCoverage>& coverage = result.coverage;
  json.Key("meta").BeginObject().Key("elapsed_ms").Double(meta.elapsed_ms);
  json.Key("consistency")
      .String(serving::ConsistencyName(coverage ? coverage->consistency : meta.requested));
  json.Key("requested").String(serving::ConsistencyName(meta.requested));
  json.Key("routing");
  coverage && !coverage->routing.empty() ? json.String(coverage->routing) : json.Null();
  json.Key("staleness_ms");
  if (coverage && coverage->staleness) {
    json.Double(static_cast<double>(coverage->staleness->micros) / 1000.0);
  } else {
    json.Null();
  }
  if (coverage) {  // a query over a view says what it covers
    json.Key("batch_epoch").Int(coverage->batch_epoch);
    json.Key("batch_version").Int(coverage->batch_version);
    WriteOptionalTime(json, "batch_horizon", coverage->batch_horizon);
    WriteOptionalTime(json, "speed_watermark", coverage->speed_watermark);
  }
  json.EndObject();
}

// The JSON answer of a result, written in pieces: the columns, then the rows a piece at a time,
// then command, message and meta. Holds the result by reference.
class AnswerWriter {
 public:
  AnswerWriter(const serving::QueryResult& result, const AnswerMeta& meta)
      : result_(result), meta_(meta) {}

  // The next piece: at least `bytes` long (about one row more) unless the answer ends with it.
  std::string Next(size_t bytes) {
    if (!started_) WriteHead(bytes);
    while (chunk_ < result_.chunks.size() && json_.str().size() < bytes) {
      const Chunk& chunk = result_.chunks[chunk_];
      row_ = json_.Rows(chunk, row_, bytes);
      if (row_ >= chunk.num_rows()) {
        ++chunk_;
        row_ = 0;
      }
    }
    if (chunk_ == result_.chunks.size() && !done_) WriteTail();
    return json_.Take();
  }
  bool done() const { return done_; }

 private:
  // Bytes reserved for the first piece: a point read's whole answer, in one allocation.
  static constexpr size_t kFirstPieceBytes = 16 << 10;

  void WriteHead(size_t bytes) {
    started_ = true;
    json_.Reserve(std::min(bytes, kFirstPieceBytes));
    json_.BeginObject().Key("columns").BeginArray();
    if (result_.schema) {
      for (const Field& field : result_.schema->fields()) {
        json_.BeginObject().Key("name").String(field.name);
        json_.Key("type").String(DataTypeName(field.type)).EndObject();
      }
    }
    json_.EndArray().Key("rows").BeginArray();
  }
  void WriteTail() {
    done_ = true;
    json_.EndArray();
    json_.Key("command").String(result_.command_tag).Key("message").String(result_.message);
    WriteMeta(json_, result_, meta_);
    json_.EndObject();
  }

  const serving::QueryResult& result_;
  const AnswerMeta meta_;
  JsonWriter json_;
  size_t chunk_ = 0;  // the next row to write is row_ of chunks[chunk_]
  size_t row_ = 0;
  bool started_ = false;
  bool done_ = false;
};

// A statement's result and its answer being written, kept together (and in place: the writer
// refers to the result) while the answer is sent.
struct PendingAnswer {
  PendingAnswer(serving::QueryResult computed, const AnswerMeta& meta)
      : result(std::move(computed)), writer(result, meta) {}
  PendingAnswer(const PendingAnswer&) = delete;
  PendingAnswer& operator=(const PendingAnswer&) = delete;

  const serving::QueryResult result;
  AnswerWriter writer;
};

// Writes `piece` to the stream in slices the writer's bound admits, waiting while the client
// reads. Returns false when the stream was closed (the client went away, the server stops).
bool WritePiece(StreamWriter& stream, std::string_view piece, size_t slice_bytes) {
  while (!piece.empty()) {
    const std::string_view slice = piece.substr(0, slice_bytes);
    if (!stream.AwaitRoom(slice.size()) || !stream.Write(slice)) return false;
    piece.remove_prefix(slice.size());
  }
  return true;
}

// Streams the answer from `first_piece` on; waits for the client, so only on a blocking thread.
void StreamAnswer(PendingAnswer& answer, std::string first_piece, size_t piece_bytes,
                  Responder responder) {
  StreamHead head;
  head.content_type = "application/json";
  head.max_queued_bytes = 4 * piece_bytes;
  std::shared_ptr<StreamWriter> stream = responder.Stream(std::move(head));
  std::string piece = std::move(first_piece);
  while (WritePiece(*stream, piece, piece_bytes) && !answer.writer.done()) {
    piece = answer.writer.Next(piece_bytes);
  }
  stream->Close();
}

// Which thread a statement runs on: an io thread must never wait for its client.
enum class StatementThread : uint8_t { kIo, kBlocking };

// Answers with `result`: in one piece with a Content-Length when it fits streamed_answer_bytes,
// else streamed, from a blocking thread (handed over to one when this is an io thread).
void SendAnswer(ApiContext& context, serving::QueryResult result, const AnswerMeta& meta,
                Responder responder, StatementThread thread) {
  const size_t piece_bytes = std::max<size_t>(context.options().streamed_answer_bytes, 1);
  auto answer = std::make_unique<PendingAnswer>(std::move(result), meta);
  std::string piece = answer->writer.Next(piece_bytes);
  if (answer->writer.done()) return responder.Send(JsonResponse(200, std::move(piece)));
  if (thread == StatementThread::kBlocking) {
    return StreamAnswer(*answer, std::move(piece), piece_bytes, std::move(responder));
  }
  context.RunBlocking([answer = std::move(answer), piece = std::move(piece), piece_bytes,
                       responder = std::move(responder)]() mutable {
    StreamAnswer(*answer, std::move(piece), piece_bytes, std::move(responder));
  });
}

Status WithoutPosition(const Status& status) { return Status(status.code(), status.message()); }

void SendError(const Status& status, ErrorPositions positions, Responder responder) {
  responder.Send(
      ErrorResponse(positions == ErrorPositions::kKeep ? status : WithoutPosition(status)));
}

// Runs the statement on this thread and answers with its result or its error.
void RunStatement(ApiContext& context, const sql::ParsedStatement& statement,
                  serving::Session& session, ErrorPositions positions, Responder responder,
                  StatementThread thread) {
  const serving::Consistency requested = session.consistency;
  const auto start = std::chrono::steady_clock::now();
  Result<serving::QueryResult> result = context.database().Execute(statement, session);
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - start;
  if (!result.ok()) return SendError(result.status(), positions, std::move(responder));
  SendAnswer(context, std::move(*result),
             AnswerMeta{.elapsed_ms = elapsed.count(), .requested = requested},
             std::move(responder), thread);
}

}  // namespace

std::string QueryResultJson(const serving::QueryResult& result, const AnswerMeta& meta) {
  AnswerWriter writer(result, meta);
  std::string json;
  while (!writer.done()) json += writer.Next(SIZE_MAX);
  return json;
}

void AnswerStatement(ApiContext& context, std::string sql, serving::Session session,
                     ErrorPositions positions, Responder responder) {
  // Parsed here, once: whether it may run on this io thread depends on what it reads.
  Result<sql::ParsedStatement> statement = sql::ParseStatement(sql);
  if (!statement.ok()) return SendError(statement.status(), positions, std::move(responder));
  if (context.options().inline_memory_reads && context.database().IsInMemoryRead(*statement)) {
    return RunStatement(context, *statement, session, positions, std::move(responder),
                        StatementThread::kIo);
  }
  // A statement on a blocking thread may run long: it stops when the client hangs up (even
  // while it waits for a thread), instead of running to its timeout for nobody.
  session.cancelled = responder.WatchHangUp();
  context.RunBlocking([&context, statement = std::move(*statement), session = std::move(session),
                       positions, responder = std::move(responder)]() mutable {
    RunStatement(context, statement, session, positions, std::move(responder),
                 StatementThread::kBlocking);
  });
}

void HandlePostSql(ApiContext& context, const Request& request, Responder responder) {
  Result<std::pair<std::string, serving::Session>> parsed =
      ParseSqlRequest(request, context.options());
  if (!parsed.ok()) return responder.Send(ErrorResponse(parsed.status()));
  AnswerStatement(context, std::move(parsed->first), std::move(parsed->second),
                  ErrorPositions::kKeep, std::move(responder));
}

}  // namespace braid::server
