// EventDecoder: every column type, NULLs and missing members, unknown and repeated members, bad
// timestamps, malformed lines, NDJSON and arrays, UTF-8, and the exact index/field/message/raw of
// every rejected event. Expected chunks are built independently with Column appends.
#include "server/event_decoder.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/time.h"

namespace braid::server {
namespace {

// ts TIMESTAMP NOT NULL (the stream's timestamp), id BIGINT NOT NULL, name STRING, value
// DOUBLE, flag BOOLEAN, at TIMESTAMP.
SchemaPtr TestSchema() {
  return std::make_shared<const Schema>(std::vector<Field>{
      {"ts", DataType::kTimestamp, false},
      {"id", DataType::kBigint, false},
      {"name", DataType::kString, true},
      {"value", DataType::kDouble, true},
      {"flag", DataType::kBoolean, true},
      {"at", DataType::kTimestamp, true},
  });
}

Result<DecodedEvents> DecodeText(std::string_view text, EventFormat format = EventFormat::kNdjson) {
  EventDecoder decoder(TestSchema(), 0);
  return decoder.Decode(PaddedText(text), format);
}

DecodedEvents DecodeOk(std::string_view text, EventFormat format = EventFormat::kNdjson) {
  Result<DecodedEvents> decoded = DecodeText(text, format);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? std::move(decoded).value() : DecodedEvents{};
}

int64_t Micros(std::string_view rfc3339) {
  Result<Timestamp> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok());
  return t.ok() ? t->micros : 0;
}

// One expected row; std::nullopt = NULL.
struct Row {
  int64_t ts;
  int64_t id;
  std::optional<std::string> name;
  std::optional<double> value;
  std::optional<bool> flag;
  std::optional<int64_t> at;
};

Chunk Expected(const std::vector<Row>& rows) {
  Chunk chunk(TestSchema());
  for (const Row& r : rows) {
    chunk.mutable_column(0).AppendInt64(r.ts);
    chunk.mutable_column(1).AppendInt64(r.id);
    r.name ? chunk.mutable_column(2).AppendString(*r.name) : chunk.mutable_column(2).AppendNull();
    r.value ? chunk.mutable_column(3).AppendDouble(*r.value) : chunk.mutable_column(3).AppendNull();
    r.flag ? chunk.mutable_column(4).AppendBool(*r.flag) : chunk.mutable_column(4).AppendNull();
    r.at ? chunk.mutable_column(5).AppendInt64(*r.at) : chunk.mutable_column(5).AppendNull();
  }
  return chunk;
}

// Decodes one NDJSON event that must be rejected and returns its error.
EventError OnlyError(std::string_view line) {
  DecodedEvents decoded = DecodeOk(line);
  EXPECT_EQ(decoded.total, 1u);
  EXPECT_EQ(decoded.events.num_rows(), 0u);
  EXPECT_EQ(decoded.errors.size(), 1u);
  return decoded.errors.empty() ? EventError{} : decoded.errors[0];
}

constexpr std::string_view kTs = R"("ts":"2026-11-23T10:00:00.123Z")";

TEST(EventDecoderTest, DecodesEveryTypeFromNdjson) {
  DecodedEvents decoded = DecodeOk(
      R"({"ts":"2026-11-23T10:00:00.123Z","id":7,"name":"a","value":1.5,"flag":true,)"
      R"("at":"2026-11-23T11:00:00+01:00"})"
      "\n"
      R"({"ts":1700000000123,"id":-9223372036854775808,"name":"","value":-2,"flag":false,"at":0})"
      "\n");
  EXPECT_EQ(decoded.total, 2u);
  EXPECT_TRUE(decoded.errors.empty());
  EXPECT_EQ(decoded.events, Expected({{Micros("2026-11-23T10:00:00.123Z"), 7, "a", 1.5, true,
                                       Micros("2026-11-23T10:00:00Z")},
                                      {1700000000123000, INT64_MIN, "", -2.0, false, 0}}));
}

TEST(EventDecoderTest, NullAndMissingNullableMembersAreNull) {
  DecodedEvents decoded =
      DecodeOk(fmt::format(R"({{{},"id":1,"name":null,"value":null,"flag":null,"at":null}})"
                           "\n"
                           R"({{{},"id":2}})",
                           kTs, kTs));
  const int64_t ts = Micros("2026-11-23T10:00:00.123Z");
  EXPECT_EQ(decoded.events,
            Expected({{ts, 1, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
                      {ts, 2, std::nullopt, std::nullopt, std::nullopt, std::nullopt}}));
  EXPECT_EQ(decoded.events.column(2).null_count(), 2u);
}

TEST(EventDecoderTest, MembersMatchColumnsCaseInsensitivelyInAnyOrder) {
  DecodedEvents decoded =
      DecodeOk(R"({"FLAG":true,"Name":"x","ID":3,"Ts":"2026-11-23T10:00:00.123Z"})");
  EXPECT_EQ(
      decoded.events,
      Expected({{Micros("2026-11-23T10:00:00.123Z"), 3, "x", std::nullopt, true, std::nullopt}}));
}

TEST(EventDecoderTest, NotNullColumnMissingOrNull) {
  EventError missing = OnlyError(fmt::format(R"({{{},"name":"x"}})", kTs));
  EXPECT_EQ(missing.index, 0u);
  EXPECT_EQ(missing.field, "id");
  EXPECT_EQ(missing.message, "missing value for a NOT NULL column");
  EventError null = OnlyError(fmt::format(R"({{{},"id":null}})", kTs));
  EXPECT_EQ(null.field, "id");
  EXPECT_EQ(null.message, "null value for a NOT NULL column");
}

TEST(EventDecoderTest, TimestampColumnMustHaveAValue) {
  EventError missing = OnlyError(R"({"id":1})");
  EXPECT_EQ(missing.field, "ts");
  EXPECT_EQ(missing.message, "missing event time (the stream's timestamp)");
  EventError null = OnlyError(R"({"ts":null,"id":1})");
  EXPECT_EQ(null.field, "ts");
  EXPECT_EQ(null.message, "null event time (the stream's timestamp)");
  // Even a nullable timestamp column may not be NULL when it is the stream's event time.
  EventDecoder decoder(TestSchema(), 5);
  Result<DecodedEvents> decoded =
      decoder.Decode(PaddedText(fmt::format(R"({{{},"id":1}})", kTs)), EventFormat::kNdjson);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->errors.size(), 1u);
  EXPECT_EQ(decoded->errors[0].field, "at");
}

TEST(EventDecoderTest, UnknownAndRepeatedMembers) {
  EventError unknown = OnlyError(fmt::format(R"({{{},"id":1,"Colour":"red"}})", kTs));
  EXPECT_EQ(unknown.field, "Colour");
  EXPECT_EQ(unknown.message, "unknown field 'Colour': the stream has no such column");
  EventError repeated = OnlyError(fmt::format(R"({{{},"id":1,"ID":2}})", kTs));
  EXPECT_EQ(repeated.field, "id");
  EXPECT_EQ(repeated.message, "field 'id' appears more than once");
}

TEST(EventDecoderTest, BigintRules) {
  auto id_of = [](std::string_view json) {
    DecodedEvents decoded = DecodeOk(fmt::format(R"({{{},"id":{}}})", kTs, json));
    EXPECT_TRUE(decoded.errors.empty()) << json;
    return decoded.events.num_rows() == 1 ? decoded.events.column(1).int64s()[0] : -1;
  };
  EXPECT_EQ(id_of("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(id_of("3.0"), 3);
  EXPECT_EQ(id_of("1e3"), 1000);
  EXPECT_EQ(id_of("-0.0"), 0);
  EXPECT_EQ(OnlyError(fmt::format(R"({{{},"id":1.5}})", kTs)).message,
            "expected an integer for BIGINT, got 1.5");
  EXPECT_EQ(OnlyError(fmt::format(R"({{{},"id":9223372036854775808}})", kTs)).message,
            "integer out of range for BIGINT");
  EXPECT_EQ(OnlyError(fmt::format(R"({{{},"id":1e19}})", kTs)).message,
            "integer out of range for BIGINT");
  EventError text = OnlyError(fmt::format(R"({{{},"id":"5"}})", kTs));
  EXPECT_EQ(text.field, "id");
  EXPECT_EQ(text.message, "expected BIGINT (an integer), got a string");
}

TEST(EventDecoderTest, DoubleBooleanAndStringRules) {
  DecodedEvents decoded = DecodeOk(fmt::format(R"({{{},"id":1,"value":42}})", kTs));
  ASSERT_EQ(decoded.events.num_rows(), 1u);
  EXPECT_EQ(decoded.events.column(3).doubles()[0], 42.0);
  EXPECT_EQ(OnlyError(fmt::format(R"({{{},"id":1,"value":"1.5"}})", kTs)).message,
            "expected DOUBLE (a number), got a string");
  EXPECT_EQ(OnlyError(fmt::format(R"({{{},"id":1,"flag":1}})", kTs)).message,
            "expected BOOLEAN (true or false), got a number");
  EXPECT_EQ(OnlyError(fmt::format(R"({{{},"id":1,"name":12}})", kTs)).message,
            "expected STRING (a string), got a number");
  EXPECT_EQ(OnlyError(fmt::format(R"({{{},"id":1,"name":{{"a":1}}}})", kTs)).message,
            "expected STRING (a string), got an object");
  EXPECT_EQ(OnlyError(fmt::format(R"({{{},"id":1,"name":["a"]}})", kTs)).message,
            "expected STRING (a string), got an array");
}

TEST(EventDecoderTest, TimestampRules) {
  EventError bad = OnlyError(R"({"ts":"2026-13-01T00:00:00Z","id":1})");
  EXPECT_EQ(bad.field, "ts");
  EXPECT_EQ(bad.message, "invalid timestamp '2026-13-01T00:00:00Z': month out of range");
  EXPECT_EQ(OnlyError(R"({"ts":"yesterday","id":1})").message,
            "invalid timestamp 'yesterday': too short for RFC 3339 (YYYY-MM-DDTHH:MM:SSZ)");
  EXPECT_EQ(OnlyError(R"({"ts":1.5,"id":1})").message,
            "expected an integer for TIMESTAMP, got 1.5");
  EXPECT_EQ(OnlyError(R"({"ts":true,"id":1})").message,
            "expected TIMESTAMP (an RFC 3339 string or integer epoch milliseconds), got a "
            "boolean");
  EXPECT_EQ(OnlyError(R"({"ts":9223372036854776,"id":1})").message,
            "epoch milliseconds out of range for TIMESTAMP");
  DecodedEvents decoded = DecodeOk(R"({"ts":-1,"id":1})"
                                   "\n"
                                   R"({"ts":1.7e12,"id":2})");
  ASSERT_EQ(decoded.events.num_rows(), 2u);
  EXPECT_EQ(decoded.events.column(0).int64s()[0], -1000);
  EXPECT_EQ(decoded.events.column(0).int64s()[1], 1700000000000000);
}

TEST(EventDecoderTest, MalformedLinesAreBadEventsAndTheRestIsKept) {
  const std::string good = fmt::format(R"({{{},"id":1}})", kTs);
  const std::string body =
      fmt::format("{}\n{{\"ts\": \n{}\n[1,2]\n42\n{} {}\n{{\"id\":tru}}\n", good, good, good, good);
  DecodedEvents decoded = DecodeOk(body);
  EXPECT_EQ(decoded.total, 7u);
  EXPECT_EQ(decoded.events.num_rows(), 2u);
  ASSERT_EQ(decoded.errors.size(), 5u);
  EXPECT_EQ(decoded.errors[0].index, 1u);
  EXPECT_EQ(decoded.errors[0].field, "");
  EXPECT_EQ(decoded.errors[0].raw, "{\"ts\": ");
  EXPECT_TRUE(decoded.errors[0].message.starts_with("malformed JSON: "))
      << decoded.errors[0].message;
  EXPECT_EQ(decoded.errors[1].index, 3u);
  EXPECT_EQ(decoded.errors[1].message, "an event must be a JSON object, got an array");
  EXPECT_EQ(decoded.errors[2].index, 4u);
  EXPECT_EQ(decoded.errors[2].message, "an event must be a JSON object, got a number");
  EXPECT_EQ(decoded.errors[3].index, 5u);
  EXPECT_EQ(decoded.errors[3].raw, good + " " + good);
  EXPECT_TRUE(decoded.errors[3].message.starts_with("malformed JSON: "));
  EXPECT_EQ(decoded.errors[4].index, 6u);
  EXPECT_TRUE(decoded.errors[4].message.starts_with("malformed JSON: "));
}

TEST(EventDecoderTest, BlankLinesAreSkippedAndCrLfAccepted) {
  const std::string good = fmt::format(R"({{{},"id":1}})", kTs);
  DecodedEvents decoded =
      DecodeOk(fmt::format("\n  \n{}\r\n\t\r\n{}\r\n{{\"id\":2}}\r\n\n", good, good));
  EXPECT_EQ(decoded.total, 3u);
  EXPECT_EQ(decoded.events.num_rows(), 2u);
  ASSERT_EQ(decoded.errors.size(), 1u);
  EXPECT_EQ(decoded.errors[0].index, 2u);
  EXPECT_EQ(decoded.errors[0].raw, "{\"id\":2}");
  EXPECT_EQ(DecodeOk("").total, 0u);
  EXPECT_EQ(DecodeOk(" \n\n ").total, 0u);
}

TEST(EventDecoderTest, Utf8IsKeptAndEscapesAreDecoded) {
  DecodedEvents decoded =
      DecodeOk(fmt::format(R"({{{},"id":1,"name":"température 温度 🌡"}})"
                           "\n"
                           R"({{{},"id":2,"name":"caf\u00e9 \ud83c\udf21 \"q\" \\ \n"}})",
                           kTs, kTs));
  ASSERT_TRUE(decoded.errors.empty());
  ASSERT_EQ(decoded.events.num_rows(), 2u);
  EXPECT_EQ(decoded.events.column(2).StringAt(0), "température 温度 🌡");
  EXPECT_EQ(decoded.events.column(2).StringAt(1), "café 🌡 \"q\" \\ \n");
  // Invalid UTF-8 makes the event malformed, not the request.
  DecodedEvents bad =
      DecodeOk(fmt::format("{{{},\"id\":1,\"name\":\"\xff\xfe\"}}\n{{{},\"id\":2}}", kTs, kTs));
  EXPECT_EQ(bad.events.num_rows(), 1u);
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_TRUE(bad.errors[0].message.starts_with("malformed JSON: "));
}

