#include "lake/thrift_compact.h"

#include <fmt/format.h>

#include <cstring>

namespace braid::lake {
namespace {

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

}  // namespace

void ThriftEncoder::Varint(uint64_t value) {
  while (value >= 0x80) {
    out_->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out_->push_back(static_cast<char>(value));
}

void ThriftEncoder::FieldHeader(int16_t id, ThriftType type) {
  int16_t& last = last_ids_.back();
  int delta = id - last;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<uint8_t>(type)));
  } else {
    out_->push_back(static_cast<char>(type));
    Varint(ZigZag(id));
  }
  last = id;
}

void ThriftEncoder::BeginStruct() { last_ids_.push_back(0); }

void ThriftEncoder::EndStruct() {
  out_->push_back(0);
  last_ids_.pop_back();
}

void ThriftEncoder::FieldBool(int16_t id, bool value) {
  FieldHeader(id, value ? ThriftType::kTrue : ThriftType::kFalse);
}

void ThriftEncoder::FieldI8(int16_t id, int8_t value) {
  FieldHeader(id, ThriftType::kByte);
  out_->push_back(static_cast<char>(value));
}

void ThriftEncoder::FieldI16(int16_t id, int16_t value) {
  FieldHeader(id, ThriftType::kI16);
  Varint(ZigZag(value));
}

void ThriftEncoder::FieldI32(int16_t id, int32_t value) {
  FieldHeader(id, ThriftType::kI32);
  Varint(ZigZag(value));
}

void ThriftEncoder::FieldI64(int16_t id, int64_t value) {
  FieldHeader(id, ThriftType::kI64);
  Varint(ZigZag(value));
}

void ThriftEncoder::FieldBinary(int16_t id, std::string_view value) {
  FieldHeader(id, ThriftType::kBinary);
  ElementBinary(value);
}

void ThriftEncoder::FieldStructBegin(int16_t id) { FieldHeader(id, ThriftType::kStruct); }

void ThriftEncoder::FieldListBegin(int16_t id, ThriftType element, size_t size) {
  FieldHeader(id, ThriftType::kList);
  if (size <= 14) {
    out_->push_back(static_cast<char>((size << 4) | static_cast<uint8_t>(element)));
  } else {
    out_->push_back(static_cast<char>(0xF0 | static_cast<uint8_t>(element)));
    Varint(size);
  }
}

void ThriftEncoder::ElementI32(int32_t value) { Varint(ZigZag(value)); }

void ThriftEncoder::ElementBinary(std::string_view value) {
  Varint(value.size());
  out_->append(value);
}

Status ThriftDecoder::Fail(std::string_view what) const {
  return Status(StatusCode::kCorruption,
                fmt::format("thrift metadata: {} at byte {} of {}", what, pos_, data_.size()));
}

Result<uint64_t> ThriftDecoder::ReadVarint() {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return Fail("truncated varint");
    uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
    value |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  return Fail("varint longer than 10 bytes");
}

Result<int64_t> ThriftDecoder::ReadI64() {
  ASSIGN_OR_RETURN(uint64_t raw, ReadVarint());
  return UnZigZag(raw);
}

Result<int32_t> ThriftDecoder::ReadI32() {
  ASSIGN_OR_RETURN(int64_t v, ReadI64());
  if (v < INT32_MIN || v > INT32_MAX) return Fail("i32 value out of range");
  return static_cast<int32_t>(v);
}

Result<int8_t> ThriftDecoder::ReadByte() {
  if (pos_ >= data_.size()) return Fail("truncated byte");
  return static_cast<int8_t>(data_[pos_++]);
}

Result<std::string_view> ThriftDecoder::ReadBinary() {
  ASSIGN_OR_RETURN(uint64_t size, ReadVarint());
  if (size > remaining()) return Fail(fmt::format("binary of {} bytes past the end", size));
  std::string_view v = data_.substr(pos_, size);
  pos_ += size;
  return v;
}

Status ThriftDecoder::ReadFieldHeader(ThriftType* type, int16_t* id) {
  if (pos_ >= data_.size()) return Fail("truncated struct");
  uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
  *type = static_cast<ThriftType>(byte & 0x0F);
  if (*type == ThriftType::kStop) {
    if (byte != 0) return Fail("malformed stop byte");
    return Status::Ok();
  }
  if ((byte & 0x0F) > static_cast<uint8_t>(ThriftType::kStruct)) {
    return Fail(fmt::format("unknown field type {}", byte & 0x0F));
  }
  int delta = byte >> 4;
  if (delta != 0) {
    *id = static_cast<int16_t>(last_ids_.back() + delta);
  } else {
    ASSIGN_OR_RETURN(int64_t raw_id, ReadI64());
    if (raw_id < INT16_MIN || raw_id > INT16_MAX) return Fail("field id out of range");
    *id = static_cast<int16_t>(raw_id);
  }
  last_ids_.back() = *id;
  return Status::Ok();
}

