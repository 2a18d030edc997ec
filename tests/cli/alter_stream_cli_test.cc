// ALTER STREAM end to end through the braid binary: `braid sql` adds a column to a served stream,
// `braid ingest` sends events with it, the original --definitions file still starts the server
// after the change, and the lake holds the old events with NULL in the new column.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "common/http_client.h"
#include "lake/delta_table.h"
#include "lake/parquet_reader.h"
#include "subprocess.h"

namespace braid::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kDefinitions =
    "CREATE STREAM sensors (id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, temperature DOUBLE)\n"
    "  WITH (partitions = 2, partition_key = 'id', timestamp = 'ts');\n";

// Events id first..first+count-1 as NDJSON; with `humidity`, each carries humidity = id + 0.5.
void WriteEvents(const fs::path& file, int first, int count, bool humidity) {
  std::ofstream out(file);
  for (int id = first; id < first + count; ++id) {
    out << "{\"id\":" << id << ",\"ts\":\"2026-11-24T10:00:" << (id < 10 ? "0" : "") << id
        << "Z\",\"temperature\":" << id;
    if (humidity) out << ",\"humidity\":" << id << ".5";
    out << "}\n";
  }
}

// id -> humidity (nullopt = NULL) of every row of the lake table, read in the table's schema.
std::map<int64_t, std::optional<double>> LakeHumidity(const fs::path& table) {
  std::map<int64_t, std::optional<double>> rows;
  Result<lake::DeltaSnapshot> snapshot = lake::DeltaTable(table).LoadSnapshot();
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  if (!snapshot.ok()) return rows;
  const SchemaPtr& schema = snapshot->metadata().schema.data;
  const size_t humidity = schema->FindField("humidity").value_or(0);
  EXPECT_EQ(humidity, 3u);
  for (const auto& [path, add] : snapshot->files()) {
    auto reader = lake::ParquetReader::Open(table / path);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) continue;
    for (size_t group = 0; group < (*reader)->num_row_groups(); ++group) {
      Result<Chunk> chunk = (*reader)->ReadRowGroupAs(group, schema);
      EXPECT_TRUE(chunk.ok()) << chunk.status().ToString();
      if (!chunk.ok()) continue;
      const Column& column = chunk->column(humidity);
      for (size_t row = 0; row < chunk->num_rows(); ++row) {
        rows[chunk->column(0).int64s()[row]] =
            column.IsValid(row) ? std::optional<double>(column.doubles()[row]) : std::nullopt;
      }
    }
  }
  return rows;
}

TEST(AlterStreamCliTest, AddColumnIngestRestartAndCapture) {
  const fs::path root = FreshDirectory("alter");
  const fs::path data = root / "data";
  const fs::path definitions = root / "sensors.sql";
  std::ofstream(definitions) << kDefinitions;
  const std::vector<std::string> serve_args = {"--definitions", definitions.string()};
  auto server = std::make_unique<ServerProcess>(data, serve_args);
  ASSERT_TRUE(server->Start()) << server->log();

  WriteEvents(root / "before.ndjson", 0, 10, false);
  RunResult before =
      RunBraid({"ingest", "--server", server->url(), "sensors", (root / "before.ndjson").string()});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  RunResult alter = RunBraid(
      {"sql", "--server", server->url(), "ALTER STREAM sensors ADD COLUMN humidity DOUBLE"});
  ASSERT_EQ(alter.exit_code, 0) << alter.err;
  RunResult refused = RunBraid(
      {"sql", "--server", server->url(), "ALTER STREAM sensors ADD COLUMN other DOUBLE NOT NULL"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("must be nullable"), std::string::npos) << refused.err;
  WriteEvents(root / "after.ndjson", 10, 10, true);
  RunResult after =
      RunBraid({"ingest", "--server", server->url(), "sensors", (root / "after.ndjson").string()});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_NE(after.out.find("accepted 10 events, rejected 0"), std::string::npos) << after.out;
  server->Kill();

  // The definitions file still holds the original CREATE: the restart accepts it as is.
  server = std::make_unique<ServerProcess>(data, serve_args);
  ASSERT_TRUE(server->Start()) << server->log();
  RunResult describe = RunBraid({"sql", "--server", server->url(), "DESCRIBE sensors"});
  ASSERT_EQ(describe.exit_code, 0) << describe.err;
  EXPECT_NE(describe.out.find("humidity"), std::string::npos) << describe.out;
  auto client = HttpClient::Connect(server->url());
  ASSERT_TRUE(client.ok());
  auto captured = (*client)->Request("POST", "/v1/capture", "");
  ASSERT_TRUE(captured.ok());
  ASSERT_EQ(captured->status, 200) << captured->body;
  EXPECT_EQ(server->Terminate(), 0) << server->log();

  const std::map<int64_t, std::optional<double>> rows = LakeHumidity(data / "lake" / "sensors");
  ASSERT_EQ(rows.size(), 20u);
  for (const auto& [id, humidity] : rows) {
    if (id < 10) {
      EXPECT_FALSE(humidity.has_value()) << id;
    } else {
      EXPECT_EQ(humidity, static_cast<double>(id) + 0.5) << id;
    }
  }
  fs::remove_all(root);
}

}  // namespace
}  // namespace braid::testing
