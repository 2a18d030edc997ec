// libFuzzer entry point: any byte string, presented as a file, must make ParquetReader return an
// error or valid Chunks, never crash, hang or over-allocate. It does what CorpusTest does (Open,
// every row group, statistics pruning), so a finding reproduces in the GCC regression test once
// its input is in tests/lake/corpus/. Build with clang and BRAID_SANITIZE (which also instruments
// braid_lake for coverage; see tests/lake/CMakeLists.txt), in the source directory:
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang
//     -DCMAKE_BUILD_TYPE=Debug -DBRAID_SANITIZE=ON -DBRAID_BENCH=OFF -DBRAID_TESTS=ON
//   cmake --build build-fuzz -j2 --target parquet_reader_fuzz
// Rerun the campaign, $SRC being the source directory (one shell command, wrapped here; one
// job, 25 minutes; new inputs go to a scratch corpus, crashes to art/, the log to fuzz-0.log):
//   mkdir -p /tmp/pq_work/corpus /tmp/pq_work/art && (cd /tmp/pq_work && nice -n 10
//     $SRC/build-fuzz/tests/lake/parquet_reader_fuzz -jobs=1 -workers=1 -max_len=65536
//     -rss_limit_mb=1024 -timeout=10 -max_total_time=1500 -print_final_stats=1
//     -dict=$SRC/tests/lake/parquet.dict -artifact_prefix=/tmp/pq_work/art/
//     /tmp/pq_work/corpus $SRC/tests/lake/corpus)
// Minimize a crash: parquet_reader_fuzz -minimize_crash=1 -runs=20000
//   -exact_artifact_path=$SRC/tests/lake/corpus/damaged_<what>.parquet /tmp/pq_work/art/crash-...
// Pick coverage inputs: copy tests/lake/corpus to an empty directory D, run
// parquet_reader_fuzz -merge=1 D /tmp/pq_work/corpus, and take the small new files in D.
// The input is placed in an anonymous memory file (memfd) so no disk is touched.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lake/parquet_reader.h"

constexpr int64_t kMaxFuzzRows = int64_t{1} << 20;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = memfd_create("parquet_fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  braid::UniqueFd owner(fd);
  if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size)) return 0;
  auto reader = braid::lake::ParquetReader::Open("/proc/self/fd/" + std::to_string(fd));
  if (!reader.ok()) return 0;
  for (size_t g = 0; g < (*reader)->num_row_groups(); ++g) {
    // Decoding is linear in the rows a group claims (Open caps them at 2^26), and a few bytes of
    // RLE claim a million; larger groups would only make executions slow, so they are skipped.
    if ((*reader)->row_group(g).num_rows > kMaxFuzzRows) continue;
    if (!(*reader)->ReadRowGroup(g).ok()) return 0;
  }
  if ((*reader)->schema()->size() == 0) return 0;
  std::vector<braid::lake::ColumnPredicate> predicates = {
      {(*reader)->schema()->field(0).name, {}, {}}};
  (void)(*reader)->SelectRowGroups(predicates);
  return 0;
}
