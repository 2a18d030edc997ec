#include "common/json_writer.h"

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

TEST(JsonWriterTest, NonFiniteDoublesAreNull) {
  JsonWriter w;
  w.BeginArray().Double(std::numeric_limits<double>::infinity()).Double(0.1).EndArray();
  EXPECT_EQ(w.str(), "[null,0.1]");
}

}  // namespace
}  // namespace braid
