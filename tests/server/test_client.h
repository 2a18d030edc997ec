// A blocking HTTP/1.1 test client over one keep-alive connection (Boost.Beast), and a small JSON
// reader for assertions. The client reconnects when the server closed the connection; it
// reports every failure as a Status, never throws. Not thread-safe: one client per thread.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace braid::server::testing {

struct ClientResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool keep_alive = false;

  std::string Header(std::string_view name) const;
};

class TestClient {
 public:
  explicit TestClient(uint16_t port);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  Result<ClientResponse> Send(std::string_view method, std::string_view target,
                              std::string_view body = {},
                              const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Shorthands that fail the test's expectations on transport errors (status 0).
  ClientResponse Get(std::string_view target);
  ClientResponse Post(std::string_view target, std::string_view body,
                      const std::vector<std::pair<std::string, std::string>>& headers = {});

  // Connections opened so far (1 after the first request when keep-alive works).
  int connections_opened() const { return connections_opened_; }
  bool connected() const;

 private:
  struct Impl;
  Status Connect();
  Result<ClientResponse> SendOnce(std::string_view method, std::string_view target,
                                  std::string_view body,
                                  const std::vector<std::pair<std::string, std::string>>& headers);

  uint16_t port_;
  std::unique_ptr<Impl> impl_;
  int connections_opened_ = 0;
};

// A parsed JSON document kept alive with its parser.
class Json {
 public:
  explicit Json(std::string_view text);
  bool ok() const { return error_ == simdjson::SUCCESS; }
  simdjson::dom::element root() const { return root_; }
  // root()[path...] e.g. At("error", "code"); fails the test when absent.
  simdjson::dom::element At(std::string_view a) const;
  simdjson::dom::element At(std::string_view a, std::string_view b) const;

 private:
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  simdjson::error_code error_;
};

std::string StringOf(simdjson::dom::element element);
int64_t IntOf(simdjson::dom::element element);
uint64_t UintOf(simdjson::dom::element element);
// The "rows" of a /v1/sql answer, each as minified JSON.
std::vector<std::string> MinifiedRows(const Json& json);

}  // namespace braid::server::testing