TEST(EventDecoderTest, ArraysDecodeLikeNdjson) {
  const std::string body =
      fmt::format("[\n  {{{},\"id\":1,\"name\":\"a\"}},\n  {{{},\"id\":2}}\n]\n", kTs, kTs);
  EXPECT_EQ(DetectEventFormat("application/json", body), EventFormat::kJsonArray);
  DecodedEvents decoded = DecodeOk(body, EventFormat::kJsonArray);
  const int64_t ts = Micros("2026-11-23T10:00:00.123Z");
  EXPECT_EQ(decoded.events,
            Expected({{ts, 1, "a", std::nullopt, std::nullopt, std::nullopt},
                      {ts, 2, std::nullopt, std::nullopt, std::nullopt, std::nullopt}}));
  EXPECT_EQ(DecodeOk("[]", EventFormat::kJsonArray).total, 0u);
  EXPECT_EQ(DecodeOk(" [ ] ", EventFormat::kJsonArray).total, 0u);
}

TEST(EventDecoderTest, ArrayElementErrorsKeepTheirRawText) {
  const std::string good = fmt::format(R"({{{},"id":1}})", kTs);
  const std::string body =
      fmt::format(R"([{}, 42 , "x", [1, 2], {{"id": tru}}, {{"ts":null,"id":1}}, {}])", good, good);
  DecodedEvents decoded = DecodeOk(body, EventFormat::kJsonArray);
  EXPECT_EQ(decoded.total, 7u);
  EXPECT_EQ(decoded.events.num_rows(), 2u);
  ASSERT_EQ(decoded.errors.size(), 5u);
  std::vector<std::string> raws;
  for (const EventError& e : decoded.errors) raws.push_back(e.raw);
  EXPECT_EQ(raws, (std::vector<std::string>{"42", "\"x\"", "[1, 2]", "{\"id\": tru}",
                                            "{\"ts\":null,\"id\":1}"}));
  EXPECT_EQ(decoded.errors[0].index, 1u);
  EXPECT_EQ(decoded.errors[0].message, "an event must be a JSON object, got a number");
  EXPECT_TRUE(decoded.errors[3].message.starts_with("malformed JSON: "));
  EXPECT_EQ(decoded.errors[4].index, 5u);
  EXPECT_EQ(decoded.errors[4].field, "ts");
}

