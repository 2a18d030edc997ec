// The actions of a Delta Lake commit (docs/formats/delta.md, Delta's PROTOCOL.md) as Braid writes
// and reads them: protocol, metaData, add, remove, txn and commitInfo. One commit file
// `_delta_log/{version:020}.json` holds one JSON action per line; EncodeCommit writes that text and
// DecodeCommit parses it (simdjson, the code base's one JSON parser). Decoding rejects what Braid
// cannot honour with a clear error instead of guessing: an unknown action type or a protocol
// needing a newer reader is kUnsupported, malformed JSON or a missing required field is
// kCorruption naming the line. Braid writes reader version 1 / writer version 2 (no table
// features); commitInfo is free JSON and is kept verbatim. Plain values; functions are pure and
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/schema.h"
#include "common/status.h"
#include "lake/delta_schema.h"

namespace braid::lake {

inline constexpr int kDeltaReaderVersion = 1;  // highest minReaderVersion Braid reads
inline constexpr int kDeltaWriterVersion = 2;  // highest minWriterVersion Braid writes

struct DeltaProtocol {
  int min_reader_version = kDeltaReaderVersion;
  int min_writer_version = kDeltaWriterVersion;
};

struct DeltaMetadata {
  std::string id;      // a GUID
  TableSchema schema;  // data columns and partition columns
  std::map<std::string, std::string> configuration;
  int64_t created_time_ms = 0;
};

// Partition column name -> value; nullopt is a NULL partition value.
using PartitionValues = std::map<std::string, std::optional<std::string>>;

struct DeltaAddFile {
  std::string path;  // relative to the table directory, URI-escaped
  PartitionValues partition_values;
  int64_t size = 0;
  int64_t modification_time_ms = 0;
  bool data_change = true;
  std::string stats;  // a JSON document as a string (numRecords, minValues, ...); may be empty
  // Free string metadata of the file (Delta's `tags`); capture sets braid.epochMin/epochMax.
  std::map<std::string, std::string> tags;
};

// The capture epochs a data file's rows come from, kept in its tags (decimal strings) by capture
// and widened by OPTIMIZE; readers use them to skip files of already-absorbed epochs.
inline constexpr std::string_view kEpochMinTag = "braid.epochMin";
inline constexpr std::string_view kEpochMaxTag = "braid.epochMax";

struct FileEpochRange {
  int64_t min = 0;
  int64_t max = 0;
};

// The file's epoch range; nullopt when a tag is missing or not a decimal integer.
std::optional<FileEpochRange> EpochRangeOf(const DeltaAddFile& add);
void SetEpochRange(const FileEpochRange& range, DeltaAddFile* add);

struct DeltaRemoveFile {
  std::string path;
  int64_t deletion_timestamp_ms = 0;
  bool data_change = true;
};

// An application transaction: `app_id` has committed all its work up to `version`.
struct DeltaTxn {
  std::string app_id;
  int64_t version = 0;
};

// Everything one commit file holds.
struct DeltaCommit {
  std::optional<DeltaProtocol> protocol;
  std::optional<DeltaMetadata> metadata;
  std::vector<DeltaAddFile> adds;
  std::vector<DeltaRemoveFile> removes;
  std::vector<DeltaTxn> txns;
  std::string commit_info;  // one JSON object, verbatim; empty = none
};

// The JSON lines of a commit file: protocol, metaData, txn, remove, add, commitInfo, each line
// ending in '\n'.
std::string EncodeCommit(const DeltaCommit& commit);
// Parses a commit file. `name` names it in errors.
Result<DeltaCommit> DecodeCommit(std::string_view text, std::string_view name);

// A random (version 4) GUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string NewGuid();

// The file a data file path (URI-escaped, relative) names on disk, percent-decoded; kUnsupported
// for absolute URIs and paths leaving the table directory.
Result<std::string> DecodeDataFilePath(std::string_view path);

}  // namespace braid::lake
