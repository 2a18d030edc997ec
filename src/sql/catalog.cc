#include "sql/catalog.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <system_error>

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

Result<StreamDefinition> LoadStatement(const ParsedStatement& parsed, const fs::path& file) {
  const auto* create = std::get_if<CreateStreamStatement>(&parsed.statement);
  if (create == nullptr) {
    return Corruption(file, fmt::format("unexpected statement at {}:{}: '{}'", parsed.position.line,
                                        parsed.position.column, parsed.text.substr(0, 60)));
  }
  Result<StreamDefinition> definition = BindCreateStream(*create);
  if (!definition.ok()) {
    return Corruption(file, fmt::format("invalid definition: {}", definition.status().ToString()));
  }
  return definition;
}

// The streams of an existing catalog file, keyed by CanonicalIdentifier(name).
Result<std::map<std::string, StreamDefinitionPtr>> ReadCatalogFile(const fs::path& file) {
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(file));
  RETURN_IF_ERROR(CheckHeader(text, file));
  if (!text.ends_with(kEndMarker)) {
    return Corruption(file, fmt::format("truncated: the end marker '{}' is missing",
                                        kEndMarker.substr(0, kEndMarker.size() - 1)));
  }
  Result<std::vector<ParsedStatement>> parsed = ParseScript(text);
  if (!parsed.ok()) return Corruption(file, parsed.status().ToString());
  std::map<std::string, StreamDefinitionPtr> streams;
  for (const ParsedStatement& statement : *parsed) {
    ASSIGN_OR_RETURN(StreamDefinition definition, LoadStatement(statement, file));
    std::string key = CanonicalIdentifier(definition.name);
    if (streams.contains(key)) {
      return Corruption(file, fmt::format("stream '{}' is defined twice", definition.name));
    }
    streams.emplace(key, std::make_shared<const StreamDefinition>(std::move(definition)));
  }
  return streams;
}

std::string Render(const std::map<std::string, StreamDefinitionPtr>& streams) {
  std::string text = fmt::format("{}{}\n", kHeaderPrefix, kFormatVersion);
  for (const auto& [key, definition] : streams) text += fmt::format("{};\n", definition->ToSql());
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

}  // namespace

Result<std::unique_ptr<Catalog>> Catalog::Open(const fs::path& data_dir) {
  RETURN_IF_ERROR(CreateDirectoriesDurably(data_dir));
  // The constructor is private; the unique_ptr owns the object from its creation.
  std::unique_ptr<Catalog> catalog(new Catalog(data_dir / kFileName));
  std::error_code ec;
  bool exists = fs::exists(catalog->file_, ec);
  if (ec) return IoError("stat", catalog->file_, ec.value());
  if (!exists) {
    RETURN_IF_ERROR(catalog->Persist({}));
    return catalog;
  }
  ASSIGN_OR_RETURN(catalog->streams_, ReadCatalogFile(catalog->file_));
  return catalog;
}

Result<ApplyOutcome> Catalog::CreateStream(const StreamDefinition& definition,
                                           OnExisting on_existing) {
  RETURN_IF_ERROR(CheckRoundTrip(definition));
  std::string key = CanonicalIdentifier(definition.name);
  std::lock_guard lock(mu_);
  if (auto it = streams_.find(key); it != streams_.end()) {
    std::vector<std::string> differences = DescribeDifferences(definition, *it->second);
    if (differences.empty() || on_existing == OnExisting::kKeepExisting) {
      return ApplyOutcome::kUnchanged;
    }
    return Status(StatusCode::kDuplicateObject,
                  fmt::format("stream '{}' already exists with a different definition: {}",
                              it->second->name, fmt::join(differences, "; ")));
  }
  StreamMap next = streams_;
  next.emplace(key, std::make_shared<const StreamDefinition>(definition));
  RETURN_IF_ERROR(Persist(next));
  streams_ = std::move(next);
  return ApplyOutcome::kCreated;
}

Status Catalog::DropStream(std::string_view name, OnMissing on_missing) {
  std::lock_guard lock(mu_);
  auto it = streams_.find(CanonicalIdentifier(name));
  if (it == streams_.end()) {
    if (on_missing == OnMissing::kIgnore) return Status::Ok();
    return Status(StatusCode::kUndefinedObject, fmt::format("stream '{}' does not exist", name));
  }
  StreamMap next = streams_;
  next.erase(it->first);
  RETURN_IF_ERROR(Persist(next));
  streams_ = std::move(next);
  return Status::Ok();
}

StreamDefinitionPtr Catalog::FindStream(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = streams_.find(CanonicalIdentifier(name));
  return it == streams_.end() ? nullptr : it->second;
}

std::vector<StreamDefinitionPtr> Catalog::Streams() const {
  std::lock_guard lock(mu_);
  std::vector<StreamDefinitionPtr> streams;
  streams.reserve(streams_.size());
  for (const auto& [key, definition] : streams_) streams.push_back(definition);
  return streams;
}

Status Catalog::Persist(const StreamMap& streams) const {
  return WriteFileAtomically(file_, Render(streams));
}

}  // namespace braid::sql
