#include "lake/delta_actions.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <random>

#include "common/json_writer.h"

namespace braid::lake {
namespace {

namespace dom = simdjson::dom;

void EncodeProtocol(const DeltaProtocol& protocol, std::string* out) {
  JsonWriter json;
  json.BeginObject().Key("protocol").BeginObject();
  json.Key("minReaderVersion").Int(protocol.min_reader_version);
  json.Key("minWriterVersion").Int(protocol.min_writer_version);
  json.EndObject().EndObject();
  out->append(json.str()).push_back('\n');
}

void EncodeMetadata(const DeltaMetadata& metadata, std::string* out) {
  JsonWriter json;
  json.BeginObject().Key("metaData").BeginObject().Key("id").String(metadata.id);
  json.Key("format").BeginObject().Key("provider").String("parquet");
  json.Key("options").BeginObject().EndObject().EndObject();
  json.Key("schemaString").String(EncodeSchemaString(metadata.schema));
  json.Key("partitionColumns").BeginArray();
  for (const PartitionColumn& column : metadata.schema.partition) json.String(column.name);
  json.EndArray().Key("configuration").BeginObject();
  for (const auto& [key, value] : metadata.configuration) json.Key(key).String(value);
  json.EndObject().Key("createdTime").Int(metadata.created_time_ms);
  json.EndObject().EndObject();
  out->append(json.str()).push_back('\n');
}

void EncodeTxn(const DeltaTxn& txn, std::string* out) {
  JsonWriter json;
  json.BeginObject().Key("txn").BeginObject().Key("appId").String(txn.app_id);
  json.Key("version").Int(txn.version).EndObject().EndObject();
  out->append(json.str()).push_back('\n');
}

void EncodeRemove(const DeltaRemoveFile& remove, std::string* out) {
  JsonWriter json;
  json.BeginObject().Key("remove").BeginObject().Key("path").String(remove.path);
  json.Key("deletionTimestamp").Int(remove.deletion_timestamp_ms);
  json.Key("dataChange").Bool(remove.data_change).EndObject().EndObject();
  out->append(json.str()).push_back('\n');
}

void EncodeAdd(const DeltaAddFile& add, std::string* out) {
  JsonWriter json;
  json.BeginObject().Key("add").BeginObject().Key("path").String(add.path);
  json.Key("partitionValues").BeginObject();
  for (const auto& [name, value] : add.partition_values) {
    json.Key(name);
    value ? json.String(*value) : json.Null();
  }
  json.EndObject().Key("size").Int(add.size);
  json.Key("modificationTime").Int(add.modification_time_ms);
  json.Key("dataChange").Bool(add.data_change);
  if (!add.stats.empty()) json.Key("stats").String(add.stats);
  if (!add.tags.empty()) {
    json.Key("tags").BeginObject();
    for (const auto& [name, value] : add.tags) json.Key(name).String(value);
    json.EndObject();
  }
  json.EndObject().EndObject();
  out->append(json.str()).push_back('\n');
}

// Decodes the actions of one line, with the position for error messages.
class LineDecoder {
 public:
  LineDecoder(std::string_view name, int line, DeltaCommit* commit)
      : name_(name), line_(line), commit_(commit) {}

  Status Decode(dom::object actions) {
    for (dom::key_value_pair action : actions) {
      RETURN_IF_ERROR(DecodeAction(action.key, action.value));
    }
    return Status::Ok();
  }

  Status Error(StatusCode code, std::string_view what) const {
    return Status(code, fmt::format("Delta commit {} line {}: {}", name_, line_, what));
  }

 private:
  Status DecodeAction(std::string_view type, dom::element value) {
    dom::object body;
    if (type == "commitInfo") {
      commit_->commit_info = simdjson::minify(value);
      return Status::Ok();
    }
    if (value.get_object().get(body) != simdjson::SUCCESS) {
      return Error(StatusCode::kCorruption, fmt::format("'{}' is not an object", type));
    }
    if (type == "add") return DecodeAdd(body);
    if (type == "remove") return DecodeRemove(body);
    if (type == "txn") return DecodeTxn(body);
    if (type == "protocol") return DecodeProtocol(body);
    if (type == "metaData") return DecodeMetadata(body);
    // Change data files describe history, not the table's state: readers of a version ignore them.
    if (type == "cdc") return Status::Ok();
    return Error(StatusCode::kUnsupported, fmt::format("unknown action type '{}'", type));
  }

  Result<std::string_view> String(dom::object body, std::string_view key) const {
    std::string_view value;
    if (body[key].get_string().get(value) != simdjson::SUCCESS) {
      return Error(StatusCode::kCorruption, fmt::format("missing string field '{}'", key));
    }
    return value;
  }

  Result<int64_t> Int(dom::object body, std::string_view key) const {
    int64_t value = 0;
    if (body[key].get_int64().get(value) != simdjson::SUCCESS) {
      return Error(StatusCode::kCorruption, fmt::format("missing integer field '{}'", key));
    }
    return value;
  }

