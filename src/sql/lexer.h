// The lexer of Braid's SQL dialect: turns source text into tokens that each carry their 1-based
// line and column (in bytes) and their byte range in the source, so that every later error can
// point at the offending token and a statement's exact text can be cut out of a script. Words are
// classified once: reserved words (keywords.h) become kKeyword, all other words kIdentifier; the
// parser matches statement words such as STREAM case-insensitively against either kind. Quoted
// names ("x" with "" escaping, or [x] with ]] escaping) and 'strings' (with '' escaping) carry
// their unescaped text. Comments (-- to end of line, /* ... */ not nested) and whitespace are
// skipped. Written by hand: no lexer library for this dialect ships with the platform. Pure
// functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace braid::sql {

enum class TokenKind : uint8_t {
  kIdentifier,        // an unquoted word that is not reserved: device_id, STREAM, timestamp
  kQuotedIdentifier,  // "Device Id" or [Device Id]; text is the name without quotes
  kKeyword,           // a reserved word: SELECT, NOT, NULL (text as written)
  kInteger,           // 123 (text as written; the parser converts and range-checks)
  kDecimal,           // 4.5, .5, 1e-3
  kString,            // 'it''s'; text is the unescaped contents: it's
  kLeftParen,         // (
  kRightParen,        // )
  kComma,             // ,
  kSemicolon,         // ;
  kDot,               // .
  kStar,              // *
  kEqual,             // =
  kNotEqual,          // <> or !=
  kLess,              // <
  kLessEqual,         // <=
  kGreater,           // >
  kGreaterEqual,      // >=
  kPlus,              // +
  kMinus,             // -
  kSlash,             // /
  kPercent,           // %
  kEnd,               // end of input; always the last token
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  SourcePosition position;
  size_t begin = 0;  // byte offset of the token's first character in the source
  size_t end = 0;    // byte offset one past its last character
};

// Splits `text` into tokens ending with one kEnd token (positioned just after the last
// character). Errors are kSyntaxError at the position where the bad token starts: an
// unterminated string, quoted name or comment, an empty quoted name, a malformed number
// ("12abc"), or a character that starts no token.
Result<std::vector<Token>> Tokenize(std::string_view text);

// How a token is named in error messages: 'WITH', ',', string '7d', end of input.
std::string DescribeToken(const Token& token);

}  // namespace braid::sql
