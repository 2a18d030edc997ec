// JsonWriter: builds compact JSON text into a string (answers of the HTTP API, catalog and status
// documents). Commas and nesting are tracked so callers only say what comes next; strings are
// escaped per RFC 8259 (control characters as \u00XX; invalid UTF-8 is replaced by U+FFFD so the
// output is always valid JSON). Doubles use the shortest round-trip form; NaN and infinities,
// which JSON cannot express, are written as null. Not thread-safe; one writer per document.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/chunk.h"
#include "common/time.h"

namespace braid {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Inside an object: the next member's name. The value follows with one of the calls below.
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // A TIMESTAMP as an RFC 3339 string with microseconds (FormatRfc3339).
  JsonWriter& Time(Timestamp value);
  // Row `row` of `column` as one JSON value: null, true/false, a number, a string, or a TIMESTAMP
  // as an RFC 3339 string with microseconds (API.md).
  JsonWriter& Cell(const Column& column, size_t row);
  // Inside an array: rows `begin`.. of `rows`, each an array of its cells (as Cell writes them),
  // until the chunk ends or the text is at least `until_bytes` long (a piece of a streamed
  // answer: it may pass that by up to 64 rows). Returns the row after the last one written.
  // Room for many rows is made at once, from each column's widest cell.
  size_t Rows(const Chunk& rows, size_t begin, size_t until_bytes = SIZE_MAX);
  // Inserts already-serialized JSON as one value.
  JsonWriter& Raw(std::string_view json);

  // Makes room for `bytes` of text in all, so writing that much allocates once.
  void Reserve(size_t bytes) { out_.reserve(bytes); }

  const std::string& str() const { return out_; }
  // Hands over the text written so far. Writing may go on with the same document, so a long one
  // (a streamed answer) can be handed over piece by piece.
  std::string Take() {
    std::string text = std::move(out_);
    out_.clear();
    return text;
  }

 private:
  void BeforeValue();

  std::string out_;
  // One entry per open container: whether it already has an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

// Appends `value` as a quoted, escaped JSON string to *out.
void AppendJsonString(std::string* out, std::string_view value);

}  // namespace braid
