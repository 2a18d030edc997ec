// ALTER STREAM over HTTP: POST /v1/sql adds a column, the very next ingest request may carry it
// (before, it is an unknown field), events ingested before read it as NULL from the log, and a
// NOT NULL column is a 400 naming the rule.
#include <set>

#include "api_test_fixture.h"

namespace braid::server::testing {
namespace {

constexpr std::string_view kAlterStreamEvents = "/v1/streams/telemetry/events";

std::string WithHumidity(int i) {
  std::string event = TelemetryEvent(i);
  event.pop_back();  // the closing brace
  return event + fmt::format(R"(,"humidity":{}.5}})", i);
}

TEST_F(ApiTest, AlterStreamAddsAColumnThatOldEventsReadAsNull) {
  const std::pair<std::string, std::string> ndjson{"Content-Type", "application/x-ndjson"};
  ASSERT_EQ(client().Post(kAlterStreamEvents, TelemetryBody(0, 20), {ndjson}).status, 200);
  ClientResponse unknown = client().Post(kAlterStreamEvents, WithHumidity(20), {ndjson});
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_NE(unknown.body.find("unknown field 'humidity'"), std::string::npos) << unknown.body;

  ClientResponse altered =
      client().Post("/v1/sql", "ALTER STREAM telemetry ADD COLUMN humidity DOUBLE");
  ASSERT_EQ(altered.status, 200) << altered.body;
  std::string body;
  for (int i = 20; i < 30; ++i) body += WithHumidity(i) + "\n";
  ClientResponse accepted = client().Post(kAlterStreamEvents, body, {ndjson});
  ASSERT_EQ(accepted.status, 200) << accepted.body;

  std::shared_ptr<log::StreamLog> log = TelemetryLog();
  ASSERT_NE(log, nullptr);
  const size_t humidity = *log->schema()->FindField("humidity");
  size_t nulls = 0;
  std::multiset<double> values;
  for (int p = 0; p < log->num_partitions(); ++p) {
    Result<std::vector<log::RecordBatch>> batches = log->ReadEvents(p, 0, 1 << 20);
    ASSERT_TRUE(batches.ok()) << batches.status().ToString();
    for (const log::RecordBatch& batch : *batches) {
      const Column& column = batch.events.column(humidity);
      for (size_t row = 0; row < batch.events.num_rows(); ++row) {
        if (column.IsValid(row)) {
          values.insert(column.doubles()[row]);
        } else {
          ++nulls;
        }
      }
    }
  }
  EXPECT_EQ(nulls, 20u);
  std::multiset<double> expected;
  for (int i = 20; i < 30; ++i) expected.insert(i + 0.5);
  EXPECT_EQ(values, expected);
}

TEST_F(ApiTest, AlterStreamRefusesANotNullColumn) {
  ClientResponse refused =
      client().Post("/v1/sql", "ALTER STREAM telemetry ADD COLUMN humidity DOUBLE NOT NULL");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("must be nullable: older events have no value"), std::string::npos)
      << refused.body;
  EXPECT_NE(refused.body.find("\"column\":51"), std::string::npos) << refused.body;
}

}  // namespace
}  // namespace braid::server::testing
