#include "server/pg_server.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "server/pg_auth.h"
#include "server/pg_connection.h"

namespace braid::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
// How often the monitor looks for clients that closed their connection mid-statement.
constexpr std::chrono::milliseconds kMonitorInterval(100);
// Connections beyond max_connections still get a thread, to be told 53300; beyond this many more
// they are closed at once.
constexpr size_t kRejectionSlack = 16;
}  // namespace

// Threads: one accepts, one monitors (hang-ups, joining finished connection threads), and one
// per connection. The registry of connections is guarded by `mu`; a connection's socket is
// closed only after it left the registry, so the fds the registry names are always open.
struct PgServer::Core : PgConnectionHost {
  struct Entry {
    int32_t secret_key = 0;
    std::shared_ptr<std::atomic<bool>> cancelled;
    int fd = -1;
    bool admitted = true;
    std::thread thread;
  };

  Core(const PgServerOptions& options, serving::Database& database)
      : options(options), database(database), acceptor(io), random(std::random_device{}()) {}

  void Cancel(int32_t process_id, int32_t secret_key) override {
    std::lock_guard lock(mu);
    auto found = connections.find(process_id);
    if (found != connections.end() && found->second.secret_key == secret_key) {
      found->second.cancelled->store(true);
    }
  }

  void AcceptLoop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket(io);
      acceptor.accept(socket, ec);
      std::unique_lock lock(mu);
      if (stopping) return;
      if (ec) {
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // e.g. out of fds
        continue;
      }
      size_t admitted = 0;
      for (const auto& [id, entry] : connections) admitted += entry.admitted ? 1 : 0;
      if (connections.size() >= options.max_connections + kRejectionSlack) continue;  // closes
      StartConnection(std::move(socket), admitted < options.max_connections);
    }
  }

  // Requires mu.
  void StartConnection(tcp::socket socket, bool admitted) {
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const int32_t process_id = next_process_id++;
    Entry& entry = connections[process_id];
    entry.secret_key = static_cast<int32_t>(random());
    entry.cancelled = std::make_shared<std::atomic<bool>>(false);
    entry.fd = socket.native_handle();
    entry.admitted = admitted;
    PgConnectionSetup setup{.database = database,
                            .options = options,
                            .credentials = credentials ? &*credentials : nullptr,
                            .host = *this,
                            .process_id = process_id,
                            .secret_key = entry.secret_key,
                            .admitted = admitted,
                            .cancelled = entry.cancelled};
    entry.thread = std::thread([this, socket = std::move(socket), setup]() mutable {
      {
        PgConnection connection(socket, setup);
        (void)connection.Run();  // how a connection ended concerns only its client
      }
      Finish(setup.process_id);
      // `socket` closes when this lambda is destroyed, after the registry forgot its fd.
    });
  }

  void Finish(int32_t process_id) {
    std::lock_guard lock(mu);
    auto found = connections.find(process_id);
    finished.push_back(std::move(found->second.thread));
    connections.erase(found);
    changed.notify_all();
  }

  // Sets the cancel flag of every connection whose client hung up, and joins finished threads.
  void MonitorLoop() {
    std::unique_lock lock(mu);
    while (!(stopping && connections.empty())) {
      std::vector<pollfd> fds;
      std::vector<std::shared_ptr<std::atomic<bool>>> flags;
      for (const auto& [id, entry] : connections) {
        fds.push_back({.fd = entry.fd, .events = POLLRDHUP, .revents = 0});
        flags.push_back(entry.cancelled);
      }
      if (!fds.empty() && ::poll(fds.data(), fds.size(), 0) > 0) {
        for (size_t i = 0; i < fds.size(); ++i) {
          if (fds[i].revents & (POLLRDHUP | POLLHUP | POLLERR)) flags[i]->store(true);
        }
      }
      JoinFinished(lock);
      changed.wait_for(lock, kMonitorInterval);
    }
    JoinFinished(lock);
  }

  void JoinFinished(std::unique_lock<std::mutex>& lock) {
    std::vector<std::thread> threads = std::move(finished);
    finished.clear();
    lock.unlock();
    for (std::thread& thread : threads) thread.join();
    lock.lock();
  }

  const PgServerOptions options;
  serving::Database& database;
  std::optional<ScramCredentials> credentials;
  net::io_context io;
  tcp::acceptor acceptor;
  uint16_t port = 0;
  std::thread accept_thread;
  std::thread monitor_thread;

  std::mutex mu;
  std::condition_variable changed;
  bool stopping = false;                 // guarded by mu
  std::map<int32_t, Entry> connections;  // by process id; guarded by mu
  std::vector<std::thread> finished;     // to join; guarded by mu
  int32_t next_process_id = 1000;        // guarded by mu
  std::mt19937 random;                   // guarded by mu
};

PgServer::PgServer(std::unique_ptr<Core> core) : core_(std::move(core)) {}

PgServer::~PgServer() { Stop(); }

Result<std::unique_ptr<PgServer>> PgServer::Start(const PgServerOptions& options,
                                                  serving::Database& database) {
  boost::system::error_code ec;
  const net::ip::address address = net::ip::make_address(options.address, ec);
  if (ec) {
    return Status(
        StatusCode::kInvalidArgument,
        fmt::format("invalid PostgreSQL listen address '{}': {}", options.address, ec.message()));
  }
  auto core = std::make_unique<Core>(options, database);
  if (!options.password.empty()) {
    ASSIGN_OR_RETURN(ScramCredentials credentials,
                     ScramCredentials::FromPassword(options.password));
    core->credentials = std::move(credentials);
  }
  const tcp::endpoint endpoint(address, options.port);
  core->acceptor.open(endpoint.protocol(), ec);
  if (!ec) core->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) core->acceptor.bind(endpoint, ec);
  if (!ec) core->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(StatusCode::kIoError, fmt::format("cannot listen for PostgreSQL clients on "
                                                    "{}:{}: {}",
                                                    options.address, options.port, ec.message()));
  }
  core->port = core->acceptor.local_endpoint().port();
  Core& c = *core;
  c.accept_thread = std::thread([&c] { c.AcceptLoop(); });
  c.monitor_thread = std::thread([&c] { c.MonitorLoop(); });
  return std::unique_ptr<PgServer>(new PgServer(std::move(core)));
}

uint16_t PgServer::port() const { return core_->port; }

void PgServer::Stop() {
  Core& c = *core_;
  {
    std::lock_guard lock(c.mu);
    if (c.stopping) return;
    c.stopping = true;
    // shutdown() wakes the blocking accept() and every blocking read; the fds stay open until
    // their owners close them.
    ::shutdown(c.acceptor.native_handle(), SHUT_RDWR);
    for (auto& [id, entry] : c.connections) {
      entry.cancelled->store(true);
      ::shutdown(entry.fd, SHUT_RDWR);
    }
    c.changed.notify_all();
  }
  c.accept_thread.join();
  c.monitor_thread.join();  // returns once every connection finished and was joined
  boost::system::error_code ignored;
  c.acceptor.close(ignored);
}

}  // namespace braid::server
