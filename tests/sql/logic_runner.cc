// The logic test runner: statements and queries (logic_runner.h). Events and ingest blocks are in
// logic_events.cc.
#include "logic_runner.h"

#include <fmt/format.h>

#include <charconv>
#include <numeric>

#include "sql/expression_evaluator.h"
#include "sql/parser.h"
#include "sql/reference_executor.h"

namespace braid::sql::logic {
namespace {

// What a statement (or a query) must do: succeed, succeed with a warning, or fail.
struct Expectation {
  enum class Kind { kOk, kWarning, kError } kind = Kind::kOk;
  std::string sqlstate;                    // kError only
  std::optional<SourcePosition> position;  // line:column within the statement, if given
  std::string fragment;                    // must occur in the message, if not empty
};

std::optional<SourcePosition> ParsePosition(std::string_view word) {
  size_t colon = word.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  SourcePosition position;
  auto [line_end, line_error] = std::from_chars(word.data(), word.data() + colon, position.line);
  auto [column_end, column_error] =
      std::from_chars(word.data() + colon + 1, word.data() + word.size(), position.column);
  if (line_error != std::errc() || line_end != word.data() + colon || column_error != std::errc() ||
      column_end != word.data() + word.size()) {
    return std::nullopt;
  }
  return position;
}

// Reads "ok", "warning [L:C] [fragment]" or "error SQLSTATE [L:C] [fragment]" from the word at
// `at` of the directive.
Result<Expectation> ParseExpectation(const Record& record, size_t at) {
  const std::vector<std::string>& words = record.words;
  Expectation expectation;
  std::string_view kind;
  if (at < words.size()) kind = words[at];
  size_t next = at + 1;
  if (kind == "ok" && words.size() == next) return expectation;
  if (kind == "error") {
    if (next >= words.size() || words[next].size() != 5) {
      return Status(StatusCode::kInvalidArgument, "expected a 5-character SQLSTATE after 'error'");
    }
    expectation.kind = Expectation::Kind::kError;
    expectation.sqlstate = words[next++];
  } else if (kind == "warning") {
    expectation.kind = Expectation::Kind::kWarning;
  } else {
    return Status(StatusCode::kInvalidArgument,
                  "expected 'ok', 'warning [line:column] [message]' or "
                  "'error SQLSTATE [line:column] [message]'");
  }
  if (next < words.size()) {
    if ((expectation.position = ParsePosition(words[next]))) ++next;
  }
  expectation.fragment = DirectiveRest(record, next);
  return expectation;
}

std::string Describe(const Expectation& expectation) {
  std::string text = expectation.kind == Expectation::Kind::kError ? "error " + expectation.sqlstate
                                                                   : std::string("a warning");
  if (expectation.position) {
    text += fmt::format(" at {}:{}", expectation.position->line, expectation.position->column);
  }
  if (!expectation.fragment.empty()) text += " containing '" + expectation.fragment + "'";
  return text;
}

std::string Describe(const Status& status) {
  return fmt::format("{} {}", SqlState(status.code()), status.ToString());
}

bool Matches(const Expectation& expectation, std::string_view message,
             const std::optional<SourcePosition>& position) {
  if (expectation.position) {
    if (!position || position->line != expectation.position->line ||
        position->column != expectation.position->column) {
      return false;
    }
  }
  return message.find(expectation.fragment) != std::string_view::npos;
}

// Checks an outcome (an error status, or the warnings of a success) against the expectation;
// returns what went wrong.
std::optional<std::string> Mismatch(const Expectation& expectation, const Status& status,
                                    const std::vector<BindWarning>& warnings) {
  using Kind = Expectation::Kind;
  if (!status.ok()) {
    if (expectation.kind == Kind::kError && SqlState(status.code()) == expectation.sqlstate &&
        Matches(expectation, status.message(), status.position())) {
      return std::nullopt;
    }
    std::string wanted = expectation.kind == Kind::kError ? Describe(expectation) : "success";
    return fmt::format("expected {}; got {}", wanted, Describe(status));
  }
  if (expectation.kind == Kind::kError) {
    return fmt::format("expected {}; it succeeded", Describe(expectation));
  }
  if (expectation.kind == Kind::kOk) return std::nullopt;
  std::string seen;
  for (const BindWarning& warning : warnings) {
    if (Matches(expectation, warning.message, warning.position)) return std::nullopt;
    seen +=
        fmt::format(" [{}:{} {}]", warning.position.line, warning.position.column, warning.message);
  }
  return fmt::format("expected {}; got warnings:{}", Describe(expectation),
                     seen.empty() ? " none" : seen);
}

std::string JoinBody(const std::vector<ScriptLine>& body, size_t from) {
  std::string text;
  for (size_t i = from; i < body.size(); ++i) {
    if (i > from) text += '\n';
    text += body[i].text;
  }
  return text;
}

// The named columns of `rows` as a table in the .test format.
std::string FormatTable(const Chunk& rows, const std::vector<size_t>& columns) {
  std::string text;
  for (size_t i = 0; i < columns.size(); ++i) {
    text += (i > 0 ? "|" : "") + rows.schema()->field(columns[i]).name;
  }
  text += "\n----\n";
  for (size_t row = 0; row < rows.num_rows(); ++row) {
    for (size_t i = 0; i < columns.size(); ++i) {
      text += (i > 0 ? "|" : "") + FormatCell(rows.column(columns[i]), row);
    }
    text += '\n';
  }
  return text;
}

// The indexes in `schema` of the columns a query's header names.
Result<std::vector<size_t>> ColumnIndexes(const Schema& schema, std::string_view header) {
  std::vector<size_t> columns;
  for (const std::string& column : SplitCells(header)) {
    std::optional<size_t> index = schema.FindField(column);
    if (!index) {
      std::string known;
      for (const Field& field : schema.fields()) known += " " + field.name;
      return Status(StatusCode::kInvalidArgument,
                    fmt::format("no column '{}'; the columns are:{}", column, known));
    }
    columns.push_back(*index);
  }
  return columns;
}

// The first difference between the expected table (body lines from 2 on) and `rows`.
std::optional<Failure> FirstDifference(const Record& record, const Chunk& rows,
                                       const std::vector<size_t>& columns) {
  size_t expected_rows = record.body.size() - 2;
  for (size_t row = 0; row < expected_rows; ++row) {
    const ScriptLine& expected = record.body[row + 2];
    std::vector<std::string> cells = SplitCells(expected.text);
    if (cells.size() != columns.size()) {
      return Failure{expected.number,
                     fmt::format("{} cells for {} columns", cells.size(), columns.size())};
    }
    if (row >= rows.num_rows()) {
      return Failure{expected.number, fmt::format("only {} rows", rows.num_rows())};
    }
    for (size_t i = 0; i < columns.size(); ++i) {
      const Column& column = rows.column(columns[i]);
      if (CellMatches(cells[i], column, row)) continue;
      return Failure{expected.number, fmt::format("row {} column {}: expected {}, got {}", row + 1,
                                                  rows.schema()->field(columns[i]).name, cells[i],
                                                  FormatCell(column, row))};
    }
  }
  if (rows.num_rows() == expected_rows) return std::nullopt;
  return Failure{record.directive.number,
                 fmt::format("expected {} rows, got {}", expected_rows, rows.num_rows())};
}

// Compares a query's rows with the record's expected table: header, ----, rows.
std::optional<Failure> CompareRows(const Record& record, const Chunk& rows) {
  const std::string& name = record.words[1];
  if (record.body.size() < 2 || record.body[1].text != "----") {
    return Failure{record.directive.number,
                   "query: expected a header line of column names, then ----"};
  }
  Result<std::vector<size_t>> columns = ColumnIndexes(*rows.schema(), record.body[0].text);
  if (!columns.ok()) {
    return Failure{record.body[0].number, "query " + name + ": " + columns.status().message()};
  }
  std::optional<Failure> failure = FirstDifference(record, rows, *columns);
  if (failure) {
    failure->message =
        fmt::format("query {}: {}\nexpected:\n{}\n----\n{}\nactual:\n{}", name, failure->message,
                    record.body[0].text, JoinBody(record.body, 2), FormatTable(rows, *columns));
  }
  return failure;
}

}  // namespace

std::vector<Failure> LogicRunner::Run(std::string_view script) {
  std::vector<Failure> failures;
  for (const Record& record : ReadRecords(script)) {
    if (std::optional<Failure> failure = RunRecord(record)) failures.push_back(*failure);
  }
  return failures;
}

std::optional<Failure> LogicRunner::RunRecord(const Record& record) {
  std::string_view directive = record.words.front();
  if (directive == "statement") return RunStatement(record);
  if (directive == "events") return RunEvents(record);
  if (directive == "ingest") return RunIngest(record);
  if (directive == "query") return RunQuery(record);
  return Failure{record.directive.number,
                 fmt::format("unknown directive '{}': expected statement, events, ingest or query",
                             directive)};
}

std::optional<Failure> LogicRunner::RunStatement(const Record& record) {
  int line = record.directive.number;
  Result<Expectation> expectation = ParseExpectation(record, 1);
  if (!expectation.ok()) return Failure{line, "statement: " + expectation.status().message()};
  if (record.body.empty()) return Failure{line, "statement: no SQL follows the directive"};
  Result<std::vector<BindWarning>> outcome = ExecuteSql(JoinBody(record.body, 0));
  std::vector<BindWarning> warnings = outcome.ok() ? *outcome : std::vector<BindWarning>{};
  if (std::optional<std::string> mismatch = Mismatch(*expectation, outcome.status(), warnings)) {
    return Failure{line, "statement: " + *mismatch};
  }
  return std::nullopt;
}

Result<std::vector<BindWarning>> LogicRunner::ExecuteSql(std::string_view sql) {
  ASSIGN_OR_RETURN(ParsedStatement parsed, ParseStatement(sql));
  if (const auto* stream = std::get_if<CreateStreamStatement>(&parsed.statement)) {
    RETURN_IF_ERROR(CreateStream(*stream));
    return std::vector<BindWarning>{};
  }
  if (const auto* view = std::get_if<CreateViewStatement>(&parsed.statement)) {
    return CreateView(*view);
  }
  if (const auto* alert = std::get_if<CreateAlertStatement>(&parsed.statement)) {
    RETURN_IF_ERROR(CreateAlert(*alert));
    return std::vector<BindWarning>{};
  }
  return Status(StatusCode::kUnsupported,
                "a logic test statement is CREATE STREAM, CREATE VIEW or CREATE ALERT",
                parsed.position);
}

std::optional<ObjectKind> LogicRunner::KindOf(std::string_view name) const {
  std::string key = CanonicalIdentifier(name);
  if (streams_.contains(key)) return ObjectKind::kStream;
  if (views_.contains(key)) return ObjectKind::kView;
  if (alerts_.contains(key)) return ObjectKind::kAlert;
  return std::nullopt;
}

Status LogicRunner::CreateStream(const CreateStreamStatement& statement) {
  ASSIGN_OR_RETURN(StreamDefinition definition, BindCreateStream(statement));
  if (KindOf(statement.name)) {
    if (statement.if_not_exists && KindOf(statement.name) == ObjectKind::kStream) {
      return Status::Ok();
    }
    return Status(StatusCode::kDuplicateObject, "'" + statement.name + "' already exists",
                  statement.name_position);
  }
  auto shared = std::make_shared<const StreamDefinition>(std::move(definition));
  Chunk rows(ViewInputSchema(*shared->schema));
  StreamState stream;
  stream.definition = shared;
  stream.rows = std::move(rows);
  streams_.emplace(CanonicalIdentifier(statement.name), std::move(stream));
  return Status::Ok();
}

Result<std::vector<BindWarning>> LogicRunner::CreateView(const CreateViewStatement& statement) {
  std::optional<ObjectKind> existing = KindOf(statement.name);
  if (existing && !(statement.or_replace && existing == ObjectKind::kView)) {
    return Status(StatusCode::kDuplicateObject, "'" + statement.name + "' already exists",
                  statement.name_position);
  }
  ASSIGN_OR_RETURN(BoundView bound, BindView(statement, Environment()));
  views_[CanonicalIdentifier(statement.name)] = bound.plan;
  return bound.warnings;
}

Status LogicRunner::CreateAlert(const CreateAlertStatement& statement) {
  std::optional<ObjectKind> existing = KindOf(statement.name);
  if (existing && !(statement.or_replace && existing == ObjectKind::kAlert)) {
    return Status(StatusCode::kDuplicateObject, "'" + statement.name + "' already exists",
                  statement.name_position);
  }
  ASSIGN_OR_RETURN(AlertPlanPtr plan, BindAlert(statement, Environment()));
  alerts_[CanonicalIdentifier(statement.name)] = plan;
  return Status::Ok();
}

BindEnvironment LogicRunner::Environment() const {
  return BindEnvironment{
      .find_stream = [this](std::string_view name) -> std::shared_ptr<const StreamDefinition> {
        auto it = streams_.find(CanonicalIdentifier(name));
        return it == streams_.end() ? nullptr : it->second.definition;
      },
      .find_view = [this](std::string_view name) -> ViewPlanPtr {
        auto it = views_.find(CanonicalIdentifier(name));
        return it == views_.end() ? nullptr : it->second;
      },
  };
}

Result<Chunk> LogicRunner::RunView(const ViewPlanPtr& plan, const StreamState& stream,
                                   Execution execution) {
  ReferenceExecutor merged(plan);
  if (execution == Execution::kOnePass) {
    RETURN_IF_ERROR(merged.Consume(stream.rows));
    return merged.Finish();
  }
  size_t begin = 0;
  for (size_t end : stream.block_ends) {
    std::vector<uint32_t> rows(end - begin);
    std::iota(rows.begin(), rows.end(), static_cast<uint32_t>(begin));
    ReferenceExecutor block(plan);
    RETURN_IF_ERROR(block.Consume(stream.rows.Select(rows)));
    RETURN_IF_ERROR(merged.MergeFrom(block));
    begin = end;
  }
  return merged.Finish();
}

bool LogicRunner::CanMerge(std::string_view name) const {
  std::string key = CanonicalIdentifier(name);
  if (auto alert = alerts_.find(key); alert != alerts_.end()) {
    key = CanonicalIdentifier(alert->second->view);
  }
  auto view = views_.find(key);
  if (view == views_.end()) return false;
  const std::optional<WindowDefinition>& window = view->second->window;
  return !window || window->kind != WindowKind::kSession;
}

Result<Chunk> LogicRunner::Evaluate(std::string_view name, Execution execution) const {
  std::string key = CanonicalIdentifier(name);
  ViewPlanPtr plan;
  AlertPlanPtr alert;
  if (auto view = views_.find(key); view != views_.end()) plan = view->second;
  if (auto found = alerts_.find(key); found != alerts_.end()) {
    alert = found->second;
    auto view = views_.find(CanonicalIdentifier(alert->view));
    if (view != views_.end()) plan = view->second;
  }
  if (plan == nullptr) {
    return Status(StatusCode::kUndefinedObject,
                  "no view or alert named '" + std::string(name) + "'");
  }
  auto stream = streams_.find(CanonicalIdentifier(plan->source));
  if (stream == streams_.end()) {
    return Status(StatusCode::kUndefinedObject, "no stream named '" + plan->source + "'");
  }
  ASSIGN_OR_RETURN(Chunk rows, RunView(plan, stream->second, execution));
  if (alert == nullptr) return rows;
  ASSIGN_OR_RETURN(std::vector<uint32_t> firing, SelectTrue(*alert->condition, rows));
  return rows.Select(firing);
}

std::optional<Failure> LogicRunner::RunQuery(const Record& record) {
  int line = record.directive.number;
  if (record.words.size() < 2) return Failure{line, "query: expected the name of a view or alert"};
  const std::string& name = record.words[1];
  Result<Chunk> rows = Evaluate(name);
  if (record.words.size() > 2) {
    Result<Expectation> expectation = ParseExpectation(record, 2);
    if (!expectation.ok()) return Failure{line, "query: " + expectation.status().message()};
    if (std::optional<std::string> mismatch = Mismatch(*expectation, rows.status(), {})) {
      return Failure{line, "query " + name + ": " + *mismatch};
    }
    return std::nullopt;
  }
  if (!rows.ok()) return Failure{line, "query " + name + " failed: " + Describe(rows.status())};
  if (std::optional<Failure> failure = CompareRows(record, *rows)) return failure;
  if (!CanMerge(name)) return std::nullopt;
  // The same rows must come from the states of each events block merged.
  Result<Chunk> merged = Evaluate(name, Execution::kMergedBlocks);
  if (!merged.ok()) {
    return Failure{line, "query " + name +
                             " with per-block states merged failed: " + Describe(merged.status())};
  }
  std::optional<Failure> failure = CompareRows(record, *merged);
  if (failure) failure->message = "with per-block states merged: " + failure->message;
  return failure;
}

}  // namespace braid::sql::logic
