// Catalog views and alerts: persistence across reopen (same plans, file order and canonical SQL),
// idempotent, conflicting and replacing creates, the re-binding of alerts when a view is replaced
// and of views when a stream is altered, dependency checks on drop, the namespace shared by
// streams and views, and catalog files whose views do not bind.
#include <gtest/gtest.h>

#include <fstream>

#include "common/file_util.h"
#include "sql/catalog.h"
#include "sql_test_util.h"

namespace braid::sql {
namespace {

namespace fs = std::filesystem;
using testing::BindSql;
using testing::HasError;
using testing::ScopedTempDir;

constexpr std::string_view kViewsTelemetry =
    "CREATE STREAM telemetry (device_id STRING NOT NULL, event_ts TIMESTAMP NOT NULL, "
    "temperature DOUBLE) WITH (partitions = 4, partition_key = 'device_id', "
    "timestamp = 'event_ts')";
constexpr std::string_view kTemps =
    "CREATE VIEW temps AS SELECT device_id, AVG(temperature) AS avg_temp, "
    "MAX(temperature) AS max_temp FROM telemetry GROUP BY device_id, TumblingWindow(minute, 1)";
constexpr std::string_view kHot = "CREATE ALERT hot ON temps WHERE avg_temp > 30";

// The canonical text of kTemps and kHot (the printer's, as the catalog file holds it).
constexpr std::string_view kTempsSql =
    "CREATE VIEW temps AS SELECT device_id, AVG(temperature) AS avg_temp, MAX(temperature) AS "
    "max_temp FROM telemetry GROUP BY device_id, TumblingWindow(minute, 1)";
constexpr std::string_view kHotSql = "CREATE ALERT hot ON temps WHERE avg_temp > 30";

std::string ReadCatalogText(const fs::path& path) {
  Result<std::string> text = ReadWholeFile(path);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "";
}

class CatalogViewsTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    catalog_.reset();
    Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(dir_.path());
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(*catalog);
  }

  fs::path File() const { return dir_.path() / "catalog"; }

  Result<ApplyOutcome> CreateStream(std::string_view sql) {
    ASSIGN_OR_RETURN(StreamDefinition definition, BindSql(sql));
    return catalog_->CreateStream(definition, OnExisting::kFailIfDifferent);
  }

  // Parses `sql` (CREATE [OR REPLACE] VIEW) and creates it, replacing iff OR REPLACE.
  Result<ViewOutcome> CreateView(std::string_view sql) {
    ASSIGN_OR_RETURN(ParsedStatement parsed, ParseStatement(sql));
    const auto* view = std::get_if<CreateViewStatement>(&parsed.statement);
    if (view == nullptr) return Status(StatusCode::kInternal, "not a CREATE VIEW");
    return catalog_->CreateView(*view, view->or_replace ? OnConflict::kReplace : OnConflict::kFail);
  }

  Result<ApplyOutcome> CreateAlert(std::string_view sql) {
    ASSIGN_OR_RETURN(ParsedStatement parsed, ParseStatement(sql));
    const auto* alert = std::get_if<CreateAlertStatement>(&parsed.statement);
    if (alert == nullptr) return Status(StatusCode::kInternal, "not a CREATE ALERT");
    return catalog_->CreateAlert(*alert,
                                 alert->or_replace ? OnConflict::kReplace : OnConflict::kFail);
  }

  // telemetry, temps on it and hot on temps.
  void CreateAll() {
    Result<ApplyOutcome> stream = CreateStream(kViewsTelemetry);
    ASSERT_TRUE(stream.ok()) << stream.status().ToString();
    Result<ViewOutcome> view = CreateView(kTemps);
    ASSERT_TRUE(view.ok()) << view.status().ToString();
    EXPECT_EQ(view->outcome, ApplyOutcome::kCreated);
    EXPECT_TRUE(view->warnings.empty());
    Result<ApplyOutcome> alert = CreateAlert(kHot);
    ASSERT_TRUE(alert.ok()) << alert.status().ToString();
    EXPECT_EQ(*alert, ApplyOutcome::kCreated);
  }

  // ALTER STREAM stream ADD COLUMN humidity DOUBLE.
  void AddHumidity(std::string_view stream) {
    Result<StreamDefinitionPtr> altered =
        catalog_->AlterStream(stream, [](const StreamDefinition& current) {
          StreamDefinition next = current;
          std::vector<Field> fields = current.schema->fields();
          fields.push_back({"humidity", DataType::kDouble, true});
          next.schema = std::make_shared<const Schema>(std::move(fields));
          return Result<StreamDefinition>(std::move(next));
        });
    ASSERT_TRUE(altered.ok()) << altered.status().ToString();
  }

