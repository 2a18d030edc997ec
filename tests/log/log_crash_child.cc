// The child process of the crash test (crash_test.cc): appends batches of events with unique ids
// to a multi-partition log from several threads, forever, and writes one acknowledgement line per
// durable append to stdout (format in crash_stream.h) until the parent SIGKILLs it.
//
// Usage: log_crash_child <log_dir> <first_event_id> <seed>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "crash_stream.h"
#include "log/log_manager.h"

namespace braid::log::testing {
namespace {

constexpr int kAppenders = 3;

// One line, one write(2): lines shorter than PIPE_BUF reach the parent whole or not at all.
bool WriteAck(int64_t first_id, int64_t count, const AppendResult& result) {
  std::string line = fmt::format("A {} {}", first_id, count);
  for (const auto& [partition, base] : result.batches) {
    line += fmt::format(" {}:{}", partition, base);
  }
  line += '\n';
  return ::write(STDOUT_FILENO, line.data(), line.size()) == static_cast<ssize_t>(line.size());
}

void AppendForever(StreamLog& log, std::atomic<int64_t>& next_id, uint64_t seed) {
  std::mt19937_64 rng(seed);
  while (true) {
    const int64_t count = 1 + static_cast<int64_t>(rng() % 300);
    const int64_t first = next_id.fetch_add(count);
    const Chunk events = CrashEvents(log.config().schema, first, count);
    AppendOptions options;
    if (rng() % 3 == 0) options.idempotency_key = fmt::format("request-{}", first);
    Result<AppendResult> result = log.Append(events, options);
    if (!result.ok()) {
      std::fprintf(stderr, "append failed: %s\n", result.status().ToString().c_str());
      std::_Exit(3);
    }
    if (!WriteAck(first, count, *result)) std::_Exit(4);
  }
}

int Main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: log_crash_child <log_dir> <first_event_id> <seed>\n");
    return 2;
  }
  Result<std::unique_ptr<LogManager>> manager = LogManager::Open(argv[1], CrashLogOptions());
  if (!manager.ok()) {
    std::fprintf(stderr, "%s\n", manager.status().ToString().c_str());
    return 1;
  }
  Result<std::shared_ptr<StreamLog>> log = (*manager)->OpenStream(CrashStreamConfig());
  if (!log.ok()) {
    std::fprintf(stderr, "%s\n", log.status().ToString().c_str());
    return 1;
  }
  std::atomic<int64_t> next_id{std::atoll(argv[2])};
  const uint64_t seed = std::strtoull(argv[3], nullptr, 10);
  std::vector<std::thread> appenders;
  appenders.reserve(kAppenders);
  for (int t = 0; t < kAppenders; ++t) {
    appenders.emplace_back([&, t] { AppendForever(**log, next_id, seed * 31 + t); });
  }
  for (std::thread& t : appenders) t.join();  // never returns: the parent kills us
  return 0;
}

}  // namespace
}  // namespace braid::log::testing

int main(int argc, char** argv) { return braid::log::testing::Main(argc, argv); }
