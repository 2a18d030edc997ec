// The glibc malloc settings Braid runs with. glibc reads its tunables only from the environment
// when a process starts (no mallopt sets the per-thread cache), so the binaries that want them
// add them to GLIBC_TUNABLES and execute themselves again, once, first thing in main (before any
// thread starts).
//
// The setting: glibc.malloc.tcache_count=128 (default 7), the freed blocks of each size up to
// 1 KiB a thread keeps for its next allocations. A query allocates and frees hundreds of small
// blocks (columns, chunks, copies of states); with 7 per size most of them took the arena's slow
// paths (bins, consolidation), a fifth of a merged point query's CPU (BENCHMARKS.md). A thread
// keeps at most about 64 sizes x 128 blocks (about 4 MiB). A GLIBC_TUNABLES that already sets
// tcache_count is left alone: `GLIBC_TUNABLES=glibc.malloc.tcache_count=7` restores glibc's
// default.
#pragma once

#include <string>

namespace braid {

// The GLIBC_TUNABLES value to run with, given the current one (null: unset); empty when the
// current one already sets the per-thread cache's count.
std::string TunedMallocSettings(const char* current);

// Sets GLIBC_TUNABLES to TunedMallocSettings and executes `program` (default: this process's own
// executable, by its path, so the process keeps its name) with `argv`, unless it already holds
// them; returns only when nothing was executed (already tuned, or exec failed: the process goes
// on with glibc's defaults).
void ReexecWithTunedMalloc(char** argv, const char* program = nullptr);

}  // namespace braid
