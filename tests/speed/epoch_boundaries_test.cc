// Epoch boundaries (speed/epoch_boundaries.h): generations of offsets, seals published before
// capture commits them, a retried capture sealing the same offsets.
#include "speed/epoch_boundaries.h"

#include <gtest/gtest.h>

namespace braid::speed {
namespace {

std::string Spans(const std::vector<GenerationSpan>& spans) {
  std::string text;
  for (const GenerationSpan& span : spans) {
    text += std::to_string(span.generation) + ":" + std::to_string(span.first) + "+" +
            std::to_string(span.count) + " ";
  }
  return text;
}

TEST(EpochBoundariesTest, OffsetsFallIntoTheEpochTheyWereSealedIn) {
  EpochBoundaries boundaries(2, {10, 20});
  EXPECT_EQ(boundaries.open_generation(), 3);
  EXPECT_EQ(Spans(boundaries.GenerationsOf(0, 5, 10)), "2:5+5 3:10+5 ");
  EXPECT_EQ(boundaries.Seal([] { return std::vector<uint64_t>{12, 20}; }),
            (std::vector<uint64_t>{12, 20}));
  EXPECT_EQ(boundaries.pending(), 3);
  EXPECT_EQ(Spans(boundaries.GenerationsOf(0, 5, 10)), "2:5+5 3:10+2 4:12+3 ");
  EXPECT_EQ(Spans(boundaries.GenerationsOf(1, 20, 4)), "4:20+4 ");
  ASSERT_TRUE(boundaries.Committed(3, {12, 20}).ok());
  EXPECT_EQ(boundaries.pending(), std::nullopt);
  EXPECT_EQ(boundaries.last_sealed(), 3);
}

TEST(EpochBoundariesTest, ARetriedCaptureSealsThePendingOffsetsAgain) {
  EpochBoundaries boundaries(0, {0});
  int reads = 0;
  auto read = [&reads] {
    ++reads;
    return std::vector<uint64_t>{static_cast<uint64_t>(100 * reads)};
  };
  EXPECT_EQ(boundaries.Seal(read), std::vector<uint64_t>{100});
  // The capture failed before its commit: the retry gets the same E(1), not the log's new end.
  EXPECT_EQ(boundaries.Seal(read), std::vector<uint64_t>{100});
  EXPECT_EQ(reads, 1);
  EXPECT_FALSE(boundaries.Committed(1, {150}).ok());
  ASSERT_TRUE(boundaries.Committed(1, {100}).ok());
  EXPECT_EQ(boundaries.Seal(read), std::vector<uint64_t>{200});
  EXPECT_EQ(boundaries.pending(), 2);
}

TEST(EpochBoundariesTest, NoNewEventsPublishNothing) {
  EpochBoundaries boundaries(4, {7});
  EXPECT_EQ(boundaries.Seal([] { return std::vector<uint64_t>{7}; }), std::vector<uint64_t>{7});
  EXPECT_EQ(boundaries.pending(), std::nullopt);
  EXPECT_EQ(boundaries.open_generation(), 5);
}

TEST(EpochBoundariesTest, ForgettingKeepsTheLastBoundary) {
  EpochBoundaries boundaries(0, {0});
  for (uint64_t end : {10u, 20u, 30u}) {
    boundaries.Seal([end] { return std::vector<uint64_t>{end}; });
    ASSERT_TRUE(boundaries.Committed(boundaries.last_sealed(), {end}).ok());
  }
  boundaries.ForgetThrough(2);
  EXPECT_EQ(Spans(boundaries.GenerationsOf(0, 25, 10)), "3:25+5 4:30+5 ");
  boundaries.ForgetThrough(9);
  EXPECT_EQ(boundaries.last_offsets(), std::vector<uint64_t>{30});
  EXPECT_EQ(Spans(boundaries.GenerationsOf(0, 30, 1)), "4:30+1 ");
}

}  // namespace
}  // namespace braid::speed
