// CaptureService: Event Hubs Capture for every stream of a Database. CaptureStream seals the next
// capture epoch of one stream (lake/capture.h: log -> Parquet under DATA/lake/{stream} and one
// Delta commit); Tick, called on an interval by the server, captures each stream whose last
// capture is older than `interval` or whose uncaptured log has grown past `max_bytes` (the Event
// Hubs Capture defaults: 300 s, 256 MiB). Captures of one stream are serialized by a per-stream
// mutex; different streams capture in parallel when called from different threads.
//
// The speed layer learns each epoch's end offsets E(k) through the BoundariesProvider: capture
// reads E(k) inside EpochBoundaries::Seal, so the publication and the read are one step, and a
// capture retried after a failure seals the same E(k) (speed/epoch_boundaries.h).
//
// Status answers (LakeStatus) come from what the last capture of this process saw plus the log's
// live end offsets, so /v1/status never replays a Delta log; the first status of a stream after a
// start loads its snapshot once. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "lake/capture.h"
#include "log/log_manager.h"
#include "speed/epoch_boundaries.h"
#include "sql/catalog.h"

namespace braid::serving {

struct CaptureServiceOptions {
  std::filesystem::path data_dir;
  Duration interval = Duration::Seconds(300);
  uint64_t max_bytes = 256ull << 20;
  // A data file smaller than this counts as small (a candidate for OPTIMIZE).
  uint64_t small_file_bytes = 32ull << 20;
};

// The lake side of one stream, for /v1/status.
struct LakeStatus {
  int64_t epoch = 0;                  // last sealed epoch (0 = none)
  std::vector<uint64_t> end_offsets;  // E(epoch), one per partition
  int64_t table_version = -1;
  uint64_t lag_events = 0;            // events in the log not yet in the lake
  double lag_seconds = 0;             // age of the oldest uncaptured event (0 when none)
  size_t files = 0;
  uint64_t bytes = 0;
  size_t small_files = 0;
  std::optional<Timestamp> last_capture;  // when this process last sealed or checked an epoch
};

// The epoch boundaries of a stream that capture publishes each E(k) to (the speed layer's).
using BoundariesProvider = std::function<Result<std::shared_ptr<speed::EpochBoundaries>>(
    const sql::StreamDefinition& stream)>;

class CaptureService {
 public:
  CaptureService(CaptureServiceOptions options, sql::Catalog& catalog, log::LogManager& logs);

  // Set once, before the first capture: where sealed epochs are published (none: nowhere).
  void SetBoundariesProvider(BoundariesProvider provider) { boundaries_ = std::move(provider); }

  // Seals the next epoch of `stream` now (kUndefinedObject for an unknown stream).
  Result<lake::CaptureResult> CaptureStream(std::string_view stream);
  // Captures every stream that is due (interval passed or max_bytes uncaptured). Returns the
  // first error after trying every stream.
  Status Tick(Timestamp now);

  Result<LakeStatus> LakeStatusOf(std::string_view stream);
  // Makes the next status of `stream` reload its figures from the table (after OPTIMIZE/VACUUM).
  void ForgetFigures(std::string_view stream);

 private:
  struct StreamState {
    std::mutex capture_mu;  // serializes captures of the stream
    std::mutex figures_mu;  // guards the fields below; never held while capturing
    bool loaded = false;
    LakeStatus lake;
  };
  StreamState& StateOf(const sql::StreamDefinition& definition);
  // Reloads epoch, offsets, files, bytes and small files from the table's latest snapshot.
  Status RefreshFromTable(const sql::StreamDefinition& definition, StreamState& state);

  CaptureServiceOptions options_;
  BoundariesProvider boundaries_;
  sql::Catalog& catalog_;
  log::LogManager& logs_;
  std::mutex states_mu_;
  std::map<std::string, std::unique_ptr<StreamState>> states_;
};

}  // namespace braid::serving
