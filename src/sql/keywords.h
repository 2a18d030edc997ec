// Reserved words of Braid's SQL dialect and the canonical spelling of names and literals in SQL
// text. A reserved word (SELECT, FROM, NOT, NULL, ...) cannot be an unquoted name; every other
// word, including statement words such as STREAM, SHOW or TIMESTAMP, can. The list is the one the
// SELECT grammar needs, fixed now so that names valid today stay valid when SELECT arrives.
// FormatIdentifier and FormatStringLiteral write text that the lexer reads back as the same name
// or string, which is what makes canonical SQL (StreamDefinition::ToSql) round-trip. Pure
// functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace braid::sql {

// True if `word` (any case) is reserved and must be quoted to be used as a name.
bool IsReservedKeyword(std::string_view word);

// `name` unquoted when it is a plain word ([A-Za-z_][A-Za-z0-9_]*) that is not reserved,
// otherwise in "double quotes" with embedded quotes doubled.
std::string FormatIdentifier(std::string_view name);

// `text` in 'single quotes' with embedded quotes doubled.
std::string FormatStringLiteral(std::string_view text);

}  // namespace braid::sql
