#include "common/version.h"

#include <fmt/format.h>

namespace braid {

std::string VersionString() { return fmt::format("{} (build {})", BRAID_VERSION, BRAID_GIT_HASH); }

}  // namespace braid
