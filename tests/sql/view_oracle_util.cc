#include "view_oracle_util.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "sql/expression_evaluator.h"
#include "sql/parser.h"
#include "sql/reference_executor.h"
#include "sql/view_binder.h"
#include "test_paths.h"

namespace braid::sql::testing {
namespace {

using braid::testing::OracleRow;
using braid::testing::OracleValue;

BindEnvironment EnvironmentOf(const BoundScript& script) {
  return BindEnvironment{
      .find_stream = [&script](std::string_view name) -> std::shared_ptr<const StreamDefinition> {
        auto it = script.streams.find(std::string(name));
        return it == script.streams.end() ? nullptr : it->second;
      },
      .find_view = [&script](std::string_view name) -> ViewPlanPtr {
        auto it = script.views.find(std::string(name));
        return it == script.views.end() ? nullptr : it->second;
      },
  };
}

Status BindStatement(const Statement& statement, BoundScript* script) {
  if (const auto* stream = std::get_if<CreateStreamStatement>(&statement)) {
    ASSIGN_OR_RETURN(StreamDefinition definition, BindCreateStream(*stream));
    script->streams[definition.name] = std::make_shared<const StreamDefinition>(definition);
  } else if (const auto* view = std::get_if<CreateViewStatement>(&statement)) {
    ASSIGN_OR_RETURN(BoundView bound, BindView(*view, EnvironmentOf(*script)));
    script->warnings += bound.warnings.size();
    script->views[bound.plan->name] = bound.plan;
  } else if (const auto* alert = std::get_if<CreateAlertStatement>(&statement)) {
    ASSIGN_OR_RETURN(AlertPlanPtr plan, BindAlert(*alert, EnvironmentOf(*script)));
    script->alerts[plan->name] = plan;
  } else {
    return Status(StatusCode::kInvalidArgument, "an example holds only CREATE statements");
  }
  return Status::Ok();
}

void AppendCsvField(const Column& column, size_t row, std::string* out) {
  if (!column.IsValid(row)) return;
  switch (column.type()) {
    case DataType::kDouble:
      fmt::format_to(std::back_inserter(*out), "{}", column.doubles()[row]);
      break;
    case DataType::kString:
      out->append(column.StringAt(row));
      break;
    case DataType::kBoolean:
      out->append(column.bools()[row] ? "true" : "false");
      break;
    default:
      fmt::format_to(std::back_inserter(*out), "{}", column.int64s()[row]);
      break;
  }
}

bool DoublesAgree(double braid, double oracle) {
  if (braid == oracle) return true;
  return std::abs(braid - oracle) <= 1e-9 * std::max(std::abs(braid), std::abs(oracle));
}

// Whether row `row` of `column` equals the oracle's value; the oracle renders BIGINT as a string.
bool ValueAgrees(const Column& column, size_t row, const OracleValue& oracle) {
  if (!column.IsValid(row)) return std::holds_alternative<std::monostate>(oracle);
  switch (column.type()) {
    case DataType::kDouble:
      return std::holds_alternative<double>(oracle) &&
             DoublesAgree(column.doubles()[row], std::get<double>(oracle));
    case DataType::kString:
      return std::holds_alternative<std::string>(oracle) &&
             std::get<std::string>(oracle) == column.StringAt(row);
    case DataType::kBoolean:
      return std::holds_alternative<bool>(oracle) &&
             std::get<bool>(oracle) == (column.bools()[row] != 0);
    default:
      if (const auto* number = std::get_if<double>(&oracle)) {
        return *number == static_cast<double>(column.int64s()[row]);
      }
      return std::holds_alternative<std::string>(oracle) &&
             std::get<std::string>(oracle) == std::to_string(column.int64s()[row]);
  }
}

std::string OracleText(const OracleValue& value) {
  if (std::holds_alternative<std::monostate>(value)) return "NULL";
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* d = std::get_if<double>(&value)) return fmt::format("{}", *d);
  return std::get<std::string>(value);
}

std::string BraidText(const Column& column, size_t row) {
  Value value = ValueAt(column, row);
  if (std::holds_alternative<std::monostate>(value)) return "NULL";
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) return fmt::format("{}", *d);
  return std::get<std::string>(value);
}

}  // namespace

