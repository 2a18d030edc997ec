#include "common/float_text.h"

#include <fmt/format.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <optional>

#include "common/decimal_digits.h"
#include "common/status.h"

namespace braid {
namespace {

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

// Writes the two digits of `v` < 100 just before `end`.
[[gnu::always_inline]] inline void WritePair(uint32_t v, char* end) { CopyDigitPair(end - 2, v); }

// Writes the four digits of `v` < 10^4 just before `end`.
[[gnu::always_inline]] inline void WriteFour(uint32_t v, char* end) {
  WritePair(v / 100, end - 2);
  WritePair(v % 100, end);
}

// Writes the last `count` decimal digits of `n` (zeros where it has fewer) so that they end just
// before `end`: eight at a time as two independent groups of four (short dependency chains: this
// runs for every DOUBLE cell an answer writes), then four, two, one. Everything here writes in
// place: no copies through a buffer.
[[gnu::always_inline]] inline void WriteDigits(uint64_t n, char* end, int count) {
  for (; count >= 8; count -= 8, end -= 8) {
    const auto eight = static_cast<uint32_t>(n % 100000000);
    n /= 100000000;
    WriteFour(eight / 10000, end - 4);
    WriteFour(eight % 10000, end);
  }
  auto rest = static_cast<uint32_t>(n);
  if (count >= 4) {
    WriteFour(rest % 10000, end);
    rest /= 10000;
    end -= 4;
    count -= 4;
  }
  if (count >= 2) {
    WritePair(rest % 100, end);
    rest /= 100;
    end -= 2;
    count -= 2;
  }
  if (count == 1) end[-1] = static_cast<char>('0' + rest % 10);
}

// The digits of a value: value = significand x 10^exponent.
struct Decimal {
  uint64_t significand;
  int exponent;
};

// `value` > 0 when it is a short decimal, n / 10^k with k <= 3 and n < 10^15 (sensor readings,
// prices, sums of them), found without Dragonbox: a few multiplications, and a division to
// confirm. Two decimals of at most 15 significant digits never read back as the same double
// (DBL_DIG), so no other decimal that reads back as `value` is as short: this one, its trailing
// zeros dropped, is the one Dragonbox finds.
std::optional<Decimal> ShortDecimal(double value) {
  constexpr double kScales[] = {1, 10, 100, 1000};
  for (int k = 0; k < 4; ++k) {
    const double scaled = value * kScales[k];
    if (!(scaled < 1e15)) return std::nullopt;  // the larger scales too
    const auto n = static_cast<uint64_t>(scaled);
    // n x 10^-k reads back as `value` when their quotient, rounded once (both exact), is it.
    if (static_cast<double>(n) != scaled || static_cast<double>(n) / kScales[k] != value) {
      continue;
    }
    Decimal decimal{n, -k};
    while (decimal.significand % 10 == 0) {
      decimal.significand /= 10;
      ++decimal.exponent;
    }
    return decimal;
  }
  return std::nullopt;
}

// The shortest round-trip digits of `value` > 0.
Decimal DigitsOf(double value) {
  if (const std::optional<Decimal> decimal = ShortDecimal(value)) return *decimal;
  const fmt::detail::dragonbox::decimal_fp<double> decimal =
      fmt::detail::dragonbox::to_decimal(value);  // value = significand x 10^exponent
  return Decimal{decimal.significand, decimal.exponent};
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
  const Decimal decimal = DigitsOf(value);
  const uint64_t significand = decimal.significand;
  const int count = DigitCount(significand);
  const int first = decimal.exponent + count - 1;  // the decimal exponent of the first digit
  if (first < -4 || first >= fixed_below) {        // d[.ddd]e±XX
    WriteDigits(significand, out + 1 + count, count);  // at out[1, count], then the first moved
    out[0] = out[1];
    if (count > 1) {
      out[1] = '.';
      out += count + 1;
    } else {
      out += 1;
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
    // The digits at out[1, count], the whole part moved one left to make room for the point: no
    // division by a power of ten that is not a constant (a hardware divide, slower than the rest).
    WriteDigits(significand, out + count + 1, count);
    for (int i = 0; i < whole; ++i) out[i] = out[i + 1];
    out[whole] = '.';
    return out + count + 1;
  }
  *out++ = '0';
  *out++ = '.';
  for (int zero = whole; zero < 0; ++zero) *out++ = '0';
  WriteDigits(significand, out + count, count);
  return out + count;
}

}  // namespace braid
