#include <unistd.h>

#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/progress.h"

namespace braid::cli {

int RunGenIot(const GenIotCommandOptions& options) {
  IotGenerator generator(options.generator);
  Progress progress("generated", options.events);
  std::string buffer;
  buffer.reserve(1 << 20);
  for (uint64_t i = 0; i < options.events; ++i) {
    IotGenerator::AppendNdjson(generator.Next(), &buffer);
    if (buffer.size() >= (1 << 20) || i + 1 == options.events) {
      if (std::fwrite(buffer.data(), 1, buffer.size(), stdout) != buffer.size()) {
        std::fprintf(stderr, "error: writing to standard output failed\n");
        return 1;
      }
      buffer.clear();
      progress.Update(i + 1);
    }
  }
  progress.Finish(options.events);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace braid::cli
