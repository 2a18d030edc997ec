#include "serving/log_capture_source.h"

#include <fmt/format.h>

#include <numeric>

namespace braid::serving {

Result<std::unique_ptr<LogCaptureSource>> LogCaptureSource::Open(
    std::shared_ptr<log::StreamLog> log, size_t read_bytes) {
  RETURN_IF_ERROR(log->RegisterConsumer(kConsumerName));
  return std::unique_ptr<LogCaptureSource>(new LogCaptureSource(std::move(log), read_bytes));
}

std::vector<uint64_t> LogCaptureSource::EndOffsets() { return log_->EndOffsets(); }

Status LogCaptureSource::ReadRange(int partition, uint64_t from, uint64_t to,
                                   const EventsCallback& callback) {
  uint64_t offset = from;
  while (offset < to) {
    ASSIGN_OR_RETURN(std::vector<log::RecordBatch> batches,
                     log_->ReadEvents(partition, offset, read_bytes_));
    if (batches.empty()) {
      return Status(StatusCode::kCorruption,
                    fmt::format("partition {} of stream '{}' ends at {}, before offset {}",
                                partition, log_->config().name, offset, to));
    }
    for (const log::RecordBatch& batch : batches) {
      const uint64_t base = batch.header.base_offset;
      if (base >= to) break;
      if (base != offset) {
        return Status(StatusCode::kCorruption,
                      fmt::format("partition {} of stream '{}' skips from offset {} to {}",
                                  partition, log_->config().name, offset, base));
      }
      const Chunk& events = batch.events;
      if (base + events.num_rows() <= to) {
        RETURN_IF_ERROR(callback(events, base, batch.header.append_time));
      } else {
        std::vector<uint32_t> rows(to - base);
        std::iota(rows.begin(), rows.end(), 0);
        RETURN_IF_ERROR(callback(events.Select(rows), base, batch.header.append_time));
      }
      offset = std::min(to, base + events.num_rows());
    }
  }
  return Status::Ok();
}

Status LogCaptureSource::CommitCaptured(const std::vector<uint64_t>& offsets) {
  return log_->CommitConsumer(kConsumerName, offsets);
}

}  // namespace braid::serving
