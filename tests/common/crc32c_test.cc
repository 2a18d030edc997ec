#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace braid {
uint32_t Crc32cPortableForTesting(uint32_t crc, const void* data, size_t n);
namespace {

TEST(Crc32cTest, KnownVectors) {
  // RFC 3720 B.4 test vectors.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending(32, 0);
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(Crc32cTest, ExtendEqualsWholeAndPathsAgree) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::string data(rng() % 300, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    size_t split = data.empty() ? 0 : rng() % data.size();
    uint32_t whole = Crc32c(data);
    uint32_t parts = Crc32cExtend(Crc32cExtend(0, data.data(), split), data.data() + split,
                                  data.size() - split);
    EXPECT_EQ(whole, parts);
    EXPECT_EQ(whole, Crc32cPortableForTesting(0, data.data(), data.size()));
  }
}

}  // namespace
}  // namespace braid