Status ThriftDecoder::BeginStruct() {
  if (last_ids_.size() > kMaxDepth) return Fail("structs nested too deeply");
  last_ids_.push_back(0);
  return Status::Ok();
}

void ThriftDecoder::EndStruct() {
  if (last_ids_.size() > 1) last_ids_.pop_back();
}

Status ThriftDecoder::ReadListHeader(ThriftType* element, size_t* size) {
  if (pos_ >= data_.size()) return Fail("truncated list header");
  uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
  *element = static_cast<ThriftType>(byte & 0x0F);
  uint64_t n = byte >> 4;
  if (n == 15) {
    ASSIGN_OR_RETURN(n, ReadVarint());
  }
  // Every element takes at least one byte, so a size above the remaining bytes is corrupt.
  if (n > remaining()) return Fail(fmt::format("list of {} elements past the end", n));
  *size = n;
  return Status::Ok();
}

Status ThriftDecoder::Skip(ThriftType type) { return SkipAtDepth(type, 0); }

Status ThriftDecoder::SkipAtDepth(ThriftType type, int depth) {
  if (depth > kMaxDepth) return Fail("values nested too deeply");
  switch (type) {
    case ThriftType::kTrue:
    case ThriftType::kFalse:
      return Status::Ok();
    case ThriftType::kByte:
      return ReadByte().status();
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64:
      return ReadVarint().status();
    case ThriftType::kDouble:
      if (remaining() < 8) return Fail("truncated double");
      pos_ += 8;
      return Status::Ok();
    case ThriftType::kBinary:
      return ReadBinary().status();
    case ThriftType::kList:
    case ThriftType::kSet: {
      ThriftType element;
      size_t size;
      RETURN_IF_ERROR(ReadListHeader(&element, &size));
      for (size_t i = 0; i < size; ++i) {
        // Bools inside containers take one byte each.
        if (element == ThriftType::kTrue || element == ThriftType::kFalse) {
          RETURN_IF_ERROR(ReadByte());
        } else {
          RETURN_IF_ERROR(SkipAtDepth(element, depth + 1));
        }
      }
      return Status::Ok();
    }
    case ThriftType::kMap:
      return SkipMap(depth);
    case ThriftType::kStruct:
      return SkipStruct(depth);
    case ThriftType::kStop:
      break;
  }
  return Fail(fmt::format("cannot skip a value of type {}", static_cast<int>(type)));
}

Status ThriftDecoder::SkipMap(int depth) {
  ASSIGN_OR_RETURN(uint64_t size, ReadVarint());
  if (size == 0) return Status::Ok();
  if (size > remaining()) return Fail("map size past the end");
  ASSIGN_OR_RETURN(int8_t types, ReadByte());
  auto key = static_cast<ThriftType>((static_cast<uint8_t>(types) >> 4) & 0x0F);
  auto value = static_cast<ThriftType>(static_cast<uint8_t>(types) & 0x0F);
  for (uint64_t i = 0; i < size; ++i) {
    for (ThriftType t : {key, value}) {
      if (t == ThriftType::kTrue || t == ThriftType::kFalse) {
        RETURN_IF_ERROR(ReadByte());
      } else {
        RETURN_IF_ERROR(SkipAtDepth(t, depth + 1));
      }
    }
  }
  return Status::Ok();
}

Status ThriftDecoder::SkipStruct(int depth) {
  RETURN_IF_ERROR(BeginStruct());
  while (true) {
    ThriftType type;
    int16_t id;
    RETURN_IF_ERROR(ReadFieldHeader(&type, &id));
    if (type == ThriftType::kStop) break;
    RETURN_IF_ERROR(SkipAtDepth(type, depth + 1));
  }
  EndStruct();
  return Status::Ok();
}

Result<bool> FieldBool(ThriftType type) {
  if (type == ThriftType::kTrue) return true;
  if (type == ThriftType::kFalse) return false;
  return Status(StatusCode::kCorruption, "thrift metadata: bool field has a non-bool type");
}

}  // namespace braid::lake
