#include "log/stream_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string>

#include "common/chunk_projection.h"
#include "common/file_util.h"
#include "common/hash.h"
#include "log/completion.h"

namespace braid::log {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxPartitions = 4096;
constexpr int kDeadLetterPartitionId = -1;
constexpr size_t kMaxConsumerNameBytes = 255;

Status CheckConfig(const StreamLogConfig& config) {
  auto bad = [&](std::string_view what) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("log of stream '{}': {}", config.name, what));
  };
  if (config.name.empty()) return bad("empty stream name");
  if (!config.schema || config.schema->size() == 0) return bad("no schema");
  if (config.partitions < 1 || config.partitions > kMaxPartitions) {
    return bad(
        fmt::format("partition count {} is outside 1..{}", config.partitions, kMaxPartitions));
  }
  if (config.partition_key_column && *config.partition_key_column >= config.schema->size()) {
    return bad("partition key column out of range");
  }
  if (config.timestamp_column &&
      (*config.timestamp_column >= config.schema->size() ||
       config.schema->field(*config.timestamp_column).type != DataType::kTimestamp)) {
    return bad("the timestamp column must be a TIMESTAMP column of the schema");
  }
  return Status::Ok();
}

uint64_t KeyHash(std::string_view key) {
  const uint64_t hash = Hash64(key);
  return hash == 0 ? 1 : hash;  // 0 means "no key" in batch headers
}

}  // namespace

// Collects the completions of one request's parts and answers once all are in.
struct StreamLog::AppendJoin {
  std::mutex mu;
  size_t remaining = 0;
  Status error;
  AppendResult result;
  std::vector<KeyedPart> appended;
  uint64_t key_hash = 0;
  uint16_t part_count = 0;
  std::shared_ptr<IdempotencyTable> table;
  std::function<void(Result<AppendResult>)> done;

  // Called once per part issued, with its base offset or error.
  void PartDone(const KeyedPart& part, Result<uint64_t> base) {
    {
      std::lock_guard lock(mu);
      if (base.ok()) {
        result.batches[part.part_index] = {part.partition, *base};
        result.accepted += part.record_count;
        appended.push_back(part);
        appended.back().base_offset = *base;
      } else if (error.ok()) {
        error = base.status();
      }
      if (--remaining > 0) return;
    }
    Finish();
  }

  // Runs once, after the last part: nothing else touches the join any more.
  void Finish() {
    if (key_hash != 0) table->Release(key_hash, part_count, appended);
    done(error.ok() ? Result<AppendResult>(std::move(result)) : Result<AppendResult>(error));
  }
};

Result<std::unique_ptr<StreamLog>> StreamLog::Open(const fs::path& dir, StreamLogConfig config,
                                                   const LogOptions& options,
                                                   GroupCommitter* committer,
                                                   std::vector<RecoveryReport>* reports) {
  RETURN_IF_ERROR(CheckConfig(config));
  RETURN_IF_ERROR(CreateDirectoriesDurably(dir));
  ASSIGN_OR_RETURN(std::optional<uint32_t> stored, LoadStreamMeta(dir / "meta"));
  const uint32_t partitions = static_cast<uint32_t>(config.partitions);
  if (stored && *stored != partitions) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("the log of stream '{}' has {} partitions, not {}", config.name,
                              *stored, partitions));
  }
  std::unique_ptr<StreamLog> log(new StreamLog());
  log->schema_ = config.schema;
  log->config_ = std::move(config);
  log->dir_ = dir;
  log->idempotency_ = std::make_shared<IdempotencyTable>();
  for (uint32_t p = 0; p <= partitions; ++p) {
    const bool dead_letter = p == partitions;
    RecoveryReport report;
    ASSIGN_OR_RETURN(std::unique_ptr<Partition> partition,
                     Partition::Open(dead_letter ? dir / "dead_letter" : dir / std::to_string(p),
                                     dead_letter ? kDeadLetterPartitionId : static_cast<int>(p),
                                     options, committer, &report));
    if (reports != nullptr) reports->push_back(std::move(report));
    if (dead_letter) {
      log->dead_letters_ = std::move(partition);
      break;
    }
    for (const KeyedBatch& batch : partition->TakeRecoveredKeyedBatches()) {
      log->idempotency_->AddRecovered(static_cast<int>(p), batch);
    }
    log->partitions_.push_back(std::move(partition));
  }
  if (!stored) RETURN_IF_ERROR(WriteFileAtomically(dir / "meta", EncodeStreamMeta(partitions)));
  ASSIGN_OR_RETURN(log->consumers_, LoadConsumerOffsets(dir / "consumers", partitions));
  return log;
}