std::string ReadExample(const std::string& name) {
  std::ifstream in(std::filesystem::path(braid::testing::SourceDir()) / "examples" / name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<BoundScript> BindScript(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<ParsedStatement> statements, ParseScript(text));
  BoundScript script;
  for (const ParsedStatement& parsed : statements) {
    RETURN_IF_ERROR(BindStatement(parsed.statement, &script));
  }
  return script;
}

Result<Chunk> ToViewInput(const Chunk& stream_rows, const SchemaPtr& input_schema,
                          Timestamp ingested_at, int64_t first_offset) {
  std::vector<Column> columns;
  for (size_t c = 0; c < stream_rows.num_columns(); ++c) columns.push_back(stream_rows.column(c));
  Column ingested(DataType::kTimestamp), partition(DataType::kBigint), offset(DataType::kBigint);
  for (size_t r = 0; r < stream_rows.num_rows(); ++r) {
    const int64_t row_offset = first_offset + static_cast<int64_t>(r);
    ingested.AppendInt64(ingested_at.micros);
    partition.AppendInt64(row_offset % 4);
    offset.AppendInt64(row_offset);
  }
  columns.push_back(std::move(ingested));
  columns.push_back(std::move(partition));
  columns.push_back(std::move(offset));
  return Chunk::Make(input_schema, std::move(columns));
}

void WriteCsv(const std::vector<Chunk>& chunks, size_t columns, const std::filesystem::path& path) {
  std::string text;
  for (const Chunk& chunk : chunks) {
    for (size_t r = 0; r < chunk.num_rows(); ++r) {
      for (size_t c = 0; c < columns; ++c) {
        if (c > 0) text += ',';
        AppendCsvField(chunk.column(c), r, &text);
      }
      text += '\n';
    }
  }
  std::ofstream out(path);
  out << text;
  EXPECT_TRUE(out.good()) << "writing " << path;
}

Result<Chunk> RunView(const ViewPlanPtr& plan, const std::vector<Chunk>& input) {
  ReferenceExecutor executor(plan);
  for (const Chunk& chunk : input) RETURN_IF_ERROR(executor.Consume(chunk));
  return executor.Finish();
}

std::string GridCeilingSql(std::string_view micros, int64_t size) {
  return fmt::format("({0} + ((-{0}) % {1} + {1}) % {1})", micros, size);
}

namespace {

// The events with `we`, the end of their tumbling window of `size` µs.
std::string Windowed(int64_t size, std::string_view where = "TRUE") {
  return fmt::format("(SELECT *, {} AS we FROM events WHERE {})", GridCeilingSql("event_us", size),
                     where);
}

constexpr int64_t kMinuteMicros = 60'000'000;

}  // namespace

std::string IotViewDuckDbSql(std::string_view view) {
  if (view == "device_metrics") {
    return "SELECT device_id, we - 60000000 AS window_start, we AS window_end, count(*) AS "
           "event_count, avg(temperature) AS avg_temperature, max(temperature), "
           "min(temperature), stddev_samp(temperature), quantile_cont(temperature, 0.95), "
           "sum(energy_consumed), count(DISTINCT user_id), CASE WHEN avg(temperature) > 85 THEN "
           "'HIGH_TEMP' WHEN avg(temperature) < 32 THEN 'LOW_TEMP' ELSE 'NORMAL' END AS "
           "alert_level FROM " +
           Windowed(kMinuteMicros) + " GROUP BY device_id, we";
  }
  if (view == "user_activity") {
    return "SELECT event_type, we - 300000000 AS window_start, we AS window_end, count(*), "
           "count(DISTINCT user_id), sum(revenue), avg(session_duration), "
           "max(session_duration), date_part('hour', make_timestamp(we)) FROM " +
           Windowed(5 * kMinuteMicros, "user_id IS NOT NULL") + " GROUP BY event_type, we";
  }
  if (view == "user_hourly") {
    return "SELECT user_id, we - 3600000000 AS window_start, we AS window_end, count(*), "
           "count(DISTINCT device_id), count(*) FILTER (WHERE event_type = 'login'), count(*) "
           "FILTER (WHERE event_type = 'transaction'), sum(revenue) AS total_revenue FROM " +
           Windowed(60 * kMinuteMicros, "user_id IS NOT NULL") + " GROUP BY user_id, we";
  }
  return std::string();
}

std::string HopEndsSql(std::string_view micros, int64_t size, int64_t hop) {
  return fmt::format("generate_series({}, {} + {} - 1, {})", GridCeilingSql(micros, hop), micros,
                     size, hop);
}

std::string SessionRowsSql(std::string_view table, std::string_view key, std::string_view micros,
                           int64_t timeout, int64_t max, std::string_view aggregates) {
  return fmt::format(
      "WITH marked AS (SELECT *, CASE WHEN {2} - lag({2}) OVER (PARTITION BY {1} ORDER BY {2}) "
      "<= {3} THEN 0 ELSE 1 END AS starts FROM {0}), "
      "numbered AS (SELECT *, sum(starts) OVER (PARTITION BY {1} ORDER BY {2}) AS session_number "
      "FROM marked) "
      "SELECT {1}, min({2}) AS window_start, least(max({2}) + {3}, {4}) AS window_end, {5}, "
      "max({2}) - min({2}) AS span FROM numbered GROUP BY {1}, session_number",
      table, key, micros, timeout, GridCeilingSql(fmt::format("min({}) + {}", micros, max), max),
      aggregates);
}

void ExpectRowsAgree(const std::string& what, const Chunk& rows,
                     const std::vector<OracleRow>& oracle, size_t time_column) {
  ASSERT_EQ(rows.num_rows(), oracle.size()) << what << ": row count";
  int reported = 0;
  for (size_t r = 0; r < rows.num_rows() && reported < 10; ++r) {
    ASSERT_EQ(oracle[r].size(), rows.num_columns()) << what << ": columns of row " << r;
    for (size_t c = 0; c < rows.num_columns(); ++c) {
      if (ValueAgrees(rows.column(c), r, oracle[r][c])) continue;
      ADD_FAILURE() << what << " row " << r << " column " << rows.schema()->field(c).name
                    << ": braid " << BraidText(rows.column(c), r) << ", duckdb "
                    << OracleText(oracle[r][c]) << " (row key " << OracleText(oracle[r][0])
                    << ", time " << OracleText(oracle[r][time_column]) << ")";
      ++reported;
    }
  }
}

std::vector<Chunk> ViewInputOf(const Chunk& stream_rows, const SchemaPtr& input_schema,
                               Timestamp ingested_at) {
  Result<Chunk> input = ToViewInput(stream_rows, input_schema, ingested_at, 0);
  EXPECT_TRUE(input.ok()) << input.status().ToString();
  std::vector<Chunk> chunks;
  if (input.ok()) chunks.push_back(std::move(*input));
  return chunks;
}

std::string ReadCsvViewSql(std::string_view name, const std::filesystem::path& csv,
                           std::string_view columns) {
  // A view, not a table: CREATE TABLE would print its row count as a result row.
  return fmt::format(
      "CREATE VIEW {} AS SELECT * FROM read_csv('{}', header = false, delim = ',', "
      "nullstr = '', columns = {{{}}})",
      name, csv.string(), columns);
}

}  // namespace braid::sql::testing
