// Progress: a one-line progress display on stderr for long CLI work (gen, ingest), shown only
// when stderr is a terminal and refreshed at most every 200 ms. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace braid::cli {

class Progress {
 public:
  // `total` = 0 when unknown.
  Progress(std::string what, uint64_t total);
  void Update(uint64_t done);
  void Finish(uint64_t done);

 private:
  void Print(uint64_t done, bool final);

  std::string what_;
  uint64_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace braid::cli