// Appends still in flight complete afterwards: they share the partitions' state and the key table.
StreamLog::~StreamLog() { Close(); }

SchemaPtr StreamLog::schema() const {
  std::lock_guard lock(schema_mu_);
  return schema_;
}

Status StreamLog::AlterSchema(SchemaPtr next) {
  std::lock_guard lock(schema_mu_);
  if (!next || !SchemaExtends(*next, *schema_)) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("the new schema of stream '{}' does not extend the current one by "
                              "nullable columns",
                              config_.name));
  }
  schema_ = std::move(next);
  return Status::Ok();
}

Result<std::vector<RecordBatch>> StreamLog::ReadEvents(int partition, uint64_t offset,
                                                       size_t max_bytes) const {
  if (partition < 0 || partition >= num_partitions()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("stream '{}' has no partition {}", config_.name, partition));
  }
  ASSIGN_OR_RETURN(std::vector<RecordBatch> batches,
                   partitions_[partition]->Read(offset, max_bytes));
  const SchemaPtr current = schema();
  for (RecordBatch& batch : batches) {
    Result<Chunk> projected = ProjectChunk(std::move(batch.events), current);
    if (!projected.ok()) {
      return projected.status().WithContext(fmt::format(
          "stream '{}' partition {} offset {}", config_.name, partition, batch.header.base_offset));
    }
    batch.events = std::move(projected).value();
  }
  return batches;
}

// Events written under an older schema are accepted: readers project them like older batches.
Status StreamLog::CheckEvents(const Chunk& events) const {
  const SchemaPtr& given = events.schema();
  const SchemaPtr current = schema();
  if (given != current && (!given || !SchemaExtends(*current, *given))) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("events do not have the schema of stream '{}'", config_.name));
  }
  return Status::Ok();
}

SplitSpec StreamLog::SplitSpecFor(uint64_t key_hash) {
  SplitSpec spec;
  spec.partitions = num_partitions();
  spec.key_column = config_.partition_key_column;
  spec.time_column = config_.timestamp_column;
  spec.round_robin_start = key_hash != 0 ? key_hash : round_robin_.fetch_add(1);
  spec.default_time = Now();
  return spec;
}

void StreamLog::AppendAsync(const Chunk& events, const AppendOptions& options,
                            std::function<void(Result<AppendResult>)> done) {
  if (Status valid = CheckEvents(events); !valid.ok()) return done(valid);
  if (events.num_rows() == 0) return done(AppendResult{});
  const uint64_t key_hash = options.idempotency_key.empty() ? 0 : KeyHash(options.idempotency_key);
  const PartitionSplit split = SplitByPartition(events, SplitSpecFor(key_hash));
  KeyState known;
  if (key_hash != 0) {
    Result<KeyState> claimed = idempotency_->Claim(key_hash);
    if (!claimed.ok()) return done(claimed.status());
    known = std::move(claimed).value();
  }
  AppendShares(events, split, key_hash, known, std::move(done));
}

