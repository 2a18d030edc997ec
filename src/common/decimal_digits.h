// Decimal digits two at a time: the text writers that format every cell of an answer (doubles in
// common/float_text, timestamps in common/time) copy two digits per lookup instead of dividing
// by ten for each.
#pragma once

#include <cstdint>
#include <cstring>

namespace braid {

// "00", "01", ..., "99": the two digits of n < 100 start at 2 * n.
inline constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes the two digits of `n` < 100 at `out`.
inline void CopyDigitPair(char* out, uint32_t n) { std::memcpy(out, kDigitPairs + 2 * n, 2); }

}  // namespace braid
