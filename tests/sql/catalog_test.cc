// Catalog: persistence across reopen, idempotent and conflicting creates, drops, and how damaged
// catalog files are reported.
#include "sql/catalog.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "common/file_util.h"
#include "sql_test_util.h"

namespace braid::sql {
namespace {

namespace fs = std::filesystem;
using testing::BindSql;
using testing::ScopedTempDir;

constexpr std::string_view kCatalogTelemetry =
    "CREATE STREAM telemetry (device_id STRING NOT NULL, event_ts TIMESTAMP NOT NULL, "
    "temperature DOUBLE) WITH (partitions = 8, partition_key = 'device_id', "
    "timestamp = 'event_ts', out_of_order = '10s')";

StreamDefinition BindCatalogStream(std::string_view sql) {
  Result<StreamDefinition> definition = BindSql(sql);
  EXPECT_TRUE(definition.ok()) << sql << ": " << definition.status().ToString();
  return definition.ok() ? *definition : StreamDefinition{};
}

std::unique_ptr<Catalog> OpenOk(const fs::path& dir) {
  Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(dir);
  EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
  return catalog.ok() ? std::move(*catalog) : nullptr;
}

std::string ReadFile(const fs::path& path) {
  Result<std::string> text = ReadWholeFile(path);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "";
}

void WriteFile(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<std::string> NamesOf(const Catalog& catalog) {
  std::vector<std::string> names;
  for (const StreamDefinitionPtr& d : catalog.Streams()) names.push_back(d->name);
  return names;
}

TEST(CatalogTest, OpenCreatesAnEmptyVersionedCatalog) {
  ScopedTempDir tmp;
  fs::path data = tmp.path() / "nested" / "data";
  auto catalog = OpenOk(data);
  ASSERT_NE(catalog, nullptr);
  EXPECT_TRUE(catalog->Streams().empty());
  EXPECT_EQ(ReadFile(data / "catalog"), "-- braid catalog v1\n-- end of braid catalog\n");
  EXPECT_TRUE(OpenOk(data)->Streams().empty());
}

TEST(CatalogTest, PersistsStreamsAcrossReopen) {
  ScopedTempDir tmp;
  StreamDefinition telemetry = BindCatalogStream(kCatalogTelemetry);
  StreamDefinition quoted =
      BindCatalogStream("CREATE STREAM \"Clicks & Views\" ([user id] STRING)");
  StreamDefinition alpha =
      BindCatalogStream("CREATE STREAM Alpha (x BIGINT) WITH (retention_bytes = 4096)");
  {
    auto catalog = OpenOk(tmp.path());
    ASSERT_NE(catalog, nullptr);
    for (const StreamDefinition* d : {&telemetry, &quoted, &alpha}) {
      Result<ApplyOutcome> outcome = catalog->CreateStream(*d, OnExisting::kFailIfDifferent);
      ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
      EXPECT_EQ(*outcome, ApplyOutcome::kCreated);
    }
  }
  auto reopened = OpenOk(tmp.path());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(NamesOf(*reopened), (std::vector<std::string>{"Alpha", "Clicks & Views", "telemetry"}));
  ASSERT_NE(reopened->FindStream("TELEMETRY"), nullptr);
  EXPECT_TRUE(*reopened->FindStream("TELEMETRY") == telemetry);
  EXPECT_EQ(reopened->FindStream("telemetry")->partitions, 8);
  EXPECT_TRUE(*reopened->FindStream("clicks & views") == quoted);
  EXPECT_EQ(reopened->FindStream("alpha")->retention_bytes, 4096u);
  EXPECT_EQ(reopened->FindStream("nope"), nullptr);
  // The file is the header, each canonical definition and the end marker.
  EXPECT_EQ(ReadFile(tmp.path() / "catalog"), "-- braid catalog v1\n" + alpha.ToSql() + ";\n" +
                                                  quoted.ToSql() + ";\n" + telemetry.ToSql() +
                                                  ";\n-- end of braid catalog\n");
}

TEST(CatalogTest, IdenticalCreateIsANoOp) {
  ScopedTempDir tmp;
  auto catalog = OpenOk(tmp.path());
  ASSERT_NE(catalog, nullptr);
  ASSERT_TRUE(
      catalog->CreateStream(BindCatalogStream(kCatalogTelemetry), OnExisting::kFailIfDifferent)
          .ok());
  std::string before = ReadFile(tmp.path() / "catalog");
  // The same stream written differently (case, synonyms, explicit defaults) is identical.
  Result<ApplyOutcome> again = catalog->CreateStream(
      BindCatalogStream(
          "create stream TELEMETRY (device_id text not null, event_ts timestamp not null, "
          "temperature float) with (timestamp = 'EVENT_TS', partition_key = 'device_id', "
          "partitions = 8, out_of_order = '10000ms', max_future = '5m')"),
      OnExisting::kFailIfDifferent);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, ApplyOutcome::kUnchanged);
  EXPECT_EQ(ReadFile(tmp.path() / "catalog"), before);
  EXPECT_EQ(catalog->Streams().size(), 1u);
}

TEST(CatalogTest, ConflictingCreateFailsNamingTheDifference) {
  ScopedTempDir tmp;
  auto catalog = OpenOk(tmp.path());
  ASSERT_NE(catalog, nullptr);
  ASSERT_TRUE(
      catalog->CreateStream(BindCatalogStream(kCatalogTelemetry), OnExisting::kFailIfDifferent)
          .ok());
  std::string before = ReadFile(tmp.path() / "catalog");
  StreamDefinition wider = BindCatalogStream(
      "CREATE STREAM Telemetry (device_id STRING NOT NULL, event_ts TIMESTAMP NOT NULL, "
      "temperature DOUBLE) WITH (partitions = 16, partition_key = 'device_id', "
      "timestamp = 'event_ts', out_of_order = '10s')");
  Result<ApplyOutcome> conflict = catalog->CreateStream(wider, OnExisting::kFailIfDifferent);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code(), StatusCode::kDuplicateObject);
  EXPECT_EQ(conflict.status().message(),
            "stream 'telemetry' already exists with a different definition: partitions 16 vs "
            "existing 8");
  // IF NOT EXISTS keeps the existing definition.
  Result<ApplyOutcome> kept = catalog->CreateStream(wider, OnExisting::kKeepExisting);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, ApplyOutcome::kUnchanged);
  EXPECT_EQ(catalog->FindStream("telemetry")->partitions, 8);
  EXPECT_EQ(ReadFile(tmp.path() / "catalog"), before);
}

