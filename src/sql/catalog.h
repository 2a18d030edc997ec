// Catalog: the streams (and later views and alerts) Braid knows, persisted in DATA/catalog as the
// canonical SQL of each object between a versioned header line and an end marker
// (docs/formats/catalog.md). Every change rewrites the file atomically (temporary file, fsync,
// rename, fsync the directory) before it takes effect in memory: a crash leaves the old or the
// new catalog, and a failed write leaves the catalog in memory unchanged. Open reloads it by
// parsing and binding, so the catalog and --definitions files share one parser.
//
// Thread-safety: all methods may be called concurrently; lookups return immutable shared
// snapshots of definitions.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sql/stream_definition.h"

namespace braid::sql {

using StreamDefinitionPtr = std::shared_ptr<const StreamDefinition>;

// CREATE ... IF NOT EXISTS keeps a different existing definition instead of failing.
enum class OnExisting : uint8_t { kFailIfDifferent, kKeepExisting };
// DROP ... IF EXISTS ignores an unknown name instead of failing.
enum class OnMissing : uint8_t { kFail, kIgnore };

enum class ApplyOutcome : uint8_t {
  kCreated,    // a new object
  kUnchanged,  // an identical definition already existed (no-op)
};

class Catalog {
 public:
  // Opens DATA/catalog, creating the directory and an empty catalog if missing. A file of another
  // format version, without its end marker, or whose statements do not parse and bind is
  // kCorruption naming the file and what is wrong.
  static Result<std::unique_ptr<Catalog>> Open(const std::filesystem::path& data_dir);

  // Adds a stream. An identical existing definition is kUnchanged; a different one with the same
  // name is kDuplicateObject naming what differs (kKeepExisting keeps the old one: kUnchanged).
  // A definition whose ToSql does not parse and bind back to itself (one not made by
  // BindCreateStream) is kInvalidArgument, so the file always reopens.
  Result<ApplyOutcome> CreateStream(const StreamDefinition& definition, OnExisting on_existing);
  // Removes a stream; kUndefinedObject if unknown (kIgnore: no-op).
  Status DropStream(std::string_view name, OnMissing on_missing);

  StreamDefinitionPtr FindStream(std::string_view name) const;  // nullptr if unknown
  std::vector<StreamDefinitionPtr> Streams() const;             // sorted by name

 private:
  using StreamMap = std::map<std::string, StreamDefinitionPtr>;  // key: CanonicalIdentifier(name)

  explicit Catalog(std::filesystem::path file) : file_(std::move(file)) {}
  // Writes `streams` as the whole catalog file; the in-memory catalog is swapped only after.
  Status Persist(const StreamMap& streams) const;

  const std::filesystem::path file_;
  mutable std::mutex mu_;
  StreamMap streams_;  // guarded by mu_
};

}  // namespace braid::sql
