#include "sql/token_cursor.h"

#include <fmt/format.h>

#include "common/schema.h"

namespace braid::sql {

TokenCursor::TokenCursor(std::span<const Token> tokens) : tokens_(tokens) {
  BRAID_DCHECK(!tokens_.empty() && tokens_.back().kind == TokenKind::kEnd);
}

const Token& TokenCursor::Peek(size_t ahead) const {
  size_t i = index_ + ahead;
  return i < tokens_.size() ? tokens_[i] : tokens_.back();
}

const Token& TokenCursor::Previous() const { return tokens_[index_ == 0 ? 0 : index_ - 1]; }

const Token& TokenCursor::Advance() {
  const Token& token = Peek();
  if (index_ + 1 < tokens_.size()) ++index_;
  return token;
}

bool TokenCursor::CheckWord(std::string_view word, size_t ahead) const {
  const Token& token = Peek(ahead);
  return (token.kind == TokenKind::kIdentifier || token.kind == TokenKind::kKeyword) &&
         IdentifierEquals(token.text, word);
}

bool TokenCursor::CheckName(size_t ahead) const {
  TokenKind kind = Peek(ahead).kind;
  return kind == TokenKind::kIdentifier || kind == TokenKind::kQuotedIdentifier;
}

bool TokenCursor::Accept(TokenKind kind) {
  if (!Check(kind)) return false;
  Advance();
  return true;
}

bool TokenCursor::AcceptWord(std::string_view word) {
  if (!CheckWord(word)) return false;
  Advance();
  return true;
}

Result<Token> TokenCursor::Expect(TokenKind kind, std::string_view expected) {
  if (!Check(kind)) return ErrorExpected(expected);
  return Advance();
}

Status TokenCursor::ExpectWord(std::string_view word, std::string_view expected) {
  if (!AcceptWord(word)) return ErrorExpected(expected);
  return Status::Ok();
}

Result<Token> TokenCursor::ExpectName(std::string_view expected) {
  if (CheckName()) return Advance();
  if (Check(TokenKind::kKeyword)) {
    return Status(StatusCode::kSyntaxError,
                  fmt::format("expected {}, found reserved word '{}' (write \"{}\" to use it as "
                              "a name)",
                              expected, Peek().text, Peek().text),
                  Peek().position);
  }
  return ErrorExpected(expected);
}

Status TokenCursor::ErrorExpected(std::string_view expected) const {
  return Status(StatusCode::kSyntaxError,
                fmt::format("expected {}, found {}", expected, DescribeToken(Peek())),
                Peek().position);
}

}  // namespace braid::sql