  // The output_schema index the alert's condition "<column> <op> <constant>" reads.
  size_t AlertColumnIndex(std::string_view alert) {
    AlertPlanPtr plan = catalog_->FindAlert(alert);
    EXPECT_NE(plan, nullptr);
    if (plan == nullptr) return SIZE_MAX;
    const auto& comparison = std::get<BoundBinary>(plan->condition->node);
    return std::get<BoundColumn>(comparison.left->node).index;
  }

  ScopedTempDir dir_;
  std::unique_ptr<Catalog> catalog_;
};

std::vector<std::string> FieldNames(const Schema& schema) {
  std::vector<std::string> names;
  for (size_t i = 0; i < schema.size(); ++i) names.push_back(schema.field(i).name);
  return names;
}

TEST_F(CatalogViewsTest, ViewsAndAlertsSurviveReopenWithTheSamePlans) {
  CreateAll();
  ViewPlanPtr before = catalog_->FindView("TEMPS");
  AlertPlanPtr alert_before = catalog_->FindAlert("Hot");
  ASSERT_NE(before, nullptr);
  ASSERT_NE(alert_before, nullptr);
  EXPECT_EQ(before->sql, kTempsSql);
  EXPECT_EQ(alert_before->sql, kHotSql);
  EXPECT_EQ(FieldNames(*before->output_schema),
            (std::vector<std::string>{"device_id", "window_start", "window_end", "avg_temp",
                                      "max_temp"}));

  Reopen();
  ViewPlanPtr after = catalog_->FindView("temps");
  AlertPlanPtr alert_after = catalog_->FindAlert("hot");
  ASSERT_NE(after, nullptr);
  ASSERT_NE(alert_after, nullptr);
  EXPECT_EQ(after->name, "temps");
  EXPECT_EQ(after->source, "telemetry");
  EXPECT_EQ(after->sql, before->sql);
  EXPECT_EQ(*after->output_schema, *before->output_schema);
  EXPECT_EQ(*after->input_schema, *before->input_schema);
  EXPECT_EQ(*after->grouped_schema, *before->grouped_schema);
  EXPECT_EQ(after->window->size.micros, 60'000'000);
  EXPECT_EQ(alert_after->view, "temps");
  EXPECT_EQ(alert_after->sql, alert_before->sql);
  EXPECT_EQ(BoundToString(*alert_after->condition), BoundToString(*alert_before->condition));
  EXPECT_EQ(AlertColumnIndex("hot"), 3u);
  ASSERT_EQ(catalog_->Views().size(), 1u);
  ASSERT_EQ(catalog_->Alerts().size(), 1u);
}

TEST_F(CatalogViewsTest, FileListsStreamsThenViewsThenAlertsWithoutOrReplace) {
  ASSERT_TRUE(CreateStream("CREATE STREAM zeta (x BIGINT)").ok());
  CreateAll();
  // Created last, but a view: before the alerts; named "a..." but after every stream.
  ASSERT_TRUE(CreateView("CREATE OR REPLACE VIEW a_counts AS SELECT x, COUNT(*) AS n FROM zeta "
                         "GROUP BY x")
                  .ok());
  ASSERT_TRUE(CreateAlert("CREATE OR REPLACE ALERT a_many ON a_counts WHERE n > 10").ok());
  std::string expected = "-- braid catalog v1\n";
  expected += catalog_->FindStream("telemetry")->ToSql() + ";\n";
  expected += catalog_->FindStream("zeta")->ToSql() + ";\n";
  expected += "CREATE VIEW a_counts AS SELECT x, COUNT(*) AS n FROM zeta GROUP BY x;\n";
  expected += std::string(kTempsSql) + ";\n";
  expected += "CREATE ALERT a_many ON a_counts WHERE n > 10;\n";
  expected += std::string(kHotSql) + ";\n";
  expected += "-- end of braid catalog\n";
  EXPECT_EQ(ReadCatalogText(File()), expected);
  EXPECT_TRUE(catalog_->FindStream("telemetry")->ToSql().starts_with("CREATE STREAM telemetry"));
}

