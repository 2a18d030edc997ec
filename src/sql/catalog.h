// Catalog: the streams (and later views and alerts) Braid knows, persisted in DATA/catalog as the
// canonical SQL of each object behind a versioned header (docs/formats/catalog.md). Every change
// rewrites the file atomically (temporary file, fsync, rename, fsync the directory) before it
// takes effect, so a crash leaves the old or the new catalog. Open reloads it by parsing and
// binding, so the catalog and --definitions files share one parser.
//
// Thread-safety: all methods may be called concurrently; lookups return immutable shared
// snapshots of definitions.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
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
  // Opens DATA/catalog (creating an empty catalog if missing).
  static Result<std::unique_ptr<Catalog>> Open(const std::filesystem::path& data_dir);

  // Adds a stream. An identical existing definition is kUnchanged; a different one with the same
  // name is kDuplicateObject naming what differs (kKeepExisting keeps the old one: kUnchanged).
  Result<ApplyOutcome> CreateStream(const StreamDefinition& definition, OnExisting on_existing);
  // Removes a stream; kUndefinedObject if unknown (kIgnore: no-op).
  Status DropStream(std::string_view name, OnMissing on_missing);

  StreamDefinitionPtr FindStream(std::string_view name) const;  // nullptr if unknown
  std::vector<StreamDefinitionPtr> Streams() const;               // sorted by name

 private:
  explicit Catalog(std::filesystem::path file);
  Status PersistLocked() const;

  std::filesystem::path file_;
  mutable std::mutex mu_;
  std::map<std::string, StreamDefinitionPtr> streams_;  // key: CanonicalIdentifier(name)
};

}  // namespace braid::sql
