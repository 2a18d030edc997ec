// PostgreSQL wire protocol v3 framing (written by hand: no library implements the server side).
// A frontend message is a type byte, an int32 length counting itself, and a body; the startup
// packet has no type byte. MessageReader parses a body with a sticky error: reads past the end
// return zero values and make status() kInvalidArgument, so a handler
// reads every field and checks once. MessageWriter frames backend messages into one output
// buffer; PgSocket reads frames from and flushes that buffer to a blocking Boost.Asio socket.
// Integers on the wire are big-endian. Not thread-safe: one connection's thread owns them.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace braid::server {

// The largest frontend message accepted (PostgreSQL's limit for most messages is 1 GB; ours is
// smaller since a statement is held in memory several times).
inline constexpr size_t kMaxFrontendMessageBytes = 64u << 20;

struct FrontendMessage {
  char type = 0;  // 0 for the startup packet
  std::string body;
};

class MessageReader {
 public:
  explicit MessageReader(std::string_view body) : body_(body) {}

  uint8_t Byte();
  int16_t Int16();
  int32_t Int32();
  // A NUL-terminated string (the NUL is consumed, not returned).
  std::string_view CString();
  std::string_view Bytes(size_t n);
  size_t remaining() const { return body_.size() - pos_; }
  // kInvalidArgument "malformed <what> message" when any read ran past the end.
  Status status(std::string_view what) const;

 private:
  std::string_view body_;
  size_t pos_ = 0;
  bool overrun_ = false;
};

// Appends backend messages to `out`. Begin a message, append its fields, End it (which fills
// in the length).
class MessageWriter {
 public:
  explicit MessageWriter(std::string& out) : out_(out) {}

  MessageWriter& Begin(char type);
  MessageWriter& Byte(char value);
  MessageWriter& Int16(int16_t value);
  MessageWriter& Int32(int32_t value);
  MessageWriter& Int64(int64_t value);
  MessageWriter& CString(std::string_view value);
  MessageWriter& Bytes(std::string_view value);
  void End();

 private:
  std::string& out_;
  size_t start_ = 0;
};

// Big-endian helpers for binary values.
void AppendBigEndian64(uint64_t value, std::string& out);
uint64_t ReadBigEndian(std::string_view bytes);  // 1..8 bytes

class PgSocket {
 public:
  explicit PgSocket(boost::asio::ip::tcp::socket& socket) : socket_(socket) {}

  // The startup packet (or SSLRequest, CancelRequest, ...): its body after the length.
  Result<std::string> ReadStartupPacket();
  // The next typed message. kIoError when the peer closed or the read failed.
  Result<FrontendMessage> ReadMessage();
  // Backend messages not yet sent.
  std::string& output() { return out_; }
  MessageWriter writer() { return MessageWriter(out_); }
  // Sends everything buffered.
  Status Flush();
  // Sends one raw byte now (the answer to SSLRequest).
  Status SendByte(char byte);

 private:
  Status ReadExact(char* data, size_t size);

  boost::asio::ip::tcp::socket& socket_;
  std::string out_;
};

}  // namespace braid::server
