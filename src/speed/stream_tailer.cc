#include "speed/stream_tailer.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "sql/view_plan.h"

namespace braid::speed {

StreamTailer::StreamTailer(std::shared_ptr<log::StreamLog> log,
                           std::shared_ptr<EpochBoundaries> boundaries, EmittedCallback on_emitted,
                           TailerOptions options)
    : log_(std::move(log)),
      boundaries_(std::move(boundaries)),
      on_emitted_(std::move(on_emitted)),
      options_(options),
      thread_([this](std::stop_token stop) { Run(stop); }) {}

StreamTailer::~StreamTailer() {
  thread_.request_stop();
  progress_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StreamTailer::AddView(std::shared_ptr<SpeedView> view, std::vector<uint64_t> start_offsets) {
  start_offsets.resize(static_cast<size_t>(log_->num_partitions()), 0);
  std::lock_guard<std::mutex> lock(mu_);
  const std::string name = view->plan().name;
  feeds_[name] = ViewFeed{std::move(view), std::move(start_offsets)};
  ++feeds_version_;
  progress_.notify_all();
}

void StreamTailer::RemoveView(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  feeds_.erase(name);
  ++feeds_version_;
}

size_t StreamTailer::num_views() const {
  std::lock_guard<std::mutex> lock(mu_);
  return feeds_.size();
}

bool StreamTailer::WaitUntilRead(const std::vector<uint64_t>& offsets, Duration timeout) const {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::microseconds(timeout.micros);
  std::unique_lock<std::mutex> lock(mu_);
  const auto read = [&] {
    for (const auto& [name, feed] : feeds_) {
      for (size_t p = 0; p < offsets.size() && p < feed.next.size(); ++p) {
        if (feed.next[p] < offsets[p]) return false;
      }
    }
    return true;
  };
  if (!progress_.wait_until(lock, deadline, read)) return false;
  // Then one look at the idle log, whose clock advance may emit windows.
  const uint64_t round = idle_rounds_;
  return progress_.wait_until(lock, deadline, [&] { return idle_rounds_ > round; });
}

void StreamTailer::Run(std::stop_token stop) {
  const size_t partitions = static_cast<size_t>(log_->num_partitions());
  buffered_.assign(partitions, {});
  buffered_head_.assign(partitions, 0);
  read_to_.assign(partitions, 0);
  int last_partition = 0;
  while (!stop.stop_requested()) {
    std::vector<uint64_t> wanted(partitions, std::numeric_limits<uint64_t>::max());
    bool any_view = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (feeds_.empty()) {
        progress_.wait_for(lock, stop, std::chrono::milliseconds(50), [&] { return !feeds_.empty(); });
        continue;
      }
      for (const auto& [name, feed] : feeds_) {
        any_view = true;
        for (size_t p = 0; p < partitions; ++p) wanted[p] = std::min(wanted[p], feed.next[p]);
      }
      if (feeds_version_ != seen_feeds_version_) {  // a view joined or left: read afresh
        seen_feeds_version_ = feeds_version_;
        for (size_t p = 0; p < partitions; ++p) {
          buffered_[p].clear();
          buffered_head_[p] = 0;
          read_to_[p] = wanted[p];
        }
      }
    }
    if (!any_view) continue;
    Refill(wanted);
    int next = -1;
    for (size_t p = 0; p < partitions; ++p) {
      if (buffered_head_[p] >= buffered_[p].size()) continue;
      const Timestamp appended = buffered_[p][buffered_head_[p]].header.append_time;
      if (next < 0 || appended < buffered_[next][buffered_head_[next]].header.append_time) {
        next = static_cast<int>(p);
      }
    }
    if (next >= 0) {
      // The batches of `next` that come before every other partition's next batch are next in
      // append-time order anyway: they are counted together (fewer, larger chunks).
      Timestamp others = Timestamp{std::numeric_limits<int64_t>::max()};
      for (size_t p = 0; p < partitions; ++p) {
        if (static_cast<int>(p) == next || buffered_head_[p] >= buffered_[p].size()) continue;
        others = std::min(others, buffered_[p][buffered_head_[p]].header.append_time);
      }
      std::vector<log::RecordBatch> group;
      size_t rows = 0;
      std::vector<log::RecordBatch>& source = buffered_[next];
      size_t& head = buffered_head_[next];
      do {
        rows += source[head].events.num_rows();
        group.push_back(std::move(source[head++]));
      } while (head < source.size() && source[head].header.append_time <= others &&
               rows < kMaxGroupRows);
      Process(next, std::move(group));
      last_partition = next;
      continue;
    }
    // Everything is read: move the processing clock to now (idle partitions), then wait.
    std::vector<std::shared_ptr<SpeedView>> views;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [name, feed] : feeds_) views.push_back(feed.view);
    }
    const Timestamp now = Now();
    for (const std::shared_ptr<SpeedView>& view : views) {
      std::vector<Chunk> emitted;
      (void)view->Advance(now, &emitted);  // a failed view keeps its error for status
      if (!emitted.empty()) on_emitted_(view, std::move(emitted));
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++idle_rounds_;
      progress_.notify_all();
    }
    log_->partition(last_partition)
        .WaitForData(read_to_[static_cast<size_t>(last_partition)], now + options_.poll);
  }
}

