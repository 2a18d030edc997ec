// The logic test runner: `events` and `ingest` blocks, which append source rows to a stream
// (logic_runner.h).
#include <fmt/format.h>

#include <charconv>

#include "logic_runner.h"

namespace braid::sql::logic {
namespace {

// The columns an events block names, in order, and where each goes in the stream's input.
struct EventHeader {
  SchemaPtr schema;
  EventSources sources;
};

std::string ColumnList(const Schema& schema) {
  std::string names;
  for (const Field& field : schema.fields()) names += (names.empty() ? "" : ", ") + field.name;
  return names;
}

Result<EventHeader> ReadHeader(std::string_view line, const Schema& stream_schema) {
  EventHeader header;
  header.sources.stream_columns.assign(stream_schema.size(), std::nullopt);
  std::vector<Field> fields;
  for (const std::string& name : SplitCells(line)) {
    std::optional<size_t>* slot = &header.sources.ingested_at;
    DataType type = DataType::kTimestamp;
    if (std::optional<size_t> index = stream_schema.FindField(name)) {
      slot = &header.sources.stream_columns[*index];
      type = stream_schema.field(*index).type;
    } else if (!IdentifierEquals(name, kIngestedAtColumn)) {
      return Status(StatusCode::kInvalidArgument,
                    fmt::format("no column '{}'; the stream's columns are {} (and {})", name,
                                ColumnList(stream_schema), kIngestedAtColumn));
    }
    if (slot->has_value()) {
      return Status(StatusCode::kInvalidArgument, fmt::format("column '{}' appears twice", name));
    }
    *slot = fields.size();
    fields.push_back(Field{name, type, true});
  }
  header.schema = std::make_shared<const Schema>(std::move(fields));
  return header;
}

// Reads the "partition N" and "ingested TIME" pairs of a directive from word `from` on.
Result<EventPlacement> ReadPlacement(const std::vector<std::string>& words, size_t from,
                                     const StreamDefinition& stream) {
  EventPlacement placement;
  for (size_t i = from; i < words.size(); i += 2) {
    if (i + 1 == words.size()) {
      return Status(StatusCode::kInvalidArgument, "'" + words[i] + "' needs a value");
    }
    const std::string& value = words[i + 1];
    if (words[i] == "partition") {
      auto [end, error] =
          std::from_chars(value.data(), value.data() + value.size(), placement.partition);
      if (error != std::errc() || end != value.data() + value.size() || placement.partition < 0 ||
          placement.partition >= stream.partitions) {
        return Status(StatusCode::kInvalidArgument,
                      fmt::format("partition '{}': stream {} has partitions 0 to {}", value,
                                  stream.name, stream.partitions - 1));
      }
    } else if (words[i] == "ingested") {
      ASSIGN_OR_RETURN(placement.ingested_at, ParseRfc3339(value));
    } else {
      return Status(StatusCode::kInvalidArgument,
                    "unknown option '" + words[i] + "': expected partition or ingested");
    }
  }
  return placement;
}

// The _ingested_at of row `row`: the block's column, else the block's instant, else the event's
// time (`event_time`, a stream column already appended), else kDefaultIngestedAt.
Result<int64_t> IngestedAtOf(const Chunk& source, const EventSources& sources,
                             const EventPlacement& placement, const Column* event_time,
                             size_t row) {
  if (sources.ingested_at) {
    const Column& column = source.column(*sources.ingested_at);
    if (!column.IsValid(row)) {
      return Status(StatusCode::kDataError, fmt::format("event {}: NULL _ingested_at", row + 1));
    }
    return column.int64s()[row];
  }
  if (placement.ingested_at) return placement.ingested_at->micros;
  if (event_time != nullptr && event_time->IsValid(row)) return event_time->int64s()[row];
  return kDefaultIngestedAt.micros;
}

}  // namespace

Result<LogicRunner::StreamState*> LogicRunner::FindStream(std::string_view name) {
  auto it = streams_.find(CanonicalIdentifier(name));
  if (it == streams_.end()) {
    return Status(StatusCode::kUndefinedObject, "no stream named '" + std::string(name) + "'");
  }
  return &it->second;
}

Status LogicRunner::AppendEvents(StreamState& stream, const Chunk& source,
                                 const EventSources& sources, const EventPlacement& placement) {
  const Schema& schema = *stream.definition->schema;
  const std::optional<std::string>& time_name = stream.definition->timestamp;
  std::optional<size_t> time_column = time_name ? schema.FindField(*time_name) : std::nullopt;
  size_t width = schema.size();
  int64_t offset = stream.next_offset[placement.partition];
  Chunk block(stream.rows.schema());
  for (size_t row = 0; row < source.num_rows(); ++row) {
    for (size_t c = 0; c < width; ++c) {
      Column& column = block.mutable_column(c);
      std::optional<size_t> from = sources.stream_columns[c];
      if (from) {
        column.AppendFrom(source.column(*from), row);
      } else {
        column.AppendNull();
      }
      if (!schema.field(c).nullable && !column.IsValid(row)) {
        return Status(StatusCode::kDataError, fmt::format("event {}: column {} is NOT NULL",
                                                          row + 1, schema.field(c).name));
      }
    }
    const Column* event_time = time_column ? &block.column(*time_column) : nullptr;
    ASSIGN_OR_RETURN(int64_t ingested_at,
                     IngestedAtOf(source, sources, placement, event_time, row));
    block.mutable_column(width).AppendInt64(ingested_at);
    block.mutable_column(width + 1).AppendInt64(placement.partition);
    block.mutable_column(width + 2).AppendInt64(offset++);
  }
  for (size_t row = 0; row < block.num_rows(); ++row) stream.rows.AppendRow(block, row);
  stream.next_offset[placement.partition] = offset;
  if (block.num_rows() > 0) stream.block_ends.push_back(stream.rows.num_rows());
  return Status::Ok();
}

std::optional<Failure> LogicRunner::RunEvents(const Record& record) {
  int line = record.directive.number;
  if (record.words.size() < 2) return Failure{line, "events: expected a stream name"};
  Result<StreamState*> stream = FindStream(record.words[1]);
  if (!stream.ok()) return Failure{line, "events: " + stream.status().message()};
  const StreamDefinition& definition = *(*stream)->definition;
  Result<EventPlacement> placement = ReadPlacement(record.words, 2, definition);
  if (!placement.ok()) return Failure{line, "events: " + placement.status().message()};
  if (record.body.empty()) return Failure{line, "events: expected a header of column names"};
  Result<EventHeader> header = ReadHeader(record.body[0].text, *definition.schema);
  if (!header.ok()) return Failure{record.body[0].number, "events: " + header.status().message()};
  Chunk source(header->schema);
  for (size_t i = 1; i < record.body.size(); ++i) {
    const ScriptLine& row = record.body[i];
    std::vector<std::string> cells = SplitCells(row.text);
    if (cells.size() != source.num_columns()) {
      return Failure{row.number, fmt::format("events: {} cells for {} columns", cells.size(),
                                             source.num_columns())};
    }
    for (size_t c = 0; c < cells.size(); ++c) {
      Status status = AppendCell(cells[c], &source.mutable_column(c));
      if (!status.ok()) {
        return Failure{row.number, fmt::format("events: column {}: {}",
                                               header->schema->field(c).name, status.message())};
      }
    }
  }
  Status appended = AppendEvents(**stream, source, header->sources, *placement);
  if (!appended.ok()) return Failure{line, "events: " + appended.message()};
  return std::nullopt;
}

std::optional<Failure> LogicRunner::RunIngest(const Record& record) {
  int line = record.directive.number;
  const std::vector<std::string>& words = record.words;
  if (words.size() < 4 || words[2] != "from") {
    return Failure{line,
                   "ingest: expected 'ingest STREAM from VIEW [partition N] [ingested TIME]'"};
  }
  Result<StreamState*> stream = FindStream(words[1]);
  if (!stream.ok()) return Failure{line, "ingest: " + stream.status().message()};
  const Schema& schema = *(*stream)->definition->schema;
  Result<EventPlacement> placement = ReadPlacement(words, 4, *(*stream)->definition);
  if (!placement.ok()) return Failure{line, "ingest: " + placement.status().message()};
  Result<Chunk> rows = Evaluate(words[3]);
  if (!rows.ok()) return Failure{line, "ingest: " + words[3] + ": " + rows.status().ToString()};
  EventSources sources;
  for (const Field& field : schema.fields()) {
    std::optional<size_t> index = rows->schema()->FindField(field.name);
    if (!index || rows->schema()->field(*index).type != field.type) {
      return Failure{
          line, fmt::format("ingest: {} has no {} column {}; its columns are {}", words[3],
                            DataTypeName(field.type), field.name, ColumnList(*rows->schema()))};
    }
    sources.stream_columns.push_back(index);
  }
  Status appended = AppendEvents(**stream, *rows, sources, *placement);
  if (!appended.ok()) return Failure{line, "ingest: " + appended.message()};
  return std::nullopt;
}

}  // namespace braid::sql::logic
