// TokenCursor: the parser's read position in a token list, with the small vocabulary every
// statement and expression parser is written in: look ahead, accept an optional token or word,
// expect a required one, and fail with "expected <what>, found <token>" at the current token's
// line:column. Statement words (CREATE, STREAM, IF, EXISTS) are matched case-insensitively
// whether or not they are reserved. The cursor borrows the tokens, which must outlive it and end
// with a kEnd token; it never moves past kEnd. One cursor is used by one thread.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "sql/lexer.h"

namespace braid::sql {

class TokenCursor {
 public:
  explicit TokenCursor(std::span<const Token> tokens);

  // The current token (ahead = 0) or one after it; kEnd past the end.
  const Token& Peek(size_t ahead = 0) const;
  // The token just consumed (the current one if nothing was consumed yet).
  const Token& Previous() const;
  // Consumes the current token and returns it.
  const Token& Advance();
  bool AtEnd() const { return Peek().kind == TokenKind::kEnd; }

  bool Check(TokenKind kind, size_t ahead = 0) const { return Peek(ahead).kind == kind; }
  // True if the token is the word `word` (any case), reserved or not, and not quoted.
  bool CheckWord(std::string_view word, size_t ahead = 0) const;
  // True if the token can be a name: an unreserved word or a quoted name.
  bool CheckName(size_t ahead = 0) const;

  // Consume the token and return true if it matches; otherwise consume nothing.
  bool Accept(TokenKind kind);
  bool AcceptWord(std::string_view word);

  // Consume a required token or fail with "expected <expected>, found ...".
  Result<Token> Expect(TokenKind kind, std::string_view expected);
  Status ExpectWord(std::string_view word, std::string_view expected);
  // A name (see CheckName); a reserved word gets a hint to quote it.
  Result<Token> ExpectName(std::string_view expected);

  // kSyntaxError "expected <expected>, found <current token>" at the current token.
  Status ErrorExpected(std::string_view expected) const;

 private:
  std::span<const Token> tokens_;
  size_t index_ = 0;
};

}  // namespace braid::sql
