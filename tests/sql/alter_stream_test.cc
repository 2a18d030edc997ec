// ALTER STREAM ... ADD COLUMN: the statement it parses to, its canonical text, its errors, the
// definition it binds to, and the catalog persisting the altered stream across a reopen.
#include <gtest/gtest.h>

#include "sql/catalog.h"
#include "sql/printer.h"
#include "sql_test_util.h"

namespace braid::sql {
namespace {

using testing::BindSql;
using testing::ErrorCase;
using testing::HasError;
using testing::ScopedTempDir;

constexpr std::string_view kTelemetry =
    "CREATE STREAM telemetry (device_id STRING NOT NULL, event_ts TIMESTAMP NOT NULL, "
    "temperature DOUBLE) WITH (partitions = 8, partition_key = 'device_id', "
    "timestamp = 'event_ts', out_of_order = '10s')";

AlterStreamStatement ParseAlter(std::string_view sql) {
  Result<ParsedStatement> parsed = ParseStatement(sql);
  EXPECT_TRUE(parsed.ok()) << sql << ": " << parsed.status().ToString();
  if (!parsed.ok()) return {};
  const auto* alter = std::get_if<AlterStreamStatement>(&parsed->statement);
  EXPECT_NE(alter, nullptr) << sql;
  return alter != nullptr ? *alter : AlterStreamStatement{};
}

StreamDefinition Bind(std::string_view sql) {
  Result<StreamDefinition> definition = BindSql(sql);
  EXPECT_TRUE(definition.ok()) << sql << ": " << definition.status().ToString();
  return definition.ok() ? *definition : StreamDefinition{};
}

TEST(AlterStreamTest, ParsesTheStatement) {
  AlterStreamStatement s = ParseAlter("alter stream Telemetry\n  add column humidity double null");
  EXPECT_EQ(s.name, "Telemetry");
  EXPECT_EQ(s.position.line, 1);
  EXPECT_EQ(s.position.column, 1);
  EXPECT_EQ(s.name_position.column, 14);
  EXPECT_EQ(s.column.name, "humidity");
  EXPECT_EQ(s.column.type, DataType::kDouble);
  EXPECT_FALSE(s.column.not_null);
  EXPECT_EQ(s.column.position.line, 2);
  EXPECT_EQ(s.column.position.column, 14);
  // COLUMN is optional, and is also a valid column name.
  EXPECT_EQ(ParseAlter("ALTER STREAM t ADD note STRING").column.name, "note");
  AlterStreamStatement named_column = ParseAlter("ALTER STREAM t ADD column STRING");
  EXPECT_EQ(named_column.column.name, "column");
  EXPECT_EQ(named_column.column.type, DataType::kString);
  EXPECT_EQ(ParseAlter("ALTER STREAM t ADD COLUMN column BIGINT").column.name, "column");
  EXPECT_EQ(ParseAlter("ALTER STREAM [my stream] ADD \"select\" TIMESTAMP;").column.name, "select");
}

TEST(AlterStreamTest, PrintsCanonicalTextThatParsesBack) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"alter stream t add x bigint", "ALTER STREAM t ADD COLUMN x BIGINT"},
      {"ALTER STREAM t ADD COLUMN column string NULL", "ALTER STREAM t ADD COLUMN column STRING"},
      {"ALTER STREAM [my stream] ADD \"select\" timestamp",
       "ALTER STREAM \"my stream\" ADD COLUMN \"select\" TIMESTAMP"},
      {"ALTER STREAM s ADD COLUMN \"Flag\"\"s\" boolean",
       "ALTER STREAM s ADD COLUMN \"Flag\"\"s\" BOOLEAN"},
  };
  for (const auto& [sql, canonical] : cases) {
    AlterStreamStatement parsed = ParseAlter(sql);
    EXPECT_EQ(ToSql(parsed), canonical) << sql;
    AlterStreamStatement again = ParseAlter(canonical);
    EXPECT_EQ(again.name, parsed.name);
    EXPECT_EQ(again.column.name, parsed.column.name);
    EXPECT_EQ(again.column.type, parsed.column.type);
    EXPECT_EQ(ToSql(again), canonical);
  }
}

