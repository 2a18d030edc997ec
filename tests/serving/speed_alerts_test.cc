// Alerts end to end: events in the real log, windows emitted by the speed layer's tailer once the
// watermark passes them, CREATE ALERT rules evaluated over the emitted rows, each matching
// (rule, view, keys, window) stored once in DATA/alerts/alerts.jsonl and handed to subscribers;
// a restart replays the log and emits the same windows again without adding an alert.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "speed_test_fixture.h"

namespace braid::serving {
namespace {

using testing::AlertBody;
using testing::AlertInbox;
using testing::At;

class SpeedAlertsTest : public testing::SpeedTest {
 protected:
  void SetUp() override {
    OpenQuiet();
    CreateStream("partitions = 1, out_of_order = '5m'");
    Run("CREATE VIEW temps AS SELECT k, AVG(v) AS avg_v FROM s "
        "GROUP BY k, TumblingWindow(minute, 1)");
    Run("CREATE ALERT hot ON temps WHERE avg_v > 85");
  }

  std::vector<std::string> FileLines() {
    std::ifstream in(dir_.path() / "alerts" / "alerts.jsonl");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  uint64_t EmittedRows() {
    return db_->speed().FindView("temps")->Describe().counters.emitted_rows;
  }
};

// The alert of rule hot for `key`'s window ending at minute `end` with average `avg`, without
// id, fired_at and sequence.
std::string Expected(std::string_view key, int end, std::string_view avg) {
  return fmt::format(R"("rule":"hot","view":"temps","keys":{{"k":"{}"}},)"
                     R"("window_start":"{}","window_end":"{}","values":{{"avg_v":{}}})",
                     key, FormatRfc3339(At(0, end - 1, 0)), FormatRfc3339(At(0, end, 0)), avg);
}

std::vector<std::string> Sorted(std::vector<std::string> texts) {
  std::sort(texts.begin(), texts.end());
  return texts;
}

TEST_F(SpeedAlertsTest, EachMatchingWindowAlertsOnceAlsoAfterAReplay) {
  {
    AlertInbox inbox(db_->alerts());
    // Six (key, window) rows; exactly three average above 85 (b's first window is exactly 85).
    Append(0, {{"a", At(0, 0, 10), 90},
               {"b", At(0, 0, 20), 85},
               {"a", At(0, 0, 30), 91},
               {"b", At(0, 0, 40), 85},
               {"a", At(0, 1, 10), 80},
               {"b", At(0, 1, 20), 100}});
    Append(0, {{"a", At(0, 1, 30), 84},
               {"b", At(0, 1, 40), 71},
               {"c", At(0, 2, 10), 86},
               {"a", At(0, 2, 20), 10}});
    CatchUp();
    EXPECT_EQ(EmittedRows(), 0u);  // Wc = 00:02:20 - 5 min: nothing is final yet
    EXPECT_EQ(db_->alerts().alerts_stored(), 0u);
    Append(0, {{"z", At(0, 10, 0), 0}});  // Wc = 00:05:00 passes the three minutes
    CatchUp();
    EXPECT_EQ(EmittedRows(), 6u);
    ASSERT_TRUE(inbox.WaitFor(3, kWait));
    const std::vector<speed::Alert> alerts = inbox.alerts();
    ASSERT_EQ(alerts.size(), 3u);
    std::vector<std::string> bodies, ends;
    for (const speed::Alert& alert : alerts) {
      EXPECT_EQ(alert.rule, "hot");
      EXPECT_EQ(alert.view, "temps");
      bodies.push_back(AlertBody(alert.json));
      ends.push_back(FormatRfc3339(alert.window_end));
    }
    const std::vector<std::string> expected =
        Sorted({Expected("a", 1, "90.5"), Expected("b", 2, "85.5"), Expected("c", 3, "86")});
    EXPECT_EQ(Sorted(bodies), expected);
    EXPECT_EQ(Sorted(ends), Sorted({FormatRfc3339(At(0, 1, 0)), FormatRfc3339(At(0, 2, 0)),
                                    FormatRfc3339(At(0, 3, 0))}));
    // The file holds the same alerts, numbered 1..3, each with its id.
    const std::vector<std::string> lines = FileLines();
    ASSERT_EQ(lines.size(), 3u);
    std::vector<std::string> stored;
    for (size_t i = 0; i < lines.size(); ++i) {
      const speed::Alert& alert = alerts[i];
      EXPECT_EQ(alert.sequence, i + 1);
      EXPECT_TRUE(
          lines[i].starts_with(fmt::format(R"({{"sequence":{},"id":"{}",)", i + 1, alert.id)))
          << lines[i];
      stored.push_back(AlertBody(lines[i]));
    }
    EXPECT_EQ(Sorted(stored), expected);
  }

  // The speed layer replays the whole log (no batch version); the emitted frontier it kept
  // (DATA/speed/temps.frontier) stops it from emitting those windows again.
  OpenQuiet();
  AlertInbox live(db_->alerts());
  CatchUp();
  EXPECT_EQ(EmittedRows(), 0u);
  EXPECT_EQ(db_->alerts().alerts_stored(), 3u);
  EXPECT_EQ(FileLines().size(), 3u);
  EXPECT_TRUE(live.alerts().empty());
  AlertInbox resumed(db_->alerts(), 1);  // Last-Event-ID 1: the stored alerts 2 and 3
  ASSERT_EQ(resumed.alerts().size(), 2u);
  EXPECT_EQ(resumed.alerts()[0].sequence, 2u);
  EXPECT_EQ(resumed.alerts()[1].sequence, 3u);
}

// A window whose events straddle what the batch view absorbed: the speed layer emits it whole
// (generations <= B are kept until their windows are emitted), so its average 85 raises nothing.
// After a restart the speed layer replays only the events above E(B); the window it emits again
// must not raise an alert either (SEMANTICS.md: an emitted row is final; alerts see whole
// windows).
TEST_F(SpeedAlertsTest, AReplayAfterARefreshDoesNotAlertOnPartOfAWindow) {
  Append(0, {{"a", At(0, 0, 10), 70}});
  EXPECT_EQ(Refresh("temps").to_epoch, 1);
  Append(0, {{"a", At(0, 0, 20), 100}});
  Append(0, {{"z", At(0, 10, 0), 0}});  // Wc = 00:05:00: a's minute is final, average 85
  CatchUp();
  EXPECT_EQ(EmittedRows(), 1u);
  EXPECT_EQ(db_->alerts().alerts_stored(), 0u);
  OpenQuiet();
  CatchUp();
  EXPECT_EQ(db_->speed().FindView("temps")->Describe().counters.events, 2u);  // from E(1)
  EXPECT_EQ(db_->alerts().alerts_stored(), 0u);
  const std::vector<std::string> lines = FileLines();
  EXPECT_TRUE(lines.empty()) << lines.front();
}

// The other side of the same hand-off: a window whose events the batch view absorbed before it
// was emitted, then a restart. The restarted speed layer starts from E(B) and never sees those
// events, so when the watermark passes the window it must still raise its alert (average 90).
TEST_F(SpeedAlertsTest, AWindowAbsorbedBeforeItsEmissionStillAlertsAfterARestart) {
  Append(0, {{"a", At(0, 0, 10), 90}});
  EXPECT_EQ(Refresh("temps").to_epoch, 1);
  CatchUp();
  EXPECT_EQ(EmittedRows(), 0u);  // Wc = 23:55:10 the day before: nothing is final
  OpenQuiet();
  Append(0, {{"z", At(0, 10, 0), 0}});  // Wc = 00:05:00 passes a's minute
  CatchUp();
  EXPECT_EQ(db_->speed().FindView("temps")->Describe().error, "");
  EXPECT_EQ(db_->alerts().alerts_stored(), 1u);
  const std::vector<std::string> lines = FileLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(AlertBody(lines[0]), Expected("a", 1, "90"));
}

}  // namespace
}  // namespace braid::serving
