#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace braid::cli {

Progress::Progress(std::string what, uint64_t total)
    : what_(std::move(what)),
      total_(total),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void Progress::Update(uint64_t done) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  Print(done, false);
}

void Progress::Finish(uint64_t done) {
  if (enabled_) Print(done, true);
}

void Progress::Print(uint64_t done, bool final) {
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  if (total_ > 0) {
    std::fprintf(stderr, "\r%s %llu / %llu events (%.0f%%), %.0f events/s   ", what_.c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                 100.0 * static_cast<double>(done) / static_cast<double>(total_), rate);
  } else {
    std::fprintf(stderr, "\r%s %llu events, %.0f events/s   ", what_.c_str(),
                 static_cast<unsigned long long>(done), rate);
  }
  if (final) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace braid::cli
