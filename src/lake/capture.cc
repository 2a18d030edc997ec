#include "lake/capture.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "common/chunk_projection.h"
#include "common/json_writer.h"
#include "common/version.h"

namespace braid::lake {
namespace {

namespace dom = simdjson::dom;

DeltaMetadata TableMetadata(const CaptureFileOptions& options) {
  DeltaMetadata metadata;
  metadata.id = NewGuid();
  metadata.schema.data = CaptureFileSchema(*options.stream_schema);
  metadata.schema.partition = {{std::string(kEventDateColumn), PartitionType::kDate}};
  metadata.created_time_ms = Now().micros / 1000;
  return metadata;
}

Status CheckOptions(const CaptureFileOptions& options) {
  const Schema& schema = *options.stream_schema;
  if (options.timestamp_column &&
      (*options.timestamp_column >= schema.size() ||
       schema.field(*options.timestamp_column).type != DataType::kTimestamp)) {
    return Status(StatusCode::kInvalidArgument, "capture's event time column is not a TIMESTAMP");
  }
  for (size_t column : options.sort_columns) {
    if (column >= schema.size()) {
      return Status(StatusCode::kInvalidArgument, "capture's sort column is out of range");
    }
  }
  if (options.max_rows_per_file == 0) {
    return Status(StatusCode::kInvalidArgument, "capture's max_rows_per_file must be positive");
  }
  return Status::Ok();
}

// The stream's columns of a capture file schema: all but the trailing ingestion metadata.
Schema StreamColumnsOf(const Schema& file_schema) {
  const size_t metadata_columns = CaptureFileSchema(Schema())->size();
  std::vector<Field> fields = file_schema.fields();
  if (fields.size() < metadata_columns) return Schema(std::move(fields));
  fields.resize(fields.size() - metadata_columns);
  return Schema(std::move(fields));
}

// The table, when it exists, must be the one this stream's capture writes, or an older form of it
// that lacks nullable columns added since (ALTER STREAM). In that case the returned metadata is
// the table's with the stream's current schema: the epoch's commit carries it as a metaData
// action, so the first epoch written with the new column also makes it part of the table.
Result<std::optional<DeltaMetadata>> CheckTable(const DeltaSnapshot& snapshot,
                                                const DeltaMetadata& expected) {
  if (!snapshot.exists()) return std::optional<DeltaMetadata>(expected);
  const TableSchema& schema = snapshot.metadata().schema;
  const Schema& wanted = *expected.schema.data;
  if (*schema.data == wanted && schema.partition == expected.schema.partition) {
    return std::optional<DeltaMetadata>();
  }
  if (schema.partition != expected.schema.partition ||
      !SchemaExtends(StreamColumnsOf(wanted), StreamColumnsOf(*schema.data)) ||
      !(*CaptureFileSchema(StreamColumnsOf(*schema.data)) == *schema.data)) {
    return Status(StatusCode::kTypeMismatch,
                  "the lake table's schema differs from the stream's capture schema");
  }
  DeltaMetadata evolved = snapshot.metadata();
  evolved.schema.data = expected.schema.data;
  return std::optional<DeltaMetadata>(std::move(evolved));
}

Status BadCommitInfo(int64_t version, std::string_view what) {
  return Status(StatusCode::kCorruption,
                fmt::format("Delta commit {}: capture commitInfo {}", version, what));
}

// Checks that the new end offsets continue the previous ones.
Status CheckEndOffsets(const CapturedEpoch& previous, const std::vector<uint64_t>& end) {
  if (end.size() != previous.end_offsets.size()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("the stream has {} partitions, its lake table {}", end.size(),
                              previous.end_offsets.size()));
  }
  for (size_t p = 0; p < end.size(); ++p) {
    if (end[p] < previous.end_offsets[p]) {
      return Status(StatusCode::kCorruption,
                    fmt::format("partition {} ends at offset {}, before the captured {}", p, end[p],
                                previous.end_offsets[p]));
    }
  }
  return Status::Ok();
}

std::string CaptureCommitInfo(int64_t epoch, const std::vector<uint64_t>& end, uint64_t events,
                              Timestamp sealed_at) {
  JsonWriter json;
  json.BeginObject().Key("timestamp").Int(Now().micros / 1000);
  json.Key("operation").String("STREAMING UPDATE").Key("operationParameters").BeginObject();
  json.Key("outputMode").String("Append").Key("epochId").String(std::to_string(epoch));
  json.EndObject().Key("isBlindAppend").Bool(true);
  json.Key("engineInfo").String("Braid/" + VersionString());
  json.Key("braidCapture").BeginObject().Key("epoch").Int(epoch);
  json.Key("endOffsets").BeginArray();
  for (uint64_t offset : end) json.Uint(offset);
  json.EndArray().Key("events").Uint(events).Key("sealedAt").Int(sealed_at.micros);
  json.EndObject().EndObject();
  return json.Take();
}

// Reads [from, to) of every partition into `writer`, checking that offsets arrive without gaps.
Status WriteEpochEvents(CaptureSource& source, const std::vector<uint64_t>& from,
                        const std::vector<uint64_t>& to, CaptureFileWriter* writer) {
  for (size_t p = 0; p < to.size(); ++p) {
    if (from[p] == to[p]) continue;
    const int partition = static_cast<int>(p);
    uint64_t next = from[p];
    RETURN_IF_ERROR(source.ReadRange(
        partition, from[p], to[p],
        [&](const Chunk& events, uint64_t first_offset, Timestamp ingested_at) -> Status {
          if (first_offset != next || first_offset + events.num_rows() > to[p]) {
            return Status(StatusCode::kCorruption,
                          fmt::format("partition {}: expected offset {}, the log gave {}..{}", p,
                                      next, first_offset, first_offset + events.num_rows()));
          }
          next += events.num_rows();
          return writer->Add(events, partition, first_offset, ingested_at);
        }));
    if (next != to[p]) {
      return Status(
          StatusCode::kCorruption,
          fmt::format("partition {}: the log ended at offset {}, before {}", p, next, to[p]));
    }
  }
  return Status::Ok();
}

Result<std::vector<DeltaAddFile>> WriteEpochFiles(CaptureSource& source,
                                                  const std::vector<uint64_t>& from,
                                                  const std::vector<uint64_t>& to,
                                                  CaptureFileWriter* writer) {
  RETURN_IF_ERROR(WriteEpochEvents(source, from, to, writer));
  return writer->Finish();
}

// The one commit of an epoch: its files, txn and commitInfo (and the table's creation, or its
// new schema: `metadata` when set).
DeltaCommit CaptureCommit(const DeltaSnapshot& snapshot, std::optional<DeltaMetadata> metadata,
                          int64_t epoch, const std::vector<uint64_t>& end, uint64_t events,
                          Timestamp sealed_at, std::vector<DeltaAddFile> adds) {
  DeltaCommit commit;
  commit.adds = std::move(adds);
  if (!snapshot.exists()) commit.protocol = DeltaProtocol{};
  commit.metadata = std::move(metadata);
  commit.txns.push_back(DeltaTxn{std::string(kCaptureAppId), epoch});
  commit.commit_info = CaptureCommitInfo(epoch, end, events, sealed_at);
  return commit;
}

uint64_t EventCount(const std::vector<uint64_t>& from, const std::vector<uint64_t>& to) {
  uint64_t events = 0;
  for (size_t p = 0; p < to.size(); ++p) events += to[p] - from[p];
  return events;
}

// After a conflicting commit: whether a concurrent capture sealed `epoch`.
Result<CaptureResult> ResolveConflict(const DeltaTable& table, int64_t epoch, size_t partitions,
                                      const Status& conflict) {
  ASSIGN_OR_RETURN(DeltaSnapshot snapshot, table.LoadSnapshot());
  ASSIGN_OR_RETURN(CapturedEpoch sealed, LastCapturedEpoch(snapshot, partitions));
  if (sealed.epoch < epoch) return conflict;
  const int64_t version = snapshot.TransactionOf(std::string(kCaptureAppId))->commit_version;
  return CaptureResult{.outcome = CaptureOutcome::kAlreadyCommitted,
                       .epoch = sealed.epoch,
                       .table_version = version,
                       .end_offsets = std::move(sealed.end_offsets)};
}

// The epoch a capture commit sealed, from its commitInfo.braidCapture; `txn_version` is the
// commit's braid-capture txn version, which must agree.
Result<CapturedEpoch> ParseCaptureCommitInfo(std::string_view commit_info, int64_t txn_version,
                                             int64_t commit_version) {
  dom::parser parser;
  dom::element info;
  if (parser.parse(commit_info.data(), commit_info.size()).get(info)) {
    return BadCommitInfo(commit_version, "is missing or not JSON");
  }
  int64_t epoch = 0;
  dom::array offsets;
  if (info["braidCapture"]["epoch"].get_int64().get(epoch) != simdjson::SUCCESS ||
      info["braidCapture"]["endOffsets"].get_array().get(offsets) != simdjson::SUCCESS) {
    return BadCommitInfo(commit_version, "lacks braidCapture.epoch or endOffsets");
  }
  if (epoch != txn_version) return BadCommitInfo(commit_version, "disagrees with its txn");
  CapturedEpoch captured{epoch, {}, Timestamp{}};
  for (dom::element offset : offsets) {
    uint64_t value = 0;
    if (offset.get_uint64().get(value) != simdjson::SUCCESS) {
      return BadCommitInfo(commit_version, "has a bad end offset");
    }
    captured.end_offsets.push_back(value);
  }
  int64_t sealed_at = 0;
  if (info["braidCapture"]["sealedAt"].get_int64().get(sealed_at) == simdjson::SUCCESS) {
    captured.sealed_at = Timestamp{sealed_at};
    return captured;
  }
  // Written before sealedAt was recorded: the commit's timestamp (ms), taken after the epoch's
  // files were written, is the best instant the commit knows (a little later than the true one).
  int64_t committed_ms = 0;
  if (info["timestamp"].get_int64().get(committed_ms) != simdjson::SUCCESS) {
    return BadCommitInfo(commit_version, "lacks braidCapture.sealedAt and timestamp");
  }
  captured.sealed_at = Timestamp::FromMillis(committed_ms);
  return captured;
}

}  // namespace

