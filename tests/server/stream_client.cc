#include "stream_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>

namespace braid::server::testing {

StreamClient::StreamClient(uint16_t port, std::string_view request) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd_, 0);
  timeval tv{.tv_sec = timeout_.count(), .tv_usec = 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      ADD_FAILURE() << "send failed";
      return;
    }
    sent += static_cast<size_t>(n);
  }
}

StreamClient::~StreamClient() { Close(); }

void StreamClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool StreamClient::Receive() {
  if (fd_ < 0 || eof_) return false;
  char buffer[16 << 10];
  ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
  if (n <= 0) {
    eof_ = n == 0 || errno == ECONNRESET;  // a timeout (EAGAIN) is not the end
    return false;
  }
  raw_.append(buffer, static_cast<size_t>(n));
  Decode();
  return true;
}

void StreamClient::Decode() {
  if (!head_done_) {
    size_t end = raw_.find("\r\n\r\n");
    if (end == std::string::npos) return;
    head_ = raw_.substr(0, end + 4);
    raw_.erase(0, end + 4);
    head_done_ = true;
    chunked_ = head_.find("Transfer-Encoding: chunked\r\n") != std::string::npos;
  }
  if (!chunked_) {
    body_ += raw_;
    raw_.clear();
    return;
  }
  while (!last_chunk_seen_) {
    size_t line_end = raw_.find("\r\n");
    if (line_end == std::string::npos) return;
    size_t size = std::strtoul(raw_.substr(0, line_end).c_str(), nullptr, 16);
    if (raw_.size() < line_end + 2 + size + 2) return;
    body_.append(raw_, line_end + 2, size);
    raw_.erase(0, line_end + 2 + size + 2);
    if (size == 0) last_chunk_seen_ = true;
  }
}

std::string StreamClient::ReadHead() {
  while (!head_done_) {
    if (!Receive()) return "";
  }
  return head_;
}

bool StreamClient::ReadUntil(std::string_view text, size_t from) {
  while (body_.size() < from || body_.find(text, from) == std::string::npos) {
    if (!Receive()) return false;
  }
  return true;
}

bool StreamClient::ReadToEnd() {
  while (Receive()) {
  }
  return eof_;
}

}  // namespace braid::server::testing