void StreamLog::AppendShares(const Chunk& events, const PartitionSplit& split, uint64_t key_hash,
                             const KeyState& known,
                             std::function<void(Result<AppendResult>)> done) {
  const uint16_t part_count = static_cast<uint16_t>(split.shares.size());
  auto join = std::make_shared<AppendJoin>();
  join->key_hash = key_hash;
  join->part_count = part_count;
  join->table = idempotency_;
  join->done = std::move(done);
  join->result.batches.resize(part_count);
  std::vector<bool> present(part_count, false);
  if (Status same = MatchKnownParts(known, split, join.get(), &present); !same.ok()) {
    idempotency_->Release(key_hash, 0, {});
    return join->done(same);
  }
  join->remaining = part_count - known.parts.size();
  if (join->remaining == 0) return join->Finish();
  for (uint16_t i = 0; i < part_count; ++i) {
    if (present[i]) continue;
    const PartitionShare& share = split.shares[i];
    const IdempotencyTag tag =
        key_hash != 0 ? IdempotencyTag{key_hash, i, part_count} : IdempotencyTag{};
    const AppendRequest request{&events, share.min_event_time, share.max_event_time, tag,
                                share.rows};
    const KeyedPart part{i, share.partition, 0, static_cast<uint32_t>(share.rows.size())};
    partitions_[share.partition]->AppendAsync(
        request, [join, part](Result<uint64_t> base) { join->PartDone(part, std::move(base)); });
  }
}

Status StreamLog::MatchKnownParts(const KeyState& known, const PartitionSplit& split,
                                  AppendJoin* join, std::vector<bool>* present) const {
  const size_t part_count = split.shares.size();
  for (const KeyedPart& part : known.parts) {
    const bool same = known.part_count == part_count && part.part_index < part_count &&
                      split.shares[part.part_index].partition == part.partition &&
                      split.shares[part.part_index].rows.size() == part.record_count;
    if (!same) {
      return Status(StatusCode::kInvalidArgument,
                    "this Idempotency-Key was used for a different request");
    }
    (*present)[part.part_index] = true;
    join->result.batches[part.part_index] = {part.partition, part.base_offset};
    join->result.accepted += part.record_count;
  }
  join->result.duplicate = known.complete();
  return Status::Ok();
}

Result<AppendResult> StreamLog::Append(const Chunk& events, const AppendOptions& options) {
  Completion<Result<AppendResult>> completion;
  AppendAsync(events, options,
              [&completion](Result<AppendResult> r) { completion.Set(std::move(r)); });
  return completion.Wait();
}

SchemaPtr StreamLog::DeadLetterSchema() {
  static const SchemaPtr schema = std::make_shared<const Schema>(std::vector<Field>{
      {"received_at", DataType::kTimestamp, false},
      {"request_index", DataType::kBigint, false},
      {"raw", DataType::kString, false},
      {"field", DataType::kString, true},
      {"reason", DataType::kString, false},
  });
  return schema;
}

Result<uint64_t> StreamLog::AppendDeadLetters(const std::vector<DeadLetter>& letters) {
  if (letters.empty()) {
    return Status(StatusCode::kInvalidArgument, "no dead letters to append");
  }
  Chunk chunk(DeadLetterSchema());
  const Timestamp now = Now();
  for (const DeadLetter& letter : letters) {
    chunk.mutable_column(0).AppendInt64(now.micros);
    chunk.mutable_column(1).AppendInt64(static_cast<int64_t>(letter.index));
    chunk.mutable_column(2).AppendString(letter.raw);
    if (letter.field.empty()) {
      chunk.mutable_column(3).AppendNull();
    } else {
      chunk.mutable_column(3).AppendString(letter.field);
    }
    chunk.mutable_column(4).AppendString(letter.reason);
  }
  return dead_letters_->Append(AppendRequest{&chunk, now, now, {}, {}});
}

Status StreamLog::SaveConsumers(const ConsumerOffsets& consumers) const {
  return SaveConsumerOffsets(dir_ / "consumers", consumers,
                             static_cast<uint32_t>(num_partitions()));
}