Result<CapturedEpoch> LastCapturedEpoch(const DeltaSnapshot& snapshot, size_t partitions) {
  std::optional<AppTransaction> txn = snapshot.TransactionOf(std::string(kCaptureAppId));
  if (!txn) return CapturedEpoch{0, std::vector<uint64_t>(partitions, 0), Timestamp{}};
  return ParseCaptureCommitInfo(txn->commit_info, txn->version, txn->commit_version);
}

Result<CapturedEpoch> FindCapturedEpoch(const DeltaTable& table, int64_t epoch) {
  if (epoch < 1) return Status(StatusCode::kInvalidArgument, "capture epochs start at 1");
  for (int64_t version = epoch - 1;; ++version) {
    std::error_code error;
    if (!std::filesystem::exists(table.CommitPath(version), error)) break;
    ASSIGN_OR_RETURN(DeltaCommit commit, table.ReadCommit(version));
    for (const DeltaTxn& txn : commit.txns) {
      if (txn.app_id != kCaptureAppId) continue;
      if (txn.version == epoch) return ParseCaptureCommitInfo(commit.commit_info, epoch, version);
      // Epochs are sealed in order, one commit each: a later epoch means epoch is not in the log.
      if (txn.version > epoch) return BadCommitInfo(version, fmt::format("skips epoch {}", epoch));
    }
  }
  return Status(StatusCode::kInvalidArgument,
                fmt::format("{}: capture epoch {} is not sealed", table.dir().string(), epoch));
}