TEST_F(CatalogViewsTest, SameViewAgainIsUnchangedAndADifferentOneIsADuplicate) {
  CreateAll();
  ViewPlanPtr stored = catalog_->FindView("temps");
  const std::string file = ReadCatalogText(File());
  // The same view in another layout, keywords in lower case, has the same canonical SQL.
  Result<ViewOutcome> again = CreateView(
      "create view temps as\n  select device_id, AVG(temperature) as avg_temp,\n"
      "  MAX(temperature)   as max_temp from telemetry group by device_id, "
      "TumblingWindow(minute, 1);");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->outcome, ApplyOutcome::kUnchanged);
  EXPECT_EQ(again->plan, stored);

  // The view's own name is case-insensitive, as for streams: the stored spelling stays.
  Result<ViewOutcome> upper = CreateView(
      "CREATE VIEW TEMPS AS SELECT device_id, AVG(temperature) AS avg_temp, MAX(temperature) AS "
      "max_temp FROM telemetry GROUP BY device_id, TumblingWindow(minute, 1)");
  ASSERT_TRUE(upper.ok()) << upper.status().ToString();
  EXPECT_EQ(upper->outcome, ApplyOutcome::kUnchanged);
  EXPECT_EQ(upper->plan, stored);

  Result<ViewOutcome> different = CreateView(
      "CREATE VIEW\n   temps AS SELECT device_id, COUNT(*) AS n FROM telemetry GROUP BY device_id");
  EXPECT_TRUE(HasError(different.status(),
                       {StatusCode::kDuplicateObject, 2, 4, "view 'temps' already exists"}));
  EXPECT_EQ(SqlState(different.status().code()), "42P07");
  EXPECT_EQ(catalog_->FindView("temps"), stored);
  EXPECT_EQ(ReadCatalogText(File()), file);

  Result<ApplyOutcome> alert = CreateAlert("CREATE ALERT hot ON temps WHERE max_temp > 50");
  EXPECT_TRUE(HasError(alert.status(),
                       {StatusCode::kDuplicateObject, 1, 14, "alert 'hot' already exists"}));
  Result<ApplyOutcome> same_alert = CreateAlert("CREATE ALERT Hot ON temps WHERE avg_temp>30");
  ASSERT_TRUE(same_alert.ok()) << same_alert.status().ToString();
  EXPECT_EQ(*same_alert, ApplyOutcome::kUnchanged);
  EXPECT_EQ(ReadCatalogText(File()), file);
}

TEST_F(CatalogViewsTest, OrReplaceReplacesTheViewAndRebindsItsAlerts) {
  CreateAll();
  EXPECT_EQ(AlertColumnIndex("hot"), 3u);
  // avg_temp moves from output column 3 to 4.
  Result<ViewOutcome> replaced = CreateView(
      "CREATE OR REPLACE VIEW temps AS SELECT device_id, MIN(temperature) AS min_temp, "
      "AVG(temperature) AS avg_temp FROM telemetry GROUP BY device_id, TumblingWindow(minute, 1)");
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_EQ(replaced->outcome, ApplyOutcome::kReplaced);
  const std::string new_sql =
      "CREATE VIEW temps AS SELECT device_id, MIN(temperature) AS min_temp, AVG(temperature) AS "
      "avg_temp FROM telemetry GROUP BY device_id, TumblingWindow(minute, 1)";
  EXPECT_EQ(catalog_->FindView("temps")->sql, new_sql);
  EXPECT_EQ(AlertColumnIndex("hot"), 4u);
  EXPECT_NE(ReadCatalogText(File()).find(new_sql + ";\n"), std::string::npos);

  // Replacing with the same text again is unchanged; OR REPLACE never reaches the file.
  Result<ViewOutcome> again =
      CreateView("CREATE OR REPLACE VIEW temps AS " + new_sql.substr(new_sql.find("SELECT")));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->outcome, ApplyOutcome::kUnchanged);
  EXPECT_EQ(ReadCatalogText(File()).find("OR REPLACE"), std::string::npos);

  Reopen();
  EXPECT_EQ(catalog_->FindView("temps")->sql, new_sql);
  EXPECT_EQ(AlertColumnIndex("hot"), 4u);

  Result<ApplyOutcome> alert =
      CreateAlert("CREATE OR REPLACE ALERT hot ON temps WHERE min_temp < 0");
  ASSERT_TRUE(alert.ok()) << alert.status().ToString();
  EXPECT_EQ(*alert, ApplyOutcome::kReplaced);
  EXPECT_EQ(catalog_->FindAlert("hot")->sql, "CREATE ALERT hot ON temps WHERE min_temp < 0");
  EXPECT_EQ(AlertColumnIndex("hot"), 3u);
}