Status StreamLog::RegisterConsumer(const std::string& name) {
  if (name.empty() || name.size() > kMaxConsumerNameBytes) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("a log consumer name has 1 to {} bytes", kMaxConsumerNameBytes));
  }
  std::lock_guard lock(consumers_mu_);
  if (consumers_.contains(name)) return Status::Ok();
  ConsumerOffsets next = consumers_;
  next.emplace(name, std::vector<uint64_t>(partitions_.size(), 0));
  RETURN_IF_ERROR(SaveConsumers(next));
  consumers_ = std::move(next);
  return Status::Ok();
}

Status StreamLog::CommitConsumer(const std::string& name, const std::vector<uint64_t>& offsets) {
  if (offsets.size() != partitions_.size()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("commit of consumer '{}' has {} offsets for {} partitions", name,
                              offsets.size(), partitions_.size()));
  }
  for (size_t p = 0; p < offsets.size(); ++p) {
    if (offsets[p] > partitions_[p]->end_offset()) {
      return Status(StatusCode::kInvalidArgument,
                    fmt::format("consumer '{}' cannot commit offset {} of partition {}: its end "
                                "is {}",
                                name, offsets[p], p, partitions_[p]->end_offset()));
    }
  }
  std::lock_guard lock(consumers_mu_);
  auto it = consumers_.find(name);
  if (it == consumers_.end()) {
    return Status(StatusCode::kUndefinedObject,
                  fmt::format("log consumer '{}' is not registered", name));
  }
  ConsumerOffsets next = consumers_;
  next[name] = offsets;
  RETURN_IF_ERROR(SaveConsumers(next));
  consumers_ = std::move(next);
  return Status::Ok();
}

std::optional<std::vector<uint64_t>> StreamLog::CommittedOffsets(const std::string& name) const {
  std::lock_guard lock(consumers_mu_);
  auto it = consumers_.find(name);
  if (it == consumers_.end()) return std::nullopt;
  return it->second;
}

std::vector<uint64_t> StreamLog::EndOffsets() const {
  std::vector<uint64_t> ends;
  ends.reserve(partitions_.size());
  for (const auto& partition : partitions_) ends.push_back(partition->end_offset());
  return ends;
}

uint64_t StreamLog::TotalEvents() const {
  uint64_t total = 0;
  for (const auto& partition : partitions_) {
    const uint64_t start = partition->start_offset();  // first: retention only raises it to <= end
    total += partition->end_offset() - start;
  }
  return total;
}

uint64_t StreamLog::TotalBytes() const {
  uint64_t total = 0;
  for (const auto& partition : partitions_) total += partition->size_bytes();
  return total;
}

Result<int> StreamLog::ApplyRetention(Timestamp now) {
  std::vector<uint64_t> limits(partitions_.size(), std::numeric_limits<uint64_t>::max());
  {
    std::lock_guard lock(consumers_mu_);
    for (const auto& [name, offsets] : consumers_) {
      for (size_t p = 0; p < limits.size(); ++p) limits[p] = std::min(limits[p], offsets[p]);
    }
  }
  int deleted = 0;
  std::vector<uint64_t> starts;
  for (size_t p = 0; p < partitions_.size(); ++p) {
    ASSIGN_OR_RETURN(int n, partitions_[p]->ApplyRetention(config_.retention, limits[p], now));
    deleted += n;
    starts.push_back(partitions_[p]->start_offset());
  }
  ASSIGN_OR_RETURN(int dead, dead_letters_->ApplyRetention(
                                 config_.retention, std::numeric_limits<uint64_t>::max(), now));
  idempotency_->ForgetBelow(starts);
  return deleted + dead;
}

void StreamLog::Close() {
  for (const auto& partition : partitions_) partition->Close();
  if (dead_letters_) dead_letters_->Close();
}

}  // namespace braid::log
