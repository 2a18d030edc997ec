#include "server/event_decoder.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "common/time.h"
#include "server/json_array.h"

namespace braid::server {

namespace dom = simdjson::dom;

static_assert(simdjson::SIMDJSON_PADDING <= kJsonPadding,
              "PaddedText must satisfy simdjson's padding");

namespace {

// The parser is sized up front for typical events so that it does not reallocate as it meets
// longer lines; it still grows for a longer one.
constexpr size_t kInitialParserCapacity = 8 << 10;

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// `lower` is already lower case.
bool EqualsIgnoringCase(std::string_view key, std::string_view lower) {
  if (key.size() != lower.size()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    if (AsciiLower(key[i]) != lower[i]) return false;
  }
  return true;
}

std::string_view JsonTypeName(dom::element_type type) {
  switch (type) {
    case dom::element_type::ARRAY:
      return "an array";
    case dom::element_type::OBJECT:
      return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return "a number";
    case dom::element_type::STRING:
      return "a string";
    case dom::element_type::BOOL:
      return "a boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "an unknown value";
}

bool IsNumber(dom::element_type type) {
  return type == dom::element_type::INT64 || type == dom::element_type::UINT64 ||
         type == dom::element_type::DOUBLE;
}

Status Malformed(simdjson::error_code code) {
  return Status(StatusCode::kDataError,
                fmt::format("malformed JSON: {}", simdjson::error_message(code)));
}

Status WrongType(DataType column_type, std::string_view expected, dom::element_type got) {
  return Status(StatusCode::kDataError,
                fmt::format("expected {} ({}), got {}", DataTypeName(column_type), expected,
                            JsonTypeName(got)));
}

// A JSON number that must be an integer (BIGINT, epoch milliseconds): an int64, or a double
// whose fraction is zero and which lies in int64 range.
Result<int64_t> IntegerOf(const dom::element& value, DataType column_type) {
  auto out_of_range = [&] {
    return Status(StatusCode::kDataError,
                  fmt::format("integer out of range for {}", DataTypeName(column_type)));
  };
  switch (value.type()) {
    case dom::element_type::INT64:
      return value.get_int64().value_unsafe();
    case dom::element_type::UINT64:
      return out_of_range();
    default:
      break;
  }
  const double d = value.get_double().value_unsafe();
  // 2^63 is exactly representable; every double below it in magnitude converts exactly.
  constexpr double kLimit = 9223372036854775808.0;
  if (std::trunc(d) != d) {
    return Status(StatusCode::kDataError,
                  fmt::format("expected an integer for {}, got {}", DataTypeName(column_type), d));
  }
  if (d >= kLimit || d < -kLimit) return out_of_range();
  return static_cast<int64_t>(d);
}

// Epoch milliseconds to a Timestamp, refusing values whose microseconds overflow.
Result<int64_t> MicrosFromMillis(int64_t millis) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 1000;
  if (millis > kMax || millis < -kMax) {
    return Status(StatusCode::kDataError, "epoch milliseconds out of range for TIMESTAMP");
  }
  return millis * 1000;
}

// A TIMESTAMP value: an RFC 3339 string or integer epoch milliseconds, as microseconds.
Result<int64_t> TimestampMicrosOf(const dom::element& value) {
  const dom::element_type type = value.type();
  if (type == dom::element_type::STRING) {
    ASSIGN_OR_RETURN(Timestamp t, ParseRfc3339(value.get_string().value_unsafe()));
    return t.micros;
  }
  if (!IsNumber(type)) {
    return WrongType(DataType::kTimestamp, "an RFC 3339 string or integer epoch milliseconds",
                     type);
  }
  ASSIGN_OR_RETURN(int64_t millis, IntegerOf(value, DataType::kTimestamp));
  return MicrosFromMillis(millis);
}

}  // namespace

EventFormat DetectEventFormat(std::string_view content_type, std::string_view body) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  auto is = [&](std::string_view name) { return EqualsIgnoringCase(media, name); };
  if (is("application/x-ndjson") || is("application/jsonl") || is("application/x-jsonlines")) {
    return EventFormat::kNdjson;
  }
  for (char c : body) {
    if (!IsJsonSpace(c)) return c == '[' ? EventFormat::kJsonArray : EventFormat::kNdjson;
  }
  return EventFormat::kNdjson;
}

