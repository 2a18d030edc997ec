// HttpServer: Braid's HTTP/1.1 server (Boost.Beast over Asio). It accepts connections on one
// address, serves keep-alive connections (hundreds at once) on a small fixed pool of io threads,
// each thread running its own event loop and each connection living on one of them (taken in
// turn), so a request and its answer stay on one thread and the threads share no event queue;
// reads each request with a body limit and timeouts, hands it to the Router and writes the answer
// whenever the handler's Responder delivers it (handlers may answer later, from any thread; the
// write is posted back to the connection's strand). Protocol mistakes are answered with the JSON
// error shape: a body over max_body_bytes is 413, a malformed request 400, and the connection is
// closed after both. `Expect: 100-continue` is honoured, so a client learns of a 413 before it
// sends the body. A connection that stays silent past idle_timeout between requests, or whose
// request does not arrive within read_timeout, is closed without an answer.
//
// Stop() is graceful: it stops accepting, closes idle connections, lets requests in progress finish
// (for up to shutdown_grace, after which their sockets are closed), and returns once every io
// thread has exited; an answer still pending in a handler (e.g. an append waiting for fsync) keeps
// the io threads alive until it is delivered, so no handler ever posts to a dead executor.
//
// Thread-safety: Start, port and Stop may be called from any thread; the destructor calls Stop().
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "server/router.h"

namespace braid::server {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 = an ephemeral port (see HttpServer::port())
  int io_threads = 2;
  uint64_t max_body_bytes = 64ull << 20;
  // How long a kept-alive connection may wait for its next request.
  Duration idle_timeout = Duration::Seconds(60);
  // How long receiving one request (after its first byte) and writing one answer may take.
  Duration read_timeout = Duration::Seconds(30);
  Duration write_timeout = Duration::Seconds(30);
  // How long Stop() lets requests in progress finish before closing their connections.
  Duration shutdown_grace = Duration::Seconds(5);
};

class HttpServer {
 public:
  // Binds, listens and starts the io threads. Bind errors (address in use, bad address) are
  // kIoError / kInvalidArgument naming the address.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options, Router router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the ephemeral one when options.port was 0).
  uint16_t port() const { return port_; }
  // Connections currently open.
  size_t open_connections() const;

  // Idempotent; see the header comment. Must not be called from a handler (an io thread).
  void Stop();

 private:
  struct Core;
  HttpServer();

  std::unique_ptr<Core> core_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  std::mutex stop_mu_;
  bool stopped_ = false;  // guarded by stop_mu_
};

}  // namespace braid::server
