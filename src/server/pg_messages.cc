#include "server/pg_messages.h"

#include <fmt/format.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

namespace braid::server {

namespace net = boost::asio;

uint8_t MessageReader::Byte() {
  std::string_view b = Bytes(1);
  return b.empty() ? 0 : static_cast<uint8_t>(b[0]);
}

int16_t MessageReader::Int16() {
  return static_cast<int16_t>(static_cast<uint16_t>(ReadBigEndian(Bytes(2))));
}

int32_t MessageReader::Int32() {
  return static_cast<int32_t>(static_cast<uint32_t>(ReadBigEndian(Bytes(4))));
}

std::string_view MessageReader::CString() {
  const size_t end = body_.find('\0', pos_);
  if (overrun_ || end == std::string_view::npos) {
    overrun_ = true;
    return {};
  }
  std::string_view value = body_.substr(pos_, end - pos_);
  pos_ = end + 1;
  return value;
}

std::string_view MessageReader::Bytes(size_t n) {
  if (overrun_ || n > remaining()) {
    overrun_ = true;
    return {};
  }
  std::string_view value = body_.substr(pos_, n);
  pos_ += n;
  return value;
}

Status MessageReader::status(std::string_view what) const {
  if (!overrun_) return Status::Ok();
  return Status(StatusCode::kInvalidArgument, fmt::format("malformed {} message", what));
}

MessageWriter& MessageWriter::Begin(char type) {
  out_.push_back(type);
  start_ = out_.size();
  out_.append(4, '\0');
  return *this;
}

MessageWriter& MessageWriter::Byte(char value) {
  out_.push_back(value);
  return *this;
}

MessageWriter& MessageWriter::Int16(int16_t value) {
  const auto v = static_cast<uint16_t>(value);
  out_.push_back(static_cast<char>(v >> 8));
  out_.push_back(static_cast<char>(v & 0xff));
  return *this;
}

MessageWriter& MessageWriter::Int32(int32_t value) {
  const auto v = static_cast<uint32_t>(value);
  for (int shift = 24; shift >= 0; shift -= 8)
    out_.push_back(static_cast<char>((v >> shift) & 0xff));
  return *this;
}

MessageWriter& MessageWriter::Int64(int64_t value) {
  AppendBigEndian64(static_cast<uint64_t>(value), out_);
  return *this;
}

MessageWriter& MessageWriter::CString(std::string_view value) {
  out_.append(value);
  out_.push_back('\0');
  return *this;
}

MessageWriter& MessageWriter::Bytes(std::string_view value) {
  out_.append(value);
  return *this;
}

void MessageWriter::End() {
  const auto length = static_cast<uint32_t>(out_.size() - start_);
  for (int i = 0; i < 4; ++i) out_[start_ + i] = static_cast<char>((length >> (24 - 8 * i)) & 0xff);
}

void AppendBigEndian64(uint64_t value, std::string& out) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xff));
}

uint64_t ReadBigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<uint8_t>(c);
  return value;
}

Status PgSocket::ReadExact(char* data, size_t size) {
  boost::system::error_code ec;
  net::read(socket_, net::buffer(data, size), ec);
  if (ec)
    return Status(StatusCode::kIoError, fmt::format("reading from the client: {}", ec.message()));
  return Status::Ok();
}

Result<std::string> PgSocket::ReadStartupPacket() {
  char header[4];
  RETURN_IF_ERROR(ReadExact(header, sizeof(header)));
  const uint64_t length = ReadBigEndian(std::string_view(header, 4));
  // PostgreSQL's MAX_STARTUP_PACKET_LENGTH is 10000 bytes.
  if (length < 8 || length > 10000) {
    return Status(StatusCode::kInvalidArgument, "invalid length of startup packet");
  }
  std::string body(length - 4, '\0');
  RETURN_IF_ERROR(ReadExact(body.data(), body.size()));
  return body;
}

Result<FrontendMessage> PgSocket::ReadMessage() {
  char header[5];
  RETURN_IF_ERROR(ReadExact(header, sizeof(header)));
  const uint64_t length = ReadBigEndian(std::string_view(header + 1, 4));
  if (length < 4 || length > kMaxFrontendMessageBytes) {
    return Status(
        StatusCode::kInvalidArgument,
        fmt::format("invalid message length {} for message type '{}'", length, header[0]));
  }
  FrontendMessage message{.type = header[0], .body = std::string(length - 4, '\0')};
  RETURN_IF_ERROR(ReadExact(message.body.data(), message.body.size()));
  return message;
}

Status PgSocket::Flush() {
  if (out_.empty()) return Status::Ok();
  boost::system::error_code ec;
  net::write(socket_, net::buffer(out_), ec);
  out_.clear();
  if (ec)
    return Status(StatusCode::kIoError, fmt::format("writing to the client: {}", ec.message()));
  return Status::Ok();
}

Status PgSocket::SendByte(char byte) {
  out_.push_back(byte);
  return Flush();
}

}  // namespace braid::server