// A column's value for the event being decoded, before it is appended.
struct StagedValue {
  enum class State : uint8_t { kAbsent, kNull, kSet };
  State state = State::kAbsent;
  bool boolean = false;
  int64_t int64 = 0;  // BIGINT, TIMESTAMP (microseconds)
  double real = 0;
  std::string_view text;  // STRING; points into the parser's document until the next event
};

// Why one event was rejected.
struct EventFault {
  std::string field;
  Status status;
};

class EventDecoder::Impl {
 public:
  Impl(SchemaPtr schema, std::optional<size_t> timestamp_column)
      : schema_(std::move(schema)), timestamp_column_(timestamp_column) {
    for (const Field& field : schema_->fields()) {
      std::string lower = field.name;
      for (char& c : lower) c = AsciiLower(c);
      lower_names_.push_back(std::move(lower));
    }
    row_.resize(schema_->size());
  }

  Result<DecodedEvents> Decode(const PaddedText& body, EventFormat format);

 private:
  void DecodeNdjson(const PaddedText& body, DecodedEvents& out);
  Status DecodeArray(const PaddedText& body, DecodedEvents& out);
  // Decodes the event in `text` (followed by kJsonPadding readable bytes) into `out`, or records
  // why it is bad.
  void DecodeEvent(std::string_view text, DecodedEvents& out);
  std::optional<EventFault> StageMembers(const dom::object& object);
  Status StageValue(const dom::element& value, size_t column);
  std::optional<EventFault> CheckRequired() const;
  void AppendStaged(Chunk& out) const;
  std::optional<size_t> FindColumn(std::string_view key, size_t hint) const;

  SchemaPtr schema_;
  std::optional<size_t> timestamp_column_;
  std::vector<std::string> lower_names_;
  std::vector<StagedValue> row_;
  dom::parser parser_;
};

Result<DecodedEvents> EventDecoder::Impl::Decode(const PaddedText& body, EventFormat format) {
  DecodedEvents out{.events = Chunk(schema_), .errors = {}, .total = 0};
  if (parser_.capacity() < kInitialParserCapacity) {
    if (auto error = parser_.allocate(kInitialParserCapacity)) {
      return Status(StatusCode::kOutOfMemory,
                    fmt::format("JSON parser: {}", simdjson::error_message(error)));
    }
  }
  if (format == EventFormat::kNdjson) {
    DecodeNdjson(body, out);
  } else {
    RETURN_IF_ERROR(DecodeArray(body, out));
  }
  return out;
}

void EventDecoder::Impl::DecodeNdjson(const PaddedText& body, DecodedEvents& out) {
  const std::string_view text = body.view();
  size_t pos = 0;
  while (pos < text.size()) {
    const void* newline = std::memchr(text.data() + pos, '\n', text.size() - pos);
    const size_t end = newline
                           ? static_cast<size_t>(static_cast<const char*>(newline) - text.data())
                           : text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t first = 0;
    while (first < line.size() && IsJsonSpace(line[first])) ++first;
    if (first < line.size()) DecodeEvent(line, out);
    pos = end + 1;
  }
}

Status EventDecoder::Impl::DecodeArray(const PaddedText& body, DecodedEvents& out) {
  ASSIGN_OR_RETURN(std::vector<std::string_view> elements, SplitJsonArray(body));
  for (std::string_view element : elements) DecodeEvent(element, out);
  return Status::Ok();
}

void EventDecoder::Impl::DecodeEvent(std::string_view text, DecodedEvents& out) {
  const uint64_t index = out.total++;
  auto reject = [&](std::string field, const Status& status) {
    out.errors.push_back(EventError{.index = index,
                                    .field = std::move(field),
                                    .message = status.message(),
                                    .raw = std::string(text)});
  };
  dom::element document;
  if (auto error = parser_.parse(text.data(), text.size(), false).get(document)) {
    return reject("", Malformed(error));
  }
  if (document.type() != dom::element_type::OBJECT) {
    return reject(
        "", Status(StatusCode::kDataError, fmt::format("an event must be a JSON object, got {}",
                                                       JsonTypeName(document.type()))));
  }
  for (StagedValue& value : row_) value.state = StagedValue::State::kAbsent;
  std::optional<EventFault> fault = StageMembers(document.get_object().value_unsafe());
  if (!fault) fault = CheckRequired();
  if (fault) return reject(std::move(fault->field), fault->status);
  AppendStaged(out.events);
}

