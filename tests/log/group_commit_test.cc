#include "log/group_commit.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <vector>

#include "common/file_util.h"
#include "log/completion.h"
#include "log_test_util.h"

namespace braid::log {
namespace {

using testing::TempDir;

TEST(GroupCommitterTest, RunsCompletionsInSubmissionOrderAfterOneSyncPerFile) {
  TempDir dir;
  UniqueFd a = OpenFile(dir.path() / "a", O_RDWR | O_CREAT).value();
  UniqueFd b = OpenFile(dir.path() / "b", O_RDWR | O_CREAT).value();
  std::mutex mu;
  std::vector<int> order;
  Completion<bool> last;
  {
    // A long delay: everything submitted below lands in one round.
    GroupCommitter committer(Duration::Millis(300));
    for (int i = 0; i < 6; ++i) {
      committer.Submit(i % 2 == 0 ? a.get() : b.get(), [&, i](const Status& status) {
        EXPECT_TRUE(status.ok()) << status.ToString();
        std::lock_guard lock(mu);
        order.push_back(i);
        if (i == 5) last.Set(true);
      });
    }
    EXPECT_TRUE(last.Wait());
    EXPECT_EQ(committer.groups(), 1u);
    EXPECT_EQ(committer.syncs(), 2u);
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST(GroupCommitterTest, ReportsAFailedSyncToItsCompletions) {
  GroupCommitter committer(Duration::Millis(0));
  Completion<Status> done;
  committer.Submit(-1, [&](const Status& status) { done.Set(status); });
  const Status status = done.Wait();
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find("fdatasync"), std::string::npos);
}

TEST(GroupCommitterTest, DestructionDrainsPendingWork) {
  TempDir dir;
  UniqueFd fd = OpenFile(dir.path() / "a", O_RDWR | O_CREAT).value();
  int completed = 0;
  {
    GroupCommitter committer(Duration::Millis(10000));
    for (int i = 0; i < 3; ++i) committer.Submit(fd.get(), [&](const Status&) { ++completed; });
  }
  // The committer stopped waiting for its delay and ran everything before it was destroyed.
  EXPECT_EQ(completed, 3);
}

TEST(GroupCommitterTest, SubmissionsDuringARoundFormTheNextOne) {
  TempDir dir;
  UniqueFd fd = OpenFile(dir.path() / "a", O_RDWR | O_CREAT).value();
  GroupCommitter committer(Duration::Millis(0));
  Completion<bool> second;
  committer.Submit(fd.get(), [&](const Status&) {
    // Submitted from a completion: necessarily a later round.
    committer.Submit(fd.get(), [&](const Status&) { second.Set(true); });
  });
  EXPECT_TRUE(second.Wait());
  EXPECT_EQ(committer.groups(), 2u);
}

}  // namespace
}  // namespace braid::log