TEST(CatalogTest, DropRemovesDurably) {
  ScopedTempDir tmp;
  {
    auto catalog = OpenOk(tmp.path());
    ASSERT_NE(catalog, nullptr);
    ASSERT_TRUE(
        catalog->CreateStream(BindCatalogStream(kCatalogTelemetry), OnExisting::kFailIfDifferent)
            .ok());
    ASSERT_TRUE(catalog
                    ->CreateStream(BindCatalogStream("CREATE STREAM b (x BIGINT)"),
                                   OnExisting::kFailIfDifferent)
                    .ok());
    Status dropped = catalog->DropStream("TeleMetry", OnMissing::kFail);
    ASSERT_TRUE(dropped.ok()) << dropped.ToString();
    EXPECT_EQ(catalog->FindStream("telemetry"), nullptr);
    Status missing = catalog->DropStream("telemetry", OnMissing::kFail);
    EXPECT_EQ(missing.code(), StatusCode::kUndefinedObject);
    EXPECT_EQ(missing.message(), "stream 'telemetry' does not exist");
    EXPECT_TRUE(catalog->DropStream("telemetry", OnMissing::kIgnore).ok());  // IF EXISTS
  }
  auto reopened = OpenOk(tmp.path());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(NamesOf(*reopened), std::vector<std::string>{"b"});
  // A dropped name can be created again, with another definition.
  Result<ApplyOutcome> recreated = reopened->CreateStream(
      BindCatalogStream("CREATE STREAM telemetry (x STRING)"), OnExisting::kFailIfDifferent);
  ASSERT_TRUE(recreated.ok());
  EXPECT_EQ(*recreated, ApplyOutcome::kCreated);
}

TEST(CatalogTest, FailedWriteLeavesTheCatalogUnchanged) {
  ScopedTempDir tmp;
  auto catalog = OpenOk(tmp.path());
  ASSERT_NE(catalog, nullptr);
  ASSERT_TRUE(catalog
                  ->CreateStream(BindCatalogStream("CREATE STREAM a (x BIGINT)"),
                                 OnExisting::kFailIfDifferent)
                  .ok());
  // A non-empty directory where the catalog file should be: the atomic rename must fail.
  fs::path file = tmp.path() / "catalog";
  fs::remove(file);
  fs::create_directory(file);
  WriteFile(file / "blocker", "x");
  Result<ApplyOutcome> created = catalog->CreateStream(
      BindCatalogStream("CREATE STREAM b (x BIGINT)"), OnExisting::kFailIfDifferent);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kIoError);
  EXPECT_EQ(catalog->FindStream("b"), nullptr);
  Status dropped = catalog->DropStream("a", OnMissing::kFail);
  EXPECT_EQ(dropped.code(), StatusCode::kIoError);
  EXPECT_NE(catalog->FindStream("a"), nullptr);
  EXPECT_EQ(NamesOf(*catalog), std::vector<std::string>{"a"});
}

TEST(CatalogTest, RejectsDefinitionsThatDoNotReadBack) {
  ScopedTempDir tmp;
  auto catalog = OpenOk(tmp.path());
  ASSERT_NE(catalog, nullptr);
  StreamDefinition no_schema;
  no_schema.name = "s";
  StreamDefinition bad_partitions = BindCatalogStream("CREATE STREAM t (x BIGINT)");
  bad_partitions.partitions = 0;
  StreamDefinition bad_key = BindCatalogStream("CREATE STREAM u (x BIGINT)");
  bad_key.partition_key = "missing";
  for (const StreamDefinition* d : {&no_schema, &bad_partitions, &bad_key}) {
    Result<ApplyOutcome> outcome = catalog->CreateStream(*d, OnExisting::kFailIfDifferent);
    ASSERT_FALSE(outcome.ok()) << d->name;
    EXPECT_EQ(outcome.status().code(), StatusCode::kInvalidArgument) << d->name;
    EXPECT_NE(outcome.status().message().find("does not read back"), std::string::npos)
        << outcome.status().message();
  }
  EXPECT_TRUE(catalog->Streams().empty());
  EXPECT_TRUE(OpenOk(tmp.path())->Streams().empty());
}

