#include "redis_reference.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

extern char** environ;

namespace braid::bench {
namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

Result<uint16_t> FreePort() {
  net::io_context io;
  net::ip::tcp::acceptor acceptor(io);
  boost::system::error_code ec;
  acceptor.open(net::ip::tcp::v4(), ec);
  if (!ec) acceptor.bind(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 0), ec);
  if (ec) return Status(StatusCode::kIoError, "free port: " + ec.message());
  return acceptor.local_endpoint().port();
}

// Whether something accepts connections on the port within 5 s.
bool WaitForListener(uint16_t port) {
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    net::io_context io;
    net::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    if (!ec) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// A redis-server child process; the destructor stops it and waits for it.
class RedisServer {
 public:
  static Result<std::unique_ptr<RedisServer>> Start(uint16_t port) {
    const std::string port_text = std::to_string(port);
    std::vector<std::string> args = {"redis-server", "--port",     port_text, "--bind",
                                     "127.0.0.1",    "--save",     "",        "--appendonly",
                                     "no",           "--loglevel", "warning"};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, "redis-server", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      return Status(StatusCode::kUnavailable, fmt::format("redis-server: {}", std::strerror(rc)));
    }
    auto server = std::unique_ptr<RedisServer>(new RedisServer(pid));
    if (!WaitForListener(port)) {
      return Status(StatusCode::kUnavailable, "redis-server did not listen within 5 s");
    }
    return server;
  }
  ~RedisServer() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

 private:
  explicit RedisServer(pid_t pid) : pid_(pid) {}
  pid_t pid_;
};

// The fields of one line of redis-benchmark's CSV (every field quoted, none holds a comma).
std::vector<std::string> CsvFields(std::string_view line) {
  std::vector<std::string> fields(1);
  for (char c : line) {
    if (c == ',') {
      fields.emplace_back();
    } else if (c != '"' && c != '\n' && c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

Result<RedisGetFigures> RunBenchmark(uint16_t port, int clients, uint64_t requests) {
  const std::string command = fmt::format(
      "redis-benchmark -h 127.0.0.1 -p {} -t set,get -n {} -c {} --csv --precision 3 2>/dev/null",
      port, requests, clients);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return Status(StatusCode::kIoError, "popen redis-benchmark");
  std::vector<std::string> header, get;
  char line[512];
  while (std::fgets(line, sizeof line, pipe.get()) != nullptr) {
    std::vector<std::string> fields = CsvFields(line);
    if (fields[0] == "test") header = fields;
    if (fields[0] == "GET" && fields.size() == header.size()) get = fields;
  }
  if (get.empty()) return Status(StatusCode::kUnavailable, "no GET line from redis-benchmark");
  auto field = [&](std::string_view name) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return std::atof(get[i].c_str());
    }
    return 0.0;
  };
  return RedisGetFigures{clients,
                         requests,
                         field("rps"),
                         field("p50_latency_ms"),
                         field("p99_latency_ms"),
                         field("max_latency_ms")};
}

}  // namespace

Result<std::vector<RedisGetFigures>> RedisGetLatency(const std::vector<int>& client_counts,
                                                     uint64_t requests) {
  ASSIGN_OR_RETURN(uint16_t port, FreePort());
  ASSIGN_OR_RETURN(std::unique_ptr<RedisServer> server, RedisServer::Start(port));
  std::vector<RedisGetFigures> figures;
  for (int clients : client_counts) {
    ASSIGN_OR_RETURN(RedisGetFigures get, RunBenchmark(port, clients, requests));
    figures.push_back(get);
  }
  return figures;
}

}  // namespace braid::bench