TEST(AlterStreamTest, RejectsBadStatements) {
  const ErrorCase cases[] = {
      {"ALTER STREAM t ADD COLUMN x DOUBLE NOT NULL",
       {StatusCode::kInvalidArgument, 1, 36,
        "a column added to an existing stream must be nullable: older events have no value"}},
      {"ALTER STREAM t ADD x BIGINT\n  NOT NULL",
       {StatusCode::kInvalidArgument, 2, 3, "must be nullable"}},
      {"ALTER STREAM t ADD x BIGINT NULL NOT NULL",
       {StatusCode::kSyntaxError, 1, 34, "conflicting NULL and NOT NULL for column 'x'"}},
      {"ALTER VIEW v ADD x BIGINT",
       {StatusCode::kSyntaxError, 1, 7, "expected STREAM after ALTER"}},
      {"ALTER STREAM t DROP x",
       {StatusCode::kSyntaxError, 1, 16, "expected ADD after ALTER STREAM t"}},
      {"ALTER STREAM t ADD x", {StatusCode::kSyntaxError, 1, 21, "expected a type for column 'x'"}},
      {"ALTER STREAM t ADD x INT128", {StatusCode::kSyntaxError, 1, 22, "unknown type 'INT128'"}},
      {"ALTER STREAM t ADD COLUMN",
       {StatusCode::kSyntaxError, 1, 26, "a type for column 'COLUMN'"}},
      {"ALTER STREAM t ADD x BIGINT, y BIGINT",
       {StatusCode::kSyntaxError, 1, 28, "expected ';' or end of input after the statement"}},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_TRUE(HasError(ParseStatement(c.sql).status(), c.error)) << c.sql;
  }
}

TEST(AlterStreamTest, BindsByAppendingANullableColumn) {
  StreamDefinition telemetry = Bind(kTelemetry);
  Result<StreamDefinition> altered =
      BindAlterStream(telemetry, ParseAlter("ALTER STREAM telemetry ADD humidity DOUBLE"));
  ASSERT_TRUE(altered.ok()) << altered.status().ToString();
  EXPECT_EQ(*altered->schema, Schema({{"device_id", DataType::kString, false},
                                      {"event_ts", DataType::kTimestamp, false},
                                      {"temperature", DataType::kDouble, true},
                                      {"humidity", DataType::kDouble, true}}));
  // Everything else stays; the canonical SQL reads back to the altered definition.
  EXPECT_EQ(altered->partitions, 8);
  EXPECT_EQ(altered->partition_key, "device_id");
  EXPECT_EQ(altered->out_of_order, Duration::Seconds(10));
  EXPECT_TRUE(Bind(altered->ToSql()) == *altered);
  EXPECT_EQ(*telemetry.schema, *Bind(kTelemetry).schema);  // the old definition is untouched
}

TEST(AlterStreamTest, RejectsDuplicateAndReservedNames) {
  StreamDefinition telemetry = Bind(kTelemetry);
  const ErrorCase cases[] = {
      {"ALTER STREAM telemetry ADD Temperature BIGINT",
       {StatusCode::kInvalidArgument, 1, 28,
        "stream 'telemetry' already has a column 'temperature'"}},
      {"ALTER STREAM telemetry ADD _Offset BIGINT",
       {StatusCode::kInvalidArgument, 1, 28,
        "column name '_Offset' is reserved for the lake's ingestion metadata"}},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_TRUE(HasError(BindAlterStream(telemetry, ParseAlter(c.sql)).status(), c.error)) << c.sql;
  }
}

TEST(AlterStreamTest, CatalogPersistsTheAlteredStreamAcrossReopen) {
  ScopedTempDir tmp;
  const AlterStreamStatement alter = ParseAlter("ALTER STREAM TELEMETRY ADD COLUMN note STRING");
  auto change = [&](const StreamDefinition& current) { return BindAlterStream(current, alter); };
  StreamDefinitionPtr altered;
  {
    Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(tmp.path());
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    ASSERT_TRUE((*catalog)->CreateStream(Bind(kTelemetry), OnExisting::kFailIfDifferent).ok());
    Result<StreamDefinitionPtr> result = (*catalog)->AlterStream("Telemetry", change);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    altered = *result;
    EXPECT_EQ(altered->schema->size(), 4u);
    EXPECT_EQ((*catalog)->FindStream("telemetry"), altered);
    // A second identical ALTER is a duplicate column, and leaves the catalog as it was.
    EXPECT_EQ((*catalog)->AlterStream("telemetry", change).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ((*catalog)->AlterStream("nope", change).status().code(),
              StatusCode::kUndefinedObject);
  }
  Result<std::unique_ptr<Catalog>> reopened = Catalog::Open(tmp.path());
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  StreamDefinitionPtr stored = (*reopened)->FindStream("telemetry");
  ASSERT_NE(stored, nullptr);
  EXPECT_TRUE(*stored == *altered);
  EXPECT_EQ(stored->schema->field(3), (Field{"note", DataType::kString, true}));
}

TEST(AlterStreamTest, CatalogRefusesARename) {
  ScopedTempDir tmp;
  Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(tmp.path());
  ASSERT_TRUE(catalog.ok());
  ASSERT_TRUE((*catalog)->CreateStream(Bind(kTelemetry), OnExisting::kFailIfDifferent).ok());
  Result<StreamDefinitionPtr> renamed =
      (*catalog)->AlterStream("telemetry", [](const StreamDefinition& current) {
        StreamDefinition next = current;
        next.name = "other";
        return Result<StreamDefinition>(next);
      });
  EXPECT_EQ(renamed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*catalog)->FindStream("other"), nullptr);
}

