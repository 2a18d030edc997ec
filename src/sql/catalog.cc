#include "sql/catalog.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <system_error>

#include "common/chunk_projection.h"
#include "common/file_util.h"
#include "sql/parser.h"

namespace braid::sql {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFileName = "catalog";
constexpr std::string_view kHeaderPrefix = "-- braid catalog v";
constexpr int kFormatVersion = 1;
constexpr std::string_view kEndMarker = "-- end of braid catalog\n";

Status Corruption(const fs::path& file, std::string_view what) {
  return Status(StatusCode::kCorruption, fmt::format("catalog {}: {}", file.string(), what));
}

// The first line must be "-- braid catalog v<N>" with N = kFormatVersion.
Status CheckHeader(std::string_view text, const fs::path& file) {
  std::string_view line = text.substr(0, text.find('\n'));
  std::string expected = fmt::format("{}{}", kHeaderPrefix, kFormatVersion);
  if (text.empty()) return Corruption(file, fmt::format("file is empty (expected '{}')", expected));
  if (!line.starts_with(kHeaderPrefix)) {
    return Corruption(file, fmt::format("not a braid catalog: first line is '{}' (expected '{}')",
                                        line.substr(0, 60), expected));
  }
  std::string_view digits = line.substr(kHeaderPrefix.size());
  int version = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return Corruption(
        file, fmt::format("unreadable format version in first line '{}'", line.substr(0, 60)));
  }
  if (version != kFormatVersion) {
    return Corruption(file, fmt::format("format version {} is not supported; this build of "
                                        "Braid reads version {}",
                                        version, kFormatVersion));
  }
  return Status::Ok();
}

// Adds one statement of the file to `objects`: streams first, then the views on them, then the
// alerts on those (Render's order), each bound against what is already loaded.
Status LoadStatement(const ParsedStatement& parsed, const fs::path& file,
                     CatalogObjects* objects) {
  auto invalid = [&](const Status& status) {
    return Corruption(file, fmt::format("invalid definition: {}", status.ToString()));
  };
  auto duplicate = [&](std::string_view kind, std::string_view name) {
    return Corruption(file, fmt::format("{} '{}' is defined twice", kind, name));
  };
  if (const auto* stream = std::get_if<CreateStreamStatement>(&parsed.statement)) {
    Result<StreamDefinition> definition = BindCreateStream(*stream);
    if (!definition.ok()) return invalid(definition.status());
    std::string key = CanonicalIdentifier(definition->name);
    if (objects->streams.contains(key)) return duplicate("stream", definition->name);
    objects->streams.emplace(key, std::make_shared<const StreamDefinition>(*std::move(definition)));
    return Status::Ok();
  }
  if (const auto* view = std::get_if<CreateViewStatement>(&parsed.statement)) {
    Result<BoundView> bound = BindView(*view, objects->Environment());
    if (!bound.ok()) return invalid(bound.status());
    std::string key = CanonicalIdentifier(view->name);
    if (objects->views.contains(key)) return duplicate("view", view->name);
    objects->views.emplace(key, bound->plan);
    return Status::Ok();
  }
  if (const auto* alert = std::get_if<CreateAlertStatement>(&parsed.statement)) {
    Result<AlertPlanPtr> bound = BindAlert(*alert, objects->Environment());
    if (!bound.ok()) return invalid(bound.status());
    std::string key = CanonicalIdentifier(alert->name);
    if (objects->alerts.contains(key)) return duplicate("alert", alert->name);
    objects->alerts.emplace(key, *bound);
    return Status::Ok();
  }
  return Corruption(file, fmt::format("unexpected statement at {}:{}: '{}'", parsed.position.line,
                                      parsed.position.column, parsed.text.substr(0, 60)));
}

Result<CatalogObjects> ReadCatalogFile(const fs::path& file) {
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(file));
  RETURN_IF_ERROR(CheckHeader(text, file));
  if (!text.ends_with(kEndMarker)) {
    return Corruption(file, fmt::format("truncated: the end marker '{}' is missing",
                                        kEndMarker.substr(0, kEndMarker.size() - 1)));
  }
  Result<std::vector<ParsedStatement>> parsed = ParseScript(text);
  if (!parsed.ok()) return Corruption(file, parsed.status().ToString());
  CatalogObjects objects;
  for (const ParsedStatement& statement : *parsed) {
    RETURN_IF_ERROR(LoadStatement(statement, file, &objects));
  }
  return objects;
}

std::string Render(const CatalogObjects& objects) {
  std::string text = fmt::format("{}{}\n", kHeaderPrefix, kFormatVersion);
  for (const auto& [key, definition] : objects.streams) {
    text += fmt::format("{};\n", definition->ToSql());
  }
  for (const auto& [key, view] : objects.views) text += fmt::format("{};\n", view->sql);
  for (const auto& [key, alert] : objects.alerts) text += fmt::format("{};\n", alert->sql);
  text += kEndMarker;
  return text;
}

// The definition that canonical SQL text stands for.
Result<StreamDefinition> ReadBack(std::string_view sql) {
  ASSIGN_OR_RETURN(ParsedStatement parsed, ParseStatement(sql));
  const auto* create = std::get_if<CreateStreamStatement>(&parsed.statement);
  if (create == nullptr) return Status(StatusCode::kInternal, "not a CREATE STREAM statement");
  return BindCreateStream(*create);
}

