#include "serving/capture_service.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "lake/delta_table.h"
#include "serving/log_capture_source.h"
#include "serving/stream_capture.h"

namespace braid::serving {
namespace {

Result<std::pair<sql::StreamDefinitionPtr, std::shared_ptr<log::StreamLog>>> FindStream(
    const sql::Catalog& catalog, const log::LogManager& logs, std::string_view name) {
  sql::StreamDefinitionPtr definition = catalog.FindStream(name);
  std::shared_ptr<log::StreamLog> log = definition ? logs.Find(definition->name) : nullptr;
  if (log == nullptr) {
    return Status(StatusCode::kUndefinedObject,
                         fmt::format("stream '{}' does not exist", name));
  }
  return std::make_pair(definition, log);
}

// Events between the captured offsets and the log's end; the age of the oldest of them; and an
// estimate of their bytes (each partition's average bytes per retained event).
struct Backlog {
  uint64_t events = 0;
  double oldest_seconds = 0;
  uint64_t bytes = 0;
};

Backlog BacklogOf(const log::StreamLog& log, const std::vector<uint64_t>& captured,
                  Timestamp now) {
  Backlog backlog;
  std::optional<Timestamp> oldest;
  for (int p = 0; p < log.num_partitions(); ++p) {
    const log::Partition& partition = log.partition(p);
    const uint64_t from = std::max<uint64_t>(
        static_cast<size_t>(p) < captured.size() ? captured[p] : 0, partition.start_offset());
    const uint64_t end = partition.end_offset();
    if (end <= from) continue;
    backlog.events += end - from;
    const uint64_t retained = end - partition.start_offset();
    backlog.bytes += partition.size_bytes() / retained * (end - from);
    Result<std::vector<log::BatchHeader>> headers = partition.ReadHeaders(from, 1);
    if (headers.ok() && !headers->empty()) {
      const Timestamp appended = headers->front().append_time;
      if (!oldest || appended < *oldest) oldest = appended;
    }
  }
  if (oldest) backlog.oldest_seconds = static_cast<double>((now - *oldest).micros) / 1e6;
  return backlog;
}

// The log's CaptureSource with its end offsets read through the speed layer's epoch boundaries.
class SealingSource : public lake::CaptureSource {
 public:
  SealingSource(lake::CaptureSource& log, speed::EpochBoundaries& boundaries)
      : log_(log), boundaries_(boundaries) {}

  std::vector<uint64_t> EndOffsets() override {
    return boundaries_.Seal([this] { return log_.EndOffsets(); });
  }
  Status ReadRange(int partition, uint64_t from, uint64_t to,
                   const EventsCallback& callback) override {
    return log_.ReadRange(partition, from, to, callback);
  }
  Status CommitCaptured(const std::vector<uint64_t>& offsets) override {
    return log_.CommitCaptured(offsets);
  }

