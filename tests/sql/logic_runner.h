// The SQL logic test runner: gives the records of a .test file (logic_script.h) their meaning, with
// no Database and no server. Streams, views and alerts live in the runner's maps; CREATE STREAM
// binds with BindCreateStream, CREATE VIEW / CREATE ALERT with BindView / BindAlert over a
// BindEnvironment of those maps. `events` blocks append source rows (the stream's columns, then
// _ingested_at, _partition, _offset) to the stream; `query` runs a fresh ReferenceExecutor over
// every event of the view's stream and compares its Finish rows, in order, with the expected
// table. The format is specified in docs/sql_logic_tests.md. One runner per file; not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "common/time.h"
#include "logic_script.h"
#include "sql/stream_definition.h"
#include "sql/view_binder.h"
#include "sql/view_plan.h"

namespace braid::sql::logic {

// A check that did not hold, at a line of the .test file.
struct Failure {
  int line = 0;
  std::string message;  // says what was expected and what happened
};

// Where each input column of an appended block of events comes from: a column of the source
// chunk, or nullopt for NULL (stream columns) or for the default (_ingested_at).
struct EventSources {
  std::vector<std::optional<size_t>> stream_columns;
  std::optional<size_t> ingested_at;
};

// The partition of a block and, if given, the _ingested_at of all its events; without it an
// event's _ingested_at is its timestamp column's value, or kDefaultIngestedAt.
struct EventPlacement {
  int64_t partition = 0;
  std::optional<Timestamp> ingested_at;
};
inline constexpr Timestamp kDefaultIngestedAt{946684800LL * 1000000};  // 2000-01-01T00:00:00Z

// How a query runs a view: one executor over every event of the stream, or one executor per
// events block with their states merged into an empty one (the model of the batch/speed merge;
// ReferenceExecutor::MergeFrom does not take session windows).
enum class Execution : uint8_t { kOnePass, kMergedBlocks };

class LogicRunner {
 public:
  LogicRunner() = default;
  LogicRunner(const LogicRunner&) = delete;
  LogicRunner& operator=(const LogicRunner&) = delete;

  // Runs every record of `script` in order and returns every failure. A failed record does not
  // stop the run (later records may fail as a consequence).
  std::vector<Failure> Run(std::string_view script);

 private:
  struct StreamState {
    std::shared_ptr<const StreamDefinition> definition;
    Chunk rows;                              // ViewInputSchema(definition->schema)
    std::map<int64_t, int64_t> next_offset;  // per partition
    std::vector<size_t> block_ends;          // rows.num_rows() after each appended block
  };
  // Each returns the record's failure, if any.
  std::optional<Failure> RunRecord(const Record& record);
  std::optional<Failure> RunStatement(const Record& record);
  std::optional<Failure> RunEvents(const Record& record);
  std::optional<Failure> RunIngest(const Record& record);
  std::optional<Failure> RunQuery(const Record& record);

  // Parses and executes one CREATE statement; returns the binder's warnings.
  Result<std::vector<BindWarning>> ExecuteSql(std::string_view sql);
  Status CreateStream(const CreateStreamStatement& statement);
  Result<std::vector<BindWarning>> CreateView(const CreateViewStatement& statement);
  Status CreateAlert(const CreateAlertStatement& statement);
  // What already carries `name` (streams, views and alerts share one namespace).
  std::optional<ObjectKind> KindOf(std::string_view name) const;
  BindEnvironment Environment() const;

  // The rows of a view (or of an alert: its view's rows where the condition holds).
  Result<Chunk> Evaluate(std::string_view name, Execution execution = Execution::kOnePass) const;
  // Whether Evaluate(name, kMergedBlocks) applies: a known view without a session window.
  bool CanMerge(std::string_view name) const;
  // Finish's rows of `plan` over the stream's events.
  static Result<Chunk> RunView(const ViewPlanPtr& plan, const StreamState& stream,
                               Execution execution);

  Result<StreamState*> FindStream(std::string_view name);
  // Appends every row of `source` to the stream as events, with _partition and _offset.
  static Status AppendEvents(StreamState& stream, const Chunk& source, const EventSources& sources,
                             const EventPlacement& placement);

  std::map<std::string, StreamState> streams_;  // by CanonicalIdentifier
  std::map<std::string, ViewPlanPtr> views_;
  std::map<std::string, AlertPlanPtr> alerts_;
};

}  // namespace braid::sql::logic
