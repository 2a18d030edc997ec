#include "agg/hyperloglog.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace braid::agg {
namespace {

constexpr uint8_t kEncodingSparse = 1;
constexpr uint8_t kEncodingDense = 2;
constexpr uint32_t kSparseEncodingLimit = HyperLogLog::kRegisters / 4;  // 3 bytes each < dense

double Sigma(double x) {
  if (x == 1.0) return std::numeric_limits<double>::infinity();
  double y = 1.0;
  double z = x;
  double previous;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (z != previous);
  return z;
}

double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0;
  double z = 1.0 - x;
  double previous;
  do {
    x = std::sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1.0 - x) * (1.0 - x) * y;
  } while (z != previous);
  return z / 3.0;
}

}  // namespace

std::vector<uint32_t> HyperLogLog::SparseRegisters() const {
  std::vector<uint32_t> entries;
  if (dense_) {
    for (uint32_t i = 0; i < kRegisters; ++i) {
      if ((*dense_)[i] != 0) entries.push_back(i << 8 | (*dense_)[i]);
    }
    return entries;
  }
  entries = sparse_;
  std::sort(entries.begin(), entries.end());
  // Sorted by index then rank: keep the last (largest rank) entry of each index.
  size_t out = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i + 1 < entries.size() && (entries[i + 1] >> 8) == (entries[i] >> 8)) continue;
    entries[out++] = entries[i];
  }
  entries.resize(out);
  return entries;
}

void HyperLogLog::Compact() {
  sparse_ = SparseRegisters();
  if (sparse_.size() > kSparseMaxSet) Densify();
}

void HyperLogLog::Densify() {
  if (dense_) return;
  dense_ = std::make_unique<Registers>();  // zero-filled
  for (uint32_t entry : sparse_) {
    uint8_t& reg = (*dense_)[entry >> 8];
    reg = std::max(reg, static_cast<uint8_t>(entry & 0xFF));
  }
  sparse_ = {};
}

void HyperLogLog::Merge(const HyperLogLog& other) {
  if (other.empty()) return;
  if (other.dense_) {
    Densify();
    for (uint32_t i = 0; i < kRegisters; ++i) {
      (*dense_)[i] = std::max((*dense_)[i], (*other.dense_)[i]);
    }
    return;
  }
  if (dense_) {
    for (uint32_t entry : other.sparse_) {
      uint8_t& reg = (*dense_)[entry >> 8];
      reg = std::max(reg, static_cast<uint8_t>(entry & 0xFF));
    }
    return;
  }
  sparse_.insert(sparse_.end(), other.sparse_.begin(), other.sparse_.end());
  if (sparse_.size() >= kSparseBuffer) Compact();
}

double HyperLogLog::Estimate() const {
  if (empty()) return 0.0;
  std::array<uint32_t, kMaxRank + 1> histogram{};
  if (dense_) {
    for (uint8_t r : *dense_) ++histogram[r];
  } else {
    std::vector<uint32_t> entries = SparseRegisters();
    for (uint32_t entry : entries) ++histogram[entry & 0xFF];
    histogram[0] = kRegisters - static_cast<uint32_t>(entries.size());
  }
  double m = kRegisters;
  double z = m * Tau(1.0 - histogram[kMaxRank] / m);
  for (int k = kMaxRank - 1; k >= 1; --k) z = 0.5 * (z + histogram[k]);
  z += m * Sigma(histogram[0] / m);
  return (0.5 / std::log(2.0)) * m * m / z;
}

void HyperLogLog::Serialize(std::string* out) const {
  std::vector<uint32_t> entries = SparseRegisters();
  if (entries.size() < kSparseEncodingLimit) {
    PutU8(out, kEncodingSparse);
    PutU16(out, static_cast<uint16_t>(entries.size()));
    for (uint32_t entry : entries) {
      PutU16(out, static_cast<uint16_t>(entry >> 8));
      PutU8(out, static_cast<uint8_t>(entry & 0xFF));
    }
    return;
  }
  PutU8(out, kEncodingDense);
  const Registers& r = *dense_;  // this many set registers means the sketch is dense
  for (uint32_t i = 0; i < kRegisters; i += 4) {  // 4 registers of 6 bits in 3 bytes
    uint32_t packed = r[i] | r[i + 1] << 6 | r[i + 2] << 12 | r[i + 3] << 18;
    PutU8(out, packed & 0xFF);
    PutU8(out, (packed >> 8) & 0xFF);
    PutU8(out, (packed >> 16) & 0xFF);
  }
}

bool HyperLogLog::Deserialize(ByteReader& in) {
  sparse_.clear();
  dense_.reset();
  uint8_t encoding = in.U8();
  if (encoding == kEncodingSparse) {
    uint16_t set = in.U16();
    if (!in.ok() || set >= kSparseEncodingLimit || size_t{set} * 3 > in.remaining()) return false;
    sparse_.reserve(set);
    int previous = -1;
    for (uint32_t k = 0; k < set; ++k) {
      uint16_t index = in.U16();
      uint8_t rank = in.U8();
      if (index >= kRegisters || index <= previous || rank == 0 || rank > kMaxRank) return false;
      sparse_.push_back(static_cast<uint32_t>(index) << 8 | rank);
      previous = index;
    }
    if (sparse_.size() > kSparseMaxSet) Densify();
    return true;
  }
  if (encoding != kEncodingDense || in.remaining() != size_t{kRegisters} / 4 * 3) return false;
  dense_ = std::make_unique<Registers>();
  uint32_t set = 0;
  for (uint32_t i = 0; i < kRegisters; i += 4) {
    uint32_t packed = in.U8() | in.U8() << 8 | in.U8() << 16;
    for (uint32_t j = 0; j < 4; ++j) {
      uint8_t rank = (packed >> (6 * j)) & 0x3F;
      if (rank > kMaxRank) return false;
      set += rank != 0;
      (*dense_)[i + j] = rank;
    }
  }
  return set >= kSparseEncodingLimit;  // the writer uses dense only from this many set registers
}

}  // namespace braid::agg
