// Thrift compact protocol: the encoding of every Parquet metadata structure (file footer, page
// headers). Written by hand because no Thrift or Parquet library ships with the platform; it
// covers exactly the subset Parquet uses (docs/formats/parquet.md). The encoder appends to a
// caller-owned string. The decoder reads a caller-owned byte view that must outlive it, never
// reads past its end, bounds every length and list size by the bytes that remain (so a corrupt
// size cannot make it allocate), limits nesting depth, and can skip a value of any type so that
// readers ignore fields they do not know. Neither is thread-safe; each is used by one caller.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace braid::lake {

// Compact protocol type codes (field headers and list element types).
enum class ThriftType : uint8_t {
  kStop = 0,
  kTrue = 1,
  kFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

class ThriftEncoder {
 public:
  // Appends to *out, which must outlive the encoder.
  explicit ThriftEncoder(std::string* out) : out_(out) {}

  // A nested struct value: BeginStruct after its field or list header, EndStruct writes the stop.
  void BeginStruct();
  void EndStruct();

  void FieldBool(int16_t id, bool value);
  void FieldI8(int16_t id, int8_t value);
  void FieldI16(int16_t id, int16_t value);
  void FieldI32(int16_t id, int32_t value);
  void FieldI64(int16_t id, int64_t value);
  void FieldBinary(int16_t id, std::string_view value);
  // Header of a struct field; follow with BeginStruct ... EndStruct.
  void FieldStructBegin(int16_t id);
  // Header of a list field with `size` elements of `element` type; follow with the elements.
  void FieldListBegin(int16_t id, ThriftType element, size_t size);

  // List elements.
  void ElementI32(int32_t value);
  void ElementBinary(std::string_view value);

 private:
  void FieldHeader(int16_t id, ThriftType type);
  void Varint(uint64_t value);

  std::string* out_;
  std::vector<int16_t> last_ids_{0};
};

class ThriftDecoder {
 public:
  static constexpr int kMaxDepth = 32;

  explicit ThriftDecoder(std::string_view data) : data_(data) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  // Reads a field header inside the current struct; *type == kStop ends the struct.
  Status ReadFieldHeader(ThriftType* type, int16_t* id);
  // Enters and leaves a nested struct value (field ids restart at 0 inside it).
  Status BeginStruct();
  void EndStruct();

  // Scalar values. For a bool field the value is in the field type (FieldBool).
  Result<int64_t> ReadI64();
  Result<int32_t> ReadI32();
  Result<int8_t> ReadByte();
  Result<std::string_view> ReadBinary();
  // List or set header: element type and size, the size bounded by the remaining bytes.
  Status ReadListHeader(ThriftType* element, size_t* size);
  // Skips one value of the given type, recursively.
  Status Skip(ThriftType type);

 private:
  Result<uint64_t> ReadVarint();
  Status SkipAtDepth(ThriftType type, int depth);
  Status SkipMap(int depth);
  Status SkipStruct(int depth);
  Status Fail(std::string_view what) const;

  std::string_view data_;
  size_t pos_ = 0;
  std::vector<int16_t> last_ids_{0};
};

// The value of a bool field from its header type; kCorruption when the type is not a bool.
Result<bool> FieldBool(ThriftType type);

}  // namespace braid::lake
