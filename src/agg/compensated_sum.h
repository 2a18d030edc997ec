// Neumaier's compensated summation (Kahan–Babuška): a running sum plus the low-order bits lost
// by each addition, so a sum of n doubles has an error bound independent of n (to first order)
// instead of growing with n. Merging two sums adds both parts. Shared by SUM and AVG of DOUBLE.
// A non-finite term makes the compensation meaningless, so Value() then returns the plain sum,
// which carries the IEEE result (inf, -inf or NaN).
#pragma once

#include <cmath>

namespace braid::agg {

struct CompensatedSum {
  double sum = 0.0;
  double compensation = 0.0;

  void Add(double v) {
    double t = sum + v;
    if (std::fabs(sum) >= std::fabs(v)) {
      compensation += (sum - t) + v;
    } else {
      compensation += (v - t) + sum;
    }
    sum = t;
  }
  void Merge(const CompensatedSum& other) {
    Add(other.sum);
    compensation += other.compensation;
  }
  double Value() const { return std::isfinite(sum) ? sum + compensation : sum; }
};

}  // namespace braid::agg
