// Capture: seals capture epochs of one stream into its lake table, a Delta table under
// DATA/lake/{stream}/ (DESIGN.md lake/, SEMANTICS.md "Epochs, generations and the merge",
// docs/formats/delta.md).
//
// CaptureEpoch seals the next epoch k: it reads the source's end offsets E(k) at one instant,
// takes E(k-1) and k-1 from the table's latest snapshot (the txn of appId "braid-capture" and the
// commitInfo of the commit that carried it), writes every event with E(k-1)[p] <= offset <
// E(k)[p] to Parquet files (capture_file_writer.h), commits them in ONE Delta version holding
// txn {appId "braid-capture", version k} and commitInfo.braidCapture {epoch k, endOffsets E(k),
// sealedAt}, and only then tells the source that E(k) is captured, so retention may drop those
// events. sealedAt (epoch microseconds) is the instant just before E(k) was read: every event
// acknowledged before it has an offset below E(k), so it is in an epoch <= k. The commit's own
// timestamp comes later (after the files were written) and does not have that property.
//
// Exactly once: the epoch number and the offsets it starts from come from the committed log, so
// a rerun after a commit continues with k+1 from E(k) and never writes an event twice; a crash
// before the commit leaves only files no snapshot references (VACUUM deletes them); two captures
// racing for epoch k both write files but only one commit carries txn version k: the loser's
// commit conflicts, it deletes its files and reports kAlreadyCommitted. An epoch without new
// events commits nothing and keeps k.
//
// Schema evolution: when the stream gained nullable columns (ALTER STREAM) since the table was
// last written, the epoch's files have the new columns (NULL for events stored before the
// change) and the epoch's commit also carries a metaData action with the new schema, so the
// table's schema changes exactly with the first epoch that uses it. Any other difference between
// the table's schema and the stream's is kTypeMismatch.
//
// CaptureEpoch may run concurrently with itself on one table, from threads or processes (see
// above); the source must then accept concurrent calls. One capture loop per stream is the
// intended use.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "lake/capture_file_writer.h"
#include "lake/capture_source.h"
#include "lake/delta_table.h"

namespace braid::lake {

// The Delta application id of capture's txn actions.
inline constexpr std::string_view kCaptureAppId = "braid-capture";

struct CaptureOptions {
  CaptureFileOptions files;  // table directory, stream schema, event time and sort columns
  CommitOptions commit;
};

enum class CaptureOutcome : uint8_t {
  kCommitted,         // epoch `epoch` was sealed by this call
  kNoNewEvents,       // nothing to seal; `epoch` is the last sealed epoch (0 = none yet)
  kAlreadyCommitted,  // a concurrent capture sealed `epoch` first; this call wrote nothing
};

struct CaptureResult {
  CaptureOutcome outcome = CaptureOutcome::kNoNewEvents;
  int64_t epoch = 0;
  int64_t table_version = -1;  // the Delta version holding the epoch (-1: no table yet)
  std::vector<uint64_t> end_offsets;
  uint64_t events = 0;  // events written by this call
  size_t files = 0;     // data files written by this call
};

// A sealed epoch as its commit recorded it.
struct CapturedEpoch {
  int64_t epoch = 0;
  std::vector<uint64_t> end_offsets;
  // The instant E(epoch) was read (braidCapture.sealedAt). Commits written before sealedAt was
  // recorded carry the commit's timestamp instead, a later instant: such a horizon claims a few
  // milliseconds more than the epoch holds. Timestamp{0} for epoch 0.
  Timestamp sealed_at;
};

// The last sealed epoch of a snapshot (epoch 0 and zero offsets when none), for a source with
// `partitions` partitions.
Result<CapturedEpoch> LastCapturedEpoch(const DeltaSnapshot& snapshot, size_t partitions);

// Epoch `epoch` (>= 1) of the table at `table`, read from the one commit that sealed it without
// replaying the log: epoch k's commit has a version >= k - 1 (one commit per epoch, the first at
// version 0), so the search reads forward from there past any other commits (OPTIMIZE).
// kInvalidArgument when the table has not sealed that epoch.
Result<CapturedEpoch> FindCapturedEpoch(const DeltaTable& table, int64_t epoch);

// Seals the next epoch of `source` into the table at options.files.table_dir.
Result<CaptureResult> CaptureEpoch(CaptureSource& source, const CaptureOptions& options);

}  // namespace braid::lake