 private:
  lake::CaptureSource& log_;
  speed::EpochBoundaries& boundaries_;
};

}  // namespace

CaptureService::CaptureService(CaptureServiceOptions options, sql::Catalog& catalog,
                               log::LogManager& logs)
    : options_(std::move(options)), catalog_(catalog), logs_(logs) {}

CaptureService::StreamState& CaptureService::StateOf(const sql::StreamDefinition& definition) {
  std::lock_guard<std::mutex> lock(states_mu_);
  std::unique_ptr<StreamState>& state = states_[CanonicalIdentifier(definition.name)];
  if (state == nullptr) state = std::make_unique<StreamState>();
  return *state;
}

Status CaptureService::RefreshFromTable(const sql::StreamDefinition& definition,
                                               StreamState& state) {
  lake::DeltaTable table(CaptureOptionsFor(definition, options_.data_dir).files.table_dir);
  ASSIGN_OR_RETURN(lake::DeltaSnapshot snapshot, table.LoadSnapshot());
  ASSIGN_OR_RETURN(lake::CapturedEpoch captured,
                   lake::LastCapturedEpoch(snapshot, static_cast<size_t>(definition.partitions)));
  LakeStatus figures;
  figures.epoch = captured.epoch;
  figures.end_offsets = std::move(captured.end_offsets);
  figures.table_version = snapshot.version();
  for (const auto& [path, file] : snapshot.files()) {
    ++figures.files;
    figures.bytes += static_cast<uint64_t>(file.size);
    if (static_cast<uint64_t>(file.size) < options_.small_file_bytes) ++figures.small_files;
  }
  std::lock_guard<std::mutex> lock(state.figures_mu);
  figures.last_capture = state.lake.last_capture;
  state.lake = std::move(figures);
  state.loaded = true;
  return Status::Ok();
}

Result<lake::CaptureResult> CaptureService::CaptureStream(std::string_view stream) {
  ASSIGN_OR_RETURN(auto found, FindStream(catalog_, logs_, stream));
  const auto& [definition, log] = found;
  StreamState& state = StateOf(*definition);
  std::lock_guard<std::mutex> capture_lock(state.capture_mu);
  ASSIGN_OR_RETURN(std::unique_ptr<LogCaptureSource> source, LogCaptureSource::Open(log));
  std::shared_ptr<speed::EpochBoundaries> boundaries;
  if (boundaries_) {
    ASSIGN_OR_RETURN(boundaries, boundaries_(*definition));
  }
  std::optional<SealingSource> sealing;
  if (boundaries) sealing.emplace(*source, *boundaries);
  lake::CaptureSource& reader = sealing ? static_cast<lake::CaptureSource&>(*sealing) : *source;
  Result<lake::CaptureResult> result =
      lake::CaptureEpoch(reader, CaptureOptionsFor(*definition, options_.data_dir));
  if (!result.ok()) return result.status().WithContext(fmt::format("capture of '{}'", stream));
  if (boundaries && result->outcome == lake::CaptureOutcome::kCommitted) {
    Status told = boundaries->Committed(result->epoch, result->end_offsets);
    if (!told.ok()) return told.WithContext(fmt::format("capture of '{}'", stream));
  }
  {
    std::lock_guard<std::mutex> lock(state.figures_mu);
    state.lake.last_capture = Now();
  }
  RETURN_IF_ERROR(RefreshFromTable(*definition, state));
  return result;
}

Result<LakeStatus> CaptureService::LakeStatusOf(std::string_view stream) {
  ASSIGN_OR_RETURN(auto found, FindStream(catalog_, logs_, stream));
  const auto& [definition, log] = found;
  StreamState& state = StateOf(*definition);
  bool loaded;
  {
    std::lock_guard<std::mutex> lock(state.figures_mu);
    loaded = state.loaded;
  }
  if (!loaded) RETURN_IF_ERROR(RefreshFromTable(*definition, state));
  LakeStatus status;
  {
    std::lock_guard<std::mutex> lock(state.figures_mu);
    status = state.lake;
  }
  const Backlog backlog = BacklogOf(*log, status.end_offsets, Now());
  status.lag_events = backlog.events;
  status.lag_seconds = backlog.oldest_seconds;
  return status;
}

void CaptureService::ForgetFigures(std::string_view stream) {
  sql::StreamDefinitionPtr definition = catalog_.FindStream(stream);
  if (definition == nullptr) return;
  StreamState& state = StateOf(*definition);
  std::lock_guard<std::mutex> lock(state.figures_mu);
  state.loaded = false;
}

Status CaptureService::Tick(Timestamp now) {
  Status first_error;
  const double interval_seconds = static_cast<double>(options_.interval.micros) / 1e6;
  for (const sql::StreamDefinitionPtr& definition : catalog_.Streams()) {
    Result<LakeStatus> status = LakeStatusOf(definition->name);
    if (!status.ok()) {
      if (first_error.ok()) first_error = status.status();
      continue;
    }
    std::shared_ptr<log::StreamLog> log = logs_.Find(definition->name);
    if (log == nullptr || status->lag_events == 0) continue;
    const Backlog backlog = BacklogOf(*log, status->end_offsets, now);
    if (backlog.oldest_seconds < interval_seconds && backlog.bytes < options_.max_bytes) continue;
    Result<lake::CaptureResult> captured = CaptureStream(definition->name);
    if (!captured.ok() && first_error.ok()) first_error = captured.status();
  }
  return first_error;
}

}  // namespace braid::serving