TEST(AlterStreamTest, IfNotExistsMakesARepeatedAlterANoOp) {
  AlterStreamStatement s = ParseAlter("ALTER STREAM t ADD COLUMN IF NOT EXISTS x DOUBLE");
  EXPECT_TRUE(s.if_not_exists);
  EXPECT_EQ(s.column.name, "x");
  EXPECT_EQ(ToSql(s), "ALTER STREAM t ADD COLUMN IF NOT EXISTS x DOUBLE");
  EXPECT_TRUE(ParseAlter("ALTER STREAM t ADD IF NOT EXISTS x DOUBLE").if_not_exists);
  EXPECT_FALSE(ParseAlter("ALTER STREAM t ADD if DOUBLE").if_not_exists);  // a column named if
  EXPECT_EQ(ParseAlter("ALTER STREAM t ADD if DOUBLE").column.name, "if");
  EXPECT_TRUE(HasError(ParseStatement("ALTER STREAM t ADD IF NOT x DOUBLE").status(),
                       {StatusCode::kSyntaxError, 1, 27, "expected EXISTS after IF NOT"}));

  StreamDefinition telemetry = Bind(kTelemetry);
  Result<StreamDefinition> same = BindAlterStream(
      telemetry, ParseAlter("ALTER STREAM telemetry ADD IF NOT EXISTS TEMPERATURE DOUBLE"));
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_TRUE(*same == telemetry);
  // IF NOT EXISTS does not hide a column of another type, or a NOT NULL one.
  EXPECT_TRUE(HasError(
      BindAlterStream(telemetry,
                      ParseAlter("ALTER STREAM telemetry ADD IF NOT EXISTS temperature BIGINT"))
          .status(),
      {StatusCode::kInvalidArgument, 1, 42, "already has a column 'temperature' DOUBLE"}));
  EXPECT_TRUE(HasError(
      BindAlterStream(telemetry,
                      ParseAlter("ALTER STREAM telemetry ADD IF NOT EXISTS device_id STRING"))
          .status(),
      {StatusCode::kInvalidArgument, 1, 42, "already has a column 'device_id' STRING NOT NULL"}));
}

TEST(AlterStreamTest, TheOriginalCreateOfAnAlteredStreamIsANoOp) {
  ScopedTempDir tmp;
  Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(tmp.path());
  ASSERT_TRUE(catalog.ok());
  ASSERT_TRUE((*catalog)->CreateStream(Bind(kTelemetry), OnExisting::kFailIfDifferent).ok());
  const AlterStreamStatement alter = ParseAlter("ALTER STREAM telemetry ADD note STRING");
  ASSERT_TRUE((*catalog)
                  ->AlterStream("telemetry",
                                [&](const StreamDefinition& current) {
                                  return BindAlterStream(current, alter);
                                })
                  .ok());
  // A definitions file that still has the original CREATE reapplies cleanly...
  Result<ApplyOutcome> again =
      (*catalog)->CreateStream(Bind(kTelemetry), OnExisting::kFailIfDifferent);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, ApplyOutcome::kUnchanged);
  EXPECT_EQ((*catalog)->FindStream("telemetry")->schema->size(), 4u);
  // ...but other differences, alone or beside the added column, still conflict.
  const std::string more_partitions =
      std::string(kTelemetry)
          .replace(std::string(kTelemetry).find("partitions = 8"), 14, "partitions = 9");
  EXPECT_EQ(
      (*catalog)->CreateStream(Bind(more_partitions), OnExisting::kFailIfDifferent).status().code(),
      StatusCode::kDuplicateObject);
  EXPECT_EQ((*catalog)
                ->CreateStream(Bind("CREATE STREAM telemetry (device_id STRING NOT NULL) WITH "
                                    "(partitions = 8, partition_key = 'device_id')"),
                               OnExisting::kFailIfDifferent)
                .status()
                .code(),
            StatusCode::kDuplicateObject);
}

}  // namespace
}  // namespace braid::sql
