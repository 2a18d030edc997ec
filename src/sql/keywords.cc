#include "sql/keywords.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "common/schema.h"

namespace braid::sql {
namespace {

// Sorted; the words SQL:2016 and PostgreSQL reserve that Braid's grammar uses or will use.
constexpr std::array<std::string_view, 44> kReservedKeywords = {
    "all",   "and",    "as",       "asc",  "between", "by",        "case",   "cast",  "create",
    "cross", "desc",   "distinct", "drop", "else",    "end",       "except", "false", "from",
    "full",  "group",  "having",   "in",   "inner",   "intersect", "into",   "is",    "join",
    "left",  "like",   "limit",    "not",  "null",    "on",        "or",     "order", "outer",
    "right", "select", "then",     "true", "union",   "when",      "where",  "with",
};

bool IsPlainWord(std::string_view name) {
  if (name.empty()) return false;
  auto is_start = [](unsigned char c) { return std::isalpha(c) || c == '_'; };
  auto is_part = [](unsigned char c) { return std::isalnum(c) || c == '_'; };
  if (!is_start(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return is_part(static_cast<unsigned char>(c)); });
}

std::string Quote(std::string_view text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    if (c == quote) out.push_back(quote);
    out.push_back(c);
  }
  out.push_back(quote);
  return out;
}

}  // namespace

bool IsReservedKeyword(std::string_view word) {
  if (word.size() > 9) return false;  // the longest reserved word is "intersect"
  // Compared as identifiers are (ASCII case folded), without a folded copy: 44 words, most
  // refused by their length.
  return std::any_of(kReservedKeywords.begin(), kReservedKeywords.end(),
                     [&](std::string_view reserved) { return IdentifierEquals(reserved, word); });
}

std::string FormatIdentifier(std::string_view name) {
  if (IsPlainWord(name) && !IsReservedKeyword(name)) return std::string(name);
  return Quote(name, '"');
}

std::string FormatStringLiteral(std::string_view text) { return Quote(text, '\''); }

}  // namespace braid::sql
