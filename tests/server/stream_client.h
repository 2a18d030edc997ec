// A blocking client for streamed answers (tests only): plain POSIX sockets with a receive
// timeout, so that every read has a deadline. It sends one raw request, reads the head, then
// decodes the chunked body (or takes the bytes as they come for an HTTP/1.0 answer) as it
// arrives. Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace braid::server::testing {

class StreamClient {
 public:
  // Connects to 127.0.0.1:port and sends `request` (the whole raw request).
  StreamClient(uint16_t port, std::string_view request);
  ~StreamClient();
  StreamClient(const StreamClient&) = delete;
  StreamClient& operator=(const StreamClient&) = delete;

  // Reads until the head is complete; returns it (status line and fields), or "" on failure.
  std::string ReadHead();
  // Reads until the decoded body contains `text` at or after `from`; false on timeout or EOF.
  bool ReadUntil(std::string_view text, size_t from = 0);
  // Reads until the server closes the connection (or the timeout passes); returns whether it did.
  bool ReadToEnd();
  // The body decoded so far.
  const std::string& body() const { return body_; }
  // Whether the chunked body ended with its last chunk (a clean end, not a dropped connection).
  bool ended_cleanly() const { return last_chunk_seen_; }
  bool eof() const { return eof_; }
  // Closes the socket (the client goes away).
  void Close();

 private:
  // Receives once into raw_; false on EOF, error or timeout.
  bool Receive();
  // Moves what raw_ holds of the body into body_.
  void Decode();

  int fd_ = -1;
  std::chrono::seconds timeout_{10};
  std::string raw_;  // received and not yet decoded
  std::string head_;
  bool head_done_ = false;
  bool chunked_ = false;
  bool last_chunk_seen_ = false;
  bool eof_ = false;
  std::string body_;
};

}  // namespace braid::server::testing