TEST(CatalogTest, ConcurrentCreatesAllPersist) {
  ScopedTempDir tmp;
  auto catalog = OpenOk(tmp.path());
  ASSERT_NE(catalog, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        std::string sql = "CREATE STREAM s" + std::to_string(t * 5 + i) + " (x BIGINT)";
        Result<StreamDefinition> d = BindSql(sql);
        ASSERT_TRUE(d.ok()) << d.status().ToString();
        EXPECT_TRUE(catalog->CreateStream(*d, OnExisting::kFailIfDifferent).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(catalog->Streams().size(), 20u);
  EXPECT_EQ(OpenOk(tmp.path())->Streams().size(), 20u);
}

// Opening a damaged catalog is kCorruption whose message contains `fragment`.
void ExpectCorrupt(const fs::path& dir, std::string_view fragment) {
  Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(dir);
  ASSERT_FALSE(catalog.ok()) << "opened a damaged catalog";
  EXPECT_EQ(catalog.status().code(), StatusCode::kCorruption) << catalog.status().ToString();
  EXPECT_NE(catalog.status().message().find(fragment), std::string::npos)
      << catalog.status().message();
}

TEST(CatalogTest, RejectsUnknownVersionsAndForeignFiles) {
  ScopedTempDir tmp;
  fs::path file = tmp.path() / "catalog";
  WriteFile(file, "-- braid catalog v2\n-- end of braid catalog\n");
  ExpectCorrupt(tmp.path(),
                "format version 2 is not supported; this build of Braid reads "
                "version 1");
  WriteFile(file, "-- braid catalog vX\n-- end of braid catalog\n");
  ExpectCorrupt(tmp.path(), "unreadable format version");
  WriteFile(file, "CREATE STREAM a (x BIGINT);\n-- end of braid catalog\n");
  ExpectCorrupt(tmp.path(), "not a braid catalog: first line is 'CREATE STREAM a (x BIGINT);'");
  WriteFile(file, "");
  ExpectCorrupt(tmp.path(), "file is empty (expected '-- braid catalog v1')");
  WriteFile(file, std::string("\x00\xff\x13garbage\n\x01", 12));
  ExpectCorrupt(tmp.path(), "not a braid catalog");
}

TEST(CatalogTest, RejectsBadContentBetweenHeaderAndMarker) {
  ScopedTempDir tmp;
  fs::path file = tmp.path() / "catalog";
  auto body = [](std::string_view statements) {
    return "-- braid catalog v1\n" + std::string(statements) + "-- end of braid catalog\n";
  };
  WriteFile(file, body("CREATE STREAM a (x BOGUS);\n"));
  ExpectCorrupt(tmp.path(), "syntax_error at 2:20: unknown type 'BOGUS'");
  WriteFile(file, body("CREATE STREAM a (x BIGINT) WITH (partitions = 0);\n"));
  ExpectCorrupt(tmp.path(), "invalid definition: invalid_argument at 2:47");
  WriteFile(file, body("DROP STREAM a;\n"));
  ExpectCorrupt(tmp.path(), "unexpected statement at 2:1: 'DROP STREAM a'");
  WriteFile(file, body("CREATE STREAM a (x BIGINT);\nCREATE STREAM A (y BIGINT);\n"));
  ExpectCorrupt(tmp.path(), "stream 'A' is defined twice");
  WriteFile(file, body("\x01\x02\x03"));
  ExpectCorrupt(tmp.path(), "unexpected byte 0x01");
}

TEST(CatalogTest, EveryTruncationIsDetected) {
  ScopedTempDir tmp;
  {
    auto catalog = OpenOk(tmp.path());
    ASSERT_NE(catalog, nullptr);
    ASSERT_TRUE(
        catalog->CreateStream(BindCatalogStream(kCatalogTelemetry), OnExisting::kFailIfDifferent)
            .ok());
    ASSERT_TRUE(catalog
                    ->CreateStream(BindCatalogStream("CREATE STREAM b (x BIGINT)"),
                                   OnExisting::kFailIfDifferent)
                    .ok());
  }
  fs::path file = tmp.path() / "catalog";
  std::string full = ReadFile(file);
  for (size_t length = 0; length < full.size(); ++length) {
    WriteFile(file, std::string_view(full).substr(0, length));
    SCOPED_TRACE(length);
    Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(tmp.path());
    ASSERT_FALSE(catalog.ok());
    EXPECT_EQ(catalog.status().code(), StatusCode::kCorruption);
  }
  WriteFile(file, full);
  EXPECT_EQ(OpenOk(tmp.path())->Streams().size(), 2u);
}

}  // namespace
}  // namespace braid::sql