Result<CaptureResult> CaptureEpoch(CaptureSource& source, const CaptureOptions& options) {
  RETURN_IF_ERROR(CheckOptions(options.files));
  const DeltaTable table(options.files.table_dir);
  ASSIGN_OR_RETURN(DeltaSnapshot snapshot, table.LoadSnapshot());
  ASSIGN_OR_RETURN(std::optional<DeltaMetadata> metadata,
                   CheckTable(snapshot, TableMetadata(options.files)));
  // Taken just before E(k) is read: every event acknowledged before this instant is below E(k).
  const Timestamp sealed_at = Now();
  const std::vector<uint64_t> end = source.EndOffsets();
  ASSIGN_OR_RETURN(CapturedEpoch previous, LastCapturedEpoch(snapshot, end.size()));
  RETURN_IF_ERROR(CheckEndOffsets(previous, end));
  if (previous.end_offsets == end) {
    RETURN_IF_ERROR(source.CommitCaptured(end));  // a crash may have come between commit and this
    return CaptureResult{.outcome = CaptureOutcome::kNoNewEvents,
                         .epoch = previous.epoch,
                         .table_version = snapshot.version(),
                         .end_offsets = end};
  }
  const int64_t epoch = previous.epoch + 1;
  const uint64_t events = EventCount(previous.end_offsets, end);
  CaptureFileWriter writer(options.files, epoch);
  Result<std::vector<DeltaAddFile>> adds =
      WriteEpochFiles(source, previous.end_offsets, end, &writer);
  if (!adds.ok()) {
    writer.DeleteFiles();  // nothing committed them
    return adds.status();
  }
  const DeltaCommit commit = CaptureCommit(snapshot, std::move(metadata), epoch, end, events,
                                           sealed_at, std::move(adds).value());
  Result<int64_t> version = table.Commit(snapshot, commit, options.commit);
  if (!version.ok()) {
    if (version.status().code() != StatusCode::kDuplicateObject) return version.status();
    writer.DeleteFiles();  // the commit surely did not land: nothing references these files
    return ResolveConflict(table, epoch, end.size(), version.status());
  }
  RETURN_IF_ERROR(source.CommitCaptured(end));
  return CaptureResult{.outcome = CaptureOutcome::kCommitted,
                       .epoch = epoch,
                       .table_version = *version,
                       .end_offsets = end,
                       .events = events,
                       .files = commit.adds.size()};
}

}  // namespace braid::lake
