// SplitJsonArray: the raw text of each element of a JSON array held in a PaddedText, found with
// simdjson On Demand, which checks the array's structure (brackets, strings, UTF-8) but not the
// grammar inside each element. That is what ingest needs: a body whose elements cannot be told
// apart fails as a whole, with the line:column of the damage, while an element that is itself
// malformed is left for its own parse to reject as one bad event. Elements keep their exact
// bytes (objects and arrays from their bracket to their closing bracket, scalars without
// surrounding whitespace) and point into the body. Pure function; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "server/padded_body.h"

namespace braid::server {

// Fails with kDataError (and a position when one is known) when `body` is not one JSON array.
Result<std::vector<std::string_view>> SplitJsonArray(const PaddedText& body);

// JSON's insignificant whitespace (RFC 8259): space, tab, CR, LF.
inline bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace braid::server