void StreamTailer::Refill(const std::vector<uint64_t>& positions) {
  for (size_t p = 0; p < buffered_.size(); ++p) {
    if (buffered_head_[p] < buffered_[p].size()) continue;
    buffered_[p].clear();
    buffered_head_[p] = 0;
    const log::Partition& partition = log_->partition(static_cast<int>(p));
    read_to_[p] = std::max({read_to_[p], positions[p], partition.start_offset()});
    if (partition.end_offset() <= read_to_[p]) continue;
    Result<std::vector<log::RecordBatch>> batches =
        log_->ReadEvents(static_cast<int>(p), read_to_[p], options_.read_bytes);
    if (!batches.ok() || batches->empty()) continue;  // retried on the next look
    read_to_[p] = batches->back().header.end_offset();
    buffered_[p] = std::move(*batches);
  }
}

Result<Chunk> StreamTailer::InputOf(int partition, std::vector<log::RecordBatch>& batches) const {
  std::vector<size_t> batch_rows;  // counted first: moving a chunk's columns out empties it
  size_t rows = 0;
  for (const log::RecordBatch& batch : batches) {
    batch_rows.push_back(batch.events.num_rows());
    rows += batch_rows.back();
  }
  const SchemaPtr schema = batches.front().events.schema();
  const Chunk& first = batches.front().events;
  std::vector<Column> columns;
  for (size_t i = 0; i < first.num_columns(); ++i) {
    if (batches.size() == 1) {
      columns.push_back(std::move(batches.front().events.mutable_column(i)));
      continue;
    }
    Column column(first.column(i).type());
    column.Reserve(rows);
    for (const log::RecordBatch& batch : batches) column.AppendColumn(batch.events.column(i));
    columns.push_back(std::move(column));
  }
  Column ingested_at(DataType::kTimestamp), partitions(DataType::kBigint),
      offsets(DataType::kBigint);
  ingested_at.Reserve(rows);
  partitions.Reserve(rows);
  offsets.Reserve(rows);
  for (size_t b = 0; b < batches.size(); ++b) {
    for (size_t row = 0; row < batch_rows[b]; ++row) {
      ingested_at.AppendInt64(batches[b].header.append_time.micros);
      partitions.AppendInt64(partition);
      offsets.AppendInt64(static_cast<int64_t>(batches[b].header.base_offset + row));
    }
  }
  columns.push_back(std::move(ingested_at));
  columns.push_back(std::move(partitions));
  columns.push_back(std::move(offsets));
  if (schema != events_schema_) {  // the view input schema changes only with ALTER STREAM
    events_schema_ = schema;
    input_schema_ = sql::ViewInputSchema(*schema);
  }
  return Chunk::Make(input_schema_, std::move(columns));
}

