// The SQL text work the PostgreSQL protocol needs before the engine sees a statement: splitting a
// simple Query message into statements, substituting bound parameters ($1..$n) as literals, and
// mapping an error's line:column back to PostgreSQL's 1-based character position in the text the
// client sent. Quotes ('...', "..."), -- comments and (nested) /* */ comments are respected; a
// ';' or '$1' inside them is text. Written by hand (the lexer rules are PostgreSQL's). Pure
// functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace braid::server {

// One statement of a query string: its text without surrounding whitespace, comments and the
// ';', and the byte offset of that text in the query string.
struct StatementText {
  size_t offset = 0;
  std::string_view text;
};

// The statements of `query`, in order; empty ones (only whitespace, comments, ';') are dropped.
std::vector<StatementText> SplitStatements(std::string_view query);

// The highest $n referenced in `sql` (0 when none).
int CountParameters(std::string_view sql);

// `sql` with every $n replaced by literals[n-1], and where each replacement sits, so that an
// offset in `text` maps back to one in the original.
struct SubstitutedSql {
  struct Replacement {
    size_t original_offset = 0;  // of the '$'
    size_t original_length = 0;
    size_t offset = 0;  // in `text`
    size_t length = 0;
  };
  std::string text;
  std::vector<Replacement> replacements;

  // The offset in the original text of byte `offset` of `text` (inside a literal: its '$').
  size_t OriginalOffset(size_t offset) const;
};
// kInvalidArgument (at the '$') for a $n beyond the literals given ("there is no parameter $n").
Result<SubstitutedSql> SubstituteParameters(std::string_view sql,
                                            const std::vector<std::string>& literals);

// The byte offset of a 1-based line:column (column in bytes) in `text`, clamped to its size.
size_t ByteOffsetOf(std::string_view text, SourcePosition position);
// PostgreSQL's error position: 1 + the number of characters (UTF-8) before `byte_offset`.
int CharacterPosition(std::string_view text, size_t byte_offset);

}  // namespace braid::server
