// EpochBoundaries: the capture epochs of one stream as the speed layer needs them, to put every
// event into the generation of the epoch its log offset falls in (SEMANTICS.md "Epochs,
// generations and the merge").
//
// Capture seals epoch k through Seal: under this object's mutex it reads the log's end offsets
// E(k) and publishes them, so the publication and the read are one step for the speed layer.
// The speed layer asks GenerationsOf only for batches it has already read; a batch read before a
// seal lies wholly below that seal's E(k) (end offsets only grow), so whether the seal came before
// or after the question, the answer is the same: the first sealed epoch whose end lies above the
// offset, else the open epoch (the last sealed + 1). Every event lands in exactly one generation.
//
// A seal stays pending until capture commits it: a capture that failed after reading E(k) is
// retried with the same E(k) (Seal returns the pending offsets instead of reading new ones), so
// what the speed layer was told is what the lake commits. The boundaries live in memory only:
// after a restart the speed layer replays the log into fresh state, and Open starts from the
// lake's last sealed epoch, whose generation then also holds every earlier offset still replayed
// (any batch run from then on absorbs at least that epoch, so nothing finer is ever needed).
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "common/status.h"

namespace braid::speed {

// Offsets [first, first + count) of one partition that belong to `generation`.
struct GenerationSpan {
  int64_t generation = 0;
  uint64_t first = 0;
  uint64_t count = 0;
};

class EpochBoundaries {
 public:
  // Starts after `last_epoch` (0: none), sealed at `end_offsets` (one per partition).
  EpochBoundaries(int64_t last_epoch, std::vector<uint64_t> end_offsets);

  // Capture's end-offset read for the next epoch: returns the pending seal's offsets when one is
  // pending; otherwise calls `read_end_offsets` under the mutex and, when they differ from the
  // last sealed offsets, publishes them as epoch last + 1 (pending until Committed). Offsets equal
  // to the last seal (no new events) publish nothing.
  std::vector<uint64_t> Seal(const std::function<std::vector<uint64_t>()>& read_end_offsets);
  // Capture committed epoch `epoch` at `end_offsets`: the pending seal becomes final. A commit of
  // an epoch other than the pending one (a capture outside this process) is kInternal
  // and changes nothing.
  Status Committed(int64_t epoch, const std::vector<uint64_t>& end_offsets);

  // Splits offsets [first, first + count) of `partition` by generation, in offset order.
  std::vector<GenerationSpan> GenerationsOf(int partition, uint64_t first, uint64_t count) const;

  // The last epoch published (pending or committed) and the open generation after it.
  int64_t last_sealed() const;
  int64_t open_generation() const { return last_sealed() + 1; }
  // The end offsets of the last published epoch.
  std::vector<uint64_t> last_offsets() const;
  std::optional<int64_t> pending() const;

  // Forgets the boundaries of epochs <= `epoch` except the last one (memory bound; callers ask
  // only about offsets above what every view absorbed).
  void ForgetThrough(int64_t epoch);

 private:
  struct Sealed {
    int64_t epoch;
    std::vector<uint64_t> end_offsets;
  };
  mutable std::mutex mu_;
  std::vector<Sealed> sealed_;  // ascending; never empty (the first is the starting point)
  bool pending_ = false;        // the last of sealed_ is not committed yet
};

}  // namespace braid::speed
