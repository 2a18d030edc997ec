// Little-endian fixed-width encoding into strings and bounds-checked decoding from views, shared
// by every binary format Braid writes (chunks, log segments, catalog, aggregate states).
// ByteReader never reads past its input: a short read sets a sticky failure the caller checks.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace braid {

inline void PutU8(std::string* out, uint8_t v) { out->push_back(static_cast<char>(v)); }
inline void PutU16(std::string* out, uint16_t v) { out->append(reinterpret_cast<const char*>(&v), 2); }
inline void PutU32(std::string* out, uint32_t v) { out->append(reinterpret_cast<const char*>(&v), 4); }
inline void PutU64(std::string* out, uint64_t v) { out->append(reinterpret_cast<const char*>(&v), 8); }
inline void PutI64(std::string* out, int64_t v) { out->append(reinterpret_cast<const char*>(&v), 8); }
inline void PutBytes(std::string* out, std::string_view v) {
  PutU32(out, static_cast<uint32_t>(v.size()));
  out->append(v);
}

inline void EncodeU32(char* dst, uint32_t v) { std::memcpy(dst, &v, 4); }
inline void EncodeU64(char* dst, uint64_t v) { std::memcpy(dst, &v, 8); }
inline uint32_t DecodeU32(const char* src) {
  uint32_t v;
  std::memcpy(&v, src, 4);
  return v;
}
inline uint64_t DecodeU64(const char* src) {
  uint64_t v;
  std::memcpy(&v, src, 8);
  return v;
}

class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }

  uint8_t U8() { return Fixed<uint8_t>(); }
  uint16_t U16() { return Fixed<uint16_t>(); }
  uint32_t U32() { return Fixed<uint32_t>(); }
  uint64_t U64() { return Fixed<uint64_t>(); }
  int64_t I64() { return Fixed<int64_t>(); }
  // Raw bytes of the given length (a view into the input).
  std::string_view Raw(size_t n) {
    if (!ok_ || remaining() < n) {
      ok_ = false;
      return {};
    }
    std::string_view v = data_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  // A u32 length followed by that many bytes (PutBytes).
  std::string_view Bytes() { return Raw(U32()); }

 private:
  template <typename T>
  T Fixed() {
    std::string_view raw = Raw(sizeof(T));
    T v{};
    if (ok_) std::memcpy(&v, raw.data(), sizeof(T));
    return v;
  }

  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace braid