  Status DecodeAdd(dom::object body) {
    DeltaAddFile add;
    ASSIGN_OR_RETURN(std::string_view path, String(body, "path"));
    add.path = std::string(path);
    ASSIGN_OR_RETURN(add.size, Int(body, "size"));
    ASSIGN_OR_RETURN(add.modification_time_ms, Int(body, "modificationTime"));
    if (body["dataChange"].get_bool().get(add.data_change) != simdjson::SUCCESS) {
      return Error(StatusCode::kCorruption, "add without dataChange");
    }
    dom::object values;
    if (body["partitionValues"].get_object().get(values) != simdjson::SUCCESS) {
      return Error(StatusCode::kCorruption, "add without partitionValues");
    }
    for (dom::key_value_pair value : values) {
      std::string_view text;
      if (value.value.is_null()) {
        add.partition_values[std::string(value.key)] = std::nullopt;
      } else if (value.value.get_string().get(text) == simdjson::SUCCESS) {
        add.partition_values[std::string(value.key)] = std::string(text);
      } else {
        return Error(StatusCode::kCorruption, "a partition value is not a string");
      }
    }
    std::string_view stats;
    if (body["stats"].get_string().get(stats) == simdjson::SUCCESS) add.stats = std::string(stats);
    RETURN_IF_ERROR(DecodeTags(body, &add.tags));
    commit_->adds.push_back(std::move(add));
    return Status::Ok();
  }

  // Delta's optional `tags`: a map of strings (a null value is dropped).
  Status DecodeTags(dom::object body, std::map<std::string, std::string>* tags) const {
    dom::object values;
    if (body["tags"].get_object().get(values) != simdjson::SUCCESS) return Status::Ok();
    for (dom::key_value_pair value : values) {
      std::string_view text;
      if (value.value.is_null()) continue;
      if (value.value.get_string().get(text) != simdjson::SUCCESS) {
        return Error(StatusCode::kCorruption, "a tag value is not a string");
      }
      (*tags)[std::string(value.key)] = std::string(text);
    }
    return Status::Ok();
  }

  Status DecodeRemove(dom::object body) {
    DeltaRemoveFile remove;
    ASSIGN_OR_RETURN(std::string_view path, String(body, "path"));
    remove.path = std::string(path);
    if (body["deletionTimestamp"].get_int64().get(remove.deletion_timestamp_ms) !=
        simdjson::SUCCESS) {
      remove.deletion_timestamp_ms = 0;  // optional in the protocol
    }
    if (body["dataChange"].get_bool().get(remove.data_change) != simdjson::SUCCESS) {
      return Error(StatusCode::kCorruption, "remove without dataChange");
    }
    commit_->removes.push_back(std::move(remove));
    return Status::Ok();
  }

  Status DecodeTxn(dom::object body) {
    ASSIGN_OR_RETURN(std::string_view app_id, String(body, "appId"));
    ASSIGN_OR_RETURN(int64_t version, Int(body, "version"));
    commit_->txns.push_back(DeltaTxn{std::string(app_id), version});
    return Status::Ok();
  }

  Status DecodeProtocol(dom::object body) {
    DeltaProtocol protocol;
    ASSIGN_OR_RETURN(int64_t reader, Int(body, "minReaderVersion"));
    ASSIGN_OR_RETURN(int64_t writer, Int(body, "minWriterVersion"));
    if (reader > kDeltaReaderVersion) {
      return Error(StatusCode::kUnsupported,
                   fmt::format("the table needs Delta reader version {}; Braid reads version {}",
                               reader, kDeltaReaderVersion));
    }
    protocol.min_reader_version = static_cast<int>(reader);
    protocol.min_writer_version = static_cast<int>(writer);
    commit_->protocol = protocol;
    return Status::Ok();
  }

  Status DecodeMetadata(dom::object body) {
    DeltaMetadata metadata;
    ASSIGN_OR_RETURN(std::string_view id, String(body, "id"));
    metadata.id = std::string(id);
    std::string_view provider;
    if (body["format"]["provider"].get_string().get(provider) != simdjson::SUCCESS ||
        provider != "parquet") {
      return Error(StatusCode::kUnsupported, "the table's data files are not Parquet");
    }
    std::vector<std::string> partition_names;
    dom::array names;
    if (body["partitionColumns"].get_array().get(names) != simdjson::SUCCESS) {
      return Error(StatusCode::kCorruption, "metaData without partitionColumns");
    }
    for (dom::element name : names) {
      std::string_view text;
      if (name.get_string().get(text) != simdjson::SUCCESS) {
        return Error(StatusCode::kCorruption, "a partition column name is not a string");
      }
      partition_names.emplace_back(text);
    }
    ASSIGN_OR_RETURN(std::string_view schema_string, String(body, "schemaString"));
    Result<TableSchema> schema = DecodeSchemaString(schema_string, partition_names);
    if (!schema.ok()) return Error(schema.status().code(), schema.status().message());
    metadata.schema = std::move(schema).value();
    RETURN_IF_ERROR(DecodeConfiguration(body, &metadata));
    if (body["createdTime"].get_int64().get(metadata.created_time_ms) != simdjson::SUCCESS) {
      metadata.created_time_ms = 0;  // optional in the protocol
    }
    commit_->metadata = std::move(metadata);
    return Status::Ok();
  }

