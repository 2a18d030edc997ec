#include "batch/parallel_indices.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace braid::batch {

Status ForEachIndexOnThreads(size_t count, size_t threads,
                             const std::function<Status(size_t index)>& task) {
  std::vector<Status> errors(count, Status::Ok());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) errors[i] = task(i);
  };
  {
    std::vector<std::jthread> workers;
    for (size_t i = 1; i < std::min(std::max<size_t>(threads, 1), count); ++i) {
      workers.emplace_back(work);
    }
    work();
  }  // joins the workers
  for (Status& error : errors) RETURN_IF_ERROR(error);
  return Status::Ok();
}

}  // namespace braid::batch
