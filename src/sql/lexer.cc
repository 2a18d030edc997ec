#include "sql/lexer.h"

#include <fmt/format.h>

#include <cctype>

#include "sql/keywords.h"

namespace braid::sql {
namespace {

// The classes of bytes as the "C" locale's isalpha, isdigit and isspace give them (Braid never
// sets another locale), without a call per byte.
bool IsAsciiLetter(char c) {
  const char lower = static_cast<char>(c | 0x20);
  return lower >= 'a' && lower <= 'z';
}
bool IsWordStart(char c) {
  return IsAsciiLetter(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;  // UTF-8 letters
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordPart(char c) { return IsWordStart(c) || IsDigit(c); }
bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }  // \t \n \v \f \r

// Scans one source text; tracks the line and column of the next unread byte.
class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    tokens.reserve(16);  // a point query's; longer statements grow it
    while (true) {
      RETURN_IF_ERROR(SkipSpaceAndComments());
      if (pos_ == source_.size()) break;
      ASSIGN_OR_RETURN(Token token, NextToken());
      tokens.push_back(std::move(token));
    }
    tokens.push_back(Token{TokenKind::kEnd, "", Here(), pos_, pos_});
    return tokens;
  }

 private:
  SourcePosition Here() const { return {line_, column_}; }
  char At(size_t offset) const {
    return pos_ + offset < source_.size() ? source_[pos_ + offset] : '\0';
  }
  Status ErrorHere(std::string message) const {
    return Status(StatusCode::kSyntaxError, std::move(message), Here());
  }