// A definition the catalog accepts must read back from its own SQL, or the file would not reopen.
Status CheckRoundTrip(const StreamDefinition& definition) {
  Result<StreamDefinition> back = ReadBack(definition.ToSql());
  if (back.ok() && *back == definition) return Status::Ok();
  std::string why = back.ok()
                        ? fmt::format("{}", fmt::join(DescribeDifferences(*back, definition), "; "))
                        : back.status().ToString();
  return Status(StatusCode::kInvalidArgument,
                fmt::format("stream definition '{}' is not valid: its SQL does not read back ({})",
                            definition.name, why));
}

// Whether `existing` is `requested` with nullable columns appended since by ALTER STREAM.
bool EvolvedFrom(const StreamDefinition& existing, const StreamDefinition& requested) {
  if (!existing.schema || !requested.schema ||
      !SchemaExtends(*existing.schema, *requested.schema)) {
    return false;
  }
  StreamDefinition narrowed = existing;
  narrowed.schema = requested.schema;
  return narrowed == requested;
}

}  // namespace

Result<std::unique_ptr<Catalog>> Catalog::Open(const fs::path& data_dir) {
  RETURN_IF_ERROR(CreateDirectoriesDurably(data_dir));
  // The constructor is private; the unique_ptr owns the object from its creation.
  std::unique_ptr<Catalog> catalog(new Catalog(data_dir / kFileName));
  std::error_code ec;
  bool exists = fs::exists(catalog->file_, ec);
  if (ec) return IoError("stat", catalog->file_, ec.value());
  if (!exists) {
    std::lock_guard lock(catalog->mu_);
    RETURN_IF_ERROR(catalog->Commit({}));
    return catalog;
  }
  ASSIGN_OR_RETURN(CatalogObjects objects, ReadCatalogFile(catalog->file_));
  std::lock_guard lock(catalog->mu_);
  catalog->objects_ = std::move(objects);
  return catalog;
}

Result<ApplyOutcome> Catalog::CreateStream(const StreamDefinition& definition,
                                           OnExisting on_existing) {
  RETURN_IF_ERROR(CheckRoundTrip(definition));
  std::string key = CanonicalIdentifier(definition.name);
  std::lock_guard lock(mu_);
  if (auto it = objects_.streams.find(key); it != objects_.streams.end()) {
    std::vector<std::string> differences = DescribeDifferences(definition, *it->second);
    if (differences.empty() || on_existing == OnExisting::kKeepExisting ||
        EvolvedFrom(*it->second, definition)) {
      return ApplyOutcome::kUnchanged;
    }
    return Status(StatusCode::kDuplicateObject,
                  fmt::format("stream '{}' already exists with a different definition: {}",
                              it->second->name, fmt::join(differences, "; ")));
  }
  if (auto view = objects_.views.find(key); view != objects_.views.end()) {
    return Status(StatusCode::kDuplicateObject,
                  fmt::format("'{}' is already the name of a view", view->second->name));
  }
  CatalogObjects next = objects_;
  next.streams.emplace(key, std::make_shared<const StreamDefinition>(definition));
  RETURN_IF_ERROR(Commit(std::move(next)));
  return ApplyOutcome::kCreated;
}

Status Catalog::DropStream(std::string_view name, OnMissing on_missing) {
  std::lock_guard lock(mu_);
  auto it = objects_.streams.find(CanonicalIdentifier(name));
  if (it == objects_.streams.end()) {
    if (on_missing == OnMissing::kIgnore) return Status::Ok();
    return Status(StatusCode::kUndefinedObject, fmt::format("stream '{}' does not exist", name));
  }
  if (std::vector<std::string> views = objects_.ViewsReading(it->first); !views.empty()) {
    return Status(StatusCode::kDependentObjects,
                  fmt::format("cannot drop stream '{}': views {} read it; drop them first",
                              it->second->name, fmt::join(views, ", ")));
  }
  CatalogObjects next = objects_;
  next.streams.erase(it->first);
  return Commit(std::move(next));
}

Result<StreamDefinitionPtr> Catalog::AlterStream(std::string_view name,
                                                 const StreamChange& change) {
  std::lock_guard lock(mu_);
  auto it = objects_.streams.find(CanonicalIdentifier(name));
  if (it == objects_.streams.end()) {
    return Status(StatusCode::kUndefinedObject, fmt::format("stream '{}' does not exist", name));
  }
  ASSIGN_OR_RETURN(StreamDefinition altered, change(*it->second));
  if (altered == *it->second) return it->second;
  if (CanonicalIdentifier(altered.name) != it->first) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("ALTER STREAM may not rename stream '{}'", it->second->name));
  }
  RETURN_IF_ERROR(CheckRoundTrip(altered));
  auto stored = std::make_shared<const StreamDefinition>(std::move(altered));
  CatalogObjects next = objects_;
  next.streams[it->first] = stored;
  RETURN_IF_ERROR(next.RebindViewsOf(it->first));
  RETURN_IF_ERROR(Commit(std::move(next)));
  return stored;
}

StreamDefinitionPtr Catalog::FindStream(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = objects_.streams.find(CanonicalIdentifier(name));
  return it == objects_.streams.end() ? nullptr : it->second;
}

std::vector<StreamDefinitionPtr> Catalog::Streams() const {
  std::lock_guard lock(mu_);
  std::vector<StreamDefinitionPtr> streams;
  streams.reserve(objects_.streams.size());
  for (const auto& [key, definition] : objects_.streams) streams.push_back(definition);
  return streams;
}

Status Catalog::Commit(CatalogObjects objects) {
  RETURN_IF_ERROR(WriteFileAtomically(file_, Render(objects)));
  objects_ = std::move(objects);
  return Status::Ok();
}

}  // namespace braid::sql
