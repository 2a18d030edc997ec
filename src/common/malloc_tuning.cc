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
  if (program != nullptr) {
    execv(program, argv);
    return;  // exec failed: go on with glibc's defaults
  }
  // Our own executable by its path, so the process keeps its name (`ps`, `top` show the file
  // name executed; executing /proc/self/exe would name it "exe"); /proc/self/exe when the path
  // cannot be read or executed (say the file was replaced since).
  char path[4096];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (length > 0) {
    path[length] = '\0';
    execv(path, argv);
  }
  execv("/proc/self/exe", argv);
  // exec failed (e.g. no /proc): go on with glibc's defaults.
}

}  // namespace braid
