// ForEachIndexOnThreads: the batch layer's "independent pieces of work on N threads" (building the
// row chunks of a view, writing its data files). Runs task(i) once for every i in [0, count) on at
// most `threads` threads, the caller's among them; indices are handed out one at a time, so slow
// pieces do not hold up the rest. Every index runs even if some fail; the error of the lowest
// failing index is returned. A task must only touch state of its own index (or synchronize).
#pragma once

#include <cstddef>
#include <functional>

#include "common/status.h"

namespace braid::batch {

Status ForEachIndexOnThreads(size_t count, size_t threads,
                             const std::function<Status(size_t index)>& task);

}  // namespace braid::batch