TEST_F(CatalogViewsTest, OrReplaceDroppingAColumnAnAlertUsesChangesNothing) {
  CreateAll();
  const std::string file = ReadCatalogText(File());
  ViewPlanPtr view = catalog_->FindView("temps");
  AlertPlanPtr alert = catalog_->FindAlert("hot");
  Result<ViewOutcome> replaced = CreateView(
      "CREATE OR REPLACE VIEW temps AS SELECT device_id, MAX(temperature) AS max_temp "
      "FROM telemetry GROUP BY device_id, TumblingWindow(minute, 1)");
  ASSERT_FALSE(replaced.ok());
  EXPECT_EQ(replaced.status().code(), StatusCode::kDependentObjects);
  EXPECT_EQ(SqlState(replaced.status().code()), "2BP01");
  EXPECT_NE(replaced.status().message().find("alert 'hot' would no longer bind"), std::string::npos)
      << replaced.status().ToString();
  EXPECT_NE(replaced.status().message().find("avg_temp"), std::string::npos)
      << replaced.status().ToString();
  EXPECT_EQ(catalog_->FindView("temps"), view);
  EXPECT_EQ(catalog_->FindAlert("hot"), alert);
  EXPECT_EQ(ReadCatalogText(File()), file);
  Reopen();
  EXPECT_EQ(catalog_->FindView("temps")->sql, kTempsSql);
}

TEST_F(CatalogViewsTest, DropsRefuseWhileDependentsExistAndWorkInOrder) {
  CreateAll();
  const std::string file = ReadCatalogText(File());
  Status stream = catalog_->DropStream("telemetry", OnMissing::kFail);
  EXPECT_EQ(stream.code(), StatusCode::kDependentObjects) << stream.ToString();
  EXPECT_NE(stream.message().find("views temps read it"), std::string::npos) << stream.ToString();
  EXPECT_EQ(catalog_->DropStream("TELEMETRY", OnMissing::kIgnore).code(),
            StatusCode::kDependentObjects);
  Status view = catalog_->DropView("temps", OnMissing::kIgnore);
  EXPECT_EQ(view.code(), StatusCode::kDependentObjects) << view.ToString();
  EXPECT_NE(view.message().find("alerts hot are defined on it"), std::string::npos)
      << view.ToString();
  EXPECT_EQ(ReadCatalogText(File()), file);
  EXPECT_NE(catalog_->FindStream("telemetry"), nullptr);
  EXPECT_NE(catalog_->FindView("temps"), nullptr);

  EXPECT_EQ(catalog_->DropAlert("nope", OnMissing::kFail).code(), StatusCode::kUndefinedObject);
  EXPECT_TRUE(catalog_->DropAlert("nope", OnMissing::kIgnore).ok());
  EXPECT_EQ(catalog_->DropView("nope", OnMissing::kFail).code(), StatusCode::kUndefinedObject);
  ASSERT_TRUE(catalog_->DropAlert("HOT", OnMissing::kFail).ok());
  ASSERT_TRUE(catalog_->DropView("Temps", OnMissing::kFail).ok());
  ASSERT_TRUE(catalog_->DropStream("telemetry", OnMissing::kFail).ok());
  EXPECT_EQ(ReadCatalogText(File()), "-- braid catalog v1\n-- end of braid catalog\n");
  Reopen();
  EXPECT_TRUE(catalog_->Views().empty());
  EXPECT_TRUE(catalog_->Alerts().empty());
}

TEST_F(CatalogViewsTest, StreamsAndViewsShareOneNamespace) {
  CreateAll();
  Result<ViewOutcome> view = CreateView(
      "CREATE VIEW Telemetry AS SELECT device_id, COUNT(*) AS n FROM telemetry GROUP BY device_id");
  EXPECT_TRUE(HasError(view.status(), {StatusCode::kDuplicateObject, 1, 13,
                                       "'Telemetry' is already the name of a stream"}));
  Result<ViewOutcome> replace = CreateView(
      "CREATE OR REPLACE VIEW telemetry AS SELECT device_id, COUNT(*) AS n FROM telemetry "
      "GROUP BY device_id");
  EXPECT_EQ(replace.status().code(), StatusCode::kDuplicateObject);
  Result<ApplyOutcome> stream = CreateStream("CREATE STREAM TEMPS (x BIGINT)");
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.status().code(), StatusCode::kDuplicateObject);
  EXPECT_EQ(SqlState(stream.status().code()), "42P07");
  EXPECT_NE(stream.status().message().find("'temps' is already the name of a view"),
            std::string::npos)
      << stream.status().ToString();
  EXPECT_EQ(catalog_->Streams().size(), 1u);
  EXPECT_EQ(catalog_->Views().size(), 1u);
}

