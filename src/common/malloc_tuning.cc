#include "common/malloc_tuning.h"

#include <stdlib.h>
#include <unistd.h>

#include <string_view>

namespace braid {

namespace {
constexpr std::string_view kTcacheCount = "glibc.malloc.tcache_count";
constexpr std::string_view kSetting = "glibc.malloc.tcache_count=128";
}  // namespace

std::string TunedMallocSettings(const char* current) {
  if (current == nullptr || *current == '\0') return std::string(kSetting);
  const std::string_view existing(current);
  if (existing.find(kTcacheCount) != std::string_view::npos) return {};
  return std::string(existing) + ":" + std::string(kSetting);
}

void ReexecWithTunedMalloc(char** argv, const char* program) {
  const std::string settings = TunedMallocSettings(getenv("GLIBC_TUNABLES"));
  if (settings.empty()) return;
  if (setenv("GLIBC_TUNABLES", settings.c_str(), 1) != 0) return;
  execv(program, argv);
  // exec failed (e.g. no /proc): go on with glibc's defaults.
}

}  // namespace braid
