#include "common/schema.h"

namespace braid {

namespace {

// Identifiers fold ASCII letters only (as SQL's unquoted identifiers do; no locale involved).
char FoldAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool IdentifierEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (FoldAscii(a[i]) != FoldAscii(b[i])) return false;
  }
  return true;
}

std::string CanonicalIdentifier(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = FoldAscii(c);
  return out;
}

std::optional<size_t> Schema::FindField(std::string_view name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (IdentifierEquals(fields_[i].name, name)) return i;
  }
  return std::nullopt;
}

}  // namespace braid