TEST(EventDecoderTest, AnArrayThatCannotBeSplitFailsAsAWholeWithAPosition) {
  for (std::string_view body : {"[{\"id\":1}", "[{\"id\":1}\n, {\"id\":\"unterminated}]",
                                "[{\"id\":1}] trailing", "[{\"id\":1} {\"id\":2}]"}) {
    Result<DecodedEvents> decoded = DecodeText(body, EventFormat::kJsonArray);
    ASSERT_FALSE(decoded.ok()) << body;
    EXPECT_EQ(decoded.status().code(), StatusCode::kDataError);
    EXPECT_TRUE(decoded.status().message().starts_with("malformed JSON array of events: "))
        << decoded.status().message();
  }
  Result<DecodedEvents> decoded =
      DecodeText("[{\"id\":1},\n {\"id\":2} {\"id\":3}]", EventFormat::kJsonArray);
  ASSERT_FALSE(decoded.ok());
  ASSERT_TRUE(decoded.status().position().has_value());
  EXPECT_EQ(decoded.status().position()->line, 2);
  EXPECT_EQ(decoded.status().position()->column, 11);
}

TEST(EventDecoderTest, DetectsTheFormat) {
  EXPECT_EQ(DetectEventFormat("", " \n[{}]"), EventFormat::kJsonArray);
  EXPECT_EQ(DetectEventFormat("", "{}\n{}"), EventFormat::kNdjson);
  EXPECT_EQ(DetectEventFormat("application/json", "{}"), EventFormat::kNdjson);
  EXPECT_EQ(DetectEventFormat("application/x-ndjson; charset=utf-8", "[1]"), EventFormat::kNdjson);
  EXPECT_EQ(DetectEventFormat("Application/X-NDJSON", "[1]"), EventFormat::kNdjson);
  EXPECT_EQ(DetectEventFormat("", ""), EventFormat::kNdjson);
}

TEST(EventDecoderTest, ManyEventsMatchAnIndependentlyBuiltChunk) {
  std::string body;
  std::vector<Row> rows;
  for (int i = 0; i < 20000; ++i) {
    const int64_t ms = 1700000000000 + int64_t{i} * 7;
    Row row{ms * 1000,
            i * 3 - 1000,
            fmt::format("device-{}", i % 97),
            i % 5 == 0 ? std::nullopt : std::optional<double>(i * 0.25),
            i % 2 == 0,
            std::nullopt};
    body += fmt::format(R"({{"ts":{},"id":{},"name":"{}")", ms, row.id, *row.name);
    if (row.value) body += fmt::format(R"(,"value":{})", *row.value);
    body += fmt::format(R"(,"flag":{}}})", *row.flag ? "true" : "false");
    body += '\n';
    rows.push_back(row);
  }
  DecodedEvents decoded = DecodeOk(body);
  EXPECT_TRUE(decoded.errors.empty());
  EXPECT_EQ(decoded.total, rows.size());
  EXPECT_EQ(decoded.events, Expected(rows));
}

}  // namespace
}  // namespace braid::server
