// Where tests find the source tree and the braid binary: the environment variables
// BRAID_SOURCE_DIR and BRAID_BINARY when set, else the paths CMake compiled in.
#pragma once

#include <cstdlib>
#include <string>

namespace braid::testing {

inline std::string SourceDir() {
  const char* env = std::getenv("BRAID_SOURCE_DIR");
  return env != nullptr ? env : BRAID_SOURCE_DIR_DEFAULT;
}

#ifdef BRAID_BINARY_DEFAULT
inline std::string BraidBinaryPath() {
  const char* env = std::getenv("BRAID_BINARY");
  return env != nullptr ? env : BRAID_BINARY_DEFAULT;
}
#endif

}  // namespace braid::testing
