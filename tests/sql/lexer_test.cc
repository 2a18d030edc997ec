#include "sql/lexer.h"

#include <gtest/gtest.h>

#include "sql_test_util.h"

namespace braid::sql {
namespace {

using testing::HasError;

std::vector<Token> Lex(std::string_view text) {
  Result<std::vector<Token>> tokens = Tokenize(text);
  EXPECT_TRUE(tokens.ok()) << tokens.status().ToString();
  return tokens.ok() ? *tokens : std::vector<Token>{};
}

std::vector<TokenKind> KindsOf(const std::vector<Token>& tokens) {
  std::vector<TokenKind> kinds;
  for (const Token& t : tokens) kinds.push_back(t.kind);
  return kinds;
}

TEST(LexerTest, ReadsEveryOperatorAndPunctuation) {
  using K = TokenKind;
  std::vector<Token> tokens = Lex("( ) , ; . * = <> != < <= > >= + - / %");
  EXPECT_EQ(
      KindsOf(tokens),
      (std::vector<K>{K::kLeftParen, K::kRightParen, K::kComma, K::kSemicolon, K::kDot, K::kStar,
                      K::kEqual, K::kNotEqual, K::kNotEqual, K::kLess, K::kLessEqual, K::kGreater,
                      K::kGreaterEqual, K::kPlus, K::kMinus, K::kSlash, K::kPercent, K::kEnd}));
  EXPECT_EQ(tokens[8].text, "!=");
  // No spaces needed between operators and words.
  EXPECT_EQ(KindsOf(Lex("a<=b")),
            (std::vector<K>{K::kIdentifier, K::kLessEqual, K::kIdentifier, K::kEnd}));
}

TEST(LexerTest, ClassifiesWordsCaseInsensitively) {
  std::vector<Token> tokens = Lex("select SeLeCt stream TIMESTAMP device_id _x1 température");
  ASSERT_EQ(tokens.size(), 8u);
  EXPECT_EQ(tokens[0].kind, TokenKind::kKeyword);
  EXPECT_EQ(tokens[1].kind, TokenKind::kKeyword);
  EXPECT_EQ(tokens[1].text, "SeLeCt");  // kept as written
  for (size_t i = 2; i < 7; ++i) EXPECT_EQ(tokens[i].kind, TokenKind::kIdentifier) << i;
  EXPECT_EQ(tokens[6].text, "température");
}

// Whitespace is what the "C" locale calls space (tab, newline, vertical tab, form feed,
// carriage return, space); the longest reserved word, INTERSECT, folds case like any other, and
// a longer word that starts like it is a name.
TEST(LexerTest, SeparatesWordsByEveryAsciiSpace) {
  std::vector<Token> tokens = Lex("a\tb\nc\vd\fe\rf g");
  ASSERT_EQ(tokens.size(), 8u);
  const std::string_view names[] = {"a", "b", "c", "d", "e", "f", "g"};
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(tokens[i].kind, TokenKind::kIdentifier) << i;
    EXPECT_EQ(tokens[i].text, names[i]) << i;
  }
  using K = TokenKind;
  EXPECT_EQ(KindsOf(Lex("InterSect intersects Z_9 9 WHERE_")),
            (std::vector<K>{K::kKeyword, K::kIdentifier, K::kIdentifier, K::kInteger,
                            K::kIdentifier, K::kEnd}));
}

TEST(LexerTest, UnescapesQuotedNamesAndStrings) {
  std::vector<Token> tokens = Lex(R"("Device ""Id""" [a]]b] 'it''s' '' "select")");
  ASSERT_EQ(tokens.size(), 6u);
  EXPECT_EQ(tokens[0].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ(tokens[0].text, "Device \"Id\"");
  EXPECT_EQ(tokens[1].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ(tokens[1].text, "a]b");
  EXPECT_EQ(tokens[2].kind, TokenKind::kString);
  EXPECT_EQ(tokens[2].text, "it's");
  EXPECT_EQ(tokens[3].kind, TokenKind::kString);
  EXPECT_EQ(tokens[3].text, "");
  EXPECT_EQ(tokens[4].kind, TokenKind::kQuotedIdentifier);  // a quoted keyword is a name
}

TEST(LexerTest, ReadsNumbers) {
  std::vector<Token> tokens = Lex("0 123 4.5 .5 1. 1e3 2.5E-3 7e+2 a.b");
  std::vector<std::pair<TokenKind, std::string>> expected = {
      {TokenKind::kInteger, "0"},      {TokenKind::kInteger, "123"},  {TokenKind::kDecimal, "4.5"},
      {TokenKind::kDecimal, ".5"},     {TokenKind::kDecimal, "1."},   {TokenKind::kDecimal, "1e3"},
      {TokenKind::kDecimal, "2.5E-3"}, {TokenKind::kDecimal, "7e+2"}, {TokenKind::kIdentifier, "a"},
      {TokenKind::kDot, "."},          {TokenKind::kIdentifier, "b"}, {TokenKind::kEnd, ""},
  };
  ASSERT_EQ(tokens.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(tokens[i].kind, expected[i].first) << i;
    EXPECT_EQ(tokens[i].text, expected[i].second) << i;
  }
}

TEST(LexerTest, TracksLinesColumnsAndOffsetsAcrossComments) {
  std::string_view text =
      "-- leading comment\n"
      "  CREATE /* a comment\n"
      "spanning lines */ STREAM\n"
      "\t'two\nlines' x -- trailing\n";
  std::vector<Token> tokens = Lex(text);
  ASSERT_EQ(tokens.size(), 5u);
  auto at = [&](size_t i, int line, int column) {
    EXPECT_EQ(tokens[i].position.line, line) << tokens[i].text;
    EXPECT_EQ(tokens[i].position.column, column) << tokens[i].text;
  };
  at(0, 2, 3);   // CREATE
  at(1, 3, 19);  // STREAM
  at(2, 4, 2);   // 'two\nlines' (a tab is one column)
  at(3, 5, 8);   // x, after the string's newline
  at(4, 6, 1);   // end of input, after the final newline
  EXPECT_EQ(text.substr(tokens[0].begin, tokens[0].end - tokens[0].begin), "CREATE");
  EXPECT_EQ(text.substr(tokens[2].begin, tokens[2].end - tokens[2].begin), "'two\nlines'");
  EXPECT_EQ(tokens[4].begin, text.size());
}

TEST(LexerTest, EmptyAndCommentOnlyInputGiveOnlyTheEnd) {
  EXPECT_EQ(KindsOf(Lex("")), std::vector<TokenKind>{TokenKind::kEnd});
  std::vector<Token> tokens = Lex("  /* x */ -- y");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].position.column, 15);
}

TEST(LexerTest, ReportsMalformedTokensAtTheirStart) {
  struct Case {
    std::string_view text;
    testing::ExpectedError error;
  };
  const Case cases[] = {
      {"a\n  'abc", {StatusCode::kSyntaxError, 2, 3, "unterminated string literal"}},
      {"a /* never\nclosed", {StatusCode::kSyntaxError, 1, 3, "unterminated /* comment"}},
      {"x \"abc", {StatusCode::kSyntaxError, 1, 3, "unterminated quoted name"}},
      {"x\n\n [abc", {StatusCode::kSyntaxError, 3, 2, "unterminated [bracketed] name"}},
      {"a \"\" b", {StatusCode::kSyntaxError, 1, 3, "empty quoted name"}},
      {"[]", {StatusCode::kSyntaxError, 1, 1, "empty [bracketed] name"}},
      {"a = 12abc", {StatusCode::kSyntaxError, 1, 5, "invalid number '12abc'"}},
      {"a @ b", {StatusCode::kSyntaxError, 1, 3, "unexpected character '@'"}},
      {"a ! b", {StatusCode::kSyntaxError, 1, 3, "unexpected character '!'"}},
      {"a\n\x01", {StatusCode::kSyntaxError, 2, 1, "unexpected byte 0x01"}},
  };
  for (const Case& c : cases) {
    Result<std::vector<Token>> tokens = Tokenize(c.text);
    EXPECT_TRUE(HasError(tokens.status(), c.error)) << c.text;
  }
}

TEST(LexerTest, DescribesTokensForMessages) {
  std::vector<Token> tokens = Lex("WITH , 'abc' \"a b\" 42");
  EXPECT_EQ(DescribeToken(tokens[0]), "'WITH'");
  EXPECT_EQ(DescribeToken(tokens[1]), "','");
  EXPECT_EQ(DescribeToken(tokens[2]), "string 'abc'");
  EXPECT_EQ(DescribeToken(tokens[3]), "\"a b\"");
  EXPECT_EQ(DescribeToken(tokens[4]), "'42'");
  EXPECT_EQ(DescribeToken(tokens[5]), "end of input");
}

}  // namespace
}  // namespace braid::sql
