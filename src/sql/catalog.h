// Catalog: the streams, views and alerts Braid knows, persisted in DATA/catalog as the
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
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sql/catalog_objects.h"
#include "sql/stream_definition.h"
#include "sql/view_plan.h"

namespace braid::sql {

// CREATE ... IF NOT EXISTS keeps a different existing definition instead of failing.
enum class OnExisting : uint8_t { kFailIfDifferent, kKeepExisting };
// DROP ... IF EXISTS ignores an unknown name instead of failing.
enum class OnMissing : uint8_t { kFail, kIgnore };

enum class ApplyOutcome : uint8_t {
  kCreated,    // a new object
  kUnchanged,  // an identical definition already existed (no-op)
  kReplaced,   // CREATE OR REPLACE changed an existing definition
};

// CREATE OR REPLACE replaces a different existing definition instead of failing.
enum class OnConflict : uint8_t { kFail, kReplace };

struct ViewOutcome {
  ApplyOutcome outcome = ApplyOutcome::kCreated;
  ViewPlanPtr plan;                   // as stored
  std::vector<BindWarning> warnings;  // from binding this statement
};

class Catalog {
 public:
  // Opens DATA/catalog, creating the directory and an empty catalog if missing. A file of another
  // format version, without its end marker, or whose statements do not parse and bind is
  // kCorruption naming the file and what is wrong.
  static Result<std::unique_ptr<Catalog>> Open(const std::filesystem::path& data_dir);

  // Adds a stream. An identical existing definition is kUnchanged, and so is one that differs only
  // by nullable columns ALTER STREAM appended since (a definitions file keeps its original
  // CREATE); a different one with the same name is kDuplicateObject naming what differs
  // (kKeepExisting keeps the old one: kUnchanged).
  // A definition whose ToSql does not parse and bind back to itself (one not made by
  // BindCreateStream) is kInvalidArgument, so the file always reopens.
  Result<ApplyOutcome> CreateStream(const StreamDefinition& definition, OnExisting on_existing);
  // Removes a stream; kUndefinedObject if unknown (kIgnore: no-op); kDependentObjects while a
  // view reads it.
  Status DropStream(std::string_view name, OnMissing on_missing);
  // Replaces stream `name` by change(its current definition) (ALTER STREAM), atomically: no other
  // catalog change runs between reading the definition and persisting the new one. The result
  // must keep the stream's name and read back from its own SQL (kInvalidArgument otherwise).
  // kUndefinedObject if unknown; an error from `change` is returned as is. The views reading the
  // stream (and their alerts) are re-bound in the same change, since their input schema grew;
  // one that no longer binds refuses the change (kDependentObjects). Returns the stored new
  // definition.
  using StreamChange = std::function<Result<StreamDefinition>(const StreamDefinition& current)>;
  Result<StreamDefinitionPtr> AlterStream(std::string_view name, const StreamChange& change);

  StreamDefinitionPtr FindStream(std::string_view name) const;  // nullptr if unknown
  std::vector<StreamDefinitionPtr> Streams() const;             // sorted by name

  // Binds and adds a view (streams and views share one namespace). The same canonical SQL again
  // is kUnchanged; a different view of that name is kDuplicateObject unless kReplace, which
  // re-binds the alerts on it (kDependentObjects if one no longer binds). Binding errors are the
  // binder's, with their positions in the statement.
  Result<ViewOutcome> CreateView(const CreateViewStatement& statement, OnConflict on_conflict);
  // Removes a view; kUndefinedObject if unknown (kIgnore: no-op); kDependentObjects while an
  // alert is defined on it.
  Status DropView(std::string_view name, OnMissing on_missing);
  ViewPlanPtr FindView(std::string_view name) const;  // nullptr if unknown
  std::vector<ViewPlanPtr> Views() const;             // sorted by name

  // Binds and adds an alert on a view; outcomes as CreateView.
  Result<ApplyOutcome> CreateAlert(const CreateAlertStatement& statement, OnConflict on_conflict);
  Status DropAlert(std::string_view name, OnMissing on_missing);
  AlertPlanPtr FindAlert(std::string_view name) const;  // nullptr if unknown
  std::vector<AlertPlanPtr> Alerts() const;             // sorted by name

 private:
  explicit Catalog(std::filesystem::path file) : file_(std::move(file)) {}
  // Writes `objects` as the whole catalog file, then makes them the catalog in memory; on error
  // the catalog is unchanged. Requires mu_.
  Status Commit(CatalogObjects objects);

  const std::filesystem::path file_;
  mutable std::mutex mu_;
  CatalogObjects objects_;  // guarded by mu_
};

}  // namespace braid::sql