  // Moves past the next n bytes, counting lines.
  void Advance(size_t n) {
    for (size_t end = pos_ + n; pos_ < end; ++pos_) {
      if (source_[pos_] == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
    }
  }

  Status SkipSpaceAndComments() {
    while (pos_ < source_.size()) {
      char c = At(0);
      if (IsSpace(c)) {
        Advance(1);
      } else if (c == '-' && At(1) == '-') {
        size_t newline = source_.find('\n', pos_);
        Advance((newline == std::string_view::npos ? source_.size() : newline) - pos_);
      } else if (c == '/' && At(1) == '*') {
        size_t close = source_.find("*/", pos_ + 2);
        if (close == std::string_view::npos) return ErrorHere("unterminated /* comment");
        Advance(close + 2 - pos_);
      } else {
        break;
      }
    }
    return Status::Ok();
  }

  Result<Token> NextToken() {
    char c = At(0);
    if (IsWordStart(c)) return Word();
    if (IsDigit(c) || (c == '.' && IsDigit(At(1)))) return Number();
    if (c == '\'') return Quoted(TokenKind::kString, '\'', "string literal");
    if (c == '"') return Quoted(TokenKind::kQuotedIdentifier, '"', "quoted name");
    if (c == '[') return Quoted(TokenKind::kQuotedIdentifier, ']', "[bracketed] name");
    return Operator();
  }

  // Finishes a token that started at `begin` / `start` and spans up to pos_.
  Token Make(TokenKind kind, std::string text, size_t begin, SourcePosition start) const {
    return Token{kind, std::move(text), start, begin, pos_};
  }

  Token Word() {
    size_t begin = pos_;
    SourcePosition start = Here();
    size_t n = 1;
    while (IsWordPart(At(n))) ++n;
    Advance(n);
    std::string text(source_.substr(begin, n));
    TokenKind kind = IsReservedKeyword(text) ? TokenKind::kKeyword : TokenKind::kIdentifier;
    return Make(kind, std::move(text), begin, start);
  }

  Result<Token> Number() {
    size_t begin = pos_;
    SourcePosition start = Here();
    size_t n = 0;
    bool is_decimal = false;
    while (IsDigit(At(n))) ++n;
    if (At(n) == '.') {
      is_decimal = true;
      ++n;
      while (IsDigit(At(n))) ++n;
    }
    if ((At(n) == 'e' || At(n) == 'E') &&
        (IsDigit(At(n + 1)) || ((At(n + 1) == '+' || At(n + 1) == '-') && IsDigit(At(n + 2))))) {
      is_decimal = true;
      n += 2;
      while (IsDigit(At(n))) ++n;
    }
    if (IsWordPart(At(n))) {
      size_t junk = n;
      while (IsWordPart(At(junk))) ++junk;
      return ErrorHere(fmt::format("invalid number '{}': a number must not run into a name",
                                   source_.substr(begin, junk)));
    }
    Advance(n);
    TokenKind kind = is_decimal ? TokenKind::kDecimal : TokenKind::kInteger;
    return Make(kind, std::string(source_.substr(begin, n)), begin, start);
  }

  // A token from the opening quote at pos_ to `close`, in which a doubled `close` stands for
  // itself.
  Result<Token> Quoted(TokenKind kind, char close, std::string_view what) {
    size_t begin = pos_;
    SourcePosition start = Here();
    std::string text;
    size_t i = pos_ + 1;
    while (true) {
      size_t found = source_.find(close, i);
      if (found == std::string_view::npos) {
        return ErrorHere(fmt::format("unterminated {}: missing closing {}", what, close));
      }
      text.append(source_.substr(i, found - i));
      if (found + 1 < source_.size() && source_[found + 1] == close) {
        text.push_back(close);
        i = found + 2;
        continue;
      }
      Advance(found + 1 - pos_);
      break;
    }
    if (kind == TokenKind::kQuotedIdentifier && text.empty()) {
      return Status(StatusCode::kSyntaxError,
                    fmt::format("empty {}: a name needs at least one character", what), start);
    }
    return Make(kind, std::move(text), begin, start);
  }

  Result<Token> Operator() {
    struct Spelling {
      std::string_view text;
      TokenKind kind;
    };
    // Two-character operators first, so "<=" is not read as "<" then "=".
    static constexpr Spelling kOperators[] = {
        {"<>", TokenKind::kNotEqual},  {"!=", TokenKind::kNotEqual},
        {"<=", TokenKind::kLessEqual}, {">=", TokenKind::kGreaterEqual},
        {"(", TokenKind::kLeftParen},  {")", TokenKind::kRightParen},
        {",", TokenKind::kComma},      {";", TokenKind::kSemicolon},
        {".", TokenKind::kDot},        {"*", TokenKind::kStar},
        {"=", TokenKind::kEqual},      {"<", TokenKind::kLess},
        {">", TokenKind::kGreater},    {"+", TokenKind::kPlus},
        {"-", TokenKind::kMinus},      {"/", TokenKind::kSlash},
        {"%", TokenKind::kPercent},
    };
    size_t begin = pos_;
    SourcePosition start = Here();
    for (const Spelling& op : kOperators) {
      if (source_.substr(pos_, op.text.size()) == op.text) {
        Advance(op.text.size());
        return Make(op.kind, std::string(op.text), begin, start);
      }
    }
    auto byte = static_cast<unsigned char>(At(0));
    if (std::isprint(byte)) return ErrorHere(fmt::format("unexpected character '{}'", At(0)));
    return ErrorHere(fmt::format("unexpected byte 0x{:02x}", byte));
  }

  std::string_view source_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

std::string Shorten(std::string_view text) {
  constexpr size_t kMax = 40;
  if (text.size() <= kMax) return std::string(text);
  return fmt::format("{}...", text.substr(0, kMax));
}

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view text) { return Lexer(text).Run(); }

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kString:
      return fmt::format("string {}", FormatStringLiteral(Shorten(token.text)));
    case TokenKind::kQuotedIdentifier: {
      std::string quoted = FormatIdentifier(Shorten(token.text));
      return quoted.front() == '"' ? quoted : fmt::format("\"{}\"", quoted);
    }
    default:
      return fmt::format("'{}'", Shorten(token.text));
  }
}

}  // namespace braid::sql