TEST_F(CatalogViewsTest, AlterStreamRebindsItsViewsAndTheirAlerts) {
  CreateAll();
  // A stream without a timestamp column: the view's event time is _ingested_at.
  ASSERT_TRUE(CreateStream("CREATE STREAM raw (x BIGINT)").ok());
  ASSERT_TRUE(CreateView("CREATE VIEW raw_counts AS SELECT x, COUNT(*) AS n, MAX(_offset) AS "
                         "last_offset FROM raw GROUP BY x, TumblingWindow(second, 10)")
                  .ok());
  const auto index_of = [](const ViewPlan& plan, std::string_view column) {
    return plan.input_schema->FindField(column).value_or(SIZE_MAX);
  };
  const auto event_time_index = [](const ViewPlan& plan) {
    return std::get<BoundColumn>(plan.event_time->node).index;
  };
  ViewPlanPtr before = catalog_->FindView("raw_counts");
  EXPECT_EQ(index_of(*before, "_offset"), 3u);
  EXPECT_EQ(event_time_index(*before), 1u);

  AddHumidity("raw");
  AddHumidity("telemetry");
  for (int reopened = 0; reopened < 2; ++reopened) {
    SCOPED_TRACE(reopened ? "after reopen" : "in memory");
    ViewPlanPtr raw = catalog_->FindView("raw_counts");
    ASSERT_NE(raw, nullptr);
    EXPECT_EQ(FieldNames(*raw->input_schema),
              (std::vector<std::string>{"x", "humidity", "_ingested_at", "_partition", "_offset"}));
    EXPECT_EQ(index_of(*raw, "_offset"), 4u);
    EXPECT_EQ(event_time_index(*raw), 2u);
    const auto& max_offset = raw->aggregates.at(1);
    EXPECT_EQ(std::get<BoundColumn>(max_offset.input->node).index, 4u);
    ViewPlanPtr temps = catalog_->FindView("temps");
    EXPECT_EQ(index_of(*temps, "humidity"), 3u);
    EXPECT_EQ(index_of(*temps, "_offset"), 6u);
    EXPECT_EQ(temps->sql, kTempsSql);
    EXPECT_EQ(catalog_->FindAlert("hot")->sql, kHotSql);
    EXPECT_EQ(AlertColumnIndex("hot"), 3u);
    Reopen();
  }
}

TEST_F(CatalogViewsTest, ACatalogFileWithAViewOnAnUnknownStreamIsCorrupt) {
  catalog_.reset();
  {
    std::ofstream out(File(), std::ios::binary | std::ios::trunc);
    out << "-- braid catalog v1\n" << kTempsSql << ";\n-- end of braid catalog\n";
  }
  Result<std::unique_ptr<Catalog>> opened = Catalog::Open(dir_.path());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(SqlState(opened.status().code()), "XX001");
  const std::string& message = opened.status().message();
  EXPECT_NE(message.find(File().string()), std::string::npos) << message;
  EXPECT_NE(message.find("invalid definition"), std::string::npos) << message;
  EXPECT_NE(message.find("telemetry"), std::string::npos) << message;
}

TEST_F(CatalogViewsTest, ACatalogFileWithAnAlertBeforeItsViewIsCorrupt) {
  CreateAll();
  catalog_.reset();
  std::string text = ReadCatalogText(File());
  const std::string alert = std::string(kHotSql) + ";\n";
  text.erase(text.find(alert), alert.size());
  text.insert(text.find('\n') + 1, alert);
  {
    std::ofstream out(File(), std::ios::binary | std::ios::trunc);
    out << text;
  }
  Result<std::unique_ptr<Catalog>> opened = Catalog::Open(dir_.path());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kCorruption);
  EXPECT_NE(opened.status().message().find(File().string()), std::string::npos);
  EXPECT_NE(opened.status().message().find("temps"), std::string::npos)
      << opened.status().ToString();
}

}  // namespace
}  // namespace braid::sql