void StreamTailer::Process(int partition, std::vector<log::RecordBatch> batches) {
  const uint64_t base = batches.front().header.base_offset;
  uint64_t count = 0;
  for (const log::RecordBatch& batch : batches) count += batch.events.num_rows();
  std::vector<BatchMark> marks;
  for (const log::RecordBatch& batch : batches) {
    const size_t before = marks.empty() ? 0 : marks.back().end;
    marks.push_back(BatchMark{before + batch.events.num_rows(), batch.header.append_time});
  }
  Result<Chunk> input = InputOf(partition, batches);
  if (!input.ok()) {  // a bug, not bad data: say so in status rather than count wrongly
    std::lock_guard<std::mutex> lock(mu_);
    error_ = input.status().ToString();
    return;
  }
  const std::vector<GenerationSpan> spans = boundaries_->GenerationsOf(partition, base, count);
  const size_t p = static_cast<size_t>(partition);
  std::vector<std::pair<std::shared_ptr<SpeedView>, uint64_t>> feeds;  // (view, next offset of p)
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, feed] : feeds_) feeds.emplace_back(feed.view, feed.next[p]);
  }
  for (const auto& [view, next] : feeds) {
    const uint64_t from = std::max(next, base);
    if (from >= base + count) continue;
    const sql::ViewPlan& plan = view->plan();
    if (plan.input_schema->size() != input->num_columns()) continue;  // replaced soon (ALTER)
    std::vector<Chunk> emitted;
    for (const GenerationSpan& span : spans) {
      const uint64_t begin = std::max(span.first, from);
      const uint64_t end = span.first + span.count;
      if (begin >= end) continue;
      if (!view->Consume(*input, begin - base, end - base, partition, span.generation, marks,
                         &emitted)
               .ok()) {
        break;  // the view keeps its error for status
      }
    }
    if (!emitted.empty()) on_emitted_(view, std::move(emitted));
  }
  const Timestamp now = Now();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, feed] : feeds_) {  // views added meanwhile start at their own offsets
    for (const auto& [view, next] : feeds) {
      if (feed.view == view) feed.next[p] = std::max(feed.next[p], base + count);
    }
  }
  events_ += count;
  if (read_to_[p] >= log_->partition(partition).end_offset()) {  // live, not a replay
    size_t before = 0;
    for (const BatchMark& mark : marks) {
      const int64_t latency = std::max<int64_t>(0, (now - mark.appended).micros);
      latency_.Add(latency, mark.end - before);
      latency_max_ms_ = std::max(latency_max_ms_, static_cast<double>(latency) / 1000.0);
      before = mark.end;
    }
  }
  if (rate_samples_.empty() || (now - rate_samples_.back().first).micros >= 1000000) {
    rate_samples_.emplace_back(now, events_);
    if (rate_samples_.size() > 10) rate_samples_.erase(rate_samples_.begin());
  }
  progress_.notify_all();
}

uint64_t StreamTailer::PositionLocked(size_t p) const {
  uint64_t position = std::numeric_limits<uint64_t>::max();
  for (const auto& [name, feed] : feeds_) position = std::min(position, feed.next[p]);
  if (position == std::numeric_limits<uint64_t>::max()) {
    position = log_->partition(static_cast<int>(p)).end_offset();
  }
  return position;
}

double StreamTailer::EventsPerSecondLocked() const {
  if (rate_samples_.empty()) return 0;
  const auto& [first_at, first_events] = rate_samples_.front();
  const double seconds = static_cast<double>((Now() - first_at).micros) / 1e6;
  return seconds > 0 ? static_cast<double>(events_ - first_events) / seconds : 0;
}

TailerLag StreamTailer::Lag() const {
  TailerLag lag;
  std::lock_guard<std::mutex> lock(mu_);
  lag.events_per_second = EventsPerSecondLocked();
  const size_t partitions = static_cast<size_t>(log_->num_partitions());
  for (size_t p = 0; p < partitions; ++p) {
    const uint64_t end = log_->partition(static_cast<int>(p)).end_offset();
    const uint64_t position = PositionLocked(p);
    lag.backlog += end > position ? end - position : 0;
  }
  return lag;
}

TailerStatus StreamTailer::Describe() const {
  TailerStatus status;
  std::lock_guard<std::mutex> lock(mu_);
  status.events = events_;
  status.events_per_second = EventsPerSecondLocked();
  const size_t partitions = static_cast<size_t>(log_->num_partitions());
  for (size_t p = 0; p < partitions; ++p) {
    const uint64_t end = log_->partition(static_cast<int>(p)).end_offset();
    status.positions.push_back(PositionLocked(p));
    status.backlog.push_back(end > status.positions[p] ? end - status.positions[p] : 0);
  }
  // Quantiles are bucket bounds (within ~19%); never above the largest latency seen.
  status.latency_p50_ms = std::min(latency_.Quantile(0.5) / 1000.0, latency_max_ms_);
  status.latency_p99_ms = std::min(latency_.Quantile(0.99) / 1000.0, latency_max_ms_);
  status.latency_max_ms = latency_max_ms_;
  status.latency_samples = latency_.count();
  status.error = error_;
  return status;
}

}  // namespace braid::speed
