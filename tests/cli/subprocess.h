// Test helper: runs the braid binary as a child process (posix_spawn), optionally in the
// background, capturing stdout and stderr to files. Used by the CLI and end-to-end tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace braid::testing {

// The braid binary under test (tests/test_paths.h).
std::string BraidBinary();
// A fresh empty directory under the test temp dir.
std::filesystem::path FreshDirectory(const std::string& name);
// A TCP port that was free a moment ago on 127.0.0.1.
int FreePort();

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs to completion (killed after `timeout`); `stdin_file` is fed as standard input if given.
RunResult RunBraid(const std::vector<std::string>& args, const std::string& stdin_file = "",
              std::chrono::seconds timeout = std::chrono::seconds(120));

// Starts braid with `args` in the background, stdout and stderr to the given files; -1 on failure.
pid_t Spawn(const std::vector<std::string>& args, const std::string& stdin_file,
            const std::filesystem::path& out, const std::filesystem::path& err);
// Waits for `pid` to exit: its exit code, 128 + signal, or -2 after `timeout` (then killed).
int WaitExit(pid_t pid, std::chrono::seconds timeout);

// A background `braid serve`. The destructor kills it (SIGKILL) if still running.
class ServerProcess {
 public:
  ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args = {});
  ~ServerProcess();
  // Starts and waits (up to 30 s) until /healthz answers; false if it exited or timed out.
  bool Start();
  void Kill();                 // SIGKILL, then reap
  int Terminate();             // SIGTERM, wait, return exit code
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string log() const;     // stdout + stderr so far

 private:
  std::filesystem::path data_dir_;
  std::vector<std::string> extra_args_;
  int port_;
  pid_t pid_ = -1;
  std::filesystem::path out_file_;
};

}  // namespace braid::testing
