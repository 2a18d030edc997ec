// Recovery of one partition directory at Open, by the rules of docs/formats/log_segment.md:
// sealed segments with a valid index are trusted as indexed (their batches are CRC-checked when
// read); every other segment, and always the last one, is read and CRC-checked batch by batch.
// The first damage found (bad header, bad CRC, torn tail, a base offset that does not continue
// the previous batch or segment) ends the log: the damaged segment is cut back to its valid
// prefix and every later segment is deleted. The surviving tail is fdatasynced before anything is
// exposed, so a reader never sees a batch that a later crash could take back. Not thread-safe:
// runs before the partition is shared.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "log/log_options.h"
#include "log/partition.h"
#include "log/segment.h"

namespace braid::log {

struct RecoveredSegments {
  // Oldest first and contiguous; never empty: the last one is the active segment.
  std::vector<std::shared_ptr<Segment>> segments;
  // Every idempotency-keyed batch of the surviving segments, oldest first.
  std::vector<KeyedBatch> keyed_batches;
};

Result<RecoveredSegments> RecoverSegments(const std::filesystem::path& dir,
                                          const LogOptions& options, RecoveryReport* report);

}  // namespace braid::log
