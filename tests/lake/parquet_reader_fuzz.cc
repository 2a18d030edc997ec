// libFuzzer entry point: any byte string, presented as a file, must make ParquetReader return an
// error or valid Chunks, never crash, hang or over-allocate. Build with clang (see
// tests/lake/CMakeLists.txt) and run e.g.
//   ./parquet_reader_fuzz -rss_limit_mb=1024 -max_len=65536 tests/lake/corpus
// The input is placed in an anonymous memory file (memfd) so no disk is touched.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "lake/parquet_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = memfd_create("parquet_fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  braid::UniqueFd owner(fd);
  if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size)) return 0;
  auto reader = braid::lake::ParquetReader::Open("/proc/self/fd/" + std::to_string(fd));
  if (!reader.ok()) return 0;
  for (size_t g = 0; g < (*reader)->num_row_groups(); ++g) {
    if (!(*reader)->ReadRowGroup(g).ok()) break;
  }
  return 0;
}
