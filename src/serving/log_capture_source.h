// LogCaptureSource: the lake's CaptureSource (lake/capture_source.h) over one stream's ingestion
// log (log::StreamLog). serving/ is the first layer allowed to see both lake/ and log/, so the
// adapter lives here. Open registers the log consumer "capture", whose committed offsets hold back
// retention until capture has committed the events to the lake. Reads go through
// StreamLog::ReadEvents in slices of `read_bytes`, so events stored before an ALTER STREAM come in
// the current schema with NULL in the added columns, trimming the last batch at the range's end. The log
// is shared, not owned exclusively; the source is as thread-safe as StreamLog (fully).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/capture_source.h"
#include "log/stream_log.h"

namespace braid::serving {

class LogCaptureSource : public lake::CaptureSource {
 public:
  // The log consumer capture commits its offsets under.
  static constexpr const char* kConsumerName = "capture";

  static Result<std::unique_ptr<LogCaptureSource>> Open(std::shared_ptr<log::StreamLog> log,
                                                        size_t read_bytes = size_t{8} << 20);

  std::vector<uint64_t> EndOffsets() override;
  Status ReadRange(int partition, uint64_t from, uint64_t to,
                   const EventsCallback& callback) override;
  Status CommitCaptured(const std::vector<uint64_t>& offsets) override;

 private:
  LogCaptureSource(std::shared_ptr<log::StreamLog> log, size_t read_bytes)
      : log_(std::move(log)), read_bytes_(read_bytes) {}

  std::shared_ptr<log::StreamLog> log_;
  size_t read_bytes_;
};

}  // namespace braid::serving