  Status DecodeConfiguration(dom::object body, DeltaMetadata* metadata) {
    dom::object configuration;
    if (body["configuration"].get_object().get(configuration) != simdjson::SUCCESS) {
      return Status::Ok();
    }
    for (dom::key_value_pair entry : configuration) {
      std::string_view value;
      if (entry.value.get_string().get(value) != simdjson::SUCCESS) {
        return Error(StatusCode::kCorruption, "a configuration value is not a string");
      }
      metadata->configuration[std::string(entry.key)] = std::string(value);
    }
    return Status::Ok();
  }

  std::string_view name_;
  int line_;
  DeltaCommit* commit_;
};

}  // namespace

std::string EncodeCommit(const DeltaCommit& commit) {
  std::string out;
  if (commit.protocol) EncodeProtocol(*commit.protocol, &out);
  if (commit.metadata) EncodeMetadata(*commit.metadata, &out);
  for (const DeltaTxn& txn : commit.txns) EncodeTxn(txn, &out);
  for (const DeltaRemoveFile& remove : commit.removes) EncodeRemove(remove, &out);
  for (const DeltaAddFile& add : commit.adds) EncodeAdd(add, &out);
  if (!commit.commit_info.empty()) {
    out.append("{\"commitInfo\":").append(commit.commit_info).append("}\n");
  }
  return out;
}

Result<DeltaCommit> DecodeCommit(std::string_view text, std::string_view name) {
  DeltaCommit commit;
  dom::parser parser;
  int line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    LineDecoder decoder(name, line_number, &commit);
    dom::element element;
    dom::object actions;
    if (auto error = parser.parse(line.data(), line.size()).get(element)) {
      return decoder.Error(StatusCode::kCorruption, simdjson::error_message(error));
    }
    if (element.get_object().get(actions) != simdjson::SUCCESS) {
      return decoder.Error(StatusCode::kCorruption, "an action line is not a JSON object");
    }
    RETURN_IF_ERROR(decoder.Decode(actions));
  }
  if (line_number == 0) {
    return Status(StatusCode::kCorruption, fmt::format("Delta commit {} is empty", name));
  }
  return commit;
}

std::string NewGuid() {
  // Fresh entropy per call, never a seeded generator: a forked child would repeat its parent's
  // sequence, and two processes would then pick the same names.
  std::random_device entropy;
  auto random = [&entropy] { return (uint64_t{entropy()} << 32) | entropy(); };
  const uint64_t high = (random() & ~uint64_t{0xF000}) | 0x4000;                     // version 4
  const uint64_t low = (random() & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // variant 1
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xFFFF,
                     high & 0xFFFF, low >> 48, low & 0xFFFFFFFFFFFFULL);
}

std::optional<FileEpochRange> EpochRangeOf(const DeltaAddFile& add) {
  auto parse = [&](std::string_view tag) -> std::optional<int64_t> {
    auto it = add.tags.find(std::string(tag));
    if (it == add.tags.end()) return std::nullopt;
    int64_t value = 0;
    const char* end = it->second.data() + it->second.size();
    auto [ptr, error] = std::from_chars(it->second.data(), end, value);
    if (error != std::errc() || ptr != end || it->second.empty()) return std::nullopt;
    return value;
  };
  std::optional<int64_t> min = parse(kEpochMinTag);
  std::optional<int64_t> max = parse(kEpochMaxTag);
  if (!min || !max) return std::nullopt;
  return FileEpochRange{*min, *max};
}

void SetEpochRange(const FileEpochRange& range, DeltaAddFile* add) {
  add->tags[std::string(kEpochMinTag)] = std::to_string(range.min);
  add->tags[std::string(kEpochMaxTag)] = std::to_string(range.max);
}

Result<std::string> DecodeDataFilePath(std::string_view path) {
  if (path.find("://") != std::string_view::npos || path.starts_with('/')) {
    return Status(StatusCode::kUnsupported,
                  fmt::format("data file '{}' is not relative to the table", path));
  }
  std::string decoded;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      decoded.push_back(path[i]);
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= path.size() ||
        std::sscanf(std::string(path.substr(i + 1, 2)).c_str(), "%2x", &value) != 1) {
      return Status(StatusCode::kCorruption, fmt::format("bad escape in path '{}'", path));
    }
    decoded.push_back(static_cast<char>(value));
    i += 2;
  }
  if (decoded == ".." || decoded.starts_with("../") || decoded.find("/../") != std::string::npos) {
    return Status(StatusCode::kUnsupported, fmt::format("data file '{}' leaves the table", path));
  }
  return decoded;
}

}  // namespace braid::lake
