#include "common/float_text.h"

#include <fmt/format.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstring>

#include "common/status.h"

namespace braid {
namespace {

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

constexpr std::array<uint64_t, 20> kPowersOf10 = [] {
  std::array<uint64_t, 20> powers{};
  uint64_t power = 1;
  for (uint64_t& p : powers) {
    p = power;
    power *= 10;
  }
  return powers;
}();

// How many decimal digits `n` > 0 has.
int DigitCount(uint64_t n) {
  const int guess = std::bit_width(n) * 1233 >> 12;  // log10(2) ~ 1233 / 4096
  return guess - (n < kPowersOf10[guess] ? 1 : 0) + 1;
}

// Writes the last `count` decimal digits of `n` (zeros where it has fewer) so that they end just
// before `end`, two at a time, in 32-bit arithmetic (eight digits at a time are split off first).
// Everything here writes in place: no copies through a buffer.
[[gnu::always_inline]] inline void WriteDigits(uint64_t n, char* end, int count) {
  for (; count > 8; count -= 8) {
    auto low = static_cast<uint32_t>(n % 100000000);
    n /= 100000000;
    for (int pair = 0; pair < 4; ++pair) {
      end -= 2;
      std::memcpy(end, kDigitPairs + 2 * (low % 100), 2);
      low /= 100;
    }
  }
  auto rest = static_cast<uint32_t>(n);
  for (; count >= 2; count -= 2) {
    end -= 2;
    std::memcpy(end, kDigitPairs + 2 * (rest % 100), 2);
    rest /= 100;
  }
  if (count == 1) end[-1] = static_cast<char>('0' + rest % 10);
}

}  // namespace

char* WriteShortestDouble(char* out, double value, int fixed_below) {
  BRAID_DCHECK(std::isfinite(value));
  if (std::signbit(value)) {
    *out++ = '-';
    value = -value;
  }
  if (value == 0) {
    *out++ = '0';
    return out;
  }
  const fmt::detail::dragonbox::decimal_fp<double> decimal =
      fmt::detail::dragonbox::to_decimal(value);  // value = significand x 10^exponent
  const uint64_t significand = decimal.significand;
  const int count = DigitCount(significand);
  const int first = decimal.exponent + count - 1;  // the decimal exponent of the first digit
  if (first < -4 || first >= fixed_below) {
    const uint64_t rest = kPowersOf10[static_cast<size_t>(count - 1)];
    *out++ = static_cast<char>('0' + significand / rest);
    if (count > 1) {
      *out++ = '.';
      WriteDigits(significand % rest, out + count - 1, count - 1);
      out += count - 1;
    }
    *out++ = 'e';
    *out++ = first < 0 ? '-' : '+';
    const int magnitude = first < 0 ? -first : first;  // at most 324
    if (magnitude >= 100) *out++ = static_cast<char>('0' + magnitude / 100);
    WriteDigits(static_cast<uint64_t>(magnitude), out + 2, 2);
    return out + 2;
  }
  if (decimal.exponent >= 0) {  // an integer: the digits, then zeros
    WriteDigits(significand, out + count, count);
    out += count;
    for (int zero = 0; zero < decimal.exponent; ++zero) *out++ = '0';
    return out;
  }
  const int whole = count + decimal.exponent;  // digits before the point
  if (whole > 0) {
    const int fraction = count - whole;
    const uint64_t split = kPowersOf10[static_cast<size_t>(fraction)];
    WriteDigits(significand / split, out + whole, whole);
    out[whole] = '.';
    WriteDigits(significand % split, out + count + 1, fraction);
    return out + count + 1;
  }
  *out++ = '0';
  *out++ = '.';
  for (int zero = whole; zero < 0; ++zero) *out++ = '0';
  WriteDigits(significand, out + count, count);
  return out + count;
}

}  // namespace braid
