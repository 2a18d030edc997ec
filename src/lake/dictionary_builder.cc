#include "lake/dictionary_builder.h"

#include <bit>
#include <cstring>

#include "common/hash.h"

namespace braid::lake {
namespace {

uint64_t MixBits(uint64_t x) {  // a 64-bit finalizer (murmur3's): good spread for integers
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

size_t DictionaryBuilder::Probe(uint64_t hash, auto&& equals) const {
  size_t mask = slots_.size() - 1;
  size_t slot = hash & mask;
  while (slots_[slot] != 0) {
    uint32_t entry = slots_[slot] - 1;
    if (entry_hashes_[entry] == hash && equals(entry)) return slot;
    slot = (slot + 1) & mask;
  }
  return slot;
}

void DictionaryBuilder::Grow() {
  std::vector<uint32_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
  size_t mask = slots_.size() - 1;
  for (uint32_t s : old) {
    if (s == 0) continue;
    size_t slot = entry_hashes_[s - 1] & mask;
    while (slots_[slot] != 0) slot = (slot + 1) & mask;
    slots_[slot] = s;
  }
}

bool DictionaryBuilder::AddFixed(uint64_t bits) {
  uint64_t hash = MixBits(bits);
  size_t slot = Probe(hash, [&](uint32_t entry) { return fixed_entries_[entry] == bits; });
  if (slots_[slot] == 0) {
    if (entry_count_ + 1 > limits_.max_entries || plain_bytes_ + 8 > limits_.max_bytes) {
      return false;
    }
    fixed_entries_.push_back(bits);
    entry_hashes_.push_back(hash);
    slots_[slot] = static_cast<uint32_t>(++entry_count_);
    plain_bytes_ += 8;
    if (entry_count_ * 2 > slots_.size()) Grow();
    indices_.push_back(static_cast<uint32_t>(entry_count_ - 1));
    return true;
  }
  indices_.push_back(slots_[slot] - 1);
  return true;
}

bool DictionaryBuilder::AddString(std::string_view value) {
  uint64_t hash = Hash64(value);
  size_t slot = Probe(hash, [&](uint32_t entry) { return string_entries_[entry] == value; });
  if (slots_[slot] == 0) {
    if (entry_count_ + 1 > limits_.max_entries ||
        plain_bytes_ + 4 + value.size() > limits_.max_bytes) {
      return false;
    }
    string_entries_.push_back(value);
    entry_hashes_.push_back(hash);
    slots_[slot] = static_cast<uint32_t>(++entry_count_);
    plain_bytes_ += 4 + value.size();
    if (entry_count_ * 2 > slots_.size()) Grow();
    indices_.push_back(static_cast<uint32_t>(entry_count_ - 1));
    return true;
  }
  indices_.push_back(slots_[slot] - 1);
  return true;
}

bool DictionaryBuilder::WillExceedLimits(size_t rows_seen, size_t rows) {
  // Only a dictionary a quarter full whose recent rows were nearly all new values (7 in 8) gives
  // up early: a column whose values repeat, even after a long run of new ones, keeps its chance.
  if (rows_seen % kSampleRows != 0) return false;
  const size_t new_entries = entry_count_ - entries_at_sample_;
  const size_t new_bytes = plain_bytes_ - bytes_at_sample_;
  entries_at_sample_ = entry_count_;
  bytes_at_sample_ = plain_bytes_;
  const bool quarter_full = entry_count_ * 4 >= limits_.max_entries ||
                            plain_bytes_ * 4 >= limits_.max_bytes;
  if (!quarter_full || new_entries * 8 < kSampleRows * 7) return false;
  const size_t rows_left = rows - rows_seen;
  return entry_count_ + new_entries * rows_left / kSampleRows > limits_.max_entries ||
         plain_bytes_ + new_bytes * rows_left / kSampleRows > limits_.max_bytes;
}

bool DictionaryBuilder::Build(std::span<const ColumnSlice> slices) {
  Grow();
  size_t rows = 0;
  for (const ColumnSlice& slice : slices) rows += slice.size();
  size_t rows_seen = 0;
  for (const ColumnSlice& slice : slices) {
    const Column& c = *slice.column;
    std::span<const uint8_t> valid = c.validity();
    for (size_t i = slice.begin; i < slice.end; ++i) {
      if (WillExceedLimits(++rows_seen, rows)) return false;
      if (!valid.empty() && !valid[i]) continue;
      bool added = false;
      if (type_ == DataType::kString) {
        added = AddString(c.StringAt(i));
      } else if (type_ == DataType::kDouble) {
        added = AddFixed(std::bit_cast<uint64_t>(c.doubles()[i]));
      } else {
        added = AddFixed(static_cast<uint64_t>(c.int64s()[i]));
      }
      if (!added) return false;
    }
  }
  return true;
}

void DictionaryBuilder::EncodePlain(std::string* out) const {
  if (type_ == DataType::kString) {
    for (std::string_view v : string_entries_) {
      uint32_t n = static_cast<uint32_t>(v.size());
      out->append(reinterpret_cast<const char*>(&n), 4);
      out->append(v);
    }
    return;
  }
  out->append(reinterpret_cast<const char*>(fixed_entries_.data()), fixed_entries_.size() * 8);
}

}  // namespace braid::lake
