#include "speed_test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <variant>

#include <fmt/format.h>

#include "sql/parser.h"
#include "sql/view_binder.h"

namespace braid::speed::testing {

BoundView Bind(std::string_view stream_options, std::string_view view_sql) {
  const std::string stream_sql = fmt::format(
      "CREATE STREAM s (k STRING NOT NULL, ts TIMESTAMP NOT NULL, v DOUBLE) WITH "
      "(timestamp = 'ts'{}{})",
      stream_options.empty() ? "" : ", ", stream_options);
  Result<sql::ParsedStatement> stream_parsed = sql::ParseStatement(stream_sql);
  EXPECT_TRUE(stream_parsed.ok()) << stream_parsed.status().ToString();
  const auto& create = std::get<sql::CreateStreamStatement>(stream_parsed->statement);
  Result<sql::StreamDefinition> stream = sql::BindCreateStream(create);
  EXPECT_TRUE(stream.ok()) << stream.status().ToString();
  auto definition = std::make_shared<const sql::StreamDefinition>(std::move(*stream));
  Result<sql::ParsedStatement> parsed = sql::ParseStatement(view_sql);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  const auto& view = std::get<sql::CreateViewStatement>(parsed->statement);
  sql::BindEnvironment environment{
      .find_stream = [&](std::string_view) { return definition; },
      .find_view = [](std::string_view) -> sql::ViewPlanPtr { return nullptr; }};
  Result<sql::BoundView> bound = sql::BindView(view, environment);
  EXPECT_TRUE(bound.ok()) << bound.status().ToString();
  return BoundView{definition, bound->plan};
}

Chunk InputOf(const sql::ViewPlan& plan, const std::vector<Event>& events, int partition,
              uint64_t first_offset, Timestamp ingested_at) {
  Chunk chunk(plan.input_schema);
  for (size_t i = 0; i < events.size(); ++i) {
    chunk.mutable_column(0).AppendString(events[i].key);
    chunk.mutable_column(1).AppendInt64(events[i].time.micros);
    chunk.mutable_column(2).AppendDouble(events[i].value);
    chunk.mutable_column(3).AppendInt64(ingested_at.micros);
    chunk.mutable_column(4).AppendInt64(partition);
    chunk.mutable_column(5).AppendInt64(static_cast<int64_t>(first_offset + i));
  }
  return chunk;
}

Timestamp At(int hours, int minutes, double seconds) {
  const int64_t day = 1704067200000000;  // 2024-01-01T00:00:00Z
  return Timestamp{day + (static_cast<int64_t>(hours) * 3600 + minutes * 60) * 1000000 +
                   static_cast<int64_t>(std::llround(seconds * 1e6))};
}

}  // namespace braid::speed::testing
