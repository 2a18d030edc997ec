#include "server/http_server.h"

#include <fmt/format.h>
#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <vector>

#include "server/http_session.h"

namespace braid::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
// After a failed accept (e.g. out of file descriptors) the listener pauses before trying again.
constexpr std::chrono::milliseconds kAcceptRetryDelay(50);
}  // namespace

// The io_contexts and everything the io threads touch. Members are destroyed in reverse order, so
// the io_contexts go last.
struct HttpServer::Core {
  explicit Core(int threads)
      : ios(MakeLoops(threads)),
        acceptor(net::make_strand(*ios[0])),
        accept_retry(acceptor.get_executor()) {
    for (const std::unique_ptr<net::io_context>& io : ios) {
      keep_running.push_back(net::make_work_guard(*io));
    }
  }

  static std::vector<std::unique_ptr<net::io_context>> MakeLoops(int threads) {
    std::vector<std::unique_ptr<net::io_context>> loops;
    for (int i = 0; i < threads; ++i) loops.push_back(std::make_unique<net::io_context>(1));
    return loops;
  }

  // Each connection lives on one io thread's loop, taken in turn.
  void Accept() {
    net::io_context& loop = *ios[next_loop++ % ios.size()];
    acceptor.async_accept(net::make_strand(loop),
                          [this](boost::system::error_code ec, HttpSession::Socket socket) {
                            OnAccept(ec, std::move(socket));
                          });
  }

  void OnAccept(boost::system::error_code ec, HttpSession::Socket socket) {
    if (context.stopping.load() || ec == net::error::operation_aborted) return;
    if (ec) {
      accept_retry.expires_after(kAcceptRetryDelay);
      accept_retry.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec && !context.stopping.load()) Accept();
      });
      return;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // answers are small and latency matters
    auto session = std::make_shared<HttpSession>(std::move(socket), context);
    context.registry.Add(session);
    session->Start();
    Accept();
  }

  std::vector<std::unique_ptr<net::io_context>> ios;  // one per io thread
  std::vector<net::executor_work_guard<net::io_context::executor_type>> keep_running;
  tcp::acceptor acceptor;
  net::steady_timer accept_retry;
  size_t next_loop = 0;  // touched only on the acceptor's strand
  Router router;
  SessionContext context;
};

HttpServer::HttpServer() = default;

HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      Router router) {
  if (options.io_threads < 1) {
    return Status(StatusCode::kInvalidArgument, "the HTTP server needs at least one io thread");
  }
  boost::system::error_code ec;
  const net::ip::address address = net::ip::make_address(options.address, ec);
  if (ec) {
    return Status(StatusCode::kInvalidArgument, fmt::format("invalid HTTP listen address '{}': {}",
                                                            options.address, ec.message()));
  }
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->core_ = std::make_unique<Core>(options.io_threads);
  Core& core = *server->core_;
  core.router = std::move(router);
  core.context.router = &core.router;
  core.context.options = options;
  const tcp::endpoint endpoint(address, options.port);
  auto fail = [&](std::string_view what) {
    return Status(StatusCode::kIoError, fmt::format("HTTP server: {} {}:{}: {}", what,
                                                    options.address, options.port, ec.message()));
  };
  core.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("opening a socket for");
  core.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("setting SO_REUSEADDR on");
  core.acceptor.bind(endpoint, ec);
  if (ec) return fail("binding");
  core.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listening on");
  const tcp::endpoint bound = core.acceptor.local_endpoint(ec);
  if (ec) return fail("reading the bound port of");
  server->port_ = bound.port();
  core.Accept();
  for (size_t i = 0; i < core.ios.size(); ++i) {
    server->threads_.emplace_back([&loop = *core.ios[i], i] {
      pthread_setname_np(pthread_self(), fmt::format("braid-http-{}", i).c_str());  // for top -H
      loop.run();
    });
  }
  return server;
}

size_t HttpServer::open_connections() const { return core_->context.registry.size(); }

void HttpServer::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  if (stopped_ || core_ == nullptr) return;
  stopped_ = true;
  Core& core = *core_;
  core.context.stopping.store(true);
  net::post(core.acceptor.get_executor(), [&core] {
    boost::system::error_code ignored;
    core.acceptor.close(ignored);
    core.accept_retry.cancel();
  });
  for (const std::shared_ptr<HttpSession>& session : core.context.registry.Snapshot()) {
    session->RequestStop();
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::microseconds(core.context.options.shutdown_grace.micros);
  if (!core.context.registry.WaitUntilEmpty(deadline)) {
    for (const std::shared_ptr<HttpSession>& session : core.context.registry.Snapshot()) {
      session->ForceClose();
    }
  }
  // Each loop runs until its last connection's work is done.
  for (auto& guard : core.keep_running) guard.reset();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace braid::server
