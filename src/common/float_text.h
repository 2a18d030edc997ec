// Doubles as text: the shortest decimal that reads back as the same double, laid out in fixed or
// exponent notation. Short decimals (n / 10^k, k <= 3, n < 10^15: readings, prices) are found by
// multiplying; other digits come from fmt's exported Dragonbox (fmt::detail::dragonbox, the
// implementation behind fmt's "{}"; an internal namespace of fmt, so a version that moves it fails
// to compile here, and FloatTextTest compares every layout with fmt's own); the layout is written
// by hand because fmt's (locale digit grouping, padding, a copy through a buffer) cost more than
// finding the digits, and an answer writes every DOUBLE cell through it (a merged point query
// over HTTP writes about 400).
#pragma once

#include <cstddef>
#include <cstdint>

namespace braid {

// The longest text WriteShortestDouble writes: "-1.2345678901234567e-308".
inline constexpr size_t kMaxDoubleTextBytes = 24;

// Writes finite `value` as its shortest round-trip decimal at `out` (room for
// kMaxDoubleTextBytes) and returns the end. Fixed notation when the decimal exponent of the
// first digit is in [-4, fixed_below), e.g. "0.0001", "12.25", "100", "-0"; otherwise
// "d[.ddd]e±XX" with at least two exponent digits ("1e-05", "1.5e+300"). fixed_below 16 is
// fmt's "{}" (JSON answers), 15 PostgreSQL's float8 output.
char* WriteShortestDouble(char* out, double value, int fixed_below);

}  // namespace braid
