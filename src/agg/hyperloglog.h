// A HyperLogLog sketch of 64-bit hashes with 2^14 registers (standard error 1.04 / sqrt(2^14) =
// 0.81%), estimated with Ertl's improved estimator ("New cardinality estimation algorithms for
// HyperLogLog sketches", 2017), which is unbiased from 0 to far beyond 2^40 without empirical bias
// tables or a linear-counting switch. Written by hand: no library on the machine provides one.
//
// A sketch starts sparse (a short list of register updates, a few bytes per distinct register)
// and turns dense (16 KiB of registers) only when more than 512 registers are set, so the many
// small groups of a grouped aggregation stay small. Merging takes the register-wise maximum and
// is exact. The serialized form depends only on the register values, never on the phase
// (docs/formats/aggregate_states.md, kind 12). Not thread-safe.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/byte_io.h"

namespace braid::agg {

class HyperLogLog {
 public:
  static constexpr int kPrecision = 14;
  static constexpr uint32_t kRegisters = 1u << kPrecision;

  bool empty() const { return !dense_ && sparse_.empty(); }

  void Add(uint64_t hash) {
    uint64_t rest = hash << kPrecision;
    uint32_t rank = rest == 0 ? kMaxRank : static_cast<uint32_t>(std::countl_zero(rest) + 1);
    uint32_t index = static_cast<uint32_t>(hash >> (64 - kPrecision));
    if (dense_) {
      uint8_t& reg = (*dense_)[index];
      if (rank > reg) reg = static_cast<uint8_t>(rank);
      return;
    }
    sparse_.push_back(index << 8 | rank);
    if (sparse_.size() >= kSparseBuffer) Compact();
  }

  void Merge(const HyperLogLog& other);
  double Estimate() const;
  void Serialize(std::string* out) const;
  // False when the bytes are not a valid encoding; the sketch is then unspecified.
  bool Deserialize(ByteReader& in);

 private:
  using Registers = std::array<uint8_t, kRegisters>;
  static constexpr uint32_t kMaxRank = 64 - kPrecision + 1;  // 51
  static constexpr size_t kSparseBuffer = 1024;              // entries before compaction
  static constexpr size_t kSparseMaxSet = 512;               // set registers before dense

  // The set registers as sorted (index << 8 | rank) entries, one per index.
  std::vector<uint32_t> SparseRegisters() const;
  void Compact();
  void Densify();

  std::vector<uint32_t> sparse_;  // (index << 8 | rank), unsorted, may repeat; unused when dense
  std::unique_ptr<Registers> dense_;
};

}  // namespace braid::agg
