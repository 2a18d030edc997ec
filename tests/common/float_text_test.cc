#include "common/float_text.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace braid {
namespace {

std::string Shortest(double value, int fixed_below) {
  char text[kMaxDoubleTextBytes];
  return std::string(text, WriteShortestDouble(text, value, fixed_below));
}

// Every spelling JSON answers used before (fmt's "{}"): the corners of both notations.
std::vector<double> Corners() {
  return {0.0,
          -0.0,
          1.0,
          -2.5,
          0.1,
          12.25,
          100.0,
          1.0 / 3,
          0.0001,
          0.00012345,
          0.00001,
          1e15,
          123456789012345.0,
          9999999999999998.0,
          1e16,
          1.5e300,
          -1.7976931348623157e308,
          std::numeric_limits<double>::min(),
          std::numeric_limits<double>::denorm_min(),
          5e-324,
          2.2250738585072009e-308,
          1e-100,
          1e100,
          71.57113883272787,
          std::numeric_limits<double>::epsilon()};
}

TEST(FloatTextTest, JsonLayoutIsFmtsDefault) {
  for (double value : Corners()) {
    EXPECT_EQ(Shortest(value, 16), fmt::format("{}", value)) << value;
  }
  EXPECT_EQ(Shortest(0.0, 16), "0");
  EXPECT_EQ(Shortest(-0.0, 16), "-0");
  EXPECT_EQ(Shortest(0.0001, 16), "0.0001");
  EXPECT_EQ(Shortest(0.00001, 16), "1e-05");
  EXPECT_EQ(Shortest(1e15, 16), "1000000000000000");
  EXPECT_EQ(Shortest(1e16, 16), "1e+16");
  EXPECT_EQ(Shortest(-1.7976931348623157e308, 16), "-1.7976931348623157e+308");
  EXPECT_EQ(Shortest(5e-324, 16), "5e-324");
  EXPECT_EQ(Shortest(12.25, 16), "12.25");
}

// Random bit patterns (every exponent) and random values of the sizes views hold (averages,
// sums), against fmt's "{}" and read back exactly.
TEST(FloatTextTest, RandomDoublesMatchFmtAndRoundTrip) {
  std::mt19937_64 random(20261126);
  std::normal_distribution<double> temperature(70, 15);
  for (int i = 0; i < 200000; ++i) {
    double value = i % 2 == 0 ? std::bit_cast<double>(random()) : temperature(random) / 7;
    if (!std::isfinite(value)) continue;
    const std::string text = Shortest(value, 16);
    ASSERT_EQ(text, fmt::format("{}", value)) << i;
    ASSERT_EQ(std::strtod(text.c_str(), nullptr), value) << text;
    ASSERT_LE(text.size(), kMaxDoubleTextBytes);
  }
}

// Short decimals (n / 10^k, k <= 3: readings, prices) take a path without Dragonbox; their text
// must still be fmt's, in both layouts' fixed range, and so must values just beside them.
TEST(FloatTextTest, ShortDecimalsMatchFmt) {
  std::mt19937_64 random(20261127);
  constexpr double kScales[] = {1, 10, 100, 1000, 10000};
  for (int i = 0; i < 200000; ++i) {
    const uint64_t digits = random() % (i % 3 == 0 ? 100000 : 1000000000000000);
    double value = static_cast<double>(digits) / kScales[random() % 5];
    if (i % 4 == 1) value = std::nextafter(value, 1e300);  // one ulp off: not short
    const std::string text = Shortest(value, 16);
    ASSERT_EQ(text, fmt::format("{}", value)) << i;
    ASSERT_EQ(std::strtod(text.c_str(), nullptr), value) << text;
    ASSERT_EQ(Shortest(-value, 15), "-" + text) << text;  // PG: fixed below 1e15 too
  }
  for (const double value : {0.5, 0.05, 0.001, 0.3, 1500.0, 999999999999999.0, 99999999999999.9,
                             71.5, 24.96, 0.1 + 0.2, 1e15 - 0.125, 123.456}) {
    EXPECT_EQ(Shortest(value, 16), fmt::format("{}", value)) << value;
  }
}

TEST(FloatTextTest, PostgresLayoutSwitchesAtDblDig) {
  EXPECT_EQ(Shortest(123456789012345.0, 15), "123456789012345");
  EXPECT_EQ(Shortest(999999999999999.0, 15), "999999999999999");
  EXPECT_EQ(Shortest(1e15, 15), "1e+15");
  EXPECT_EQ(Shortest(1234567890123456.0, 15), "1.234567890123456e+15");
  EXPECT_EQ(Shortest(0.0001, 15), "0.0001");
  EXPECT_EQ(Shortest(0.000123, 15), "0.000123");
  EXPECT_EQ(Shortest(0.00001, 15), "1e-05");
  EXPECT_EQ(Shortest(-2.5e-7, 15), "-2.5e-07");
  EXPECT_EQ(Shortest(1.5e300, 15), "1.5e+300");
  EXPECT_EQ(Shortest(1e100, 15), "1e+100");
}

}  // namespace
}  // namespace braid
