// A set of 64-bit hashes: open addressing with linear probing in one power-of-two array, at most
// three quarters full (the hashes are uniform, so probe runs stay short while a set of n takes
// at most 8n/3 slots), so an insert is a few cache-friendly probes and never a node allocation
// (unlike std::unordered_set). Zero marks an empty slot; the hash 0 is kept in a flag. Written by
// hand because the state needs a flat, serializable set and no library on the machine provides one.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

namespace braid::agg {

class Uint64Set {
 public:
  size_t size() const { return size_; }

  void Insert(uint64_t h) {
    if (h == 0) {
      size_ += has_zero_ ? 0 : 1;
      has_zero_ = true;
      return;
    }
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
    size_t mask = slots_.size() - 1;
    for (size_t i = Mix(h) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == h) return;
      if (slots_[i] == 0) {
        slots_[i] = h;
        ++size_;
        return;
      }
    }
  }

  // Brings the line Insert(h) probes first into the cache (a hint: no effect on the set).
  void Prefetch(uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Mix(h) & (slots_.size() - 1)], 1);
  }

  // Brings the first and last lines of the slots into the cache (a hint, for a scan to come).
  void PrefetchSlots() const {
    if (slots_.empty()) return;
    __builtin_prefetch(slots_.data());
    __builtin_prefetch(slots_.data() + slots_.size() - 1);
  }

  // Writes every element, in no particular order, to out[0, size()), and returns size(). `out`
  // must have room for size() + 1 values: every slot is stored and only occupied ones advance,
  // so that the scan has no branch per slot (which slots are occupied is random).
  size_t CopyTo(uint64_t* out) const {
    size_t n = 0;
    if (has_zero_) out[n++] = 0;
    for (uint64_t h : slots_) {
      out[n] = h;
      n += h != 0 ? 1 : 0;
    }
    return n;
  }

  // Every element, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    if (has_zero_) f(uint64_t{0});
    for (uint64_t h : slots_) {
      if (h != 0) f(h);
    }
  }

 private:
  // Hashes are already uniform, but a second mix keeps clustered inputs (tests) cheap.
  static size_t Mix(uint64_t h) { return static_cast<size_t>((h * 0x9E3779B97F4A7C15ull) >> 20); }

  void Grow() {
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, 0);
    size_t mask = slots_.size() - 1;
    for (uint64_t h : old) {
      if (h == 0) continue;
      size_t i = Mix(h) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = h;
    }
  }

  std::vector<uint64_t> slots_;
  size_t size_ = 0;
  bool has_zero_ = false;
};

}  // namespace braid::agg
