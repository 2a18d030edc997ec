// Helpers of the view oracle tests (view_oracle_*_test.cc): binding an example file of
// examples/ as the catalog would, turning stream rows into view input, writing them as CSV for
// DuckDB, and comparing a view's rows with DuckDB's (tests/duckdb_oracle.h): same row count,
// every value equal, doubles to 1e-9 relative. Failures are gtest failures in the calling test.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/chunk.h"
#include "common/status.h"
#include "duckdb_oracle.h"
#include "scoped_temp_dir.h"
#include "sql/stream_definition.h"
#include "sql/view_plan.h"

namespace braid::sql::testing {

// The text of examples/<name> in the source tree ("" when missing).
std::string ReadExample(const std::string& name);

// A script's streams, views and alerts, bound in order as the catalog would.
struct BoundScript {
  std::map<std::string, std::shared_ptr<const StreamDefinition>> streams;
  std::map<std::string, ViewPlanPtr> views;
  std::map<std::string, AlertPlanPtr> alerts;
  size_t warnings = 0;
};
Result<BoundScript> BindScript(std::string_view text);

// Stream rows with the ingestion columns appended (input_schema = ViewInputSchema of the
// stream): _ingested_at = `ingested_at`, _partition = offset % 4, _offset = first_offset + row.
Result<Chunk> ToViewInput(const Chunk& stream_rows, const SchemaPtr& input_schema,
                          Timestamp ingested_at, int64_t first_offset);

// ToViewInput of all `stream_rows` as one chunk of view input (a failure is a gtest failure and
// gives no chunks).
std::vector<Chunk> ViewInputOf(const Chunk& stream_rows, const SchemaPtr& input_schema,
                               Timestamp ingested_at);

// A DuckDB `CREATE VIEW name AS` over a CSV written by WriteCsv; `columns` is the body of
// read_csv's columns struct: "'a': 'VARCHAR', 'b_us': 'BIGINT'".
std::string ReadCsvViewSql(std::string_view name, const std::filesystem::path& csv,
                           std::string_view columns);

// The first `columns` columns of every chunk as CSV without a header: NULL as an empty field,
// doubles in shortest round-trip form, TIMESTAMP as epoch microseconds, BOOLEAN true/false.
// Strings must not hold ',' or newlines.
void WriteCsv(const std::vector<Chunk>& chunks, size_t columns, const std::filesystem::path& path);

// All of `input` through a ReferenceExecutor, then Finish.
Result<Chunk> RunView(const ViewPlanPtr& plan, const std::vector<Chunk>& input);

// DuckDB's expression for the end of the tumbling (or hop-grid) window of `size` µs containing
// the BIGINT epoch-µs `micros`: its ceiling on the epoch grid, so a time on the grid is the end
// of its own window ((start, end], SEMANTICS.md).
std::string GridCeilingSql(std::string_view micros, int64_t size);

// DuckDB's query (without ORDER BY) computing the rows of view `view` of examples/iot.sql
// (device_metrics, user_activity or user_hourly) over a DuckDB relation `events` with the
// telemetry columns and the event time as BIGINT epoch µs `event_us`; "" for another view.
std::string IotViewDuckDbSql(std::string_view view);

// DuckDB's expression for the ends of every hopping window (size, hop in µs) containing `micros`:
// each end e on the hop grid with micros <= e < micros + size, as a list to unnest.
std::string HopEndsSql(std::string_view micros, int64_t size, int64_t hop);

// DuckDB's query for a session-windowed view over `table`: per `key` in time order (times unique
// per key), a gap of at most `timeout` joins; each session gives key, window_start (its first
// event), window_end = min(last + timeout, cut) with cut = the first multiple of `max` at least
// `max` after the start, the `aggregates` (a select-list fragment), and `span` = last - first.
// Valid while every span stays below `max` (no continuation sessions): check span.
std::string SessionRowsSql(std::string_view table, std::string_view key, std::string_view micros,
                           int64_t timeout, int64_t max, std::string_view aggregates);

// Every row and value of `rows` against the oracle's; reports at most 10 differing values.
// Column 0 and `time_column` of a differing row are printed to identify it.
void ExpectRowsAgree(const std::string& what, const Chunk& rows,
                     const std::vector<braid::testing::OracleRow>& oracle, size_t time_column = 2);

// One example file under test: which file, which stream feeds it, how its events are generated
// (stream rows as view input) and how DuckDB loads the CSV of those events.
struct ExampleSpec {
  const char* file;    // "fraud.sql"
  const char* stream;  // the stream whose events are generated
  std::vector<Chunk> (*generate)(const SchemaPtr& stream_schema, const SchemaPtr& input_schema);
  std::string (*load_sql)(const std::filesystem::path& csv);  // a DuckDB CREATE VIEW over the CSV
};

// A test suite over one example file: binds it once, generates its input once and writes it as
// CSV, then runs views (Run) and DuckDB queries over the same events (Oracle). Skips when the
// oracle is not installed. Use: `class FraudViewsTest : public ExampleOracleTest<kFraud> {};`.
template <const ExampleSpec& kSpec>
class ExampleOracleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<BoundScript> script = BindScript(ReadExample(kSpec.file));
    ASSERT_TRUE(script.ok()) << script.status().ToString();
    script_ = new BoundScript(std::move(*script));
    ASSERT_EQ(script_->streams.count(kSpec.stream), 1u);
    const SchemaPtr& stream_schema = script_->streams[kSpec.stream]->schema;
    input_ = new std::vector<Chunk>(kSpec.generate(stream_schema, ViewInputSchema(*stream_schema)));
    directory_ = new braid::testing::ScopedTempDir("view-oracle");
    WriteCsv(*input_, stream_schema->size(), CsvPath());
  }
  static void TearDownTestSuite() {
    delete directory_;
    delete input_;
    delete script_;
  }
  void SetUp() override {
    if (!braid::testing::OracleAvailable()) GTEST_SKIP() << "DuckDB oracle not installed";
  }

  static std::filesystem::path CsvPath() { return directory_->File("events.csv"); }
  static std::vector<braid::testing::OracleRow> Oracle(const std::string& query) {
    return braid::testing::DuckDbRows({kSpec.load_sql(CsvPath()), query});
  }
  static Result<Chunk> Run(const std::string& view) {
    return RunView(script_->views[view], *input_);
  }

  static inline BoundScript* script_ = nullptr;
  static inline std::vector<Chunk>* input_ = nullptr;
  static inline braid::testing::ScopedTempDir* directory_ = nullptr;
};

}  // namespace braid::sql::testing
