#include "speed/speed_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <numeric>
#include <utility>

#include "sql/expression_evaluator.h"
#include "sql/view_input.h"
#include "sql/window_assignment.h"

namespace braid::speed {
namespace {

// Finalized rows a generation keeps for queries (batch::AggregatorOptions::read_cache_rows): a
// point query's rows of 65,536 cells, some 10 MiB.
constexpr size_t kKeptRowsPerGeneration = 65536;

// a - b without overflow below kNoWatermark.
int64_t SaturatingMinus(int64_t a, int64_t b) {
  return a < kNoWatermark + b ? kNoWatermark : a - b;
}

// The rows of `rows` whose window_end (column `end_column`) lies in [low, high).
Chunk RowsEndingIn(const Chunk& rows, size_t end_column, int64_t low, int64_t high) {
  std::vector<uint32_t> selected;
  std::span<const int64_t> ends = rows.column(end_column).int64s();
  for (uint32_t row = 0; row < rows.num_rows(); ++row) {
    if (ends[row] >= low && ends[row] < high) selected.push_back(row);
  }
  return selected.size() == rows.num_rows() ? rows : rows.Select(selected);
}

}  // namespace

SpeedViewOptions SpeedViewOptionsFor(const sql::StreamDefinition& stream, size_t memory_limit) {
  SpeedViewOptions options;
  options.clock.partitions = stream.partitions;
  options.clock.out_of_order = stream.out_of_order;
  options.clock.max_future = stream.max_future;
  options.clock.idle_timeout = stream.idle_timeout;
  options.allowed_lateness = stream.allowed_lateness;
  options.policy = stream.out_of_order_policy;
  options.memory_limit = memory_limit;
  return options;
}

// The rows of one stretch of a batch that no emission interrupts, to be counted together.
struct SpeedView::Run {
  std::vector<uint32_t> rows;                        // input rows counted
  std::vector<int64_t> min_ends;                     // per counted row (hopping views)
  std::vector<std::pair<size_t, int64_t>> adjusted;  // (index in rows, time counted at)
};

SpeedView::SpeedView(sql::ViewPlanPtr plan, SpeedViewOptions options, int64_t absorbed_epoch,
                     BatchStates* batch)
    : plan_(std::move(plan)),
      options_(std::move(options)),
      batch_(batch),
      clock_(options_.clock),
      absorbed_(absorbed_epoch) {
  if (!options_.frontier_file.empty()) {
    // The emitted frontier of an earlier run: a decimal number; anything unreadable starts over.
    std::ifstream in(options_.frontier_file);
    int64_t frontier = 0;
    if (in >> frontier) emitted_through_ = frontier;
  }
}

SpeedView::~SpeedView() = default;

int64_t SpeedView::LatestEnd(int64_t t) const {
  const sql::WindowDefinition& window = *plan_->window;
  switch (window.kind) {
    case sql::WindowKind::kTumbling:
      return sql::TumblingWindowEnd(Timestamp{t}, window.size, window.offset).micros;
    case sql::WindowKind::kHopping: {
      const int64_t hop = window.hop.micros;
      const int64_t first = t + sql::FloorMod(window.offset.micros - t, hop);
      return first + (t + window.size.micros - 1 - first) / hop * hop;
    }
    default:
      return t;
  }
}

int64_t SpeedView::EarliestOpenEnd(int64_t t, int64_t floor) const {
  const sql::WindowDefinition& window = *plan_->window;
  if (window.kind == sql::WindowKind::kTumbling) {
    return sql::TumblingWindowEnd(Timestamp{t}, window.size, window.offset).micros;
  }
  if (window.kind != sql::WindowKind::kHopping) return t;
  const int64_t hop = window.hop.micros;
  const int64_t first = t + sql::FloorMod(window.offset.micros - t, hop);
  if (first >= floor) return first;
  return first + (floor - first + hop - 1) / hop * hop;
}

SpeedView::Generation& SpeedView::GenerationLocked(int64_t generation) {
  Generation& held = generations_[generation];
  if (held.cells == nullptr) {
    held.cells = std::make_unique<batch::HashAggregator>(
        plan_,
        batch::AggregatorOptions{.memory_limit = options_.memory_limit,
                                 .track_window_ends = true,
                                 .read_cache_rows = kKeptRowsPerGeneration});
  }
  return held;
}

Status SpeedView::Consume(const Chunk& input, size_t begin, size_t end, int partition,
                          int64_t generation, Timestamp tau, std::vector<Chunk>* emitted) {
  const BatchMark mark{end, tau};
  return Consume(input, begin, end, partition, generation, std::span<const BatchMark>(&mark, 1),
                 emitted);
}

Status SpeedView::Consume(const Chunk& input, size_t begin, size_t end, int partition,
                          int64_t generation, std::span<const BatchMark> batches,
                          std::vector<Chunk>* emitted) {
  std::lock_guard lock(mu_);
  if (!error_.ok()) return error_;
  Status status = ConsumeLocked(input, begin, end, partition, generation, batches, emitted);
  if (!status.ok()) {
    error_ = status.WithContext(fmt::format("speed layer of view {}", plan_->name));
    return error_;
  }
  if (MemoryBytesLocked() > options_.memory_limit) {
    error_ = Status(StatusCode::kOutOfMemory,
                    fmt::format("speed layer of view {}: its state holds {} bytes, beyond the "
                                "limit of {} bytes ([speed] memory_limit)",
                                plan_->name, MemoryBytesLocked(), options_.memory_limit));
    return error_;
  }
  return Status::Ok();
}

Status SpeedView::ConsumeLocked(const Chunk& input, size_t begin, size_t end, int partition,
                                int64_t generation, std::span<const BatchMark> batches,
                                std::vector<Chunk>* emitted) {
  if (batches.empty() || batches.back().end < end) {
    return Status(StatusCode::kInternal, "batch marks do not cover the rows given");
  }
  counters_.events += end - begin;
  Generation& target = GenerationLocked(generation);
  // Which rows the WHERE keeps (the buffer is reused from batch to batch).
  std::vector<uint8_t>& kept = kept_;
  kept.assign(input.num_rows(), 1);
  if (plan_->filter) {
    std::fill(kept.begin(), kept.end(), 0);
    ASSIGN_OR_RETURN(std::vector<uint32_t> selected, sql::SelectTrue(*plan_->filter, input));
    for (uint32_t row : selected) kept[row] = 1;
  }
  Run run;
  if (!plan_->window) {  // no time: every kept row counts, nothing is ever emitted
    for (size_t row = begin; row < end; ++row) {
      if (kept[row]) run.rows.push_back(static_cast<uint32_t>(row));
    }
    return FlushRun(input, run, target);
  }
  ASSIGN_OR_RETURN(Column times, sql::Evaluate(*plan_->event_time, input));
  const bool sessions = plan_->has_session_window();
  const bool hopping = plan_->window->kind == sql::WindowKind::kHopping;
  const int64_t lateness = options_.allowed_lateness.micros;
  size_t mark = 0;  // the batch holding the current row
  while (batches[mark].end <= begin) ++mark;
  Timestamp tau = batches[mark].appended;
  int64_t watermark = clock_.BeginBatch(partition, tau);
  if (!sessions) RETURN_IF_ERROR(EmitLocked(emitted));
  int64_t last_end_added = INT64_MIN;
  auto note_end = [&](int64_t window_end) {
    if (window_end == last_end_added) return;
    last_end_added = window_end;
    open_ends_.insert(window_end);
  };
  // When Wc has passed a window of this view, the rows so far are counted and it is emitted,
  // before the next event is judged against the new watermark.
  auto emit_if_closed = [&]() -> Status {
    if (sessions || open_ends_.empty() || watermark == kNoWatermark ||
        *open_ends_.begin() >= SaturatingMinus(watermark, lateness)) {
      return Status::Ok();
    }
    RETURN_IF_ERROR(FlushRun(input, run, target));
    run = Run{};
    last_end_added = INT64_MIN;
    return EmitLocked(emitted);
  };
  std::span<const int64_t> time_values = times.int64s();
  for (size_t row = begin; row < end; ++row) {
    if (row >= batches[mark].end) {  // the next batch: its partition received at its time
      while (batches[mark].end <= row) ++mark;
      tau = batches[mark].appended;
      watermark = clock_.BeginBatch(partition, tau);
      RETURN_IF_ERROR(emit_if_closed());
    }
    if (!times.IsValid(row)) {
      ++counters_.null_time;
      continue;
    }
    const int64_t t = time_values[row];
    const int64_t open_floor = SaturatingMinus(watermark, lateness);  // ends below are emitted
    const bool late = watermark != kNoWatermark && LatestEnd(t) < open_floor;
    if (kept[row]) {
      int64_t counted_at = t;
      bool counted = true;
      if (late) {
        ++counters_.late;
        if (options_.policy == sql::OutOfOrderPolicy::kDrop) {
          ++counters_.dropped;
          counted = false;
        } else {
          ++counters_.adjusted;
          counted_at = watermark;
          run.adjusted.emplace_back(run.rows.size(), watermark);
        }
      }
      if (counted) {
        run.rows.push_back(static_cast<uint32_t>(row));
        if (hopping) run.min_ends.push_back(open_floor);
        if (sessions) {
          const sql::WindowDefinition& window = *plan_->window;
          target.max_end = std::max(
              target.max_end, counted_at + 2 * window.max_duration.micros + window.size.micros);
        } else {
          const int64_t last = LatestEnd(counted_at);
          target.max_end = std::max(target.max_end, last);
          if (hopping) {
            for (int64_t e = EarliestOpenEnd(counted_at, open_floor); e <= last;
                 e += plan_->window->hop.micros) {
              note_end(e);
            }
          } else {
            note_end(last);
          }
        }
      }
    }
    if (!late) {
      if (t < clock_.max_seen(partition)) ++counters_.out_of_order;
      watermark = clock_.Observe(t, tau);
    }
    RETURN_IF_ERROR(emit_if_closed());
  }
  RETURN_IF_ERROR(FlushRun(input, run, target));
  if (!sessions) RETURN_IF_ERROR(EmitLocked(emitted));  // windows only the batch view holds
  if (sessions && tau >= next_session_round_) {
    next_session_round_ = tau + Duration::Seconds(1);
    RETURN_IF_ERROR(EmitLocked(emitted));
  }
  DropAbsorbedLocked();
  return Status::Ok();
}

Status SpeedView::FlushRun(const Chunk& input, Run& run, Generation& generation) {
  if (run.rows.empty()) return Status::Ok();
  counters_.counted += run.rows.size();
  Chunk selected;
  const Chunk* rows = &input;
  if (run.rows.size() != input.num_rows()) {
    selected = input.Select(run.rows);
    rows = &selected;
  }
  ASSIGN_OR_RETURN(sql::EvaluatedRows evaluated, sql::EvaluateRows(*plan_, *rows));
  if (!run.adjusted.empty()) {
    Column times(DataType::kTimestamp);
    times.Reserve(rows->num_rows());
    std::span<const int64_t> given = evaluated.times.int64s();
    size_t next = 0;
    for (size_t row = 0; row < rows->num_rows(); ++row) {
      if (next < run.adjusted.size() && run.adjusted[next].first == row) {
        times.AppendInt64(run.adjusted[next++].second);
      } else {
        times.AppendInt64(given[row]);
      }
    }
    evaluated.times = std::move(times);
  }
  return generation.cells->ConsumeEvaluated(evaluated, *rows, run.min_ends);
}

Status SpeedView::Advance(Timestamp tau, std::vector<Chunk>* emitted) {
  {
    // The tailer's idle rounds come every few milliseconds and mostly change nothing: they look
    // under the shared lock first, so queries do not queue behind them.
    std::shared_lock lock(mu_);
    if (!error_.ok()) return error_;
    if (!plan_->window) return Status::Ok();
    if (!clock_.WouldAdvance(tau) && !EmitDueLocked() && !DropDueLocked()) return Status::Ok();
  }
  std::lock_guard lock(mu_);
  if (!error_.ok()) return error_;
  clock_.Advance(tau);
  Status status = EmitLocked(emitted);
  if (!status.ok()) {
    error_ = status.WithContext(fmt::format("speed layer of view {}", plan_->name));
    return error_;
  }
  DropAbsorbedLocked();
  return Status::Ok();
}

bool SpeedView::GridEndIn(int64_t low, int64_t high) const {
  const sql::WindowDefinition& window = *plan_->window;
  const int64_t step =
      window.kind == sql::WindowKind::kHopping ? window.hop.micros : window.size.micros;
  const int64_t first = low + sql::FloorMod(window.offset.micros - low, step);
  return first < high;
}

void SpeedView::SaveFrontierLocked() {
  if (options_.frontier_file.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(options_.frontier_file.parent_path(), ec);
  const std::filesystem::path temporary = options_.frontier_file.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << emitted_through_ << '\n';
    if (!out) return;  // best effort: a lost frontier re-emits windows, whose ids dedupe
  }
  std::filesystem::rename(temporary, options_.frontier_file, ec);
}

Status SpeedView::EmitLocked(std::vector<Chunk>* emitted) {
  const int64_t watermark = clock_.watermark();
  if (watermark == kNoWatermark) return Status::Ok();
  const int64_t high = SaturatingMinus(watermark, options_.allowed_lateness.micros);
  if (high <= emitted_through_) return Status::Ok();
  if (plan_->has_session_window()) return EmitSessionsLocked(high, emitted);
  const int64_t low = emitted_through_;
  // The first round of a view without a kept frontier reads no batch history: windows closed
  // before the view ever ran are not alerted on (as a Stream Analytics job starting now).
  const bool first = low == INT64_MIN;
  const bool speed_cells = !open_ends_.empty() && *open_ends_.begin() < high;
  // With a batch source, a window may close that only the batch view holds (all its events
  // absorbed before a restart): every window end of the grid is a round then.
  const bool wanted = rows_wanted() && emitted != nullptr;
  const bool read_batch = wanted && batch_ != nullptr && !first;
  if (!speed_cells && !(read_batch && GridEndIn(low, high))) {
    emitted_through_ = high;
    if (first) SaveFrontierLocked();
    return Status::Ok();
  }
  emitted_through_ = high;
  open_ends_.erase(open_ends_.begin(), open_ends_.lower_bound(high));
  if (wanted) {
    batch::HashAggregator closing(plan_, batch::AggregatorOptions{.memory_limit = SIZE_MAX});
    int64_t batch_epoch = 0;
    if (read_batch) {
      ASSIGN_OR_RETURN(batch_epoch, batch_->MergeWindows(plan_, low, high, closing));
    }
    std::vector<const Generation*> closing_generations;
    for (const auto& [number, generation] : generations_) {
      if (number > batch_epoch && generation.max_end >= low) {
        closing_generations.push_back(&generation);
      }
    }
    std::vector<Chunk> rows;
    if (closing.groups() == 0 && closing_generations.size() == 1) {
      // One source: its rows straight from its table, without copying the cells.
      ASSIGN_OR_RETURN(rows, closing_generations.front()->cells->FinishWindows(
                                 low, high, /*with_states=*/false));
    } else {
      for (const Generation* generation : closing_generations) {
        RETURN_IF_ERROR(generation->cells->MergeCopiesInto(closing, low, high));
      }
      ASSIGN_OR_RETURN(rows, closing.Finish(65536, 1, /*with_states=*/false));
    }
    for (Chunk& chunk : rows) {
      counters_.emitted_rows += chunk.num_rows();
      emitted->push_back(std::move(chunk));
    }
  }
  SaveFrontierLocked();
  return Status::Ok();
}

Status SpeedView::EmitSessionsLocked(int64_t high, std::vector<Chunk>* emitted) {
  const int64_t low = emitted_through_;
  emitted_through_ = high;
  if (!rows_wanted() || emitted == nullptr) return Status::Ok();
  batch::HashAggregator sessions(plan_, batch::AggregatorOptions{.memory_limit = SIZE_MAX});
  bool any = false;
  for (const auto& [number, generation] : generations_) {
    if (generation.max_end < low) continue;
    RETURN_IF_ERROR(generation.cells->MergeCopiesInto(sessions));
    any = true;
  }
  if (!any) return Status::Ok();
  ASSIGN_OR_RETURN(std::vector<Chunk> rows, sessions.Finish(65536, 1, /*with_states=*/false));
  const size_t end_column = plan_->window_start_index() + 1;
  for (const Chunk& chunk : rows) {
    Chunk closed = RowsEndingIn(chunk, end_column, low, high);
    if (closed.num_rows() == 0) continue;
    counters_.emitted_rows += closed.num_rows();
    emitted->push_back(std::move(closed));
  }
  SaveFrontierLocked();
  return Status::Ok();
}

void SpeedView::Absorbed(int64_t epoch) {
  std::lock_guard lock(mu_);
  absorbed_ = std::max(absorbed_, epoch);
  DropAbsorbedLocked();
}

bool SpeedView::EmitDueLocked() const {
  const int64_t watermark = clock_.watermark();
  return watermark != kNoWatermark &&
         SaturatingMinus(watermark, options_.allowed_lateness.micros) > emitted_through_;
}

bool SpeedView::DropDueLocked() const {
  for (auto it = generations_.begin(); it != generations_.end() && it->first <= absorbed_; ++it) {
    if (!plan_->window || it->second.max_end < emitted_through_) return true;
  }
  return false;
}

void SpeedView::DropAbsorbedLocked() {
  for (auto it = generations_.begin(); it != generations_.end() && it->first <= absorbed_;) {
    // A generation goes once the batch view holds it and every window it reached was emitted
    // (alerts see whole windows); an unwindowed view emits nothing and drops at once.
    const bool emitted = !plan_->window || it->second.max_end < emitted_through_;
    if (!emitted) {
      ++it;
      continue;
    }
    const batch::ReadCacheStats kept = it->second.cells->read_cache_stats();
    dropped_kept_rows_.hits += kept.hits;
    dropped_kept_rows_.misses += kept.misses;
    it = generations_.erase(it);
  }
}

size_t SpeedView::MemoryBytesLocked() const {
  size_t bytes = open_ends_.size() * 48;
  for (const auto& [number, generation] : generations_) bytes += generation.cells->memory_bytes();
  return bytes;
}

Result<SpeedRows> SpeedView::Rows() const {
  batch::HashAggregator merged(plan_, batch::AggregatorOptions{.memory_limit = SIZE_MAX});
  int64_t absorbed = 0;
  {
    std::shared_lock lock(mu_);
    absorbed = absorbed_;
  }
  ASSIGN_OR_RETURN(SpeedRows answer, MergeInto(merged, absorbed));
  answer.absorbed_epoch = absorbed;  // what was read: generations > absorbed
  ASSIGN_OR_RETURN(answer.rows, merged.Finish(65536, 1, /*with_states=*/false));
  return answer;
}

Result<SpeedRows> SpeedView::MergeInto(batch::HashAggregator& into, int64_t after_epoch,
                                       const batch::CellFilter& filter) const {
  SpeedRows answer;
  std::shared_lock lock(mu_);
  if (!error_.ok()) return error_;
  answer.absorbed_epoch = absorbed_;
  answer.watermark = clock_.watermark();
  for (const auto& [number, generation] : generations_) {
    if (number <= after_epoch) continue;
    RETURN_IF_ERROR(generation.cells->MergeCopiesInto(into, filter));
    answer.generations.push_back(number);
  }
  return answer;
}

Result<SpeedRows> SpeedView::ReadBeside(int64_t after_epoch, const batch::CellFilter& filter,
                                        std::span<const Chunk> stored,
                                        const batch::HashAggregator::StoredStates& states_of,
                                        bool with_states, uint64_t stored_identity,
                                        batch::HashAggregator::RowsBeside* read) const {
  SpeedRows answer;
  std::shared_lock lock(mu_);
  if (!error_.ok()) return error_;
  answer.absorbed_epoch = absorbed_;
  answer.watermark = clock_.watermark();
  std::vector<const batch::HashAggregator*> sources;
  for (const auto& [number, generation] : generations_) {
    if (number <= after_epoch) continue;
    sources.push_back(generation.cells.get());
    answer.generations.push_back(number);
  }
  ASSIGN_OR_RETURN(*read, batch::HashAggregator::ReadBeside(sources, filter, stored, states_of,
                                                            with_states, stored_identity));
  return answer;
}

int64_t SpeedView::watermark() const {
  std::shared_lock lock(mu_);
  return clock_.watermark();
}

SpeedViewStatus SpeedView::Describe() const {
  std::shared_lock lock(mu_);
  SpeedViewStatus status;
  status.watermark = clock_.watermark();
  status.partition_watermarks = clock_.PartitionWatermarks();
  status.absorbed_epoch = absorbed_;
  status.kept_rows = dropped_kept_rows_;
  for (const auto& [number, generation] : generations_) {
    status.generations.push_back(number);
    status.groups += generation.cells->groups();
    const batch::ReadCacheStats kept = generation.cells->read_cache_stats();
    status.kept_rows.hits += kept.hits;
    status.kept_rows.misses += kept.misses;
    status.kept_rows.rows += kept.rows;
    status.kept_rows.bytes += kept.bytes;
  }
  status.state_bytes = MemoryBytesLocked();
  status.counters = counters_;
  if (!error_.ok()) status.error = error_.ToString();
  return status;
}

}  // namespace braid::speed
