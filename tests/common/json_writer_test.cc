#include "common/json_writer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <limits>

namespace braid {
namespace {

TEST(JsonWriterTest, NestsWithCommas) {
  JsonWriter w;
  w.BeginObject().Key("a").Int(1).Key("b").BeginArray().Bool(true).Null().Double(1.5).EndArray();
  w.Key("c").BeginObject().EndObject().Key("d").Uint(18446744073709551615ull).EndObject();
  EXPECT_EQ(w.str(), R"({"a":1,"b":[true,null,1.5],"c":{},"d":18446744073709551615})");
}

TEST(JsonWriterTest, EscapesStringsAndReplacesInvalidUtf8) {
  JsonWriter w;
  w.BeginArray().String("q\"b\\n\n\t\x01").String("é€😀").String("bad\xC3(").EndArray();
  EXPECT_EQ(w.str(), "[\"q\\\"b\\\\n\\n\\t\\u0001\",\"é€😀\",\"bad\xEF\xBF\xBD(\"]");
}

// Plain runs are copied in one piece: every escape between, before and after them, and runs
// longer than a small string, come out as one character at a time would write them.
TEST(JsonWriterTest, EscapesBetweenPlainRuns) {
  JsonWriter w;
  w.Reserve(4);  // smaller than the document: only an allocation hint
  const std::string long_run(100, 'x');
  w.BeginArray().String("").String("\r").String("a\rb\x1f\x7f" + long_run + "\"");
  w.String("\xF0\x9F\x98\x80z\xFF" "end\\").String("device-00042").EndArray();
  EXPECT_EQ(w.str(), "[\"\",\"\\r\",\"a\\rb\\u001f\x7f" + long_run +
                         "\\\"\",\"\xF0\x9F\x98\x80z\xEF\xBF\xBD" "end\\\\\",\"device-00042\"]");
}

// Eight bytes are looked at together: each byte value at each place of a 17-byte string of
// plain ones is written as it is alone (escaped, replaced or as it is).
TEST(JsonWriterTest, EveryByteIsFoundAtEveryPlaceOfALongerString) {
  for (int byte = 0; byte < 256; ++byte) {
    std::string alone;
    AppendJsonString(&alone, std::string(1, static_cast<char>(byte)));
    alone = alone.substr(1, alone.size() - 2);  // without the quotes
    for (size_t at = 0; at < 17; ++at) {
      std::string text(17, 'a');
      text[at] = static_cast<char>(byte);
      std::string written;
      AppendJsonString(&written, text);
      EXPECT_EQ(written, "\"" + std::string(at, 'a') + alone + std::string(16 - at, 'a') + "\"")
          << byte << " at " << at;
    }
  }
}

// Timestamps are RFC 3339 strings with microseconds, also outside years 0..9999, and a
// TIMESTAMP cell writes the same.
TEST(JsonWriterTest, TimestampsAsRfc3339Strings) {
  JsonWriter w;
  w.BeginObject().Key("t").Time(Timestamp{1795428000123000}).Key("u").Time(Timestamp{-1});
  w.Key("far").Time(Timestamp{int64_t{253402300800} * 1'000'000}).Key("cell");
  Column cells(DataType::kTimestamp);
  cells.AppendInt64(0);
  w.Cell(cells, 0);
  w.EndObject();
  EXPECT_EQ(w.str(),
            R"({"t":"2026-11-23T10:00:00.123000Z","u":"1969-12-31T23:59:59.999999Z",)"
            R"("far":"10000-01-01T00:00:00.000000Z","cell":"1970-01-01T00:00:00.000000Z"})");
  std::string appended = "at ";
  AppendRfc3339(Timestamp{1795428000123000}, &appended);
  EXPECT_EQ(appended, "at 2026-11-23T10:00:00.123000Z");
}

// Strings that grow most when escaped, long and short, as cells and as strings: each escape is
// written in full (the room made for a row's text counts them).
TEST(JsonWriterTest, StringsThatGrowMostWhenEscaped) {
  const std::string controls(100, '\x01'), invalid(100, '\xFF'), quotes(70, '"');
  std::string controls_json, invalid_json, quotes_json;
  for (int i = 0; i < 100; ++i) controls_json += "\\u0001";
  for (int i = 0; i < 100; ++i) invalid_json += "\xEF\xBF\xBD";
  for (int i = 0; i < 70; ++i) quotes_json += "\\\"";
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"s", DataType::kString, false}});
  Chunk rows(schema);
  for (const std::string* s : {&controls, &invalid, &quotes}) {
    rows.mutable_column(0).AppendString(*s);
    rows.mutable_column(0).AppendString(s->substr(0, 3));
  }
  JsonWriter w;
  w.BeginArray();
  EXPECT_EQ(w.Rows(rows, 0), rows.num_rows());
  w.String(controls).EndArray();
  EXPECT_EQ(w.str(), "[[\"" + controls_json + "\"],[\"" + controls_json.substr(0, 18) + "\"],[\"" +
                         invalid_json + "\"],[\"" + invalid_json.substr(0, 9) + "\"],[\"" +
                         quotes_json + "\"],[\"" + quotes_json.substr(0, 6) + "\"],\"" +
                         controls_json + "\"]");
}

