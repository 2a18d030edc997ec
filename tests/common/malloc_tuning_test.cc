// The glibc malloc settings (common/malloc_tuning.h): what GLIBC_TUNABLES becomes, and that the
// process executes itself again with it once, and never when the cache's count is already set.
#include "common/malloc_tuning.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace braid {
namespace {

TEST(MallocTuningTest, SettingsAddTheCacheCountOnce) {
  EXPECT_EQ(TunedMallocSettings(nullptr), "glibc.malloc.tcache_count=128");
  EXPECT_EQ(TunedMallocSettings(""), "glibc.malloc.tcache_count=128");
  EXPECT_EQ(TunedMallocSettings("glibc.malloc.mxfast=0"),
            "glibc.malloc.mxfast=0:glibc.malloc.tcache_count=128");
  EXPECT_EQ(TunedMallocSettings("glibc.malloc.tcache_count=7"), "");
  EXPECT_EQ(TunedMallocSettings("glibc.malloc.mxfast=0:glibc.malloc.tcache_count=64"), "");
}

struct ChildRun {
  std::string out;  // what the child wrote to stdout
  int exit_code = -1;
};

// In a child process with GLIBC_TUNABLES = `tunables` (null: unset): ReexecWithTunedMalloc of
// `printenv GLIBC_TUNABLES`; a child that comes back exits with 42.
ChildRun RunChild(const char* tunables) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    if (tunables == nullptr) {
      unsetenv("GLIBC_TUNABLES");
    } else {
      setenv("GLIBC_TUNABLES", tunables, 1);
    }
    char name[] = "printenv", variable[] = "GLIBC_TUNABLES";
    char* argv[] = {name, variable, nullptr};
    ReexecWithTunedMalloc(argv, "/usr/bin/printenv");
    _exit(42);
  }
  close(fds[1]);
  ChildRun run;
  char buffer[256];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0) run.out.append(buffer, n);
  close(fds[0]);
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

TEST(MallocTuningTest, ExecutesAgainWithTheSettings) {
  ChildRun unset = RunChild(nullptr);
  EXPECT_EQ(unset.exit_code, 0);
  EXPECT_EQ(unset.out, "glibc.malloc.tcache_count=128\n");

  ChildRun other = RunChild("glibc.malloc.mxfast=0");
  EXPECT_EQ(other.exit_code, 0);
  EXPECT_EQ(other.out, "glibc.malloc.mxfast=0:glibc.malloc.tcache_count=128\n");

  ChildRun tuned = RunChild("glibc.malloc.tcache_count=7");  // the user's choice: no exec
  EXPECT_EQ(tuned.exit_code, 42);
  EXPECT_EQ(tuned.out, "");
}

}  // namespace
}  // namespace braid
