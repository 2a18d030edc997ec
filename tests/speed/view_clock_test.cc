// ViewClock::WouldAdvance (speed/view_clock.h) against Advance itself: over random batches,
// events and idle rounds on three partitions, whenever WouldAdvance(tau) says no, Advance(tau)
// on a copy changes neither the watermark nor any partition's idleness; and it says no in the
// steady idle state (what lets an idle round skip the view's exclusive lock).
#include "speed/view_clock.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace braid::speed {
namespace {

struct Observed {
  int64_t watermark;
  std::vector<bool> active;
  bool operator==(const Observed&) const = default;
};

Observed Observe(const ViewClock& clock, int partitions) {
  Observed observed{clock.watermark(), {}};
  for (int p = 0; p < partitions; ++p) observed.active.push_back(clock.active(p));
  return observed;
}

TEST(ViewClockTest, WouldAdvanceIsFalseOnlyWhenAdvanceChangesNothing) {
  constexpr int kPartitions = 3;
  const ClockOptions options{.partitions = kPartitions,
                             .out_of_order = Duration::Seconds(2),
                             .idle_timeout = Duration::Seconds(5)};
  std::mt19937_64 rng(7);
  size_t said_no = 0, said_yes = 0;
  for (int run = 0; run < 50; ++run) {
    ViewClock clock(options);
    Timestamp tau{1'700'000'000'000'000};
    for (int step = 0; step < 200; ++step) {
      tau = Timestamp{tau.micros + static_cast<int64_t>(rng() % 3'000'000)};
      if (rng() % 3 == 0) {  // a batch with a few events
        const int partition = static_cast<int>(rng() % kPartitions);
        clock.BeginBatch(partition, tau);
        for (int e = 0; e < 3; ++e) {
          clock.Observe(tau.micros - static_cast<int64_t>(rng() % 4'000'000), tau);
        }
      }
      const Timestamp probe{tau.micros + static_cast<int64_t>(rng() % 8'000'000)};
      ViewClock advanced = clock;
      advanced.Advance(probe);
      const bool would = clock.WouldAdvance(probe);
      if (!would) {
        EXPECT_EQ(Observe(advanced, kPartitions), Observe(clock, kPartitions))
            << "run " << run << " step " << step;
      }
      (would ? said_yes : said_no) += 1;
      if (rng() % 2 == 0) clock.Advance(probe);  // an idle round
    }
  }
  EXPECT_GT(said_no, 1000u);
  EXPECT_GT(said_yes, 100u);
}

TEST(ViewClockTest, AnUnstartedClockOrABatchInProgressWouldAdvance) {
  ViewClock clock(ClockOptions{.partitions = 1, .out_of_order = Duration::Seconds(1)});
  const Timestamp tau{1'700'000'000'000'000};
  EXPECT_TRUE(clock.WouldAdvance(tau));  // not started: Advance starts it
  clock.Advance(tau);
  EXPECT_FALSE(clock.WouldAdvance(tau));
  clock.BeginBatch(0, tau);
  EXPECT_TRUE(clock.WouldAdvance(tau));  // a batch in progress: Advance ends it
  clock.Advance(tau);
  EXPECT_FALSE(clock.WouldAdvance(tau));
}

}  // namespace
}  // namespace braid::speed