// Rows written many at a time, room made from each column's widest cell (strings of up to 64
// bytes, here all control characters, six bytes each), in pieces of at least some bytes: the
// piece ends after a batch of rows, and the next call goes on from the row it returned.
TEST(JsonWriterTest, RowsInPiecesWithRoomFromTheWidestCells) {
  auto schema = std::make_shared<Schema>(
      std::vector<Field>{{"s", DataType::kString, true}, {"i", DataType::kBigint, false}});
  Chunk rows(schema);
  std::string expected = "[";
  for (int r = 0; r < 150; ++r) {
    const std::string s(static_cast<size_t>(r % 65), '\x1f');
    r % 7 == 0 ? rows.mutable_column(0).AppendNull() : rows.mutable_column(0).AppendString(s);
    rows.mutable_column(1).AppendInt64(-r);
    std::string cell = "null";
    if (r % 7 != 0) {
      cell = "\"";
      for (size_t i = 0; i < s.size(); ++i) cell += "\\u001f";
      cell += "\"";
    }
    expected += fmt::format("{}[{},{}]", r == 0 ? "" : ",", cell, -r);
  }
  expected += "]";
  JsonWriter w;
  w.BeginArray();
  EXPECT_EQ(w.Rows(rows, 0, /*until_bytes=*/2), 64u);  // past the "[" already written
  const std::string first = w.Take();
  EXPECT_EQ(w.Rows(rows, 64, /*until_bytes=*/1), 128u);
  EXPECT_EQ(w.Rows(rows, 128), 150u);
  EXPECT_EQ(w.Rows(rows, 150), 150u);  // past the end: nothing
  w.EndArray();
  EXPECT_EQ(first + w.str(), expected);
}

TEST(JsonWriterTest, NonFiniteDoublesAreNull) {
  JsonWriter w;
  w.BeginArray().Double(std::numeric_limits<double>::infinity()).Double(0.1).EndArray();
  EXPECT_EQ(w.str(), "[null,0.1]");
}

// An answer's rows: each row an array of its cells, of every type, NULLs as null, between the
// other values of the document with their commas.
TEST(JsonWriterTest, RowsAsArraysOfTheirCells) {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"b", DataType::kBoolean, true},
                                                            {"i", DataType::kBigint, true},
                                                            {"d", DataType::kDouble, true},
                                                            {"s", DataType::kString, true},
                                                            {"t", DataType::kTimestamp, true}});
  Chunk rows(schema);
  rows.mutable_column(0).AppendBool(true);
  rows.mutable_column(1).AppendInt64(-42);
  rows.mutable_column(2).AppendDouble(0.1 + 0.2);
  rows.mutable_column(3).AppendString("a\"b");
  rows.mutable_column(4).AppendInt64(1795428000123000);
  rows.mutable_column(0).AppendBool(false);
  rows.mutable_column(1).AppendNull();
  rows.mutable_column(2).AppendDouble(std::numeric_limits<double>::quiet_NaN());
  rows.mutable_column(3).AppendNull();
  rows.mutable_column(4).AppendNull();
  JsonWriter w;
  w.BeginObject().Key("rows").BeginArray();
  EXPECT_EQ(w.Rows(rows, 0), 2u);
  w.EndArray();
  w.Key("n").Int(2).EndObject();
  EXPECT_EQ(w.str(),
            R"({"rows":[[true,-42,0.30000000000000004,"a\"b","2026-11-23T10:00:00.123000Z"],)"
            R"([false,null,null,null,null]],"n":2})");
}

}  // namespace
}  // namespace braid