std::optional<EventFault> EventDecoder::Impl::StageMembers(const dom::object& object) {
  size_t hint = 0;
  for (const dom::key_value_pair& member : object) {
    std::optional<size_t> column = FindColumn(member.key, hint);
    if (!column) {
      return EventFault{
          std::string(member.key),
          Status(StatusCode::kDataError,
                 fmt::format("unknown field '{}': the stream has no such column", member.key))};
    }
    const std::string& name = schema_->field(*column).name;
    if (row_[*column].state != StagedValue::State::kAbsent) {
      return EventFault{name, Status(StatusCode::kDataError,
                                     fmt::format("field '{}' appears more than once", name))};
    }
    if (Status status = StageValue(member.value, *column); !status.ok()) {
      return EventFault{name, std::move(status)};
    }
    hint = *column + 1;
  }
  return std::nullopt;
}

Status EventDecoder::Impl::StageValue(const dom::element& value, size_t column) {
  StagedValue& staged = row_[column];
  const DataType column_type = schema_->field(column).type;
  const dom::element_type type = value.type();
  if (type == dom::element_type::NULL_VALUE) {
    staged.state = StagedValue::State::kNull;
    return Status::Ok();
  }
  switch (column_type) {
    case DataType::kBigint: {
      if (!IsNumber(type)) return WrongType(column_type, "an integer", type);
      ASSIGN_OR_RETURN(staged.int64, IntegerOf(value, column_type));
      break;
    }
    case DataType::kDouble: {
      if (!IsNumber(type)) return WrongType(column_type, "a number", type);
      staged.real = value.get_double().value_unsafe();
      break;
    }
    case DataType::kBoolean: {
      if (type != dom::element_type::BOOL) return WrongType(column_type, "true or false", type);
      staged.boolean = value.get_bool().value_unsafe();
      break;
    }
    case DataType::kString: {
      if (type != dom::element_type::STRING) return WrongType(column_type, "a string", type);
      staged.text = value.get_string().value_unsafe();
      break;
    }
    case DataType::kTimestamp: {
      ASSIGN_OR_RETURN(staged.int64, TimestampMicrosOf(value));
      break;
    }
  }
  staged.state = StagedValue::State::kSet;
  return Status::Ok();
}

std::optional<EventFault> EventDecoder::Impl::CheckRequired() const {
  for (size_t i = 0; i < row_.size(); ++i) {
    if (row_[i].state == StagedValue::State::kSet) continue;
    const Field& field = schema_->field(i);
    const bool absent = row_[i].state == StagedValue::State::kAbsent;
    if (timestamp_column_ == i) {
      return EventFault{field.name, Status(StatusCode::kDataError,
                                           absent ? "missing event time (the stream's timestamp)"
                                                  : "null event time (the stream's timestamp)")};
    }
    if (!field.nullable) {
      return EventFault{
          field.name, Status(StatusCode::kDataError, absent ? "missing value for a NOT NULL column"
                                                            : "null value for a NOT NULL column")};
    }
  }
  return std::nullopt;
}

void EventDecoder::Impl::AppendStaged(Chunk& out) const {
  for (size_t i = 0; i < row_.size(); ++i) {
    const StagedValue& staged = row_[i];
    Column& column = out.mutable_column(i);
    if (staged.state != StagedValue::State::kSet) {
      column.AppendNull();
      continue;
    }
    switch (column.type()) {
      case DataType::kBoolean:
        column.AppendBool(staged.boolean);
        break;
      case DataType::kBigint:
      case DataType::kTimestamp:
        column.AppendInt64(staged.int64);
        break;
      case DataType::kDouble:
        column.AppendDouble(staged.real);
        break;
      case DataType::kString:
        column.AppendString(staged.text);
        break;
    }
  }
}

std::optional<size_t> EventDecoder::Impl::FindColumn(std::string_view key, size_t hint) const {
  // Producers usually send the members in schema order and as declared: try the next column,
  // byte for byte, before the case-insensitive search.
  if (hint < lower_names_.size() && key == schema_->field(hint).name) return hint;
  for (size_t i = 0; i < lower_names_.size(); ++i) {
    if (EqualsIgnoringCase(key, lower_names_[i])) return i;
  }
  return std::nullopt;
}

EventDecoder::EventDecoder(SchemaPtr schema, std::optional<size_t> timestamp_column)
    : impl_(std::make_unique<Impl>(std::move(schema), timestamp_column)) {}

EventDecoder::~EventDecoder() = default;

Result<DecodedEvents> EventDecoder::Decode(const PaddedText& body, EventFormat format) {
  return impl_->Decode(body, format);
}

}  // namespace braid::server
